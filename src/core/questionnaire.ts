/**
 * The requisition form (issue 15 §2): one FHIR R4 Questionnaire per indication, derived from its
 * rule file, and the reading of answers to it (QuestionnaireResponse) as attestations.
 *
 * - One item per criterion, `linkId` = the criterion id, text in Danish with the English text in
 *   the standard translation extension.
 * - A criterion the clinician can answer (its expression, or a variable it uses, reads an
 *   attestation of the attestation CodeSystem as a boolean) is a `boolean` item carrying that
 *   attestation coding in `code`; a criterion reading several attestations of its own is a `group`
 *   of one boolean item per attestation (`linkId` `<criterion>/<code>`). Each attestation code is
 *   asked once per form: by the criterion named like it, else by the first criterion reading it.
 * - Every other criterion is `readOnly`: the app fills it from the evaluation (what the record proves).
 *
 * Answers: a QuestionnaireResponse with status completed or amended whose `questionnaire` is one
 * of these forms gives, for each answered boolean item that carries an attestation coding, an
 * attestation dated `authored` by `author` (record.ts turns it into an attestation Observation
 * whose evidence names the QuestionnaireResponse). Pure: no I/O.
 */
import type { AnyResource, CodeSystem } from './fhir.js'
import type { Composition, CriterionDefinition, IndicationDefinition, LocalizedText } from './types.js'

export const ATTESTATION_CODE_SYSTEM = 'https://ngc-wgs-cds.dk/fhir/CodeSystem/wgs-attestation'
/** Canonical base of this project's Questionnaires; a form's url is this + `wgs-<indication id>`. */
export const QUESTIONNAIRE_BASE = 'https://ngc-wgs-cds.dk/fhir/Questionnaire/'
/** http://hl7.org/fhir/R4/extension-translation.html */
export const TRANSLATION_EXTENSION = 'http://hl7.org/fhir/StructureDefinition/translation'

export const questionnaireId = (indicationId: string): string => `wgs-${indicationId}`
export const questionnaireUrl = (indicationId: string): string => `${QUESTIONNAIRE_BASE}${questionnaireId(indicationId)}`

