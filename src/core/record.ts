/**
 * The patient record as the engine sees it: every resource the EHR sent (or the
 * FHIR fallback fetched), indexed once per request by resource type and by the
 * normalised code of its main concept, plus which resource types could not be
 * obtained at all (those make the criteria reading them `unknown`).
 */
import type { AnyResource, Coding, Patient } from './fhir.js'
import type { DataRequirement, Evidence, RecordResourceType } from './types.js'
import { codingsOf, keyOf, type CompiledValueSet } from './terminology.js'
import { answersAsAttestations, type AnswerKey } from './questionnaire.js'

/** What the protocol layer hands the core. */
export interface RecordInput {
  patient?: Patient
  resources: AnyResource[]
  /** Resource types the record could not obtain, with the reason shown to the clinician. */
  unavailable?: Array<{ resourceTypes: string[], reason: string }>
  /**
   * The items of this service's requisition forms (questionnaire.ts `answerKeyOf`): with it, the
   * answers of a completed QuestionnaireResponse to one of them count as attestations.
   */
  answerKey?: AnswerKey
}

export interface PatientRecord {
  patient?: Patient
  byType: ReadonlyMap<string, AnyResource[]>
  /** resourceType → normalised `system|code` → resources whose main code has that coding. */
  byCode: ReadonlyMap<string, ReadonlyMap<string, AnyResource[]>>
  unavailable: ReadonlyMap<string, string>
  /** Memoised retrievals, shared by every indication evaluated for this request. */
  retrievals: Map<string, AnyResource[]>
  /**
   * Evidence summaries of this request's resources (evidence.ts), shared by every criterion.
   * A plain Map that dies with the record: a module-level WeakMap slowed every young-generation GC.
   */
  evidence: Map<object, Evidence>
}

// The lists the commonest requirements test every resource against, made once rather than per resource.
const RESULT_STATUSES: readonly string[] = Object.freeze(['final', 'amended', 'corrected'])
const NOT_A_FACT: readonly string[] = Object.freeze(['refuted', 'entered-in-error'])

/**
 * Statuses that count as clinical fact when a data requirement names none.
 * Observations must be final (criteria.md: "the most recent final observation");
 * refuted or erroneous entries never count.
 */
export const DEFAULT_STATUS: Record<RecordResourceType, (r: AnyResource) => boolean> = {
  Condition: (r) => !hasCode(r.verificationStatus, NOT_A_FACT),
  Observation: (r) => RESULT_STATUSES.includes(String(r.status)),
  Procedure: (r) => r.status === 'completed',
  FamilyMemberHistory: (r) => r.status !== 'entered-in-error',
  MedicationStatement: (r) => ['active', 'completed', 'intended', 'on-hold'].includes(String(r.status)),
  MedicationRequest: (r) => ['active', 'completed', 'on-hold'].includes(String(r.status)),
  MedicationAdministration: (r) => ['completed', 'in-progress'].includes(String(r.status)),
  Consent: (r) => r.status === 'active',
  DiagnosticReport: (r) => RESULT_STATUSES.includes(String(r.status))
}

function hasCode (concept: unknown, codes: readonly string[]): boolean {
  // A loop, not some() with a closure: this runs for every Condition of every requirement.
  for (const c of codingsOf(concept as Coding)) if (c.code !== undefined && codes.includes(c.code)) return true
  return false
}

/** The codings that say what a resource *is* — the element a ValueSet is matched against. */
export function mainCodings (r: AnyResource, medications?: ReadonlyMap<string, AnyResource>): Coding[] {
  switch (r.resourceType) {
    case 'FamilyMemberHistory':
      return (Array.isArray(r.condition) ? r.condition : []).flatMap((c: any) => codingsOf(c?.code))
    case 'MedicationStatement':
    case 'MedicationRequest':
    case 'MedicationAdministration': {
      const direct = codingsOf(r.medicationCodeableConcept as Coding)
      const ref = (r.medicationReference as { reference?: string } | undefined)?.reference
      const med = ref ? medications?.get(ref) ?? findContained(r, ref) : undefined
      return med ? [...direct, ...codingsOf(med.code as Coding)] : direct
    }
    case 'Consent':
      return [...(Array.isArray(r.category) ? r.category : []).flatMap((c: any) => codingsOf(c)), ...codingsOf(r.scope as Coding)]
    default:
      return codingsOf(r.code as Coding)
  }
}

function findContained (r: AnyResource, ref: string): AnyResource | undefined {
  if (!ref.startsWith('#') || !Array.isArray(r.contained)) return undefined
  return (r.contained as AnyResource[]).find((c) => c?.id === ref.slice(1))
}

