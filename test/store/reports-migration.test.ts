/**
 * Migrations 6 and 7 backfill the report keys of the evaluations recorded before them, on both stores: the
 * Danish report month on the evaluation and on its indication row with its hook and time, and the criteria not
 * met or unknown as rows (evaluation_criteria). Each gets
 * the month the writes compute (report-data.ts reportMonth, reports/danish-time.ts Intl): every
 * hour of the last four days of each month of 2026 (either side of Danish midnight, in summer and winter time,
 * across both daylight-saving changes) and a mid-month instant.
 */
import t from 'tap'
import Database from 'better-sqlite3'
import pg from 'pg'
import { MIGRATIONS } from '../../src/store/migrations.js'
import { migrateSqlite } from '../../src/store/sqlite-store.js'
import { reportMonth } from '../../src/store/report-data.js'
import { danishMonth } from '../../src/reports/danish-time.js'
import { reportPostgresCoverage, TEST_DATABASE_URL, throwawaySchema } from '../helpers/stores.js'

const BEFORE = MIGRATIONS.filter((m) => m.version < 6)
const LATEST = MIGRATIONS.at(-1)!.version

const instants: string[] = []
for (let m = 0; m < 12; m++) {
  instants.push(new Date(Date.UTC(2026, m, 15, 12, 34, 56, 789)).toISOString())
  const end = Date.UTC(2026, m + 1, 1, 3)
  for (let at = end - 4 * 86_400_000; at <= end; at += 3_600_000) instants.push(new Date(at).toISOString(), new Date(at + 1_800_000).toISOString(), new Date(at - 1).toISOString())
}
const expected = Object.fromEntries(instants.map((at) => [at, danishMonth(new Date(at))]))

void t.test('reportMonth (the writes) is the Danish month', async (t) => {
  t.same(Object.fromEntries(instants.map((at) => [at, reportMonth(at)])), expected)
  t.equal(reportMonth('2026-10-31T22:59:59.999Z'), '2026-10')
  t.equal(reportMonth('2026-10-31T23:00:00.000Z'), '2026-11')
  t.equal(reportMonth('2026-03-31T22:00:00.000Z'), '2026-04')
})

const insert = (i: number, at: string): unknown[] => [`e${i}`, `h${i}`, i % 2 ? 'order-sign' : 'order-select', 's', 'r', 'p', 1, 1, at]
const indication = (i: number): unknown[] => [`e${i}`, 'ind', i % 3 ? 'incomplete' : 'not-eligible', JSON.stringify(i % 3 ? [] : ['c1', 'c2']), i % 3 === 1 ? JSON.stringify(['u1']) : i % 3 === 2 ? null : '[]']
/** What the backfilled rows must hold: per evaluation, its indication row's hook, month and its criteria rows (order-sign only since migration 8). */
const wanted = Object.fromEntries(instants.map((at, i) => [`e${i}`, { hook: i % 2 ? 'order-sign' : 'order-select', month: expected[at], at, criteria: i % 2 === 0 ? [] : i % 3 === 0 ? ['not-met c1', 'not-met c2'] : i % 3 === 1 ? ['unknown u1'] : [] }]))
type Got = Record<string, { hook: string, month: string, at: string, criteria: string[] }>

void t.test('SQLite: migrations 6 and 7 backfill the report keys', async (t) => {
  const db = new Database(':memory:')
  t.teardown(() => db.close())
  t.equal(migrateSqlite(db, BEFORE), 5)
  const stmt = db.prepare('INSERT INTO evaluations (id, hook_instance, hook, service_id, rules_version, patient_key, orders, duration_ms, evaluated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
  const ind = db.prepare('INSERT INTO evaluation_indications (evaluation_id, indication, status, failed_criteria, unknown_criteria) VALUES (?, ?, ?, ?, ?)')
  db.transaction(() => instants.forEach((at, i) => { stmt.run(...insert(i, at)); ind.run(...indication(i)) }))()
  t.equal(migrateSqlite(db, MIGRATIONS), LATEST)
  const rows = db.prepare('SELECT evaluated_at AS at, report_month AS month FROM evaluations').all() as Array<{ at: string, month: string }>
  t.equal(rows.length, instants.length)
  t.same(Object.fromEntries(rows.map((r) => [r.at, r.month])), expected)
  const got: Got = {}
  for (const r of db.prepare('SELECT evaluation_id AS id, hook, report_month AS month, evaluated_at AS at FROM evaluation_indications').all() as Array<Record<string, string>>) {
    got[r.id!] = { hook: r.hook!, month: r.month!, criteria: [], at: r.at! }
  }
  for (const r of db.prepare('SELECT evaluation_id AS id, kind, criterion FROM evaluation_criteria ORDER BY kind, criterion').all() as Array<Record<string, string>>) got[r.id!]!.criteria.push(`${r.kind} ${r.criterion}`)
  t.same(got, wanted, 'indication rows carry their evaluation\'s hook, time and month; criteria are rows')
})

void t.test('PostgreSQL: migrations 6 and 7 backfill the report keys', async (t) => {
  if (!TEST_DATABASE_URL) return reportPostgresCoverage(t)
  const schema = await throwawaySchema(t)
  const c = new pg.Client({ connectionString: TEST_DATABASE_URL, options: `-c search_path=${schema}` })
  await c.connect()
  t.teardown(() => c.end())
  for (const m of BEFORE) await c.query(m.postgres)
  for (const [i, at] of instants.entries()) {
    await c.query('INSERT INTO evaluations (id, hook_instance, hook, service_id, rules_version, patient_key, orders, duration_ms, evaluated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)', insert(i, at))
    await c.query('INSERT INTO evaluation_indications (evaluation_id, indication, status, failed_criteria, unknown_criteria) VALUES ($1, $2, $3, $4::jsonb, $5::jsonb)', indication(i))
  }
  for (const m of MIGRATIONS.filter((m) => m.version >= 6)) await c.query(m.postgres)
  const { rows } = await c.query<{ at: Date, month: string }>('SELECT evaluated_at AS at, report_month AS month FROM evaluations')
  t.equal(rows.length, instants.length)
  t.same(Object.fromEntries(rows.map((r) => [r.at.toISOString(), r.month])), expected)
  const got: Got = {}
  for (const r of (await c.query<{ id: string, hook: string, month: string, at: Date }>('SELECT evaluation_id AS id, hook, report_month AS month, evaluated_at AS at FROM evaluation_indications')).rows) {
    got[r.id] = { hook: r.hook, month: r.month, criteria: [], at: r.at.toISOString() }
  }
  for (const r of (await c.query<{ id: string, kind: string, criterion: string }>('SELECT evaluation_id AS id, kind, criterion FROM evaluation_criteria ORDER BY kind, criterion')).rows) got[r.id]!.criteria.push(`${r.kind} ${r.criterion}`)
  t.same(got, wanted, 'indication rows carry their evaluation\'s hook, time and month; criteria are rows')
})
