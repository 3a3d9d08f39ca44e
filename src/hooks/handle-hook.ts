/**
 * One CDS Hooks call, from validated request to cards: pick the WGS orders,
 * resolve prefetch into a record, evaluate the catalogue (pure core), render
 * cards. The HTTP layer validates the body and maps HookError to a status.
 */
import { buildRecord } from '../core/record.js'
import { answerKeyOf, containedResponses } from '../core/questionnaire.js'
import { evaluate } from '../core/evaluate.js'
import type { AnyResource } from '../core/fhir.js'
import type { IndicationResult } from '../core/types.js'
import type { CompiledValueSet } from '../core/terminology.js'
import type { LoadedRules } from '../definitions/load.js'
import { CARD_EXTENSION, renderCards, type Card } from '../cards/render.js'
import type { Language } from '../cards/i18n.js'
import { HookError } from './operation-outcome.js'
import { resolvePrefetch, type PrefetchState } from './prefetch.js'
import { wgsDraftOrders, type DraftOrder } from './orders.js'
import { fetchMissingPrefetch, type FallbackResult, type FallbackSettings } from './fhir-fallback.js'

export interface CdsRequest {
  hook: string
  hookInstance: string
  context: { patientId: string, userId: string, selections?: string[], draftOrders: { entry?: Array<{ fullUrl?: string, resource?: AnyResource }> } }
  prefetch?: Record<string, unknown>
  fhirServer?: string
  fhirAuthorization?: { access_token?: string, token_type?: string }
}

export interface HookSettings {
  rules: LoadedRules
  orderValueSet: CompiledValueSet
  localOrderCodes: ReadonlySet<string>
  language: Language
  publicBaseUrl?: string
  fallback: FallbackSettings
}

/** What the route logs and persists: ids and outcomes only, never patient data. */
export interface HookOutcome {
  cards: Card[]
  orders: number
  /**
   * Per evaluated indication: its status, the required criteria not met (and unknown), the uuids of its cards,
   * and the order it was first evaluated for (reference; the audit keeps only a keyed HMAC of it, for reports).
   */
  indications: Array<{ indication: string, status: string, failedCriteria: string[], cardUuids: string[], unknownCriteria?: string[], order?: string }>
  prefetch: Record<string, PrefetchState>
  /** The ordering user's Organization(s), as the record holds them (prefetch or FHIR fallback). */
  userResources: AnyResource[]
  /** Keys fetched from the FHIR server, and why the fallback did not run when it did not. */
  fallback: { fetched: string[], failed: string[], skipped?: string }
}

const STATE_WORDS: Partial<Record<PrefetchState, string>> = {
  missing: 'was not sent',
  'operation-outcome': 'was an OperationOutcome',
  paged: 'has further pages that were not sent',
  invalid: 'is not a Bundle of the expected type'
}

/**
 * 412 for a required key (besides the Patient, checked above) the service could
 * not obtain because it could not reach the FHIR server: without the diagnoses
 * no indication can be matched, so a card could only say "cannot be assessed".
 * A key the fallback tried and failed to fetch is not refused here: its
 * criteria are unknown and the card names the failure.
 */
function requireKeys (service: LoadedRules['service'], states: Record<string, PrefetchState>, fetched: FallbackResult): void {
  const unobtained = Object.entries(service.prefetch).filter(([key, def]) =>
    def.required === true && !def.resourceTypes.includes('Patient') && !(key in fetched.values) && !(key in fetched.failures) &&
    states[key] !== 'present' && states[key] !== 'null' && states[key] !== 'not-applicable')
  if (unobtained.length === 0) return
  const reasons = unobtained.map(([key]) => `prefetch '${key}' ${STATE_WORDS[states[key]!] ?? 'was not usable'}`)
  throw new HookError(412, 'incomplete', `required data could not be obtained: ${reasons.join('; ')}, and ${fetched.skipped ?? 'the FHIR server was not queried'}`, unobtained.map(([key]) => `prefetch.${key}`))
}

/**
 * Cards for a draft without an id: the result names it by its fullUrl, and an
 * update suggestion names it in `resourceId` (CDS Hooks action: "a relative
 * reference to the relevant resource"), so the EHR can apply it to that draft.
 * A draft with no fullUrl either gets no suggestion: nobody could apply it.
 */
