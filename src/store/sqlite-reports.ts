/**
 * The report aggregates on SQLite (report-data.ts; the queries: report-sql.ts).
 * `evaluated_at` is an ISO 8601 text in UTC (toISOString), so a range is a
 * text comparison on the (hook, evaluated_at) index. Months are Danish
 * (reports/danish-time.ts): SQLite has no time zones, but a UTC instant falls
 * in another Danish month only in the last hours of a UTC month, so only
 * instants from the 28th at 22:00 on are shifted by the offset at the next
 * month's start (+2 h for the months March to September, +1 h otherwise) —
 * exact for every month, and the plain substring for the rest.
 */
import type Database from 'better-sqlite3'
import { SELECT_LOOKBACK_DAYS, type ReportData, type ReportQuery } from './report-data.js'
import { REPORT_QUERIES, reportRows, reportSql, type ReportDialect } from './report-sql.js'

const SQLITE: ReportDialect = {
  month: (col) => `CASE WHEN substr(${col}, 9, 5) < '28T22' THEN substr(${col}, 1, 7)
    ELSE strftime('%Y-%m', ${col}, CASE WHEN substr(${col}, 6, 2) BETWEEN '03' AND '09' THEN '+2 hours' ELSE '+1 hours' END) END`,
  count: (expr) => `COUNT(${expr})`,
  from: '@from',
  to: '@to',
  lookback: '@lookback',
  elements: (col) => ({ join: `, json_each(${col}) j`, nonEmpty: `${col} <> '[]'` }),
  minutes: (from, to) => `CAST(ROUND((julianday(${to}) - julianday(${from})) * 86400) AS INTEGER) / 60`
}

const SQL = reportSql(SQLITE)

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
