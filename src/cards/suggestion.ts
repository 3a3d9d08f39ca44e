/**
 * The eligible card's suggestion (issue 15 §2): an update of the draft ServiceRequest that carries the
 * indication as `reasonCode`, the diagnosis as `reasonReference`, the evidence (and any requisition
 * answer, a QuestionnaireResponse, that counted) as `supportingInfo`, and the eligibility information
 * as an extension modelled on Da Vinci CRD's coverage-information extension
 * (http://hl7.org/fhir/us/davinci-crd/StructureDefinition/ext-coverage-information: `covered`,
 * `doc-needed`, `questionnaire`, `date`, `coverage-assertion-id` become `status`, `doc-needed`,
 * `questionnaire`, `date`, `assertion-id`, plus `indication` and `rules-version`).
 */
import { randomUUID } from 'node:crypto'
import type { AnyResource } from '../core/fhir.js'
import type { IndicationResult } from '../core/types.js'
import { STRINGS } from './i18n.js'
import { INDICATION_SYSTEM, MAX_EVIDENCE_LISTED, latest, type Card, type RenderContext } from './render.js'

export const ELIGIBILITY_EXTENSION_URL = 'https://ngc-wgs-cds.dk/fhir/StructureDefinition/wgs-eligibility-information'
/** Canonical base of this service's Questionnaires (one per indication: `wgs-<indication>`). */
export const QUESTIONNAIRE_BASE = 'https://ngc-wgs-cds.dk/fhir/Questionnaire/'

interface Reference { reference?: unknown }

/**
 * The eligibility information for an order: `assertion-id` is the card's uuid, which the audit store
 * records with the evaluation (table `cards`, looked up as feedback is), so the assertion on a signed
 * order leads back to the evaluation, its rules version and its client.
 */
export function eligibilityExtension (r: IndicationResult, ctx: RenderContext & { assertionId: string }): { url: string, extension: Array<Record<string, unknown>> } {
  const lang = ctx.language
  return {
    url: ELIGIBILITY_EXTENSION_URL,
    extension: [
      { url: 'status', valueCode: r.status },
      { url: 'indication', valueCoding: { system: INDICATION_SYSTEM, code: r.indication, display: r.title[lang] } },
      // Eligible: nothing more to document; the answers that counted travel as supportingInfo.
      { url: 'doc-needed', valueCode: r.status === 'eligible' ? 'no-doc' : 'clinical' },
      { url: 'questionnaire', valueCanonical: `${QUESTIONNAIRE_BASE}wgs-${r.indication}` },
      ...(ctx.evaluatedAt ? [{ url: 'date', valueDate: ctx.evaluatedAt.slice(0, 10) }] : []),
      { url: 'rules-version', valueString: ctx.rulesVersion },
      { url: 'assertion-id', valueString: ctx.assertionId }
    ]
  }
}

function references (list: unknown): Set<string> {
  return new Set((Array.isArray(list) ? list as Reference[] : []).map((x) => x?.reference).filter((x): x is string => typeof x === 'string'))
}

/** For an eligible card: the draft order, completed; applying it twice adds nothing twice. */
export function eligibilitySuggestion (r: IndicationResult, order: AnyResource, ctx: RenderContext & { assertionId: string }): NonNullable<Card['suggestions']> {
  const s = STRINGS[ctx.language]
  // Never evidence that was too old: attached to the order it would count as current on the next call.
  const evidence = [...new Set(r.criteria.flatMap((c) => latest(c.evidence, MAX_EVIDENCE_LISTED).filter((e) => !e.tooOld).map((e) => e.reference)).filter((x): x is string => typeof x === 'string' && !x.startsWith('Patient/')))]
  const diagnosis = [...new Set(r.matchEvidence.map((e) => e.reference).filter((x): x is string => Boolean(x)))]
  const existingReasons = Array.isArray(order.reasonCode) ? order.reasonCode as Array<{ coding?: Array<{ system?: unknown, code?: unknown }> }> : []
  const hasReason = existingReasons.some((rc) => rc?.coding?.some((c) => c?.system === INDICATION_SYSTEM && c.code === r.indication))
  const reasonRefs = references(order.reasonReference)
  const supportRefs = references(order.supportingInfo)
  const otherExtensions = (Array.isArray(order.extension) ? order.extension as Array<{ url?: unknown }> : []).filter((x) => x?.url !== ELIGIBILITY_EXTENSION_URL)
  const newDiagnosis = diagnosis.filter((ref) => !reasonRefs.has(ref))
  const updated: AnyResource = {
    ...order,
    extension: [...otherExtensions, eligibilityExtension(r, ctx)],
    reasonCode: hasReason ? existingReasons : [...existingReasons, { coding: [{ system: INDICATION_SYSTEM, code: r.indication, display: r.title[ctx.language] }], text: r.title[ctx.language] }],
    ...(diagnosis.length ? { reasonReference: [...(Array.isArray(order.reasonReference) ? order.reasonReference : []), ...newDiagnosis.map((reference) => ({ reference }))] } : {}),
    supportingInfo: [...(Array.isArray(order.supportingInfo) ? order.supportingInfo : []), ...evidence.filter((ref) => !supportRefs.has(ref)).map((reference) => ({ reference }))]
  }
  return [{ label: s.suggestion, uuid: randomUUID(), isRecommended: true, actions: [{ type: 'update', description: s.suggestionAction, resource: updated }] }]
}
