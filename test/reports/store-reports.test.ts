/**
 * The report figures from both audit stores (SQLite in memory and on disk,
 * PostgreSQL): the same seed (written through the evaluation recorder) gives
 * the same store aggregates and the hand-worked cells, regions and times.
 */
import t from 'tap'
import { buildReport } from '../../src/reports/aggregate.js'
import { COUNT_COLUMNS } from '../../src/reports/aggregate.js'
import type { ReportData } from '../../src/store/report-data.js'
import { evaluationRecord, reportPostgresCoverage, storeKinds } from '../helpers/stores.js'
import { danishMonth, danishMonthStart } from '../../src/reports/danish-time.js'
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

void t.test('months are Danish months (Europe/Copenhagen), not UTC ones, on both stores', async (t) => {
  // Instants either side of Danish midnight on the 1st, in winter (CET, +1) and summer time (CEST, +2), with the month each belongs to.
  const instants: Array<[string, string]> = [
    ['2026-10-31T22:59:59.000Z', '2026-10'], // 23:59:59 CET on 31 October
    ['2026-10-31T23:00:00.000Z', '2026-11'], // 00:00 CET on 1 November, still October in UTC
    ['2026-11-30T23:30:00.000Z', '2026-12'],
    ['2026-03-31T21:59:00.000Z', '2026-03'], // 23:59 CEST on 31 March (summer time began on 29 March)
    ['2026-03-31T22:00:00.000Z', '2026-04'],
    ['2026-02-28T22:30:00.000Z', '2026-02'], // 23:30 CET on 28 February
    ['2026-02-28T23:30:00.000Z', '2026-03'],
    ['2026-09-30T22:15:00.000Z', '2026-10'], // 00:15 CEST on 1 October
    ['2026-12-31T23:00:00.000Z', '2027-01']
  ]
  for (const [at, month] of instants) t.equal(danishMonth(new Date(at)), month, `${at} is in ${month} in Copenhagen (Intl)`)
  t.equal(danishMonthStart('2026-11'), '2026-10-31T23:00:00.000Z', 'November begins at 23:00 UTC on 31 October')
  t.equal(danishMonthStart('2026-04'), '2026-03-31T22:00:00.000Z', 'April begins at 22:00 UTC on 31 March')
  for (let m = 1; m <= 12; m++) {
    const month = `2027-${String(m).padStart(2, '0')}`
    const start = new Date(danishMonthStart(month))
    t.equal(danishMonth(start), month, `${month} starts at ${start.toISOString()}`)
    t.not(danishMonth(new Date(start.getTime() - 1000)), month, `a second before is the month before (${month})`)
  }
  for (const kind of storeKinds()) {
    await t.test(kind.name, async (t) => {
      const store = await kind.open(t)
      for (const [at] of instants) {
        await store.recordEvaluation(evaluationRecord({ hook: 'order-sign', evaluatedAt: at, indications: [{ indication: 'aml', status: 'eligible', failedCriteria: [], cardUuids: [crypto.randomUUID()] }] }))
      }
      const data = await store.reportData!({ from: danishMonthStart('2026-01'), to: danishMonthStart('2027-02') })
      const months = data.verdicts.flatMap((v) => Array<string>(v.n).fill(v.month)).sort()
      t.same(months, instants.map(([, m]) => m).sort(), 'each evaluation counted in its Danish month')
      const november = await store.reportData!({ from: danishMonthStart('2026-11'), to: danishMonthStart('2026-12') })
      t.same(november.verdicts.map((v) => [v.month, v.n]), [['2026-11', 1]], 'a Danish-month period holds what Copenhagen calls November, and only that')
    })
  }
  reportPostgresCoverage(t)
})
