/**
 * The report aggregates on PostgreSQL (report-data.ts; the queries, shared with
 * SQLite: report-sql.ts). Months are Danish (Europe/Copenhagen,
 * reports/danish-time.ts; the report_month column, migration 6), as on SQLite,
 * so both stores agree to the row. All
 * queries run in one REPEATABLE READ transaction (one snapshot).
 */
import type pg from 'pg'
import { SELECT_LOOKBACK_DAYS, type ReportData, type ReportQuery } from './report-data.js'
import { REPORT_QUERIES, reportRows, reportSql, type ReportDialect } from './report-sql.js'

const POSTGRES: ReportDialect = {
  count: (expr) => `COUNT(${expr})::int`,
  from: '$1',
  to: '$2',
  lookback: '$3',
  pairsIndex: '',
  minutes: (from, to) => `floor(EXTRACT(EPOCH FROM (${to} - ${from})) / 60)::int`
}

const SQL = reportSql(POSTGRES)

export async function postgresReportData (pool: pg.Pool, q: ReportQuery): Promise<ReportData> {
  const from = new Date(q.from).toISOString()
  const to = new Date(q.to).toISOString()
  const lookback = new Date(Date.parse(from) - SELECT_LOOKBACK_DAYS * 86_400_000).toISOString()
  const client = await pool.connect()
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY')
    const rows: Partial<Parameters<typeof reportRows>[0]> = {}
    for (const name of REPORT_QUERIES) {
      // Only signMinutes reads the lookback ($3); PostgreSQL refuses parameters a statement does not use.
      rows[name] = (await client.query(SQL[name], SQL[name].includes('$3') ? [from, to, lookback] : [from, to])).rows
    }
    await client.query('COMMIT')
    return reportRows(rows as Parameters<typeof reportRows>[0])
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined)
    throw err
  } finally {
    client.release()
  }
}
