/**
 * Turn whatever an evidence expression yielded into a short, clinician-readable
 * fact: the resource reference, what it is (code + display), its value and its
 * date. Values are shown as recorded (with their UCUM unit); conversions are
 * only used for comparisons.
 */
import type { AnyResource, Coding } from './fhir.js'
import type { Evidence } from './types.js'
import { clinicalDate } from './clinical-time.js'
import { mainCodings } from './record.js'
import { codingKey, codingsOf } from './terminology.js'
import { ANSWER_SOURCE } from './questionnaire.js'

/**
 * Displays of codes by normalised `system|code` (compile.ts: every ValueSet and CodeSystem concept,
 * and the performance-status answers), so evidence shows a name where the record sent a bare code.
 */
export type CodeDisplayLookup = ReadonlyMap<string, string>
const NO_DISPLAYS: CodeDisplayLookup = new Map()

/**
 * Evidence from a resource whose value was a non-finite number (`1e309`): the request parser put FHIR's
 * dataAbsentReason `positive-infinity` / `negative-infinity` in its place (hooks/json-limits.ts). The engine
 * gives an unknown criterion resting on one the reason NON_FINITE (evaluate.ts).
 */
export const NON_FINITE_EVIDENCE = new WeakSet<Evidence>()
const INFINITY_CODES = new Set(['positive-infinity', 'negative-infinity'])
const isNonFinite = (r: AnyResource): boolean => codingsOf(r.dataAbsentReason as Coding).some((c) => c.system === 'http://terminology.hl7.org/CodeSystem/data-absent-reason' && INFINITY_CODES.has(c.code ?? ''))

/** The record's own display of the first coding that has one, else the catalogue's, else undefined. */
function displayOf (codings: Coding[], displays: CodeDisplayLookup): string | undefined {
  for (const c of codings) if (typeof c.display === 'string' && c.display) return c.display
  for (const c of codings) {
    const d = displays.get(codingKey(typeof c.system === 'string' ? c.system : undefined, typeof c.code === 'string' ? c.code : undefined) ?? '')
    if (d) return d
  }
  return undefined
}

/**
 * The one choke point for record text entering an answer (issue 14 §2): every piece of evidence is
 * built here, so every string in it is bounded here. Texts (display, value) longer than this are cut
 * with '…'; an id, code or date out of its FHIR format is left out (a cut reference or code would
 * name something else), so no single value from the record weighs more than this in an answer.
 */
export const MAX_TEXT_LENGTH = 200
/** FHIR R4 `id` (http://hl7.org/fhir/R4/datatypes.html#id). */
const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/
const RESOURCE_TYPE = /^[A-Z][A-Za-z]{1,63}$/
/** FHIR R4 `date` / `dateTime` / `instant` (datatypes.html#dateTime). */
const FHIR_DATE = /^\d{4}(-\d{2}(-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})?)?)?)?$/
/** A `code` (no leading, trailing or double whitespace; datatypes.html#code) and a `system` URI of bounded length. */
const FHIR_CODE = /^[^\s|]+( [^\s|]+)*$/
const MAX_CODE_LENGTH = 64
const MAX_SYSTEM_LENGTH = 256

const text = (s: string): string => s.length <= MAX_TEXT_LENGTH ? s : `${s.slice(0, MAX_TEXT_LENGTH - 1)}…`
const codeOf = (c: Coding): string | undefined => {
  const system = c.system ?? ''
  return typeof c.code === 'string' && c.code.length <= MAX_CODE_LENGTH && FHIR_CODE.test(c.code) && typeof system === 'string' && system.length <= MAX_SYSTEM_LENGTH && !/\s|\|/.test(system)
    ? `${system}|${c.code}`
    : undefined
}

/**
 * `memo`: the request's own summaries (PatientRecord.evidence), since a resource is evidence for
 * many criteria. Evidence objects are shared between criteria and never mutated.
 */
