/**
 * POST /cds-services/{id}/feedback — CDS Hooks 2.0 §Feedback
 * (shared/reference/cds-hooks.md §1.6). The body is validated against
 * src/hooks/schemas/cds-feedback.schema.json (400 on a bad body). Each item
 * is linked to the evaluation that produced its card and stored.
 *
 * Decisions (README "Storage"):
 *   - a request is all or nothing: if any item names a card this service did
 *     not issue (or issued to another client), nothing is stored and the
 *     answer is 404 OperationOutcome `not-found` pointing at `feedback[i].card`;
 *   - an item may name only what its card offered: accepted suggestions by the
 *     uuids of the card's own suggestions, an override reason by the system and
 *     code of one of the card's own override reasons. Anything else is refused
 *     (400 `value` naming each offending field), so no text of the client's —
 *     possibly patient data — reaches the store; the reason's display stored is
 *     the card's own, never the one sent (docs/security.md "Feedback");
 *   - feedback on the same card may arrive several times (spec): every item
 *     is stored as a new row;
 *   - success is 200 with `{}` (the spec defines no response body);
 *   - a failed write is 503 `transient`, so the client may resend.
 */
import { randomUUID } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import { HookError } from '../../hooks/operation-outcome.js'
import feedbackSchema from '../../hooks/schemas/cds-feedback.schema.json' with { type: 'json' }
import type { EvaluationStore, FeedbackRecord } from '../../store/store.js'
import type { Metrics } from '../metrics.js'
import { isEndpointOf } from './discovery.js'

/** The feedback body, as the schema allows it. */
export interface CdsFeedback {
  feedback: Array<{
    card: string
    outcome: 'accepted' | 'overridden'
    acceptedSuggestions?: Array<{ id: string }>
    overrideReason?: { reason?: { code: string, system: string, display?: string }, userComment?: string }
    outcomeTimestamp: string
  }>
}

export interface FeedbackRouteOptions {
  serviceId: string
  store: EvaluationStore
  /** Receipt time; the real clock unless a test fixes it. */
  clock?: () => Date
  /** Counts stored items by outcome, when metrics are wired. */
  metrics?: Pick<Metrics, 'countFeedback'>
}

export async function feedbackRoutes (app: FastifyInstance, opts: FeedbackRouteOptions): Promise<void> {
  app.addSchema(feedbackSchema)
  const clock = opts.clock ?? (() => new Date())
  app.post<{ Params: { id: string }, Body: CdsFeedback }>('/cds-services/:id/feedback', {
    schema: { body: { $ref: 'cds-feedback#' } },
    preValidation: async (request) => {
      // The service's id or a per-hook one (discovery.ts), as the hook calls accept.
      if (!isEndpointOf({ id: opts.serviceId, hooks: ['order-select', 'order-sign'] }, request.params.id)) throw new HookError(404, 'not-found', `CDS service '${request.params.id}' not found`)
    }
  }, async (request, reply) => {
    const clientIss = request.cdsClient?.iss
    const receivedAt = clock().toISOString()
    const records: FeedbackRecord[] = []
    for (const [i, item] of request.body.feedback.entries()) {
      // RFC 3339 allows what JavaScript and PostgreSQL cannot hold (a leap second 23:59:60, year 0000):
      // a 400 naming the field, never a 500 (RangeError) or a 503 the client would retry forever.
      const outcomeTimestamp = new Date(item.outcomeTimestamp)
      const year = outcomeTimestamp.getUTCFullYear()
      if (Number.isNaN(outcomeTimestamp.getTime()) || year < 1 || year > 9999) {
        throw new HookError(400, 'invalid', `feedback[${i}].outcomeTimestamp is not a usable date-time`, [`feedback[${i}].outcomeTimestamp`])
      }
      const card = await opts.store.findCard(item.card)
      // A card of another client is reported exactly like an unknown one.
      if (!card || card.serviceId !== opts.serviceId || (card.clientIss !== undefined && card.clientIss !== clientIss)) {
        throw new HookError(404, 'not-found', `feedback[${i}].card: no card with this uuid was issued by ${opts.serviceId}`, [`feedback[${i}].card`])
      }
      const reason = item.overrideReason?.reason
      const foreign: string[] = []
      for (const [j, s] of (item.acceptedSuggestions ?? []).entries()) {
        if (!card.offer.suggestions.includes(s.id)) foreign.push(`feedback[${i}].acceptedSuggestions[${j}].id`)
      }
      const offered = reason ? card.offer.overrideReasons.find((r) => r.system === reason.system && r.code === reason.code) : undefined
      if (reason && !offered) foreign.push(`feedback[${i}].overrideReason.reason`)
      if (foreign.length > 0) {
        throw new HookError(400, 'value', `${foreign.join(', ')}: not offered by this card (only its own suggestions' uuids and override reasons' system and code are accepted)`, foreign)
      }
      records.push({
        id: randomUUID(),
        cardUuid: card.cardUuid,
        evaluationId: card.evaluationId,
        serviceId: opts.serviceId,
        outcome: item.outcome,
        acceptedSuggestions: (item.acceptedSuggestions ?? []).map((s) => s.id),
        ...(offered ? { overrideReason: { code: offered.code, system: offered.system, ...(offered.display ? { display: offered.display } : {}) } } : {}),
        hasUserComment: typeof item.overrideReason?.userComment === 'string' && item.overrideReason.userComment.trim() !== '',
        outcomeTimestamp: outcomeTimestamp.toISOString(),
        receivedAt,
        ...(clientIss ? { clientIss } : {})
      })
    }
    try {
      await opts.store.recordFeedback(records)
    } catch (err) {
      const e = err as { code?: unknown, message?: unknown }
      request.log.error({ err: { code: e.code, message: e.message } }, 'feedback write failed; answering 503')
      throw new HookError(503, 'transient', 'The feedback could not be recorded; please try again')
    }
    for (const r of records) opts.metrics?.countFeedback(r.outcome)
    request.log.info({ feedback: records.map((r) => ({ card: r.cardUuid, evaluationId: r.evaluationId, outcome: r.outcome })) }, 'feedback recorded')
    return reply.code(200).send({})
  })
}
