/**
 * The orders as rows of their own (migration 8: report_orders, report_signs), on both stores: kept by the writes,
 * filled by the migration from rows recorded before it, and read by the report's orders and order-select →
 * order-sign figures. Random audit rows with what the hand-worked seed (test/reports/seed.ts) lacks — orders seen in
 * two months, by two chains, signed twice, selected after signing, evaluations without an order key, instants either
 * side of Danish month starts — and periods that do and do not start at a Danish month start. Expected figures are
 * computed here from the records, not by the store's SQL.
 */
import t from 'tap'
import Database from 'better-sqlite3'
import pg from 'pg'
import { MIGRATIONS } from '../../src/store/migrations.js'
import { migrateSqlite } from '../../src/store/sqlite-store.js'
import { reportMonth, SELECT_LOOKBACK_DAYS, type ReportData, type ReportQuery } from '../../src/store/report-data.js'
import type { EvaluationRecord } from '../../src/store/store.js'
import { danishMonthStart } from '../../src/reports/danish-time.js'
import { evaluationRecord, reportPostgresCoverage, storeKinds, TEST_DATABASE_URL, throwawaySchema } from '../helpers/stores.js'

/** A small deterministic generator, so that a failure can be re-run. */
function random (seed: number): () => number {
  let s = seed
  return () => { s = (s * 1_103_515_245 + 12_345) % 2_147_483_648; return s / 2_147_483_648 }
}

const rnd = random(17)
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!
const CHAINS = [undefined, '1001>1000', '2001'] as const
const REGIONS = [undefined, 'hovedstaden'] as const
const INDICATIONS = ['aml', 'sarcoma', 'ipfd'] as const
// Around the Danish starts of November and December 2026 (23:00 UTC on the last day) and inside the months; whole
// seconds (the stores round minutes alike only there).
const BASES = [Date.UTC(2026, 9, 31, 22), Date.UTC(2026, 10, 12, 9), Date.UTC(2026, 10, 30, 22), Date.UTC(2026, 11, 14, 9), Date.UTC(2026, 7, 20, 9)]

function records (n: number): EvaluationRecord[] {
  const out: EvaluationRecord[] = []
  const used = new Set<number>()
  for (let k = 0; k < n; k++) {
    let at: number
    do at = pick(BASES) + Math.floor(rnd() * 4 * 3600) * 1000; while (used.has(at))
    used.add(at) // distinct instants: "first" is then one row
    const keyed = rnd() < 0.85
    const order = Math.floor(rnd() * 40)
    const chain = pick(CHAINS)
    const region = pick(REGIONS)
    const indications = [...new Set([pick(INDICATIONS), pick(INDICATIONS)])]
    const hook = rnd() < 0.5 ? 'order-select' : 'order-sign'
    out.push(evaluationRecord({
      hook,
      evaluatedAt: new Date(at).toISOString(),
      ...(chain ? { orderingOrgChain: chain } : {}),
      ...(region ? { orderingRegion: region } : {}),
      indications: indications.map((indication) => ({
        indication,
        status: pick(['eligible', 'incomplete', 'not-eligible']),
        failedCriteria: rnd() < 0.3 ? ['c1'] : [],
        unknownCriteria: rnd() < 0.3 ? ['c2', 'c3'] : [],
        cardUuids: [crypto.randomUUID()],
        ...(keyed ? { orderKey: `order-${order}` } : {})
      }))
    }))
  }
  return out
}

const ROWS = records(400)
const PERIODS: ReportQuery[] = [
  { from: danishMonthStart('2026-11'), to: danishMonthStart('2027-01') },
  { from: danishMonthStart('2026-12'), to: danishMonthStart('2027-01') },
  { from: '2026-11-01T00:00:00.000Z', to: '2026-12-01T00:00:00.000Z' }, // UTC months: an hour after the Danish starts
  { from: '2026-11-12T10:00:00.000Z', to: '2026-11-12T11:30:00.000Z' }, // inside one month: orders seen before and after it
  { from: '2026-10-31T22:30:00.000Z', to: '2026-12-14T10:00:00.000Z' }
]

type Key = string
const keyOf = (month: string, chain: string | null, region: string | null, indication: string): Key => JSON.stringify([month, chain, region, indication])

