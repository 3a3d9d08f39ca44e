/**
 * From the store's aggregates (store/report-data.ts) to the report: regions
 * mapped (region.ts), rows per month × region × indication, national monthly
 * totals, the criteria most often not met or unknown, the override reasons,
 * the order-select → order-sign times — every count passed through the
 * small-count suppression (suppress.ts) before anything is rendered.
 */
import type { ReportData, ReportKey } from '../store/report-data.js'
import { reportRegion, REGIONS, type RegionMapping, type ReportRegion } from './region.js'
import { suppressOne, suppressTable, THRESHOLD, type Cell } from './suppress.js'

export const COUNT_COLUMNS = ['orders', 'signed', 'eligible', 'incomplete', 'notEligible', 'signedDespite'] as const
export type CountColumn = typeof COUNT_COLUMNS[number]
const VERDICT: Record<string, CountColumn> = { eligible: 'eligible', incomplete: 'incomplete', 'not-eligible': 'notEligible' }

export interface SignTime { n: Cell, medianMinutes?: number, p90Minutes?: number }

export interface ReportRow {
  month: string
  region: ReportRegion
  indication: string
  cells: Record<CountColumn, Cell>
  signTime: SignTime
}

export interface MonthTotal { month: string, cells: Record<CountColumn, Cell>, signTime: SignTime }

export interface CriterionCount { indication: string, criterion: string, kind: 'not-met' | 'unknown', n: Cell }
export interface ReasonCount { code: string | null, system: string | null, display: string | null, n: Cell }

export interface Report {
  from: string
  to: string
  months: string[]
  rows: ReportRow[]
  totals: MonthTotal[]
  /** Over the whole period, most frequent first. */
  criteria: CriterionCount[]
  overrideReasons: ReasonCount[]
  /** Per row, for the CSV: criteria and override reasons by month × region × indication. */
  criteriaByRow: Array<{ month: string, region: ReportRegion, indication: string, criterion: string, kind: 'not-met' | 'unknown', n: Cell }>
  reasonsByRow: Array<{ month: string, region: ReportRegion, indication: string, code: string | null, system: string | null, display: string | null, n: Cell }>
}

const REGION_ORDER: ReportRegion[] = [...REGIONS, 'unknown']

/** Sort key of a cell: hidden counts sort as one, so their order reveals nothing. */
const rank = (c: Cell): number => c.hidden ? 1 : c.n

function percentile (hist: Map<number, number>, p: number): number | undefined {
  const total = [...hist.values()].reduce((a, b) => a + b, 0)
  if (total === 0) return undefined
  const rank = Math.ceil(p * total)
  let seen = 0
  for (const m of [...hist.keys()].sort((a, b) => a - b)) {
    seen += hist.get(m)!
    if (seen >= rank) return m
  }
  return undefined
}

function signTime (hist: Map<number, number> | undefined): SignTime {
  const total = hist ? [...hist.values()].reduce((a, b) => a + b, 0) : 0
  const n = suppressOne(total)
  // Times of fewer than THRESHOLD orders are not shown: a median of one order is that order's time.
  if (!hist || total < THRESHOLD) return { n }
  const median = percentile(hist, 0.5)
  const p90 = percentile(hist, 0.9)
  return { n, ...(median !== undefined ? { medianMinutes: median } : {}), ...(p90 !== undefined ? { p90Minutes: p90 } : {}) }
}

