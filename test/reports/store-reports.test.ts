/**
 * The report figures from both audit stores (SQLite in memory and on disk,
 * PostgreSQL): the same seed (written through the evaluation recorder) gives
 * the same store aggregates and the hand-worked cells, regions and times.
 */
import t from 'tap'
import { buildReport } from '../../src/reports/aggregate.js'
import { COUNT_COLUMNS } from '../../src/reports/aggregate.js'
import type { ReportData } from '../../src/store/report-data.js'
import { reportPostgresCoverage, storeKinds } from '../helpers/stores.js'
import { EXPECTED_CRITERIA, EXPECTED_R1_TIME, EXPECTED_REASONS, EXPECTED_ROWS, EXPECTED_TOTALS, I1, PERIOD, REGION_MAPPING, seed } from './seed.js'

const sorted = (d: ReportData): Record<string, unknown[]> => Object.fromEntries(Object.entries(d).map(([k, rows]) => [k, (rows as unknown[]).map((r) => JSON.stringify(r)).sort()]))

void t.test('both stores answer the same report figures', async (t) => {
  const results: Array<{ kind: string, data: ReportData }> = []
  for (const kind of storeKinds()) {
    await t.test(kind.name, async (t) => {
      const store = await kind.open(t)
      await seed(store)
      t.ok(store.reportData, 'the store answers reports')
      const data = await store.reportData!(PERIOD)
      results.push({ kind: kind.name, data })
      const report = buildReport(data, PERIOD, REGION_MAPPING)
      t.same(report.months, ['2026-10', '2026-11'])
      t.same(report.rows.map((r) => ({ month: r.month, region: r.region, indication: r.indication, cells: COUNT_COLUMNS.map((c) => r.cells[c].shown) })), EXPECTED_ROWS, 'rows per month × region × indication, suppressed')
      t.same(report.totals.map((m) => ({ month: m.month, cells: COUNT_COLUMNS.map((c) => m.cells[c].shown) })), EXPECTED_TOTALS, 'national monthly totals')
      const r1 = report.rows.find((r) => r.month === '2026-11' && r.region === 'hovedstaden' && r.indication === I1)!
      t.same({ n: r1.signTime.n.shown, median: r1.signTime.medianMinutes, p90: r1.signTime.p90Minutes }, EXPECTED_R1_TIME, 'order-select → order-sign minutes')
      const r2 = report.rows.find((r) => r.region === 'midtjylland')!
      t.equal(r2.signTime.medianMinutes, undefined, 'no time for orders never seen at order-select')
      t.same(report.criteria.map((c) => ({ indication: c.indication, criterion: c.criterion, kind: c.kind, n: c.n.shown })), EXPECTED_CRITERIA, 'criteria at order-sign only, most frequent first')
      t.same(report.overrideReasons.map((r) => ({ code: r.code, n: r.n.shown })), EXPECTED_REASONS, 'override reasons of not-eligible cards only')
      const none = await store.reportData!({ from: '2025-01-01T00:00:00.000Z', to: '2025-02-01T00:00:00.000Z' })
      t.same(Object.values(none).flat(), [], 'nothing outside the period')
    })
  }
  reportPostgresCoverage(t)
  const [first, ...rest] = results
  for (const r of rest) t.same(sorted(r.data), sorted(first!.data), `${r.kind} answers exactly what ${first!.kind} answers`)
})
