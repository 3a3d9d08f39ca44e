/**
 * The report aggregates on SQLite (report-data.ts). `evaluated_at` is an ISO
 * 8601 text in UTC (toISOString), so a range is a text comparison on the
 * (hook, evaluated_at) index. Months are Danish (reports/danish-time.ts):
 * SQLite has no time zones, but a UTC instant falls in another Danish month
 * only in the last hours of a UTC month, so only instants from the 28th at
 * 22:00 on are shifted by the offset at the next month's start (+2 h for the
 * months March to September, +1 h otherwise) — exact for every month, and
 * the plain substring for the rest.
 */
import type Database from 'better-sqlite3'
import { SELECT_LOOKBACK_DAYS, type ReportData, type ReportQuery } from './report-data.js'

type Row = Record<string, any>

/** The Danish month of an ISO 8601 UTC text column. */
const danishMonth = (col: string): string => `CASE WHEN substr(${col}, 9, 5) < '28T22' THEN substr(${col}, 1, 7)
  ELSE strftime('%Y-%m', ${col}, CASE WHEN substr(${col}, 6, 2) BETWEEN '03' AND '09' THEN '+2 hours' ELSE '+1 hours' END) END`
const MONTH = danishMonth('e.evaluated_at')
const KEY = `${MONTH} AS month, e.ordering_org_chain AS chain, e.ordering_region AS region, i.indication AS indication`
const GROUP = `${MONTH}, e.ordering_org_chain, e.ordering_region, i.indication`
const FROM = 'evaluations e JOIN evaluation_indications i ON i.evaluation_id = e.id'
const SIGNED = "e.hook = 'order-sign' AND e.evaluated_at >= @from AND e.evaluated_at < @to"

const SQL = {
  orders: `SELECT ${KEY}, COUNT(DISTINCT COALESCE(i.order_key, e.id)) AS n FROM ${FROM}
    WHERE e.evaluated_at >= @from AND e.evaluated_at < @to GROUP BY ${GROUP}`,
  verdicts: `SELECT ${KEY}, i.status AS status, COUNT(*) AS n FROM ${FROM} WHERE ${SIGNED} GROUP BY ${GROUP}, i.status`,
  signedDespite: `SELECT ${KEY}, COUNT(DISTINCT f.card_uuid) AS n FROM ${FROM}
    JOIN cards c ON c.evaluation_id = i.evaluation_id AND c.indication = i.indication
    JOIN feedback f ON f.card_uuid = c.card_uuid
    WHERE ${SIGNED} AND i.status <> 'eligible' AND f.outcome = 'overridden' GROUP BY ${GROUP}`,
  overrideReasons: `SELECT ${KEY}, f.override_reason_code AS code, f.override_reason_system AS system, f.override_reason_display AS display, COUNT(DISTINCT f.card_uuid) AS n FROM ${FROM}
    JOIN cards c ON c.evaluation_id = i.evaluation_id AND c.indication = i.indication
    JOIN feedback f ON f.card_uuid = c.card_uuid
    WHERE ${SIGNED} AND i.status <> 'eligible' AND f.outcome = 'overridden'
    GROUP BY ${GROUP}, f.override_reason_code, f.override_reason_system, f.override_reason_display`,
  criteria: `SELECT ${KEY}, j.value AS criterion, 'not-met' AS kind, COUNT(*) AS n FROM ${FROM}, json_each(i.failed_criteria) j
      WHERE ${SIGNED} AND i.failed_criteria <> '[]' GROUP BY ${GROUP}, j.value
    UNION ALL
    SELECT ${KEY}, j.value AS criterion, 'unknown' AS kind, COUNT(*) AS n FROM ${FROM}, json_each(i.unknown_criteria) j
      WHERE ${SIGNED} AND i.unknown_criteria IS NOT NULL AND i.unknown_criteria <> '[]' GROUP BY ${GROUP}, j.value`,
  signMinutes: `WITH firsts AS (
      SELECT i.order_key, i.indication,
        MIN(CASE WHEN e.hook = 'order-select' THEN e.evaluated_at END) AS selected,
        MIN(CASE WHEN e.hook = 'order-sign' THEN e.evaluated_at END) AS signed,
        MAX(CASE WHEN e.hook = 'order-sign' THEN e.ordering_org_chain END) AS chain,
        MAX(CASE WHEN e.hook = 'order-sign' THEN e.ordering_region END) AS region
      FROM ${FROM}
      WHERE i.order_key IS NOT NULL AND e.evaluated_at >= @lookback AND e.evaluated_at < @to
      GROUP BY i.order_key, i.indication)
    SELECT ${danishMonth('signed')} AS month, chain, region, indication, CAST(ROUND((julianday(signed) - julianday(selected)) * 86400) AS INTEGER) / 60 AS minutes, COUNT(*) AS n
    FROM firsts WHERE signed >= @from AND selected IS NOT NULL AND signed >= selected
    GROUP BY 1, 2, 3, 4, 5`
}

const key = (r: Row): { month: string, chain: string | null, region: string | null, indication: string } =>
  ({ month: String(r.month), chain: r.chain ?? null, region: r.region ?? null, indication: String(r.indication) })

export function sqliteReportData (db: Database.Database, q: ReportQuery): ReportData {
  const from = new Date(q.from).toISOString()
  const to = new Date(q.to).toISOString()
  const lookback = new Date(Date.parse(from) - SELECT_LOOKBACK_DAYS * 86_400_000).toISOString()
  const all = (sql: string, extra: Record<string, string> = {}): Row[] => db.prepare(sql).all({ from, to, ...extra }) as Row[]
  // One read transaction: the figures come from one snapshot even while the writer thread commits.
  return db.transaction(() => ({
    orders: all(SQL.orders).map((r) => ({ ...key(r), n: Number(r.n) })),
    verdicts: all(SQL.verdicts).map((r) => ({ ...key(r), status: String(r.status), n: Number(r.n) })),
    signedDespite: all(SQL.signedDespite).map((r) => ({ ...key(r), n: Number(r.n) })),
    overrideReasons: all(SQL.overrideReasons).map((r) => ({ ...key(r), code: r.code ?? null, system: r.system ?? null, display: r.display ?? null, n: Number(r.n) })),
    criteria: all(SQL.criteria).map((r) => ({ ...key(r), criterion: String(r.criterion), kind: r.kind === 'unknown' ? 'unknown' as const : 'not-met' as const, n: Number(r.n) })),
    signMinutes: all(SQL.signMinutes, { lookback }).map((r) => ({ ...key(r), minutes: Number(r.minutes), n: Number(r.n) }))
  })).deferred()
}
