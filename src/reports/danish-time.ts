/**
 * Report months are Danish calendar months (Europe/Copenhagen), not UTC ones:
 * an order signed at 00:30 on 1 November in Copenhagen is a November order,
 * though it is 23:30 on 31 October in UTC. Denmark keeps EU summer time (CEST,
 * UTC+2, from the last Sunday of March to the last Sunday of October, at
 * 01:00 UTC; CET, UTC+1, otherwise), so midnight on the 1st of April to
 * October is 22:00 UTC the day before and midnight on the 1st of November to
 * March is 23:00 UTC. The stores bucket by the same rule (sqlite-reports.ts,
 * postgres-reports.ts: `AT TIME ZONE 'Europe/Copenhagen'`).
 */

export const REPORT_TIME_ZONE = 'Europe/Copenhagen'

/** Hours Copenhagen is ahead of UTC at midnight on the 1st of `month` (1–12): summer time on 1 April to 1 October. */
export const offsetAtMonthStart = (month: number): 1 | 2 => month >= 4 && month <= 10 ? 2 : 1

/** The UTC instant (ISO 8601) at which the Danish month `YYYY-MM` begins. */
export function danishMonthStart (month: string): string {
  const [y, m] = month.split('-').map(Number) as [number, number]
  return new Date(Date.UTC(y, m - 1, 1) - offsetAtMonthStart(m) * 3_600_000).toISOString()
}

/** The Danish month (`YYYY-MM`) of an instant. */
export function danishMonth (at: Date): string {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone: REPORT_TIME_ZONE, year: 'numeric', month: '2-digit' }).formatToParts(at)
  return `${parts.find((p) => p.type === 'year')!.value}-${parts.find((p) => p.type === 'month')!.value}`
}

/** The Danish month `delta` months from `month`. */
export function addMonths (month: string, delta: number): string {
  const [y, m] = month.split('-').map(Number) as [number, number]
  return new Date(Date.UTC(y, m - 1 + delta, 1)).toISOString().slice(0, 7)
}
