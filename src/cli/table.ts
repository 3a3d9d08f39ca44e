/**
 * Plain-text tables for the terminal: columns with word wrap, so a criterion's
 * full text and evidence stay readable without a wide terminal.
 */

/** Split text into lines of at most `width` characters, breaking at spaces when possible. */
export function wrap (text: string, width: number): string[] {
  const out: string[] = []
  for (const para of text.split('\n')) {
    let line = ''
    for (const word of para.split(/\s+/).filter(Boolean)) {
      let w = word
      while (w.length > width) {
        if (line) { out.push(line); line = '' }
        out.push(w.slice(0, width))
        w = w.slice(width)
      }
      if (!line) line = w
      else if (line.length + 1 + w.length <= width) line += ` ${w}`
      else { out.push(line); line = w }
    }
    out.push(line)
  }
  return out.length ? out : ['']
}

/** Display width, counting each code point once (✓ ✗ ? and Danish letters are one column). */
const len = (s: string): number => [...s].length
const pad = (s: string, n: number): string => s + ' '.repeat(Math.max(0, n - len(s)))

/**
 * Render rows under a header. `widths` are the maximum widths per column; the
 * last column takes what is left of `total`.
 */
export function table (header: string[], rows: string[][], widths: number[], total: number): string {
  const cols = header.length
  const natural = header.map((h, i) => Math.max(len(h), ...rows.map((r) => Math.max(...(r[i] ?? '').split('\n').map(len)))))
  const w = natural.map((n, i) => Math.max(1, Math.min(n, widths[i] ?? n)))
  const used = w.slice(0, -1).reduce((a, b) => a + b, 0) + (cols - 1) * 2
  w[cols - 1] = Math.max(20, Math.min(natural[cols - 1]!, total - used))
  const line = (cells: string[]): string[] => {
    const wrapped = cells.map((c, i) => wrap(c, w[i]!))
    const height = Math.max(...wrapped.map((x) => x.length))
    return Array.from({ length: height }, (_, k) => wrapped.map((x, i) => pad(x[k] ?? '', i === cols - 1 ? 0 : w[i]!)).join('  ').trimEnd())
  }
  return [...line(header), w.map((n) => '─'.repeat(n)).join('  '), ...rows.flatMap(line)].join('\n')
}
