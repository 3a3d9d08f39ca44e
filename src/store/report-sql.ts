/**
 * The report queries (report-data.ts), written once for both stores: the same
 * groups, filters and figures; only what the two dialects spell differently
 * comes from a {@link ReportDialect} (sqlite-reports.ts, postgres-reports.ts).
 * Months are Danish (reports/danish-time.ts) on both: the column report_month,
 * written with each evaluation (report-data.ts reportMonth; migration 6).
 */
import { reportMonth, SELECT_LOOKBACK_DAYS, type ReportData, type ReportQuery } from './report-data.js'

type Row = Record<string, any>

export interface ReportDialect {
  /** A count as the driver should return it (PostgreSQL's COUNT is a bigint, read as a string by pg). */
  count: (expr: string) => string
  /** Whole minutes between two timestamp expressions. */
  minutes: (from: string, to: string) => string
}

/**
 * The parameters, named `@name` in the SQL (SQLite binds them by name; postgres-reports.ts numbers them): the
 * period's start and end, the Danish months of its first and last instant, and the order-select lookback start.
 */
export interface ReportParams { from: string, to: string, fromMonth: string, toMonth: string, lookback: string }

export type ReportSql = Record<keyof ReportData, string>

export function reportSql (d: ReportDialect): ReportSql {
  // Each indication row carries its evaluation's hook, time, Danish month, chain and region (migrations 6 and 7):
  // one table, read through its report indexes, grouped by columns — no join to the evaluations, no per-row time arithmetic.
  const key = 'i.report_month AS month, i.ordering_org_chain AS chain, i.ordering_region AS region, i.indication AS indication'
  const group = 'i.report_month, i.ordering_org_chain, i.ordering_region, i.indication'
  const from = 'evaluation_indications i'
  const period = 'i.evaluated_at >= @from AND i.evaluated_at < @to'
  const signed = `i.hook = 'order-sign' AND i.report_month >= @fromMonth AND i.report_month <= @toMonth AND ${period}`
  // From the feedback (far fewer rows) to its card and indication row. CROSS JOIN keeps this order on SQLite, whose
  // planner without statistics (no ANALYZE) would start from every indication row of the period; PostgreSQL plans
  // CROSS JOIN with its WHERE as the inner join it is.
  const overridden = `feedback f CROSS JOIN cards c CROSS JOIN ${from}
    WHERE c.card_uuid = f.card_uuid AND i.evaluation_id = c.evaluation_id AND i.indication = c.indication
      AND ${signed} AND i.status <> 'eligible' AND f.outcome = 'overridden'`
  return {
    // One row per order, indication and the month × chain × region it was seen in, with the time it was first seen
    // there (report_orders, migration 8), read in the months of the period. An order counts where it has an evaluation
    // in the period: its first in the period's months is, unless it came before the period's start — possible only in
    // the month the period starts in, when the period does not start at a Danish month start (the page's periods do):
    // then its evaluations in the period are looked up (order key index). An evaluation without order key is an order
    // of its own (order_ref = its id, matching no order key), seen once.
    orders: `SELECT o.report_month AS month, NULLIF(o.ordering_org_chain, '') AS chain, NULLIF(o.ordering_region, '') AS region, o.indication AS indication, ${d.count('*')} AS n
      FROM report_orders o
      WHERE o.report_month >= @fromMonth AND o.report_month <= @toMonth
        AND (o.first_at >= @from AND o.first_at < @to
          OR o.first_at < @from AND o.report_month = @fromMonth AND EXISTS (SELECT 1 FROM evaluation_indications e
            WHERE e.order_key = o.order_ref AND e.indication = o.indication AND e.report_month = o.report_month
              AND COALESCE(e.ordering_org_chain, '') = o.ordering_org_chain AND COALESCE(e.ordering_region, '') = o.ordering_region
              AND e.evaluated_at >= @from AND e.evaluated_at < @to))
      GROUP BY o.report_month, o.ordering_org_chain, o.ordering_region, o.indication`,
    verdicts: `SELECT ${key}, i.status AS status, ${d.count('*')} AS n FROM ${from} WHERE ${signed} GROUP BY ${group}, i.status`,
    signedDespite: `SELECT ${key}, ${d.count('DISTINCT f.card_uuid')} AS n FROM ${overridden} GROUP BY ${group}`,
    overrideReasons: `SELECT ${key}, f.override_reason_code AS code, f.override_reason_system AS system, f.override_reason_display AS display, ${d.count('DISTINCT f.card_uuid')} AS n
    FROM ${overridden}
    GROUP BY ${group}, f.override_reason_code, f.override_reason_system, f.override_reason_display`,
    // One row per criterion not met or unknown, with the report keys (evaluation_criteria, migration 7), under the alias i.
    criteria: `SELECT ${key}, i.criterion AS criterion, i.kind AS kind, ${d.count('*')} AS n FROM evaluation_criteria i
      WHERE ${signed} GROUP BY ${group}, i.kind, i.criterion`,
    // One row per keyed order and indication with its first order-select and first order-sign, and that sign's month,
    // chain and region (report_signs, migration 8): the orders first signed in the period, first selected at most the
    // lookback before the period and not after the sign; the minutes between them as kept by the writes (sign_minutes).
    signMinutes: `SELECT s.report_month AS month, s.ordering_org_chain AS chain, s.ordering_region AS region, s.indication AS indication, s.sign_minutes AS minutes, ${d.count('*')} AS n
      FROM report_signs s
      WHERE s.report_month >= @fromMonth AND s.report_month <= @toMonth AND s.signed_at >= @from AND s.signed_at < @to
        AND s.selected_at >= @lookback AND s.selected_at <= s.signed_at
      GROUP BY s.report_month, s.ordering_org_chain, s.ordering_region, s.indication, s.sign_minutes`
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

/** The parameters of a period (ISO 8601 instants). */
export function reportParams (q: ReportQuery): ReportParams {
  const from = new Date(q.from).toISOString()
  const to = new Date(q.to).toISOString()
  return {
    from,
    to,
    fromMonth: reportMonth(from),
    // The month of the period's last instant (its end is exclusive).
    toMonth: reportMonth(new Date(Date.parse(to) - 1).toISOString()),
    lookback: new Date(Date.parse(from) - SELECT_LOOKBACK_DAYS * 86_400_000).toISOString()
  }
}