export function buildReport (data: ReportData, q: { from: string, to: string }, mapping: RegionMapping): Report {
  const rowId = (k: ReportKey): string => `${k.month}|${reportRegion(k.region, k.chain, mapping)}|${k.indication}`
  const counts = new Map<string, Record<CountColumn, number>>()
  const row = (id: string): Record<CountColumn, number> => {
    let r = counts.get(id)
    if (!r) { r = { orders: 0, signed: 0, eligible: 0, incomplete: 0, notEligible: 0, signedDespite: 0 }; counts.set(id, r) }
    return r
  }
  for (const o of data.orders) row(rowId(o)).orders += o.n
  for (const v of data.verdicts) {
    const r = row(rowId(v))
    r.signed += v.n
    const col = VERDICT[v.status]
    if (col) r[col] += v.n
  }
  for (const s of data.signedDespite) row(rowId(s)).signedDespite += s.n
  const hists = new Map<string, Map<number, number>>()
  const monthHists = new Map<string, Map<number, number>>()
  for (const s of data.signMinutes) {
    const id = rowId(s)
    row(id)
    for (const [key, map] of [[id, hists], [s.month, monthHists]] as const) {
      let h = map.get(key)
      if (!h) { h = new Map(); map.set(key, h) }
      h.set(s.minutes, (h.get(s.minutes) ?? 0) + s.n)
    }
  }

  const ids = [...counts.keys()].sort((a, b) => {
    const [ma, ra, ia] = a.split('|') as [string, ReportRegion, string]
    const [mb, rb, ib] = b.split('|') as [string, ReportRegion, string]
    return ma.localeCompare(mb) || REGION_ORDER.indexOf(ra) - REGION_ORDER.indexOf(rb) || ia.localeCompare(ib)
  })
  const months = [...new Set(ids.map((id) => id.split('|')[0]!))].sort()

  // The cells, the monthly totals, and the sums they publish.
  const cells = new Map<string, number>()
  const groups: string[][] = []
  for (const id of ids) {
    const r = counts.get(id)!
    for (const c of COUNT_COLUMNS) cells.set(`${id}#${c}`, r[c])
    // eligible + incomplete + not eligible = signed (the other statuses, if any, are not shown apart).
    groups.push([`${id}#eligible`, `${id}#incomplete`, `${id}#notEligible`, `${id}#other`])
    cells.set(`${id}#other`, r.signed - r.eligible - r.incomplete - r.notEligible)
  }
  for (const m of months) {
    const inMonth = ids.filter((id) => id.startsWith(`${m}|`))
    for (const c of COUNT_COLUMNS) {
      const total = inMonth.reduce((a, id) => a + counts.get(id)![c], 0)
      cells.set(`${m}#${c}`, total)
      groups.push(inMonth.map((id) => `${id}#${c}`))
    }
  }
  const shown = suppressTable(cells, groups)
  const cellsOf = (prefix: string): Record<CountColumn, Cell> => Object.fromEntries(COUNT_COLUMNS.map((c) => [c, shown.get(`${prefix}#${c}`)!])) as Record<CountColumn, Cell>

  const rows: ReportRow[] = ids.map((id) => {
    const [month, region, indication] = id.split('|') as [string, ReportRegion, string]
    return { month, region, indication, cells: cellsOf(id), signTime: signTime(hists.get(id)) }
  })
  const totals: MonthTotal[] = months.map((m) => ({ month: m, cells: cellsOf(m), signTime: signTime(monthHists.get(m)) }))

  const criteriaTotals = new Map<string, number>()
  const criteriaRows = new Map<string, number>()
  for (const c of data.criteria) {
    const k = `${c.indication}|${c.criterion}|${c.kind}`
    criteriaTotals.set(k, (criteriaTotals.get(k) ?? 0) + c.n)
    const rk = `${rowId(c)}|${c.criterion}|${c.kind}`
    criteriaRows.set(rk, (criteriaRows.get(rk) ?? 0) + c.n)
  }
  const criteria = [...criteriaTotals].map(([k, n]) => {
    const [indication, criterion, kind] = k.split('|') as [string, string, 'not-met' | 'unknown']
    return { indication, criterion, kind, n: suppressOne(n) }
  }).sort((a, b) => rank(b.n) - rank(a.n) || a.indication.localeCompare(b.indication) || a.criterion.localeCompare(b.criterion))
  const criteriaByRow = [...criteriaRows].map(([k, n]) => {
    const [month, region, indication, criterion, kind] = k.split('|') as [string, ReportRegion, string, string, 'not-met' | 'unknown']
    return { month, region, indication, criterion, kind, n: suppressOne(n) }
  })

  const reasonKey = (r: { code: string | null, system: string | null, display: string | null }): string => JSON.stringify([r.code, r.system, r.display])
  const reasonTotals = new Map<string, number>()
  const reasonRows = new Map<string, number>()
  for (const r of data.overrideReasons) {
    reasonTotals.set(reasonKey(r), (reasonTotals.get(reasonKey(r)) ?? 0) + r.n)
    const rk = JSON.stringify([rowId(r), reasonKey(r)])
    reasonRows.set(rk, (reasonRows.get(rk) ?? 0) + r.n)
  }
  const overrideReasons = [...reasonTotals].map(([k, n]) => {
    const [code, system, display] = JSON.parse(k) as [string | null, string | null, string | null]
    return { code, system, display, n: suppressOne(n) }
  }).sort((a, b) => rank(b.n) - rank(a.n) || String(a.code).localeCompare(String(b.code)))
  const reasonsByRow = [...reasonRows].map(([k, n]) => {
    const [id, rk] = JSON.parse(k) as [string, string]
    const [month, region, indication] = id.split('|') as [string, ReportRegion, string]
    const [code, system, display] = JSON.parse(rk) as [string | null, string | null, string | null]
    return { month, region, indication, code, system, display, n: suppressOne(n) }
  })

  return { from: q.from, to: q.to, months, rows, totals, criteria, overrideReasons, criteriaByRow, reasonsByRow }
}
