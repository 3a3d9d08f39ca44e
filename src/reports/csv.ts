/**
 * The report as CSV (RFC 4180: comma-separated, CRLF, fields quoted when they
 * hold a comma, quote or line break), one table with a `table` column so one
 * file loads into a spreadsheet: rows per month × region × indication, the
 * criteria not met or unknown and the override reasons per row. Suppressed
 * counts appear as "<5" or "x", exactly as on the page. A field that a
 * spreadsheet would run as a formula (leading = + - @) is prefixed with '.
 */
import type { Report } from './aggregate.js'

const HEADER = ['table', 'month', 'region', 'indication', 'orders_evaluated', 'signed', 'signed_eligible', 'signed_incomplete', 'signed_not_eligible', 'signed_despite_not_eligible',
  'select_to_sign_orders', 'select_to_sign_median_minutes', 'select_to_sign_p90_minutes', 'criterion', 'criterion_status', 'override_reason_system', 'override_reason_code', 'override_reason_display', 'count']

function field (v: string | number | undefined | null): string {
  let s = v === undefined || v === null ? '' : String(v)
  if (/^[=+\-@\t\r]/.test(s) && !/^-?\d/.test(s)) s = `'${s}`
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s
}

export function reportCsv (r: Report): string {
  const lines: Array<Array<string | number | undefined | null>> = [HEADER]
  const blank = (n: number): string[] => new Array<string>(n).fill('')
  for (const row of r.rows) {
    const c = row.cells
    lines.push(['orders', row.month, row.region, row.indication, c.orders.shown, c.signed.shown, c.eligible.shown, c.incomplete.shown, c.notEligible.shown, c.signedDespite.shown,
      row.signTime.n.shown, row.signTime.medianMinutes, row.signTime.p90Minutes, ...blank(6)])
  }
  for (const x of r.criteriaByRow) lines.push(['criteria', x.month, x.region, x.indication, ...blank(9), x.criterion, x.kind, '', '', '', x.n.shown])
  for (const x of r.reasonsByRow) lines.push(['override_reasons', x.month, x.region, x.indication, ...blank(11), x.system, x.code, x.display, x.n.shown])
  return lines.map((l) => l.map(field).join(',')).join('\r\n') + '\r\n'
}