function nameDraft (cards: Card[], order: DraftOrder): void {
  for (const card of cards) {
    const result = card.extension[CARD_EXTENSION] as { order?: string } | undefined
    if (result && order.reference) result.order = order.reference
    if (!card.suggestions) continue
    if (!order.reference) {
      delete card.suggestions
      delete card.selectionBehavior
      continue
    }
    for (const s of card.suggestions) for (const action of s.actions) Object.assign(action, { resourceId: order.reference })
  }
}

export async function handleHook (settings: HookSettings, request: CdsRequest, now: string): Promise<HookOutcome> {
  const { rules } = settings
  if (!rules.service.hooks.includes(request.hook as 'order-select')) {
    throw new HookError(400, 'not-supported', `hook '${request.hook}' is not served by ${rules.service.id}; it serves ${rules.service.hooks.join(', ')}`, ['hook'])
  }
  const orders = wgsDraftOrders(request.context, request.hook, settings.orderValueSet, settings.localOrderCodes)
  if (orders.length === 0) return { cards: [], orders: 0, indications: [], prefetch: {}, userResources: [], fallback: { fetched: [], failed: [] } }
  const fetched = await fetchMissingPrefetch(rules.service, request, request.prefetch, settings.fallback)
  const prefetch = { ...request.prefetch, ...fetched.values }
  const { record: input, states } = resolvePrefetch(rules.service, prefetch, request.context.patientId, fetched.failures, request.context)
  if (!input.patient) {
    // CDS Hooks 2.0: "If the CDS Service is unable to obtain required data ... the service SHALL respond with an HTTP 412 Precondition Failed".
    const why = fetched.failures.patient ?? (fetched.skipped ? `prefetch 'patient' was ${states.patient ?? 'missing'} and ${fetched.skipped}` : `prefetch 'patient' was ${states.patient === 'present' ? 'empty' : states.patient ?? 'missing'}`)
    throw new HookError(412, 'incomplete', `the Patient is required: ${why}`, ['prefetch.patient'])
  }
  requireKeys(rules.service, states, fetched)
  // Answers of the service's requisition forms count as attestations (core/questionnaire.ts).
  // Responses the draft orders contain count too (core/questionnaire.ts).
  const contained = containedResponses(orders.map((o) => o.resource))
  const record = buildRecord({ ...input, resources: contained.length ? [...input.resources, ...contained] : input.resources, answerKey: answerKeyOf(rules.indications) })
  const unavailable = [...new Set((input.unavailable ?? []).map((u) => u.reason))]
  const unavailableTypes = [...new Set((input.unavailable ?? []).flatMap((u) => u.resourceTypes))]
  const cards: Card[] = []
  const indications = new Map<string, HookOutcome['indications'][number]>()
  for (const order of orders) {
    const results: IndicationResult[] = evaluate(rules.catalogue, record, now, { order: order.resource })
    const rendered = renderCards(results, {
      language: settings.language,
      rulesVersion: rules.rulesVersion,
      unavailable,
      unavailableTypes,
      diagnosesUnavailable: record.unavailable.has('Condition'),
      publicBaseUrl: settings.publicBaseUrl,
      ...(order.reference ? { orderReference: order.reference } : {}),
      evaluatedAt: now,
      codeSystems: rules.codeSystems
    }, order.resource)
    if (order.resource.id === undefined) nameDraft(rendered, order)
    cards.push(...rendered)
    // One card per order (src/cards/render.ts): its uuid is recorded under the card's own indication only.
    const card = rendered[0]!
    const shown = card.extension[CARD_EXTENSION] as { order?: string, indication?: string | null } | undefined
    results.forEach((r) => {
      const order = shown?.order
      const entry = indications.get(r.indication) ?? {
        indication: r.indication,
        status: r.status,
        failedCriteria: r.criteria.filter((c) => c.required && c.status === 'not-met').map((c) => c.id),
        unknownCriteria: r.criteria.filter((c) => c.required && c.status === 'unknown').map((c) => c.id),
        cardUuids: [],
        ...(order ? { order } : {})
      }
      if (shown?.indication === r.indication) entry.cardUuids.push(card.uuid)
      indications.set(r.indication, entry)
    })
  }
  return {
    cards,
    orders: orders.length,
    indications: [...indications.values()],
    prefetch: states,
    userResources: [...(record.byType.get('PractitionerRole') ?? []), ...(record.byType.get('Organization') ?? [])],
    fallback: { fetched: Object.keys(fetched.values), failed: Object.keys(fetched.failures), ...(fetched.skipped ? { skipped: fetched.skipped } : {}) }
  }
}