/** The figures as documented (docs/reports.md), from the records. */
function expected (rows: EvaluationRecord[], q: ReportQuery): { orders: Record<Key, number>, signMinutes: Record<Key, number> } {
  const from = Date.parse(q.from)
  const to = Date.parse(q.to)
  const seen = new Map<Key, Set<string>>()
  const firsts = new Map<string, { select?: number, sign?: number, key?: [string, string | null, string | null] }>()
  for (const e of rows) {
    const at = Date.parse(e.evaluatedAt)
    for (const i of e.indications) {
      if (at >= from && at < to) {
        const k = keyOf(reportMonth(e.evaluatedAt), e.orderingOrgChain ?? null, e.orderingRegion ?? null, i.indication)
        if (!seen.has(k)) seen.set(k, new Set())
        seen.get(k)!.add(i.orderKey ?? e.id)
      }
      if (!i.orderKey) continue
      const f = firsts.get(`${i.orderKey}|${i.indication}`) ?? {}
      if (e.hook === 'order-select' && (f.select === undefined || at < f.select)) f.select = at
      if (e.hook === 'order-sign' && (f.sign === undefined || at < f.sign)) { f.sign = at; f.key = [reportMonth(e.evaluatedAt), e.orderingOrgChain ?? null, e.orderingRegion ?? null] }
      firsts.set(`${i.orderKey}|${i.indication}`, f)
    }
  }
  const orders = Object.fromEntries([...seen].map(([k, s]) => [k, s.size]))
  const signMinutes: Record<Key, number> = {}
  for (const [id, f] of firsts) {
    if (f.sign === undefined || f.select === undefined || f.sign < from || f.sign >= to) continue
    if (f.select < from - SELECT_LOOKBACK_DAYS * 86_400_000 || f.select > f.sign) continue
    const k = JSON.stringify([...f.key!, id.split('|')[1], Math.floor((f.sign - f.select) / 60_000)])
    signMinutes[k] = (signMinutes[k] ?? 0) + 1
  }
  return { orders, signMinutes }
}

const got = (d: ReportData): ReturnType<typeof expected> => ({
  orders: Object.fromEntries(d.orders.map((r) => [keyOf(r.month, r.chain, r.region, r.indication), r.n])),
  signMinutes: Object.fromEntries(d.signMinutes.map((r) => [JSON.stringify([r.month, r.chain, r.region, r.indication, r.minutes]), r.n]))
})

void t.test('the orders and the order-select → order-sign times from the per-order rows equal the records', async (t) => {
  t.ok(PERIODS.some((q) => { const e = expected(ROWS, q); return Object.values(e.orders).some((n) => n > 1) && Object.keys(e.signMinutes).length > 0 }), 'the data pairs orders')
  for (const kind of storeKinds()) {
    await t.test(kind.name, async (t) => {
      const store = await kind.open(t)
      // Not in time order: an order's first evaluation may be written after a later one.
      for (const e of [...ROWS].reverse()) await store.recordEvaluation(e)
      for (const q of PERIODS) t.same(got(await store.reportData!(q)), expected(ROWS, q), `${q.from} – ${q.to}`)
    })
  }
  reportPostgresCoverage(t)
})

const BEFORE = MIGRATIONS.filter((m) => m.version < 8)
const LATEST = MIGRATIONS.at(-1)!.version

/** The rows a migration-7 store held for a record (what sqlite-writes.ts wrote before migration 8). */
function legacy (e: EvaluationRecord): { evaluation: unknown[], indications: unknown[][] } {
  const month = reportMonth(e.evaluatedAt)
  return {
    evaluation: [e.id, e.hookInstance, e.hook, e.serviceId, e.rulesVersion, e.patientKey, e.orders, e.durationMs, e.evaluatedAt, e.orderingOrgChain ?? null, e.orderingRegion ?? null, month],
    indications: e.indications.map((i) => [e.id, i.indication, i.status, JSON.stringify(i.failedCriteria), JSON.stringify(i.unknownCriteria ?? []), i.orderKey ?? null,
      e.hook, e.evaluatedAt, month, e.orderingOrgChain ?? null, e.orderingRegion ?? null])
  }
}
const EVALUATION_SQL = 'INSERT INTO evaluations (id, hook_instance, hook, service_id, rules_version, patient_key, orders, duration_ms, evaluated_at, ordering_org_chain, ordering_region, report_month) VALUES'
const INDICATION_SQL = 'INSERT INTO evaluation_indications (evaluation_id, indication, status, failed_criteria, unknown_criteria, order_key, hook, evaluated_at, report_month, ordering_org_chain, ordering_region) VALUES'
const TABLES = {
  orders: 'SELECT order_ref, indication, report_month, ordering_org_chain, ordering_region, first_at FROM report_orders',
  signs: 'SELECT order_key, indication, selected_at, signed_at, report_month, ordering_org_chain, ordering_region, sign_minutes FROM report_signs'
}
const asText = (rows: Array<Record<string, unknown>>): string[] => rows.map((r) => JSON.stringify(Object.values(r).map((v) => v instanceof Date ? v.toISOString() : v))).sort()

