/**
 * Turn a request's prefetch into the record the core evaluates.
 *
 * CDS Hooks 2.0 (shared/reference/cds-hooks.md §1.3): a key may be missing (the
 * client did not satisfy it), `null` (a read found nothing), an
 * OperationOutcome (the client failed to fetch it — treated as missing), or a
 * searchset Bundle (possibly paged). The four states are kept apart: an empty
 * Bundle is data ("none recorded"); a missing key is not.
 *
 * Until the FHIR-server fallback resolves them, missing keys make the resource
 * types they supply unavailable, so criteria reading them are `unknown`. A
 * Bundle with a `next` link is treated the same way: a partial lab history
 * must never let "no normal platelet count ever" pass.
 */
import type { AnyResource, Patient } from '../core/fhir.js'
import type { RecordInput } from '../core/record.js'
import type { ServiceDefinition } from '../definitions/load.js'
import { HookError } from './operation-outcome.js'
import { resolveTemplate, type FallbackRequest } from './fhir-fallback.js'

/**
 * `not-applicable`: not sent, and its template needs a token this request
 * cannot fill (`{{userPractitionerRoleId}}` for a Practitioner user, an
 * encounter token without an encounter). The client could not have sent it
 * (CDS Hooks 2.0: a client skips templates it cannot resolve), so it is no
 * missing data: another key covers that user type.
 */
export type PrefetchState = 'present' | 'missing' | 'null' | 'operation-outcome' | 'paged' | 'invalid' | 'not-applicable'

export interface ResolvedPrefetch {
  record: RecordInput
  /** State of every declared key, for the card's "what could not be read" note and for logs. */
  states: Record<string, PrefetchState>
}

const REASONS: Record<Exclude<PrefetchState, 'present' | 'null' | 'not-applicable'>, (key: string) => string> = {
  missing: (k) => `prefetch '${k}' was not sent`,
  'operation-outcome': (k) => `the EHR could not retrieve prefetch '${k}' (OperationOutcome)`,
  paged: (k) => `prefetch '${k}' has further pages that were not sent`,
  invalid: (k) => `prefetch '${k}' is not a Bundle or resource of the expected type`
}

/**
 * Resource types no criterion reads as data: answers of the service's requisition forms
 * (QuestionnaireResponse), which only add attestations an EHR may also send as Observations.
 * A key of these not sent (and not failed in the FHIR fallback) leaves nothing unknown, so the card
 * does not name it as data that could not be read; its state is still 'missing' in logs.
 */
const SUPPLEMENTARY = new Set(['QuestionnaireResponse'])

function stateOf (value: unknown): PrefetchState {
  if (value === undefined) return 'missing'
  if (value === null) return 'null'
  if (typeof value !== 'object' || Array.isArray(value)) return 'invalid'
  const rt = (value as AnyResource).resourceType
  if (rt === 'OperationOutcome') return 'operation-outcome'
  if (rt === 'Bundle') {
    const links = (value as { link?: unknown }).link
    return Array.isArray(links) && links.some((l: any) => l?.relation === 'next') ? 'paged' : 'present'
  }
  return typeof rt === 'string' ? 'present' : 'invalid'
}

/** Resources of a Bundle's entries (or the value itself when it is a single resource). */
function resourcesOf (value: AnyResource): AnyResource[] {
  if (value.resourceType !== 'Bundle') return [value]
  const entries = Array.isArray(value.entry) ? value.entry : []
  return entries.map((e: any) => e?.resource).filter((r: unknown): r is AnyResource =>
    typeof r === 'object' && r !== null && typeof (r as AnyResource).resourceType === 'string')
}

/** A resource about another patient is inconsistent input: it is dropped, never evaluated. */
function belongsTo (r: AnyResource, own: string, ownAbsolute: string): boolean {
  const ref = ((r.subject ?? r.patient) as { reference?: unknown } | undefined)?.reference
  return typeof ref !== 'string' || ref === own || ref.endsWith(ownAbsolute)
}

/**
 * @param failures - reasons from the FHIR fallback for keys it could not fetch;
 *   they replace the generic "was not sent" reason on the card.
 * @param context - the request's context; with it, a key not sent whose
 *   template this context cannot fill is `not-applicable`, not missing.
 */
export function resolvePrefetch (service: ServiceDefinition, prefetch: Record<string, unknown> | undefined, patientId: string, failures: Record<string, string> = {}, context?: FallbackRequest['context']): ResolvedPrefetch {
  const states: Record<string, PrefetchState> = {}
  const resources: AnyResource[] = []
  const unavailable: NonNullable<RecordInput['unavailable']> = []
  let patient: Patient | undefined
  // The patient's reference, relative and as the end of an absolute one: built once, not per resource.
  const ownRef = `Patient/${patientId}`
  const ownAbsolute = `/${ownRef}`
  for (const [key, def] of Object.entries(service.prefetch)) {
    const value = prefetch?.[key]
    let state = stateOf(value)
    if (state === 'missing' && context && !(key in failures) && resolveTemplate(def.query, context) === undefined) state = 'not-applicable'
    let found = state === 'present' ? resourcesOf(value as AnyResource) : []
    if (state === 'present' && found.some((r) => !def.resourceTypes.includes(r.resourceType) && r.resourceType !== 'OperationOutcome')) {
      // A key carrying resources of another type (e.g. Observations under 'conditions') is the caller's mistake.
      state = 'invalid'
      found = []
    }
    states[key] = state
    if (state === 'present' || state === 'null') {
      const own = found.filter((r) => r.resourceType !== 'OperationOutcome' && belongsTo(r, ownRef, ownAbsolute))
      if (def.resourceTypes.includes('Patient')) {
        patient = own.find((r) => r.resourceType === 'Patient') as Patient | undefined
        if (patient && patient.id !== patientId) {
          throw new HookError(400, 'invalid', `prefetch.${key} is Patient/${String(patient.id)} but context.patientId is ${patientId}`, [`prefetch.${key}.id`])
        }
      } else {
        resources.push(...own)
      }
    } else if (state !== 'not-applicable' && !(state === 'missing' && !(key in failures) && def.resourceTypes.every((t) => SUPPLEMENTARY.has(t)))) {
      unavailable.push({ resourceTypes: def.resourceTypes, reason: failures[key] ?? REASONS[state](key) })
    }
  }
  return { record: { patient, resources, unavailable }, states }
}
