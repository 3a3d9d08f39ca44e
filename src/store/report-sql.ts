/**
 * The report queries (report-data.ts), written once for both stores: the same
 * groups, filters and figures; only what the two dialects spell differently
 * comes from a {@link ReportDialect} (sqlite-reports.ts, postgres-reports.ts).
 * Months are Danish (reports/danish-time.ts) on both: the column report_month,
 * written with each evaluation (report-data.ts reportMonth; migration 6).
 */
import type { ReportData } from './report-data.js'

type Row = Record<string, any>

export interface ReportDialect {
  /** A count as the driver should return it (PostgreSQL's COUNT is a bigint, read as a string by pg). */
  count: (expr: string) => string
  /** Placeholders of the period's start and end and of the order-select lookback start. */
  from: string
  to: string
  lookback: string
  /** What makes the order-select → order-sign pairing read the index ordered by order key (its GROUP BY), if the planner needs telling. */
  pairsIndex: string
  /** Whole minutes between two timestamp expressions. */
  minutes: (from: string, to: string) => string
}

export type ReportSql = Record<keyof ReportData, string>

export function reportSql (d: ReportDialect): ReportSql {
  // Each indication row carries its evaluation's hook, time, Danish month, chain and region (migrations 6 and 7):
  // one table, read through its report indexes, grouped by columns — no join to the evaluations, no per-row time arithmetic.
  const key = 'i.report_month AS month, i.ordering_org_chain AS chain, i.ordering_region AS region, i.indication AS indication'
  const group = 'i.report_month, i.ordering_org_chain, i.ordering_region, i.indication'
  const from = 'evaluation_indications i'
  const period = `i.evaluated_at >= ${d.from} AND i.evaluated_at < ${d.to}`
  const signed = `i.hook = 'order-sign' AND ${period}`
  // From the feedback (far fewer rows) to its card and indication row. CROSS JOIN keeps this order on SQLite, whose
  // planner without statistics (no ANALYZE) would start from every indication row of the period; PostgreSQL plans
  // CROSS JOIN with its WHERE as the inner join it is.
  const overridden = `feedback f CROSS JOIN cards c CROSS JOIN ${from}
    WHERE c.card_uuid = f.card_uuid AND i.evaluation_id = c.evaluation_id AND i.indication = c.indication
      AND ${signed} AND i.status <> 'eligible' AND f.outcome = 'overridden'`
  return {
    orders: `SELECT ${key}, ${d.count('DISTINCT COALESCE(i.order_key, i.evaluation_id)')} AS n FROM ${from} WHERE ${period} GROUP BY ${group}`,
    verdicts: `SELECT ${key}, i.status AS status, ${d.count('*')} AS n FROM ${from} WHERE ${signed} GROUP BY ${group}, i.status`,
    signedDespite: `SELECT ${key}, ${d.count('DISTINCT f.card_uuid')} AS n FROM ${overridden} GROUP BY ${group}`,
    overrideReasons: `SELECT ${key}, f.override_reason_code AS code, f.override_reason_system AS system, f.override_reason_display AS display, ${d.count('DISTINCT f.card_uuid')} AS n
    FROM ${overridden}
    GROUP BY ${group}, f.override_reason_code, f.override_reason_system, f.override_reason_display`,
    // One row per criterion not met or unknown, with the report keys (evaluation_criteria, migration 7), under the alias i.
    criteria: `SELECT ${key}, i.criterion AS criterion, i.kind AS kind, ${d.count('*')} AS n FROM evaluation_criteria i
      WHERE ${signed} GROUP BY ${group}, i.kind, i.criterion`,
    signMinutes: `WITH firsts AS (
      SELECT i.order_key, i.indication,
        MIN(CASE WHEN i.hook = 'order-select' THEN i.evaluated_at END) AS selected,
        MIN(CASE WHEN i.hook = 'order-sign' THEN i.evaluated_at END) AS signed,
        -- The month of the first order-sign: months never decrease with time, so the least month of the signs is its month.
        MIN(CASE WHEN i.hook = 'order-sign' THEN i.report_month END) AS month,
        MAX(CASE WHEN i.hook = 'order-sign' THEN i.ordering_org_chain END) AS chain,
        MAX(CASE WHEN i.hook = 'order-sign' THEN i.ordering_region END) AS region
      FROM ${from} ${d.pairsIndex}
      WHERE i.order_key IS NOT NULL AND i.evaluated_at >= ${d.lookback} AND i.evaluated_at < ${d.to}
      GROUP BY i.order_key, i.indication)
    SELECT month, chain, region, indication, ${d.minutes('selected', 'signed')} AS minutes, ${d.count('*')} AS n
    FROM firsts WHERE signed >= ${d.from} AND selected IS NOT NULL AND signed >= selected
    GROUP BY 1, 2, 3, 4, 5`
  }
}

const key = (r: Row): { month: string, chain: string | null, region: string | null, indication: string } =>
  ({ month: String(r.month), chain: r.chain ?? null, region: r.region ?? null, indication: String(r.indication) })

/** The rows of each query as the report data, the same for both stores. */
export function reportRows (rows: Record<keyof ReportData, Row[]>): ReportData {
  return {
    orders: rows.orders.map((r) => ({ ...key(r), n: Number(r.n) })),
    verdicts: rows.verdicts.map((r) => ({ ...key(r), status: String(r.status), n: Number(r.n) })),
    signedDespite: rows.signedDespite.map((r) => ({ ...key(r), n: Number(r.n) })),
    overrideReasons: rows.overrideReasons.map((r) => ({ ...key(r), code: r.code ?? null, system: r.system ?? null, display: r.display ?? null, n: Number(r.n) })),
    criteria: rows.criteria.map((r) => ({ ...key(r), criterion: String(r.criterion), kind: r.kind === 'unknown' ? 'unknown' as const : 'not-met' as const, n: Number(r.n) })),
    signMinutes: rows.signMinutes.map((r) => ({ ...key(r), minutes: Number(r.minutes), n: Number(r.n) }))
  }
}

/** The order the queries run in (and their names). */
export const REPORT_QUERIES = ['orders', 'verdicts', 'signedDespite', 'overrideReasons', 'criteria', 'signMinutes'] as const