/** Attestations read as booleans: `attestation('code' …)`, or a filter on the code followed by valueBoolean. */
const ATTESTATION_CALL = /\battestation\(\s*'([^']+)'/g
const BOOLEAN_FILTER = /wgs-attestation'\s+and\s+code\s*=\s*'([^']+)'\)\.exists\(\)\s+and\s+valueBoolean/g
const VARIABLE_REF = /%([A-Za-z_][A-Za-z0-9_]*)/g

/** Attestation codes an expression reads as booleans, through the variables it uses (transitively), in order. */
function codesRead (expression: string | undefined, variables: Record<string, string>, seen = new Set<string>()): string[] {
  if (!expression) return []
  const out: string[] = []
  for (const m of expression.matchAll(ATTESTATION_CALL)) out.push(m[1]!)
  for (const m of expression.matchAll(BOOLEAN_FILTER)) out.push(m[1]!)
  for (const m of expression.matchAll(VARIABLE_REF)) {
    const name = m[1]!
    if (seen.has(name) || variables[name] === undefined) continue
    seen.add(name)
    out.push(...codesRead(variables[name], variables, seen))
  }
  return [...new Set(out)]
}

/**
 * For each criterion id, the attestation codes its item asks. Each code is asked once: by the
 * criterion named like it (`lifelong-course`), else by the one whose id it extends
 * (`glioblastoma` for `glioblastoma-diagnosis`), a composite included when its parts read the
 * code; else by the first criterion reading it.
 */
export function answerableCodes (indication: IndicationDefinition): Map<string, string[]> {
  const variables = indication.variables ?? {}
  const byId = new Map(indication.criteria.map((c) => [c.id, c]))
  const leaf = new Map(indication.criteria.map((c) => [c.id, c.composition ? [] : codesRead(c.expression, variables)]))
  const reads = (id: string, seen = new Set<string>()): string[] => {
    const c = byId.get(id)
    if (!c || seen.has(id)) return []
    seen.add(id)
    if (!c.composition) return leaf.get(id) ?? []
    return [...new Set(partsOf(c.composition).flatMap((p) => reads(p, seen)))]
  }
  const all = new Map(indication.criteria.map((c) => [c.id, reads(c.id)]))
  const owner = new Map<string, string>()
  for (const c of indication.criteria) for (const code of all.get(c.id)!) if (code === c.id) owner.set(code, c.id)
  const byLength = [...indication.criteria].sort((a, b) => b.id.length - a.id.length)
  for (const c of byLength) for (const code of all.get(c.id)!) if (!owner.has(code) && code.startsWith(`${c.id}-`)) owner.set(code, c.id)
  for (const c of indication.criteria) for (const code of leaf.get(c.id)!) if (!owner.has(code)) owner.set(code, c.id)
  const out = new Map<string, string[]>()
  for (const c of indication.criteria) out.set(c.id, all.get(c.id)!.filter((code) => owner.get(code) === c.id))
  return out
}

function partsOf (c: Composition | string): string[] {
  if (typeof c === 'string') return [c]
  if ('all' in c) return c.all.flatMap(partsOf)
  if ('any' in c) return c.any.flatMap(partsOf)
  return partsOf(c.not)
}

interface Concept { code: string, display?: string, da?: string }

function conceptsOf (codeSystems: readonly CodeSystem[]): Map<string, Concept> {
  const cs = codeSystems.find((s) => s.url === ATTESTATION_CODE_SYSTEM)
  return new Map((cs?.concept ?? []).map((c) => [c.code, { code: c.code, display: c.display, da: c.designation?.find((d) => d.language === 'da')?.value }]))
}

const translated = (en: string): Record<string, unknown> => ({
  extension: [{ url: TRANSLATION_EXTENSION, extension: [{ url: 'lang', valueCode: 'en' }, { url: 'content', valueString: en }] }]
})

function textOf (t: LocalizedText): { text: string, _text: Record<string, unknown> } {
  return { text: t.da, _text: translated(t.en) }
}

function codingOf (concept: Concept): Record<string, string> {
  return { system: ATTESTATION_CODE_SYSTEM, code: concept.code, ...(concept.display ? { display: concept.display } : {}) }
}

function itemOf (criterion: CriterionDefinition, codes: string[], concepts: Map<string, Concept>): Record<string, unknown> {
  const known = codes.map((code) => {
    const concept = concepts.get(code)
    if (!concept) throw new Error(`criterion '${criterion.id}' reads attestation '${code}', which the attestation CodeSystem does not define`)
    return concept
  })
  if (known.length === 0) return { linkId: criterion.id, ...textOf(criterion.text), type: 'boolean', readOnly: true }
  if (known.length === 1) return { linkId: criterion.id, code: [codingOf(known[0]!)], ...textOf(criterion.text), type: 'boolean' }
  return {
    linkId: criterion.id,
    ...textOf(criterion.text),
    type: 'group',
    item: known.map((c) => ({
      linkId: `${criterion.id}/${c.code}`,
      code: [codingOf(c)],
      ...textOf({ da: c.da ?? c.display ?? c.code, en: c.display ?? c.code }),
      type: 'boolean'
    }))
  }
}

/** A name usable by machines (FHIR R4 Questionnaire.name: `[A-Z]([A-Za-z0-9_]){0,254}`). */
const machineName = (id: string): string => `Wgs${id.split(/[^A-Za-z0-9]+/).filter(Boolean).map((w) => w[0]!.toUpperCase() + w.slice(1)).join('')}`

/** The Questionnaire of one indication. */
export function questionnaireFor (indication: IndicationDefinition, codeSystems: readonly CodeSystem[], rulesVersion: string): AnyResource {
  const concepts = conceptsOf(codeSystems)
  const codes = answerableCodes(indication)
  return {
    resourceType: 'Questionnaire',
    id: questionnaireId(indication.id),
    url: questionnaireUrl(indication.id),
    version: rulesVersion,
    name: machineName(indication.id),
    title: `Rekvisition af helgenomsekventering: ${indication.title.da}`,
    _title: translated(`Whole-genome sequencing requisition: ${indication.title.en}`),
    status: 'active',
    language: 'da',
    subjectType: ['Patient'],
    description: `Kriterierne for indikationen "${indication.title.da}" (${indication.url}). Spørgsmål med ja/nej besvares af den rekvirerende læge; skrivebeskyttede punkter viser, hvad journalen allerede dokumenterer.`,
    _description: translated(`The criteria of the indication "${indication.title.en}" (${indication.url}). Yes/no questions are answered by the ordering clinician; read-only items show what the record already documents.`),
    item: indication.criteria.map((c) => itemOf(c, codes.get(c.id) ?? [], concepts))
  }
}

/** Every indication's Questionnaire, in the catalogue's order. */
export function questionnaires (indications: readonly IndicationDefinition[], codeSystems: readonly CodeSystem[], rulesVersion: string): AnyResource[] {
  return indications.map((i) => questionnaireFor(i, codeSystems, rulesVersion))
}

/** Questionnaire url (without `|version`) → item linkId → the attestation code the item answers. */
export type AnswerKey = ReadonlyMap<string, ReadonlyMap<string, string>>

/** The answer key of the forms of these indications (the same items questionnaireFor writes). */
export function answerKey (indications: readonly IndicationDefinition[]): AnswerKey {
  const key = new Map<string, Map<string, string>>()
  for (const ind of indications) {
    const items = new Map<string, string>()
    for (const [criterion, codes] of answerableCodes(ind)) {
      if (codes.length === 1) items.set(criterion, codes[0]!)
      else for (const code of codes) items.set(`${criterion}/${code}`, code)
    }
    key.set(questionnaireUrl(ind.id), items)
  }
  return key
}

/** Symbol under which an attestation read from a QuestionnaireResponse keeps the response it came from. */
export const ANSWER_SOURCE = Symbol('QuestionnaireResponse answered')

/** QuestionnaireResponse statuses whose answers count (in-progress and stopped ones do not). */
const COUNTED_STATUSES = new Set(['completed', 'amended'])

/**
 * The attestations a QuestionnaireResponse of one of our forms gives: one attestation Observation
 * per answered boolean item of the answer key, dated `authored`, performed by `author`. Items
 * nested anywhere (groups, answers' items) are read. Anything else gives none.
 */
export function answersAsAttestations (qr: AnyResource, key: AnswerKey): AnyResource[] {
  if (qr.resourceType !== 'QuestionnaireResponse' || !COUNTED_STATUSES.has(String(qr.status))) return []
  const canonical = typeof qr.questionnaire === 'string' ? qr.questionnaire.split('|')[0]! : undefined
  const items = canonical === undefined ? undefined : key.get(canonical)
  if (!items) return []
  const out: AnyResource[] = []
  const visit = (list: unknown): void => {
    if (!Array.isArray(list)) return
    for (const item of list as Array<Record<string, unknown>>) {
      if (typeof item !== 'object' || item === null) continue
      const code = typeof item.linkId === 'string' ? items.get(item.linkId) : undefined
      const answers = Array.isArray(item.answer) ? item.answer as Array<Record<string, unknown>> : []
      const value = answers.map((a) => a?.valueBoolean).find((v) => typeof v === 'boolean')
      if (code !== undefined && typeof value === 'boolean') out.push(attestationOf(qr, code, value))
      visit(item.item)
      for (const a of answers) visit(a?.item)
    }
  }
  visit(qr.item)
  return out
}

function attestationOf (qr: AnyResource, code: string, value: boolean): AnyResource {
  return {
    resourceType: 'Observation',
    ...(typeof qr.id === 'string' ? { id: qr.id } : {}),
    status: 'final',
    code: { coding: [{ system: ATTESTATION_CODE_SYSTEM, code }] },
    ...(qr.subject !== undefined ? { subject: qr.subject } : {}),
    ...(typeof qr.authored === 'string' ? { effectiveDateTime: qr.authored } : {}),
    ...(qr.author !== undefined ? { performer: [qr.author] } : {}),
    valueBoolean: value,
    [ANSWER_SOURCE]: qr
  }
}

const KEYS = new WeakMap<readonly IndicationDefinition[], AnswerKey>()
/** answerKey, computed once per set of loaded rules. */
export function answerKeyOf (indications: readonly IndicationDefinition[]): AnswerKey {
  let key = KEYS.get(indications)
  if (!key) { key = answerKey(indications); KEYS.set(indications, key) }
  return key
}

/**
 * QuestionnaireResponses the draft orders carry themselves (`contained`, as a requisition travels
 * with its order): added to the record, so that they are read like the others; the order's
 * `supportingInfo` `#id` reference then makes them current (evidence-age.ts orderEvidence).
 */
export function containedResponses (orders: readonly AnyResource[]): AnyResource[] {
  return orders.flatMap((o) => Array.isArray(o.contained) ? (o.contained as AnyResource[]).filter((c) => c?.resourceType === 'QuestionnaireResponse') : [])
}