void t.test('SQLite: migration 8 fills the per-order rows as the writes keep them', async (t) => {
  const old = new Database(':memory:')
  t.teardown(() => old.close())
  t.equal(migrateSqlite(old, BEFORE), 7)
  const ev = old.prepare(`${EVALUATION_SQL} (${Array(12).fill('?').join(', ')})`)
  const ind = old.prepare(`${INDICATION_SQL} (${Array(11).fill('?').join(', ')})`)
  old.transaction(() => { for (const e of ROWS) { const l = legacy(e); ev.run(l.evaluation); for (const i of l.indications) ind.run(i) } })()
  t.equal(migrateSqlite(old, MIGRATIONS), LATEST)
  const fresh = new Database(':memory:')
  t.teardown(() => fresh.close())
  migrateSqlite(fresh, MIGRATIONS)
  const { batchWriter } = await import('../../src/store/sqlite-writes.js')
  t.ok(batchWriter(fresh)([...ROWS].reverse().map((evaluation) => ({ kind: 'evaluation' as const, evaluation }))).every((r) => r.ok))
  for (const [name, sql] of Object.entries(TABLES)) {
    const filled = asText(old.prepare(sql).all() as Array<Record<string, unknown>>)
    t.ok(filled.length > 0, `${name}: rows`)
    t.same(filled, asText(fresh.prepare(sql).all() as Array<Record<string, unknown>>), `${name}: backfill = writes`)
  }
  t.equal((old.prepare("SELECT COUNT(*) AS n FROM evaluation_criteria WHERE hook <> 'order-sign'").get() as { n: number }).n, 0, 'no criteria rows of order-select')
})

void t.test('PostgreSQL: migration 8 fills the per-order rows as the writes keep them', async (t) => {
  if (!TEST_DATABASE_URL) return reportPostgresCoverage(t)
  const { PostgresStore } = await import('../../src/store/postgres-store.js')
  const schema = await throwawaySchema(t)
  const before = await PostgresStore.open({ connectionString: TEST_DATABASE_URL, schema }, BEFORE)
  await before.close()
  const c = new pg.Client({ connectionString: TEST_DATABASE_URL, options: `-c search_path=${schema}` })
  await c.connect()
  t.teardown(() => c.end())
  for (const e of ROWS) {
    const l = legacy(e)
    await c.query(`${EVALUATION_SQL} (${l.evaluation.map((_, k) => `$${k + 1}`).join(', ')})`, l.evaluation)
    for (const i of l.indications) await c.query(`${INDICATION_SQL} (${i.map((_, k) => `$${k + 1}`).join(', ')})`, i)
  }
  const after = await PostgresStore.open({ connectionString: TEST_DATABASE_URL, schema })
  t.equal(await after.schemaVersion(), LATEST)
  await after.close()
  const freshSchema = await throwawaySchema(t)
  const fresh = await PostgresStore.open({ connectionString: TEST_DATABASE_URL, schema: freshSchema })
  for (const e of [...ROWS].reverse()) await fresh.recordEvaluation(e)
  await fresh.close()
  for (const [name, sql] of Object.entries(TABLES)) {
    const filled = asText((await c.query(sql)).rows)
    t.ok(filled.length > 0, `${name}: rows`)
    t.same(filled, asText((await c.query(sql.replace('FROM ', `FROM ${freshSchema}.`))).rows), `${name}: backfill = writes`)
  }
})
