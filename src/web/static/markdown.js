// A small, safe Markdown renderer for CDS Hooks card `detail` (GitHub-flavoured
// subset): headings, paragraphs, **bold**, _italic_ / *italic*, `code`, lists,
// block quotes, tables and [links](https://…). Everything is HTML-escaped
// first; only the tags produced here are ever emitted, and links are kept only
// for http(s) and same-origin paths. Backslash escapes (`\|`, `\*`, …) are
// honoured, as the card renderer escapes data that way (src/cards/render.ts).
// Runs in the browser (src/web/static/playground.js) and in Node tests.

const ESC = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }

/** @param {string} s */
export function escapeHtml (s) {
  return String(s).replace(/[&<>"']/g, (c) => ESC[c])
}

const PH = '\u0000'

/** Inline Markdown of one line of text to HTML. */
export function inline (text) {
  const held = []
  // Backslash escapes become placeholders, restored (escaped) at the end.
  let s = String(text).split(PH).join('').replace(/\\([\\`*_{}[\]()#+\-.!|<>~])/g, (_m, c) => {
    held.push(escapeHtml(c))
    return `${PH}${held.length - 1}${PH}`
  })
  // Code spans are held too, so their content is not formatted.
  s = s.replace(/`([^`]+)`/g, (_m, c) => {
    held.push(`<code>${escapeHtml(c)}</code>`)
    return `${PH}${held.length - 1}${PH}`
  })
  s = escapeHtml(s)
  s = s.replace(/\[([^\]]+)\]\(([^)\s]+)\)/g, (_m, label, url) => {
    const href = url.replace(/&amp;/g, '&')
    if (!/^(https?:\/\/|\/(?!\/))/i.test(href)) return label
    return `<a href="${escapeHtml(href)}" target="_blank" rel="noopener noreferrer">${label}</a>`
  })
  s = s.replace(/\*\*(?=\S)(.+?)\*\*/g, '<strong>$1</strong>')
  s = s.replace(/(^|[^\w])_(?=\S)(.+?)_(?![\w])/g, '$1<em>$2</em>')
  s = s.replace(/(^|[^*])\*(?=\S)([^*]+?)\*(?!\*)/g, '$1<em>$2</em>')
  return s.replace(new RegExp(`${PH}(\\d+)${PH}`, 'g'), (_m, i) => held[Number(i)] ?? '')
}

/** Split a table row on unescaped pipes, without the outer ones. */
function cells (line) {
  const t = line.trim().replace(/^\|/, '').replace(/(?<!\\)\|$/, '')
  return t.split(/(?<!\\)\|/).map((c) => c.trim())
}

const TABLE_SEPARATOR = /^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$/
const LIST_ITEM = /^\s*([-*+]|\d+[.)])\s+(.*)$/
const HEADING = /^(#{1,6})\s+(.*)$/

/**
 * Render Markdown to an HTML string that contains only p, h1–h6, strong, em,
 * code, ul, ol, li, blockquote, table, thead, tbody, tr, th, td and a elements.
 * @param {string} markdown
 */
export function renderMarkdown (markdown) {
  const lines = String(markdown ?? '').replace(/\r\n?/g, '\n').split('\n')
  const out = []
  let i = 0
  const startsBlock = (l, next) => l.trim() === '' || HEADING.test(l) || /^\s*>/.test(l) || LIST_ITEM.test(l) || (l.trim().startsWith('|') && next !== undefined && TABLE_SEPARATOR.test(next))
  while (i < lines.length) {
    const line = lines[i]
    if (line.trim() === '') { i++; continue }
    const h = HEADING.exec(line)
    if (h) {
      const level = h[1].length
      out.push(`<h${level}>${inline(h[2])}</h${level}>`)
      i++
      continue
    }
    if (line.trim().startsWith('|') && i + 1 < lines.length && TABLE_SEPARATOR.test(lines[i + 1])) {
      const head = cells(line)
      i += 2
      const rows = []
      while (i < lines.length && lines[i].trim().startsWith('|')) rows.push(cells(lines[i++]))
      out.push(`<table><thead><tr>${head.map((c) => `<th>${inline(c)}</th>`).join('')}</tr></thead><tbody>${rows.map((r) => `<tr>${r.map((c) => `<td>${inline(c)}</td>`).join('')}</tr>`).join('')}</tbody></table>`)
      continue
    }
    if (/^\s*>/.test(line)) {
      const quoted = []
      while (i < lines.length && /^\s*>/.test(lines[i])) quoted.push(lines[i++].replace(/^\s*>\s?/, ''))
      out.push(`<blockquote>${renderMarkdown(quoted.join('\n'))}</blockquote>`)
      continue
    }
    const li = LIST_ITEM.exec(line)
    if (li) {
      const ordered = /\d/.test(li[1])
      const items = []
      while (i < lines.length) {
        const m = LIST_ITEM.exec(lines[i])
        if (!m || /\d/.test(m[1]) !== ordered) break
        items.push(`<li>${inline(m[2])}</li>`)
        i++
      }
      const tag = ordered ? 'ol' : 'ul'
      out.push(`<${tag}>${items.join('')}</${tag}>`)
      continue
    }
    const para = []
    while (i < lines.length && (para.length === 0 || !startsBlock(lines[i], lines[i + 1]))) para.push(lines[i++])
    out.push(`<p>${para.map(inline).join('<br>')}</p>`)
  }
  return out.join('\n')
}
