/**
 * Migration 6 backfills the Danish report month of the evaluations recorded before it, on both stores, and
 * gives each the month the writes compute (report-data.ts reportMonth, reports/danish-time.ts Intl): every
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
const AFTER = MIGRATIONS.find((m) => m.version === 6)!

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

void t.test('SQLite: migration 6 backfills report_month', async (t) => {
  const db = new Database(':memory:')
  t.teardown(() => db.close())
  t.equal(migrateSqlite(db, BEFORE), 5)
  const stmt = db.prepare('INSERT INTO evaluations (id, hook_instance, hook, service_id, rules_version, patient_key, orders, duration_ms, evaluated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
  db.transaction(() => instants.forEach((at, i) => stmt.run(...insert(i, at))))()
  t.equal(migrateSqlite(db, MIGRATIONS), AFTER.version)
  const rows = db.prepare('SELECT evaluated_at AS at, report_month AS month FROM evaluations').all() as Array<{ at: string, month: string }>
  t.equal(rows.length, instants.length)
  t.same(Object.fromEntries(rows.map((r) => [r.at, r.month])), expected)
})

void t.test('PostgreSQL: migration 6 backfills report_month', async (t) => {
  if (!TEST_DATABASE_URL) return reportPostgresCoverage(t)
  const schema = await throwawaySchema(t)
  const c = new pg.Client({ connectionString: TEST_DATABASE_URL, options: `-c search_path=${schema}` })
  await c.connect()
  t.teardown(() => c.end())
  for (const m of BEFORE) await c.query(m.postgres)
  for (const [i, at] of instants.entries()) {
    await c.query('INSERT INTO evaluations (id, hook_instance, hook, service_id, rules_version, patient_key, orders, duration_ms, evaluated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)', insert(i, at))
  }
  await c.query(AFTER.postgres)
  const { rows } = await c.query<{ at: Date, month: string }>('SELECT evaluated_at AS at, report_month AS month FROM evaluations')
  t.equal(rows.length, instants.length)
  t.same(Object.fromEntries(rows.map((r) => [r.at.toISOString(), r.month])), expected)
})
