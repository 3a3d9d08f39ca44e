/**
 * The audit write of a hook call, made before the response is sent. Only
 * calls that evaluated at least one WGS order are recorded (an order-select
 * for anything else returns no cards and leaves no row). If the write fails
 * the call answers 503 (OperationOutcome `transient`) instead of returning
 * cards without their audit row: cards whose evaluation is not on record
 * could not receive feedback, and the audit trail is a requirement.
 */
import { randomUUID } from 'node:crypto'
import type { FastifyRequest } from 'fastify'
import type { HookOutcome } from '../hooks/handle-hook.js'
import type { CallSummary, OutcomeSummary } from '../hooks/raw-call.js'
import { CARD_EXTENSION, type CardResult } from '../cards/render.js'
import { HookError } from '../hooks/operation-outcome.js'
import { orderingOrganization } from './ordering-organization.js'
import { organizationChain } from '../reports/region.js'
import type { PatientKeyer } from './patient-key.js'
import type { CardOffer, EvaluationStore } from './store.js'

/** Indication name recorded for cards that belong to no indication ("no indication matches"). */
export const NO_INDICATION = '(none)'

/**
 * The outcome's indications plus any card not attributed to one (the
 * "no matching indication" card), so that every card uuid can take feedback.
 */
export function auditedIndications (outcome: Pick<OutcomeSummary, 'indications' | 'cards'>): HookOutcome['indications'] {
  const covered = new Set(outcome.indications.flatMap((i) => i.cardUuids))
  const extra = new Map<string, HookOutcome['indications'][number]>()
  for (const card of outcome.cards) {
    if (covered.has(card.uuid)) continue
    const result = card.extension[CARD_EXTENSION] as Partial<CardResult> | undefined
    const indication = result?.indication ?? NO_INDICATION
    const entry = extra.get(indication) ?? { indication, status: result?.status ?? 'unknown', failedCriteria: [], cardUuids: [] }
    entry.cardUuids.push(card.uuid)
    extra.set(indication, entry)
  }
  return [...outcome.indications, ...extra.values()]
}

/** Per card, what feedback may name: its suggestions' uuids and its override reasons (codes and this service's texts). */
export function cardOffers (cards: OutcomeSummary['cards']): Record<string, CardOffer> {
  const offers: Record<string, CardOffer> = {}
  for (const c of cards) {
    offers[c.uuid] = {
      suggestions: (c.suggestions ?? []).map((s) => s.uuid),
      overrideReasons: (c.overrideReasons ?? []).map((r) => ({ system: r.system, code: r.code, ...(r.display ? { display: r.display } : {}) }))
    }
  }
  return offers
}

export interface EvaluationMeta { serviceId: string, rulesVersion: string, durationMs: number, evaluatedAt: string }

/** `call` holds the request's ids (the body itself is bytes); the request gives the client and the logger. */
export type EvaluationRecorder = (request: FastifyRequest, call: CallSummary, outcome: OutcomeSummary, meta: EvaluationMeta) => Promise<void>

export function evaluationRecorder (store: EvaluationStore, patientKey: PatientKeyer): EvaluationRecorder {
  return async (request, call, outcome, meta) => {
    if (outcome.orders === 0) return
    // From the record the evaluation used, so roles fetched by the FHIR fallback count too.
    const org = orderingOrganization({ user: { resourceType: 'Bundle', entry: outcome.userResources.map((resource) => ({ resource })) } }, call.context.userId)
    const chain = organizationChain(outcome.userResources as Array<Record<string, unknown>>, call.context.userId)
    const client = request.cdsClient
    const id = randomUUID()
    try {
      await store.recordEvaluation({
        id,
        hookInstance: call.hookInstance,
        hook: call.hook,
        serviceId: meta.serviceId,
        rulesVersion: meta.rulesVersion,
        patientKey: patientKey(call.context.patientId),
        ...(org ? { orderingOrganization: org } : {}),
        ...(client ? { clientIss: client.iss } : {}),
        ...(client?.tenant ? { tenant: client.tenant } : {}),
        orders: outcome.orders,
        durationMs: meta.durationMs,
        evaluatedAt: meta.evaluatedAt,
        ...(chain.chain ? { orderingOrgChain: chain.chain } : {}),
        ...(chain.region ? { orderingRegion: chain.region } : {}),
        // The order reference itself is not stored: only a keyed HMAC, to pair an order's order-select with its order-sign.
        indications: auditedIndications(outcome).map(({ order, ...i }) => ({ ...i, ...(order ? { orderKey: patientKey(`order|${call.context.patientId}|${order}`) } : {}) })),
        cardOffers: cardOffers(outcome.cards)
      })
    } catch (err) {
      const e = err as { code?: unknown, message?: unknown }
      request.log.error({ err: { code: e.code, message: e.message }, hookInstance: call.hookInstance }, 'audit write failed; answering 503')
      throw new HookError(503, 'transient', 'The evaluation could not be recorded; please try again')
    }
    request.log.debug({ evaluationId: id, hookInstance: call.hookInstance }, 'evaluation recorded')
  }
}