/** Index the record once; O(resources × codings). */
export function buildRecord (input: RecordInput): PatientRecord {
  const byType = new Map<string, AnyResource[]>()
  const medications = new Map<string, AnyResource>()
  // The answers of our forms, as attestation Observations that keep the response they came from.
  const answers = input.answerKey ? input.resources.filter((r) => r?.resourceType === 'QuestionnaireResponse').flatMap((qr) => answersAsAttestations(qr, input.answerKey!)) : []
  for (const r of answers.length ? [...input.resources, ...answers] : input.resources) {
    if (!r || typeof r !== 'object' || typeof r.resourceType !== 'string') continue
    const list = byType.get(r.resourceType) ?? []
    list.push(r)
    byType.set(r.resourceType, list)
    if (r.resourceType === 'Medication' && r.id) medications.set(`Medication/${r.id}`, r)
  }
  const byCode = new Map<string, Map<string, AnyResource[]>>()
  for (const [type, resources] of byType) {
    const index = new Map<string, AnyResource[]>()
    for (const r of resources) {
      for (const coding of mainCodings(r, medications)) {
        const key = keyOf(coding)
        if (!key) continue
        const bucket = index.get(key) ?? []
        if (bucket[bucket.length - 1] !== r) bucket.push(r)
        index.set(key, bucket)
      }
    }
    byCode.set(type, index)
  }
  const unavailable = new Map<string, string>()
  for (const u of input.unavailable ?? []) for (const t of u.resourceTypes) unavailable.set(t, u.reason)
  return { patient: input.patient, byType, byCode, unavailable, retrievals: new Map(), evidence: new Map() }
}

/**
 * The resources a data requirement selects. Exact-code ValueSets probe the
 * code index; prefix ValueSets (ICD-10, ATC) scan the resources of that type.
 */
export function retrieve (record: PatientRecord, req: DataRequirement, valueSet: CompiledValueSet | undefined, cacheKey = retrievalKey(req)): AnyResource[] {
  const cached = record.retrievals.get(cacheKey)
  if (cached) return cached
  const keep = statusFilter(req)
  let candidates: AnyResource[]
  if (!valueSet) {
    candidates = record.byType.get(req.resourceType) ?? []
  } else if (valueSet.exactKeys) {
    const index = record.byCode.get(req.resourceType)
    let seen: Set<AnyResource> | undefined
    let only: AnyResource[] | undefined // the common case: one code of the set present
    for (const key of valueSet.exactKeys) {
      const bucket = index?.get(key)
      if (!bucket) continue
      if (!only && !seen) { only = bucket; continue }
      seen ??= new Set(only)
      only = undefined
      for (const r of bucket) seen.add(r)
    }
    candidates = seen ? [...seen] : only ?? []
  } else {
    // Prefix ValueSets (ICD-10, ATC): test each distinct code of the record once, through the code
    // index (its keys are the main codings' keys), then keep the record's order.
    const index = record.byCode.get(req.resourceType)
    const hits = new Set<AnyResource>()
    index?.forEach((bucket, key) => { if (valueSet.matchKey(key) !== undefined) for (const r of bucket) hits.add(r) })
    candidates = hits.size === 0 ? [] : (record.byType.get(req.resourceType) ?? []).filter((r) => hits.has(r))
  }
  const result = kept(candidates, keep)
  record.retrievals.set(cacheKey, result)
  return result
}

/**
 * The candidates the status filter keeps: the candidates themselves while every one is kept (the
 * record's lists and code buckets are never mutated once built), a copy from the first one dropped.
 */
function kept (candidates: AnyResource[], keep: (r: AnyResource) => boolean): AnyResource[] {
  let out: AnyResource[] | undefined
  for (let i = 0; i < candidates.length; i++) {
    const r = candidates[i]!
    if (keep(r)) out?.push(r)
    else out ??= candidates.slice(0, i)
  }
  return out ?? candidates
}

/** Two requirements with the same key select the same resources (compile.ts computes it once per requirement). */
export function retrievalKey (req: DataRequirement): string {
  return `${req.resourceType}|${req.valueSet ?? '*'}|${(req.status ?? []).join(',')}`
}

// One filter per requirement (the catalogue's own objects), not a new closure per retrieval.
const STATUS_FILTERS = new WeakMap<DataRequirement, (r: AnyResource) => boolean>()
function statusFilter (req: DataRequirement): (r: AnyResource) => boolean {
  let keep = STATUS_FILTERS.get(req)
  if (keep === undefined) STATUS_FILTERS.set(req, keep = makeStatusFilter(req))
  return keep
}

function makeStatusFilter (req: DataRequirement): (r: AnyResource) => boolean {
  if (!req.status) return DEFAULT_STATUS[req.resourceType]
  const allowed = req.status
  if (req.resourceType === 'Condition') {
    return (r) => hasCode(r.verificationStatus, allowed)
  }
  return (r) => allowed.includes(String(r.status))
}
