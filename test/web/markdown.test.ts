/**
 * The playground's card-detail Markdown (src/web/static/card-markdown.js, markdown-it with
 * raw HTML off): what the card renderer writes comes out as markup, and nothing from the
 * text ever becomes markup of its own (no raw HTML, no script or data links).
 */
import t from 'tap'
import markdownit from 'markdown-it'
import { cardMarkdownRenderer } from '../../src/web/static/card-markdown.js'
import { renderCards } from '../../src/cards/render.js'
import type { IndicationResult } from '../../src/core/types.js'

const render = cardMarkdownRenderer(markdownit as unknown as (options: object) => unknown)
const tags = (html: string): string[] => [...html.matchAll(/<\/?([a-z0-9]+)/g)].map((m) => m[1]!)

void t.test('headings, emphasis, lists, quotes, tables, links', async (t) => {
  t.equal(render('## Title').trim(), '<h2>Title</h2>')
  t.equal(render('**bold** and _it_ and *it*').trim(), '<p><strong>bold</strong> and <em>it</em> and <em>it</em></p>')
  t.match(render('- a\n- b'), /<ul>\s*<li>a<\/li>\s*<li>b<\/li>\s*<\/ul>/)
  t.match(render('> note'), /<blockquote>\s*<p>note<\/p>\s*<\/blockquote>/)
  t.match(render('| a | b |\n|---|---|\n| 1 | x \\| y |'), /<td>x \| y<\/td>/, 'tables, with escaped pipes')
  t.equal(render('[NGC](https://ngc.dk/?a=1&b=2)').trim(), '<p><a href="https://ngc.dk/?a=1&amp;b=2" target="_blank" rel="noopener noreferrer">NGC</a></p>')
  t.equal(render('[Kriterier](/criteria/x)').trim(), '<p><a href="/criteria/x" target="_blank" rel="noopener noreferrer">Kriterier</a></p>', 'same-origin paths kept')
  t.equal(render('`a*b*`').trim(), '<p><code>a*b*</code></p>', 'code spans are not formatted')
  t.equal(render('snake\\_case and 2 \\* 3').trim(), '<p>snake_case and 2 * 3</p>', 'backslash escapes')
})

void t.test('nothing from the text becomes markup', async (t) => {
  const attacks = [
    '<script>alert(1)</script>',
    '<img src=x onerror=alert(1)>',
    '[x](javascript:alert(1))',
    '[x](//evil.example/)',
    '[x](data:text/html,<script>alert(1)</script>)',
    '![x](https://evil.example/a.png)',
    '**<b onclick="x">**',
    '| <svg onload=alert(1)> | a |\n|---|---|\n| "x" | \'y\' |',
    '[a"onmouseover="alert(1)](https://x.example/"onmouseover="alert(1))'
  ]
  for (const a of attacks) {
    const out = render(a)
    t.ok(tags(out).every((tag) => ['p', 'br', 'strong', 'em', 'code', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'a', 'ul', 'ol', 'li', 'blockquote', 'h1', 'h2', 'h3'].includes(tag)), `only Markdown's own tags: ${a}`)
    t.notMatch(out, /<a [^>]*href="(?!https?:\/\/|\/[^/])/, `no non-http link: ${a}`)
    t.notMatch(out, /<[^>]*\son\w+=/i, `no event handler attribute in a tag: ${a}`)
  }
})

void t.test('renders the card detail the service writes', async (t) => {
  const result: IndicationResult = {
    indication: 'x', title: { da: 'Titel <b>', en: 'Title' }, group: 'hematologic-cancer', url: 'https://ngc.dk', status: 'incomplete',
    criteria: [
      { id: 'a', status: 'met', required: true, text: { da: 'Kriterium | med * tegn', en: 'A' }, evidence: [{ display: 'D69.4 <i>', date: '2026-01-01' }] },
      { id: 'b', status: 'unknown', required: true, text: { da: 'Informeret', en: 'B' }, evidence: [], document: { da: 'Dokumentér _det_', en: 'x' } }
    ],
    matchEvidence: [], advice: [], related: [], paediatricRedirect: false
  }
  const [card] = renderCards([result], { language: 'da', rulesVersion: '1+abc', unavailable: [] })
  const out = render(card!.detail!)
  t.ok(out.length > 0 && tags(out).every((tag) => ['p', 'br', 'strong', 'em', 'code', 'ul', 'ol', 'li', 'a', 'blockquote', 'h1', 'h2', 'h3', 'table', 'thead', 'tbody', 'tr', 'th', 'td'].includes(tag)), 'only Markdown\'s own tags')
  t.notMatch(out, /<b>|<i>/, 'no markup from the data')
  t.match(out, /<li>Dokumentér _det_<\/li>/, 'what to document, its escaped emphasis marks as text')
})
