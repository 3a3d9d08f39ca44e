/**
 * POST /cds-services/{id} — the hook call. The body is validated against the
 * CDS Hooks request schema (per-hook context) by Fastify's ajv before the
 * handler runs; the handler is the thin adapter around handleHook.
 */
import type { FastifyInstance } from 'fastify'
import { handleHook, type CdsRequest, type HookSettings } from '../../hooks/handle-hook.js'
import { HookError } from '../../hooks/operation-outcome.js'
import requestSchema from '../../hooks/schemas/cds-request.schema.json' with { type: 'json' }
import contextSchema from '../../hooks/schemas/cds-order-context.schema.json' with { type: 'json' }

export interface HookRouteOptions {
  settings: HookSettings
  /** The evaluation time; the clock is read here, never in the core. */
  clock?: () => Date
}

export async function hookRoutes (app: FastifyInstance, opts: HookRouteOptions): Promise<void> {
  app.addSchema(contextSchema)
  app.addSchema(requestSchema)
  const serviceId = opts.settings.rules.service.id
  const clock = opts.clock ?? (() => new Date())
  app.post<{ Params: { id: string }, Body: CdsRequest }>('/cds-services/:id', {
    schema: { body: { $ref: 'cds-request#' } },
    // Unknown service ids answer 404 before the body is validated.
    preValidation: async (request) => {
      if (request.params.id !== serviceId) throw new HookError(404, 'not-found', `CDS service '${request.params.id}' not found`)
    }
  }, async (request) => {
    const started = performance.now()
    const outcome = await handleHook(opts.settings, request.body, clock().toISOString())
    request.log.info({
      hookInstance: request.body.hookInstance,
      hook: request.body.hook,
      orders: outcome.orders,
      indications: outcome.indications.map((i) => ({ indication: i.indication, status: i.status, failedCriteria: i.failedCriteria })),
      prefetchStates: outcome.prefetch,
      fhirFallback: outcome.fallback,
      rulesVersion: opts.settings.rules.rulesVersion,
      durationMs: Math.round((performance.now() - started) * 100) / 100
    }, 'hook evaluated')
    return { cards: outcome.cards }
  })
}
