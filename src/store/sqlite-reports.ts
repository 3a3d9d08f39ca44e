/**
 * The report aggregates on SQLite (report-data.ts; the queries: report-sql.ts).
 * `evaluated_at` is an ISO 8601 text in UTC (toISOString), so a range is a
 * text comparison on an index. Months are Danish
 * (reports/danish-time.ts), read from the report_month column (written with
 * each row; migration 6 backfills older rows).
 */
import type Database from 'better-sqlite3'
import type { ReportData, ReportQuery } from './report-data.js'
import { REPORT_QUERIES, reportParams, reportRows, reportSql, type ReportDialect } from './report-sql.js'

export const SQLITE_DIALECT: ReportDialect = {
  count: (expr) => `COUNT(${expr})`,
  minutes: (from, to) => `CAST(ROUND((julianday(${to}) - julianday(${from})) * 86400) AS INTEGER) / 60`
}

const SQL = reportSql(SQLITE_DIALECT)

export function sqliteReportData (db: Database.Database, q: ReportQuery): ReportData {
  const params = reportParams(q)
  // One read transaction: the figures come from one snapshot even while the writer thread commits.
  return db.transaction(() => reportRows(Object.fromEntries(REPORT_QUERIES.map((name) => {
    const stmt = db.prepare(SQL[name])
    // Each statement is given only the parameters it names.
    const own = Object.fromEntries(Object.entries(params).filter(([k]) => SQL[name].includes(`@${k}`)))
    return [name, stmt.all(own) as Array<Record<string, any>>]
  })) as Parameters<typeof reportRows>[0])).deferred()
}