export function summarise (item: unknown, memo?: Map<object, Evidence>, displays: CodeDisplayLookup = NO_DISPLAYS): Evidence | undefined {
  if (item === null || item === undefined) return undefined
  if (typeof item !== 'object') return { value: text(String(item)) }
  const known = memo?.get(item)
  if (known) return known
  const ev = summariseObject(item, displays)
  memo?.set(item, ev)
  return ev
}

function summariseObject (item: object, displays: CodeDisplayLookup): Evidence {
  const r = item as AnyResource
  if (typeof r.resourceType !== 'string') return { value: text(describeValue(item, displays)) }
  const codings = mainCodings(r)
  const coding = codings[0]
  const ev: Evidence = { resourceType: text(r.resourceType) }
  if (typeof r.id === 'string' && FHIR_ID.test(r.id) && RESOURCE_TYPE.test(r.resourceType)) ev.reference = `${r.resourceType}/${r.id}`
  const code = coding?.code ? codeOf(coding) : undefined
  if (code) ev.code = code
  // Issue 13 §4: names, not bare codes — the record's display, else the catalogue's, else the text.
  const display = displayOf(codings, displays) ?? (r.code as { text?: string } | undefined)?.text
  if (typeof display === 'string' && display) ev.display = text(display)
  const value = valueOf(r, displays)
  if (value !== undefined) ev.value = text(value)
  const date = clinicalDate(r)
  if (date && FHIR_DATE.test(date)) ev.date = date
  const form = (r as unknown as Record<symbol, unknown>)[ANSWER_SOURCE] as AnyResource | undefined
  if (form) answeredIn(ev, form)
  if (r.dataAbsentReason !== undefined && isNonFinite(r)) NON_FINITE_EVIDENCE.add(ev)
  return ev
}

/** An answer of a requisition form: the evidence is the QuestionnaireResponse, with its author. */
function answeredIn (ev: Evidence, form: AnyResource): void {
  ev.resourceType = 'QuestionnaireResponse'
  if (typeof form.id === 'string' && FHIR_ID.test(form.id)) ev.reference = `QuestionnaireResponse/${form.id}`
  else delete ev.reference
  const author = form.author as { display?: unknown, reference?: unknown } | undefined
  const who = typeof author?.display === 'string' && author.display ? author.display : typeof author?.reference === 'string' ? author.reference : undefined
  if (who) ev.author = text(who)
}

function valueOf (r: AnyResource, displays: CodeDisplayLookup): string | undefined {
  if (r.resourceType === 'Patient') return typeof r.birthDate === 'string' ? `birthDate ${r.birthDate}` : undefined
  if (r.resourceType === 'Condition') {
    const v = codingsOf(r.verificationStatus as Coding)[0]?.code
    const c = codingsOf(r.clinicalStatus as Coding)[0]?.code
    return [c, v].filter(Boolean).join(', ') || undefined
  }
  if (r.resourceType === 'FamilyMemberHistory') {
    const relationship = codingsOf(r.relationship as Coding)
    return displayOf(relationship, displays) ?? relationship[0]?.code
  }
  if (r.resourceType === 'PractitionerRole') {
    return (Array.isArray(r.specialty) ? r.specialty : []).flatMap((s: any) => codingsOf(s)).map((c) => displayOf([c], displays) ?? c.code).join(', ') || undefined
  }
  if (r.resourceType === 'Organization') return typeof r.name === 'string' ? r.name : undefined
  for (const key of ['valueQuantity', 'valueInteger', 'valueDecimal', 'valueBoolean', 'valueString', 'valueCodeableConcept']) {
    if (r[key] !== undefined) return describeValue(r[key], displays)
  }
  return undefined
}

function describeValue (v: unknown, displays: CodeDisplayLookup): string {
  if (typeof v !== 'object' || v === null) return String(v)
  const q = v as { value?: unknown, code?: unknown, unit?: unknown, comparator?: unknown }
  if (typeof q.value === 'number') return `${String(q.comparator ?? '')}${q.value} ${String(q.code ?? q.unit ?? '')}`.trim()
  const codings = codingsOf(v as Coding)
  if (codings[0]) return displayOf(codings, displays) ?? codings[0].code ?? ''
  return JSON.stringify(v).slice(0, 80)
}
