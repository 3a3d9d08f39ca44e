/**
 * Small-count suppression (docs/reports.md "Small counts"): a count from 1 to
 * 4 is never shown — it reads "<5" — and, so that it cannot be recovered by
 * subtraction, whenever exactly one member of a published sum is hidden the
 * smallest other non-zero member is hidden too ("x", complementary
 * suppression), repeated until no published sum has a single hidden member.
 * Zero is shown: it names no one. The underlying numbers never leave the
 * server; only the cells do.
 */
export const THRESHOLD = 5

export type Cell = { n: number, shown: string, hidden: false } | { n: number, shown: '<5' | 'x', hidden: true }

const primary = (n: number): Cell => n > 0 && n < THRESHOLD ? { n, shown: '<5', hidden: true } : { n, shown: String(n), hidden: false }

/**
 * A table of counts with the sums it publishes. `cells` maps an id to its count; each group lists the ids
 * whose sum is published (or can be derived from what is).
 */
export function suppressTable (cells: Map<string, number>, groups: string[][]): Map<string, Cell> {
  const out = new Map<string, Cell>()
  for (const [id, n] of cells) out.set(id, primary(n))
  let changed = true
  let passes = 0
  while (changed && passes++ < 50) {
    changed = false
    for (const group of groups) {
      const members = group.filter((id) => (out.get(id)?.n ?? 0) > 0)
      const hidden = members.filter((id) => out.get(id)!.hidden)
      if (hidden.length !== 1) continue
      const candidate = members.filter((id) => !out.get(id)!.hidden).sort((a, b) => out.get(a)!.n - out.get(b)!.n || a.localeCompare(b))[0]
      if (candidate === undefined) continue
      out.set(candidate, { n: out.get(candidate)!.n, shown: 'x', hidden: true })
      changed = true
    }
  }
  return out
}

/** One count alone (lists whose sums are not published). */
export function suppressOne (n: number): Cell { return primary(n) }
