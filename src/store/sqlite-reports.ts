/**
 * The report aggregates on SQLite (report-data.ts; the queries: report-sql.ts).
 * `evaluated_at` is an ISO 8601 text in UTC (toISOString), so a range is a
 * text comparison on the evaluations_report index. Months are Danish
 * (reports/danish-time.ts), read from the report_month column (written with
 * each row; migration 6 backfills older rows).
 */
import type Database from 'better-sqlite3'
import { SELECT_LOOKBACK_DAYS, type ReportData, type ReportQuery } from './report-data.js'
import { REPORT_QUERIES, reportRows, reportSql, type ReportDialect } from './report-sql.js'

export const SQLITE_DIALECT: ReportDialect = {
  count: (expr) => `COUNT(${expr})`,
  from: '@from',
  to: '@to',
  lookback: '@lookback',
  // Without statistics (the service does not ANALYZE) SQLite would range-scan the period and sort a temporary B-tree by order key.
  pairsIndex: 'INDEXED BY evaluation_indications_report_pairs',
  minutes: (from, to) => `CAST(ROUND((julianday(${to}) - julianday(${from})) * 86400) AS INTEGER) / 60`
}

const SQL = reportSql(SQLITE_DIALECT)

export function sqliteReportData (db: Database.Database, q: ReportQuery): ReportData {
  const from = new Date(q.from).toISOString()
  const to = new Date(q.to).toISOString()
  const lookback = new Date(Date.parse(from) - SELECT_LOOKBACK_DAYS * 86_400_000).toISOString()
  const params = { from, to, lookback }
  // One read transaction: the figures come from one snapshot even while the writer thread commits.
  return db.transaction(() => reportRows(Object.fromEntries(REPORT_QUERIES.map((name) => {
    const stmt = db.prepare(SQL[name])
    // Each statement is given only the parameters it names.
    const own = Object.fromEntries(Object.entries(params).filter(([k]) => SQL[name].includes(`@${k}`)))
    return [name, stmt.all(own) as Array<Record<string, any>>]
  })) as Parameters<typeof reportRows>[0])).deferred()
}
