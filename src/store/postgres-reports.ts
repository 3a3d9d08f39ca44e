/**
 * The report aggregates on PostgreSQL (report-data.ts): the same groups as
 * sqlite-reports.ts. Months are Danish (Europe/Copenhagen, reports/danish-time.ts),
 * as on SQLite, so both stores agree to the row. All queries run in one REPEATABLE READ transaction (one snapshot).
 */
import type pg from 'pg'
import { SELECT_LOOKBACK_DAYS, type ReportData, type ReportQuery } from './report-data.js'

type Row = Record<string, any>

const MONTH = "to_char(e.evaluated_at AT TIME ZONE 'Europe/Copenhagen', 'YYYY-MM')"
const KEY = `${MONTH} AS month, e.ordering_org_chain AS chain, e.ordering_region AS region, i.indication AS indication`
const GROUP = `${MONTH}, e.ordering_org_chain, e.ordering_region, i.indication`
const FROM = 'evaluations e JOIN evaluation_indications i ON i.evaluation_id = e.id'
const SIGNED = "e.hook = 'order-sign' AND e.evaluated_at >= $1 AND e.evaluated_at < $2"

const SQL = {
  orders: `SELECT ${KEY}, COUNT(DISTINCT COALESCE(i.order_key, e.id))::int AS n FROM ${FROM}
    WHERE e.evaluated_at >= $1 AND e.evaluated_at < $2 GROUP BY ${GROUP}`,
  verdicts: `SELECT ${KEY}, i.status AS status, COUNT(*)::int AS n FROM ${FROM} WHERE ${SIGNED} GROUP BY ${GROUP}, i.status`,
  signedDespite: `SELECT ${KEY}, COUNT(DISTINCT f.card_uuid)::int AS n FROM ${FROM}
    JOIN cards c ON c.evaluation_id = i.evaluation_id AND c.indication = i.indication
    JOIN feedback f ON f.card_uuid = c.card_uuid
    WHERE ${SIGNED} AND i.status <> 'eligible' AND f.outcome = 'overridden' GROUP BY ${GROUP}`,
  overrideReasons: `SELECT ${KEY}, f.override_reason_code AS code, f.override_reason_system AS system, f.override_reason_display AS display, COUNT(DISTINCT f.card_uuid)::int AS n FROM ${FROM}
    JOIN cards c ON c.evaluation_id = i.evaluation_id AND c.indication = i.indication
    JOIN feedback f ON f.card_uuid = c.card_uuid
    WHERE ${SIGNED} AND i.status <> 'eligible' AND f.outcome = 'overridden'
    GROUP BY ${GROUP}, f.override_reason_code, f.override_reason_system, f.override_reason_display`,
  criteria: `SELECT ${KEY}, j.value AS criterion, 'not-met' AS kind, COUNT(*)::int AS n FROM ${FROM} CROSS JOIN LATERAL jsonb_array_elements_text(i.failed_criteria) AS j(value)
      WHERE ${SIGNED} AND i.failed_criteria <> '[]'::jsonb GROUP BY ${GROUP}, j.value
    UNION ALL
    SELECT ${KEY}, j.value AS criterion, 'unknown' AS kind, COUNT(*)::int AS n FROM ${FROM} CROSS JOIN LATERAL jsonb_array_elements_text(i.unknown_criteria) AS j(value)
      WHERE ${SIGNED} AND i.unknown_criteria IS NOT NULL AND i.unknown_criteria <> '[]'::jsonb GROUP BY ${GROUP}, j.value`,
  signMinutes: `WITH firsts AS (
      SELECT i.order_key, i.indication,
        MIN(CASE WHEN e.hook = 'order-select' THEN e.evaluated_at END) AS selected,
        MIN(CASE WHEN e.hook = 'order-sign' THEN e.evaluated_at END) AS signed,
        MAX(CASE WHEN e.hook = 'order-sign' THEN e.ordering_org_chain END) AS chain,
        MAX(CASE WHEN e.hook = 'order-sign' THEN e.ordering_region END) AS region
      FROM ${FROM}
      WHERE i.order_key IS NOT NULL AND e.evaluated_at >= $3 AND e.evaluated_at < $2
      GROUP BY i.order_key, i.indication)
    SELECT to_char(signed AT TIME ZONE 'Europe/Copenhagen', 'YYYY-MM') AS month, chain, region, indication,
      floor(EXTRACT(EPOCH FROM (signed - selected)) / 60)::int AS minutes, COUNT(*)::int AS n
    FROM firsts WHERE signed >= $1 AND selected IS NOT NULL AND signed >= selected
    GROUP BY 1, 2, 3, 4, 5`
}

const key = (r: Row): { month: string, chain: string | null, region: string | null, indication: string } =>
  ({ month: String(r.month), chain: r.chain ?? null, region: r.region ?? null, indication: String(r.indication) })

export async function postgresReportData (pool: pg.Pool, q: ReportQuery): Promise<ReportData> {
  const from = new Date(q.from).toISOString()
  const to = new Date(q.to).toISOString()
  const lookback = new Date(Date.parse(from) - SELECT_LOOKBACK_DAYS * 86_400_000).toISOString()
  const client = await pool.connect()
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY')
    const all = async (sql: string, params: string[] = [from, to]): Promise<Row[]> => (await client.query(sql, params)).rows
    const data: ReportData = {
      orders: (await all(SQL.orders)).map((r) => ({ ...key(r), n: Number(r.n) })),
      verdicts: (await all(SQL.verdicts)).map((r) => ({ ...key(r), status: String(r.status), n: Number(r.n) })),
      signedDespite: (await all(SQL.signedDespite)).map((r) => ({ ...key(r), n: Number(r.n) })),
      overrideReasons: (await all(SQL.overrideReasons)).map((r) => ({ ...key(r), code: r.code ?? null, system: r.system ?? null, display: r.display ?? null, n: Number(r.n) })),
      criteria: (await all(SQL.criteria)).map((r) => ({ ...key(r), criterion: String(r.criterion), kind: r.kind === 'unknown' ? 'unknown' as const : 'not-met' as const, n: Number(r.n) })),
      signMinutes: (await all(SQL.signMinutes, [from, to, lookback])).map((r) => ({ ...key(r), minutes: Number(r.minutes), n: Number(r.n) }))
    }
    await client.query('COMMIT')
    return data
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined)
    throw err
  } finally {
    client.release()
  }
}
