/**
 * Dates in clinical resources: which element says *when* a fact holds, and
 * age arithmetic on partial FHIR dates. Pure functions of their arguments; the
 * evaluation time is always passed in, never read from the clock.
 */
import type { AnyResource } from './fhir.js'

/**
 * The date a resource's fact refers to, as an ISO string (possibly partial).
 * Observation: effective[x] (period end, else start), else issued.
 * Procedure: performed[x]. Condition: onset[x] (dateTime or period start), else recordedDate.
 */
export function clinicalDate (r: AnyResource): string | undefined {
  // Each `??` step is "the first of these that is a date string", without allocating (this runs for
  // every dated resource a rule looks at).
  switch (r.resourceType) {
    case 'Observation':
    case 'DiagnosticReport':
      return dateString(r.effectiveDateTime) ?? dateString(r.effectiveInstant) ?? periodEnd(r.effectivePeriod) ?? periodStart(r.effectivePeriod) ?? dateString(r.issued)
    case 'Procedure':
      return dateString(r.performedDateTime) ?? periodEnd(r.performedPeriod) ?? periodStart(r.performedPeriod)
    case 'Condition':
      return dateString(r.onsetDateTime) ?? periodStart(r.onsetPeriod) ?? dateString(r.recordedDate)
    case 'MedicationStatement':
      return dateString(r.effectiveDateTime) ?? periodEnd(r.effectivePeriod) ?? periodStart(r.effectivePeriod) ?? dateString(r.dateAsserted)
    case 'MedicationRequest':
      return dateString(r.authoredOn)
    case 'MedicationAdministration':
      return dateString(r.effectiveDateTime) ?? periodEnd(r.effectivePeriod) ?? periodStart(r.effectivePeriod)
    case 'Consent':
      return dateString(r.dateTime)
    case 'FamilyMemberHistory':
      return dateString(r.date)
    default:
      return undefined
  }
}

function dateString (v: unknown): string | undefined {
  return typeof v === 'string' && v.length >= 4 ? v : undefined
}
function periodEnd (p: unknown): string | undefined {
  return p && typeof p === 'object' ? dateString((p as { end?: unknown }).end) : undefined
}
function periodStart (p: unknown): string | undefined {
  return p && typeof p === 'object' ? dateString((p as { start?: unknown }).start) : undefined
}

/** Earliest and latest instants a partial date (`2019`, `2019-04`, `2019-04-02`) can denote, as y/m/d. */
function dateBounds (iso: string): { lo: [number, number, number], hi: [number, number, number] } | undefined {
  const m = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?/.exec(iso)
  if (!m) return undefined
  const y = Number(m[1])
  if (m[3]) { const d: [number, number, number] = [y, Number(m[2]), Number(m[3])]; return { lo: d, hi: d } }
  if (m[2]) {
    const mo = Number(m[2])
    return { lo: [y, mo, 1], hi: [y, mo, new Date(Date.UTC(y, mo, 0)).getUTCDate()] }
  }
  return { lo: [y, 1, 1], hi: [y, 12, 31] }
}

function fullYears (from: [number, number, number], to: [number, number, number]): number {
  let years = to[0] - from[0]
  if (to[1] < from[1] || (to[1] === from[1] && to[2] < from[2])) years--
  return years
}

/**
 * Completed years between a (possibly partial) birth date and a date.
 * When the partial date leaves the age ambiguous (born "1990", asked in 2008),
 * returns undefined — the caller reports `unknown` rather than guessing.
 */
export function ageInYears (birthDate: string | undefined, on: string | undefined): number | undefined {
  if (!birthDate || !on) return undefined
  const b = dateBounds(birthDate)
  const t = dateBounds(on)
  if (!b || !t) return undefined
  const oldest = fullYears(b.lo, t.hi)
  const youngest = fullYears(b.hi, t.lo)
  return oldest === youngest ? oldest : undefined
}

/**
 * The youngest and oldest the patient can be on a date, from a (possibly partial) birth date:
 * born "1950", on 2026-11-22 → [75, 76]. Comparisons settled by both ends give their answer
 * (`>= 18`) even where the age itself is not known.
 */
export function ageRange (birthDate: string | undefined, on: string | undefined): [number, number] | undefined {
  if (!birthDate || !on) return undefined
  const b = dateBounds(birthDate)
  const t = dateBounds(on)
  if (!b || !t) return undefined
  return [fullYears(b.hi, t.lo), fullYears(b.lo, t.hi)]
}

/** Days before an ISO instant, as an ISO instant (UTC). */
export function daysBefore (isoInstant: string, days: number): string {
  return new Date(Date.parse(isoInstant) - days * 86_400_000).toISOString()
}
