/**
 * The report aggregates on PostgreSQL (report-data.ts; the queries, shared with
 * SQLite: report-sql.ts). Months are Danish (Europe/Copenhagen,
 * reports/danish-time.ts; the report_month column, migration 6), as on SQLite,
 * so both stores agree to the row. All
 * queries run in one REPEATABLE READ transaction (one snapshot).
 */
import type pg from 'pg'
import type { ReportData, ReportQuery } from './report-data.js'
import { REPORT_QUERIES, reportParams, reportRows, reportSql, type ReportDialect, type ReportParams } from './report-sql.js'

type ReportQueryName = typeof REPORT_QUERIES[number]

export const POSTGRES_DIALECT: ReportDialect = {
  count: (expr) => `COUNT(${expr})::int`,
  minutes: (from, to) => `floor(EXTRACT(EPOCH FROM (${to} - ${from})) / 60)::int`
}

/** A statement with its `@name` parameters numbered ($1, $2 … in order of first use) and the names in that order. */
export function numbered (sql: string): { text: string, names: Array<keyof ReportParams> } {
  const names: Array<keyof ReportParams> = []
  const text = sql.replace(/@([a-zA-Z]+)/g, (_, name: keyof ReportParams) => {
    if (!names.includes(name)) names.push(name)
    return `$${names.indexOf(name) + 1}`
  })
  return { text, names }
}

const SQL = Object.fromEntries(Object.entries(reportSql(POSTGRES_DIALECT)).map(([k, sql]) => [k, numbered(sql)])) as Record<ReportQueryName, ReturnType<typeof numbered>>

export async function postgresReportData (pool: pg.Pool, q: ReportQuery): Promise<ReportData> {
  const params = reportParams(q)
  const client = await pool.connect()
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY')
    const rows: Partial<Parameters<typeof reportRows>[0]> = {}
    for (const name of REPORT_QUERIES) {
      // Each statement is given only the parameters it names: PostgreSQL refuses parameters a statement does not use.
      rows[name] = (await client.query(SQL[name].text, SQL[name].names.map((n) => params[n]))).rows
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
