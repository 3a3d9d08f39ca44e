/**
 * Evidence has an age (issue 13 §1): attestations, MDT conferences and
 * performance status count only when dated on or after a `since` the rule
 * declares (the relapse, the diagnosis, `%now - 365 days`), or when the draft
 * order itself references them (`ServiceRequest.supportingInfo`, available as
 * `%orderEvidence`): those always count as current.
 *
 * What a window rejected is not forgotten: the functions record it in the
 * evaluation's stale sink, and evaluate.ts shows the last such value on the
 * card marked "too old", with its date.
 */
import fhirpath from 'fhirpath'
import type { AnyResource } from './fhir.js'
import type { LocalizedText } from './types.js'
import { clinicalDate } from './clinical-time.js'
import { isTemporal } from './fhirpath-values.js'

const { valData } = fhirpath.util

/** Environment key (a symbol: invisible to FHIRPath) of the evaluation's StaleSink. */
export const STALE = Symbol('evidence rejected as too old')

/**
 * Resources a window rejected while one expression ran: each maps to `true` when it should be
 * shown (the latest rejected one of a function call that found nothing current), `false` when it
 * is only to be marked if the evidence lists it anyway.
 */
export interface StaleSink {
  items: Map<object, boolean> | undefined
  /** Warnings a function raised while the expression ran (e.g. an unrecognised department), for the card. */
  warnings?: LocalizedText[] | undefined
}

/** Record a warning for the criterion whose expression is running (shown when it ends unknown). */
export function recordWarning (vars: Record<string | symbol, unknown> | undefined, warning: LocalizedText): void {
  const sink = staleSinkOf(vars)
  if (!sink) return
  sink.warnings ??= []
  if (!sink.warnings.includes(warning)) sink.warnings.push(warning)
}

export function staleSinkOf (vars: Record<string | symbol, unknown> | undefined): StaleSink | undefined {
  return vars?.[STALE] as StaleSink | undefined
}

export function recordStale (sink: StaleSink | undefined, resource: object, show: boolean): void {
  if (!sink) return
  sink.items ??= new Map()
  if (show || !sink.items.has(resource)) sink.items.set(resource, show || (sink.items.get(resource) ?? false))
}

/** The ISO string of a FHIRPath date argument (`%relapseDate`, `%now - 365 days`, a navigated date); undefined if empty. */
export function isoArgument (arg: unknown): string | undefined {
  const first = Array.isArray(arg) ? arg[0] : arg
  if (first === undefined || first === null) return undefined
  const v = valData(first) ?? first
  if (typeof v === 'string') return v
  if (isTemporal(v)) return String(v)
  return undefined
}

/** Earliest instant a (partial) ISO date or dateTime can denote, in ms; NaN if not a date. */
export function earliest (iso: string): number {
  if (/^\d{4}$/.test(iso)) return Date.parse(`${iso}-01-01T00:00:00Z`)
  if (/^\d{4}-\d{2}$/.test(iso)) return Date.parse(`${iso}-01T00:00:00Z`)
  if (/^\d{4}-\d{2}-\d{2}$/.test(iso)) return Date.parse(`${iso}T00:00:00Z`)
  return Date.parse(iso)
}

/** Latest instant a (partial) ISO date or dateTime can denote, in ms; NaN if not a date. */
export function latestInstant (iso: string): number {
  const y = /^(\d{4})(?:-(\d{2}))?$/.exec(iso)
  if (y) {
    const year = Number(y[1])
    const month = y[2] ? Number(y[2]) : 12
    return Date.UTC(year, month, 1) - 1 // the last millisecond of that month (or year)
  }
  if (/^\d{4}-\d{2}-\d{2}$/.test(iso)) return Date.parse(`${iso}T23:59:59.999Z`)
  return Date.parse(iso)
}

/**
 * Is a fact dated `date` current with respect to `since`? A partial date counts when any instant
 * it can denote is on or after `since` (a result of "2026-11" is not called too old for a relapse
 * on 2026-11-10); an undated fact is never current under a window.
 */
export function isCurrent (date: string | undefined, sinceMs: number): boolean {
  if (!date) return false
  const t = latestInstant(date)
  return !Number.isNaN(t) && t >= sinceMs
}

/** The resources the draft order's supportingInfo references, found among the record's resources. */
export function orderEvidence (order: AnyResource | undefined, byType: ReadonlyMap<string, AnyResource[]>): AnyResource[] {
  const infos = order?.supportingInfo
  if (!Array.isArray(infos) || infos.length === 0) return []
  const out: AnyResource[] = []
  for (const info of infos) {
    const ref = (info as { reference?: unknown } | null)?.reference
    if (typeof ref !== 'string') continue
    if (ref.startsWith('#')) {
      const contained = Array.isArray(order!.contained) ? (order!.contained as AnyResource[]).find((c) => c?.id === ref.slice(1)) : undefined
      if (contained && !out.includes(contained)) out.push(contained)
      continue
    }
    // Relative (`Observation/1`) or absolute (`https://ehr/fhir/Observation/1`, `…/_history/2`).
    const m = /(?:^|\/)([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/[^/]+)?$/.exec(ref)
    if (!m) continue
    const hit = byType.get(m[1]!)?.find((r) => r.id === m[2])
    if (hit && !out.includes(hit)) out.push(hit)
  }
  return out
}

/** The clinical date of a resource, for windows (undefined for anything that is not a dated resource). */
export function dateOf (r: unknown): string | undefined {
  return typeof r === 'object' && r !== null && typeof (r as AnyResource).resourceType === 'string' ? clinicalDate(r as AnyResource) : undefined
}
