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

/**
 * Earliest and latest days a partial date (`2019`, `2019-04`, `2019-04-02`) can denote, written as
 * y/m/d into `out` (lo at 0–2, hi at 3–5); false when the text does not start with a year. Reads
 * what `/^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?/` matches, by character: ageAtOnset() asks it for every
 * condition a rule looks at, and the regular expression's match arrays and the bounds' arrays were
 * ~5 % of an evaluation's allocation (heap sampling, 150 resources, worst case).
 */
function dateBoundsInto (text: string, out: number[]): boolean {
  // A birthDate that is not a string (malformed JSON) is read as its text, as RegExp.exec read it.
  const iso = typeof text === 'string' ? text : String(text)
  const y = digits(iso, 0, 4)
  if (y < 0) return false
  const mo = iso.charCodeAt(4) === DASH ? digits(iso, 5, 2) : -1
  const d = mo >= 0 && iso.charCodeAt(7) === DASH ? digits(iso, 8, 2) : -1
  // As the match groups were read: a day counts when it is matched and not "" (always, with two digits).
  if (d >= 0) { out[0] = out[3] = y; out[1] = out[4] = mo; out[2] = out[5] = d; return true }
  if (mo >= 0) {
    out[0] = out[3] = y; out[1] = out[4] = mo; out[2] = 1
    out[5] = new Date(Date.UTC(y, mo, 0)).getUTCDate()
    return true
  }
  out[0] = out[3] = y; out[1] = 1; out[2] = 1; out[4] = 12; out[5] = 31
  return true
}
const DASH = 45

/** The number `count` ASCII digits at `from` spell, or -1 when one of them is not a digit (or is missing). */
function digits (s: string, from: number, count: number): number {
  let n = 0
  for (let i = from; i < from + count; i++) {
    const c = s.charCodeAt(i) // NaN past the end: not a digit
    if (!(c >= 48 && c <= 57)) return -1
    n = n * 10 + (c - 48)
  }
  return n
}

/** Completed years from the date at `from` (y/m/d) to the one at `to` in `b` / `t`. */
function fullYears (b: number[], from: number, t: number[], to: number): number {
  let years = t[to]! - b[from]!
  if (t[to + 1]! < b[from + 1]! || (t[to + 1] === b[from + 1] && t[to + 2]! < b[from + 2]!)) years--
  return years
}

// Scratch bounds of the two dates being compared (both functions below are synchronous and not re-entered).
const BIRTH: number[] = [0, 0, 0, 0, 0, 0]
const ON: number[] = [0, 0, 0, 0, 0, 0]

/**
 * Completed years between a (possibly partial) birth date and a date.
 * When the partial date leaves the age ambiguous (born "1990", asked in 2008),
 * returns undefined — the caller reports `unknown` rather than guessing.
 */
export function ageInYears (birthDate: string | undefined, on: string | undefined): number | undefined {
  if (!birthDate || !on) return undefined
  if (!dateBoundsInto(birthDate, BIRTH) || !dateBoundsInto(on, ON)) return undefined
  const oldest = fullYears(BIRTH, 0, ON, 3)
  const youngest = fullYears(BIRTH, 3, ON, 0)
  return oldest === youngest ? oldest : undefined
}

/**
 * The youngest and oldest the patient can be on a date, from a (possibly partial) birth date:
 * born "1950", on 2026-11-22 → [75, 76]. Comparisons settled by both ends give their answer
 * (`>= 18`) even where the age itself is not known.
 */
export function ageRange (birthDate: string | undefined, on: string | undefined): [number, number] | undefined {
  if (!birthDate || !on) return undefined
  if (!dateBoundsInto(birthDate, BIRTH) || !dateBoundsInto(on, ON)) return undefined
  return [fullYears(BIRTH, 3, ON, 0), fullYears(BIRTH, 0, ON, 3)]
}

/** Days before an ISO instant, as an ISO instant (UTC). */
export function daysBefore (isoInstant: string, days: number): string {
  return new Date(Date.parse(isoInstant) - days * 86_400_000).toISOString()
}
