/**
 * The playground's card-detail Markdown renderer (src/web/static/markdown.js):
 * the subset the card renderer writes, and nothing from the text ever becomes markup.
 */
import t from 'tap'
import { renderMarkdown } from '../../src/web/static/markdown.js'
import { renderCards } from '../../src/cards/render.js'
import type { IndicationResult } from '../../src/core/types.js'

void t.test('headings, emphasis, lists, quotes, tables, links', async (t) => {
  t.equal(renderMarkdown('## Title'), '<h2>Title</h2>')
  t.equal(renderMarkdown('**bold** and _it_ and *it*'), '<p><strong>bold</strong> and <em>it</em> and <em>it</em></p>')
  t.equal(renderMarkdown('- a\n- b\n\n1. x\n2. y'), '<ul><li>a</li><li>b</li></ul>\n<ol><li>x</li><li>y</li></ol>')
  t.equal(renderMarkdown('> note'), '<blockquote><p>note</p></blockquote>')
  t.equal(renderMarkdown('| a | b |\n|---|---|\n| 1 | x \\| y |'), '<table><thead><tr><th>a</th><th>b</th></tr></thead><tbody><tr><td>1</td><td>x | y</td></tr></tbody></table>')
  t.equal(renderMarkdown('[NGC](https://ngc.dk/?a=1&b=2)'), '<p><a href="https://ngc.dk/?a=1&amp;b=2" target="_blank" rel="noopener noreferrer">NGC</a></p>')
  t.equal(renderMarkdown('`a*b*`'), '<p><code>a*b*</code></p>', 'code spans are not formatted')
  t.equal(renderMarkdown('snake\\_case and 2 \\* 3'), '<p>snake_case and 2 * 3</p>', 'backslash escapes')
  t.equal(renderMarkdown('line one\nline two'), '<p>line one<br>line two</p>')
})

void t.test('nothing from the text becomes markup', async (t) => {
  const attacks = [
    '<script>alert(1)</script>',
    '<img src=x onerror=alert(1)>',
    '[x](javascript:alert(1))',
    '[x](//evil.example/)',
    '[x](data:text/html,<script>alert(1)</script>)',
    '**<b onclick="x">**',
    '| <svg onload=alert(1)> | a |\n|---|---|\n| "x" | \'y\' |',
    '\u0000 0 \u0000',
    '[a"onmouseover="alert(1)](https://x.example/"onmouseover="alert(1))'
  ]
  for (const a of attacks) {
    const out = renderMarkdown(a)
    const tags = [...out.matchAll(/<\/?([a-z0-9]+)/g)].map((m) => m[1])
    t.ok(tags.every((tag) => ['p', 'br', 'strong', 'em', 'code', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'a', 'ul', 'ol', 'li', 'blockquote', 'h1', 'h2', 'h3'].includes(tag!)), `only own tags: ${a}`)
    t.notMatch(out, /<a [^>]*href="(?!https?:\/\/)/, `no non-http link: ${a}`)
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
  const out = renderMarkdown(card!.detail!)
  t.match(out, '<strong>Titel &lt;b&gt;</strong>', 'escaped title in bold')
  t.match(out, '<td>Kriterium | med * tegn</td>', 'escaped pipes and stars survive as text')
  t.match(out, '<td>D69.4 &lt;i&gt; · 2026-01-01</td>')
  t.match(out, /<ul><li>Informeret: Dokumentér _det_<\/li><\/ul>/, 'the to-document list')
  t.match(out, '<em>Regelversion: 1+abc</em>')
})
