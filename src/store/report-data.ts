/**
 * What the stores answer for the reports (src/reports/): aggregates grouped
 * by month (Danish time, Europe/Copenhagen, `YYYY-MM`: reports/danish-time.ts), the ordering organisation's SOR chain and
 * region as recorded, and indication. Never a row per evaluation, never a
 * patient key: the region mapping, small-count suppression and rendering
 * happen in src/reports/. Both stores return the same shape for the same
 * rows (test/reports/store-reports.test.ts).
 */

import { danishMonth } from '../reports/danish-time.js'

/** Evaluations made at or after `from` and before `to` (ISO 8601 instants). */
export interface ReportQuery { from: string, to: string }

/** The grouping every aggregate carries. `chain`/`region` are null when nothing was recorded. */
export interface ReportKey { month: string, chain: string | null, region: string | null, indication: string }

export interface ReportData {
  /** Orders evaluated (either hook): distinct keyed orders (an evaluation without one counts once). */
  orders: Array<ReportKey & { n: number }>
  /** Verdicts given at order-sign, per status. */
  verdicts: Array<ReportKey & { status: string, n: number }>
  /** Cards at order-sign that were not eligible and whose feedback says `overridden`: distinct cards. */
  signedDespite: Array<ReportKey & { n: number }>
  /** The same cards per override reason (code, system, display as sent; null when none was given). */
  overrideReasons: Array<ReportKey & { code: string | null, system: string | null, display: string | null, n: number }>
  /** Required criteria not met or unknown at order-sign. */
  criteria: Array<ReportKey & { criterion: string, kind: 'not-met' | 'unknown', n: number }>
  /**
   * Minutes from an order's first order-select to its first order-sign (orders signed in the period, keyed
   * orders seen by both hooks, sign not before select), as a histogram of whole minutes.
   */
  signMinutes: Array<ReportKey & { minutes: number, n: number }>
}

/** How far back before `from` an order-select may lie and still be paired with an order-sign in the period. */
export const SELECT_LOOKBACK_DAYS = 90

const monthOfHour = new Map<string, string>()

/**
 * The Danish month (`YYYY-MM`) an evaluation made at `evaluatedAt` (ISO 8601) is reported under, written with its
 * row (evaluations.report_month) so that the reports group by a column. Danish months begin on a whole UTC hour,
 * so the month is the same for a whole UTC hour: computed once per hour (reports/danish-time.ts).
 */
export function reportMonth (evaluatedAt: string): string {
  const at = new Date(evaluatedAt)
  const hour = at.toISOString().slice(0, 13)
  let month = monthOfHour.get(hour)
  if (month === undefined) {
    if (monthOfHour.size >= 10_000) monthOfHour.clear()
    month = danishMonth(at)
    monthOfHour.set(hour, month)
  }
  return month
}
