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
import type { EvaluationRecorder } from '../../store/record-evaluation.js'
import { NOOP_METRICS, type Metrics } from '../metrics.js'

export interface HookRouteOptions {
  settings: HookSettings
  /** The evaluation time; the clock is read here, never in the core. */
  clock?: () => Date
  /** The audit write (src/store/record-evaluation.ts), awaited before the cards are returned. */
  record?: EvaluationRecorder
  /** Latency per hook and evaluations per indication/status (src/http/metrics.ts). */
  metrics?: Metrics
}

export async function hookRoutes (app: FastifyInstance, opts: HookRouteOptions): Promise<void> {
  app.addSchema(contextSchema)
  app.addSchema(requestSchema)
  const serviceId = opts.settings.rules.service.id
  const clock = opts.clock ?? (() => new Date())
  const metrics = opts.metrics ?? NOOP_METRICS
  // Hook label from a closed set: the hooks this service is registered for, else 'invalid' (a 400/404).
  const knownHooks = new Set<string>(opts.settings.rules.service.hooks)
  const hookLabel = (body: unknown): string => {
    const hook = (body as { hook?: unknown } | undefined)?.hook
    return typeof hook === 'string' && knownHooks.has(hook) ? hook : 'invalid'
  }
  app.post<{ Params: { id: string }, Body: CdsRequest }>('/cds-services/:id', {
    schema: { body: { $ref: 'cds-request#' } },
    // Unknown service ids answer 404 before the body is validated.
    preValidation: async (request) => {
      if (request.params.id !== serviceId) throw new HookError(404, 'not-found', `CDS service '${request.params.id}' not found`)
    },
    // Once the body is valid, every further log line of this request carries its hookInstance
    // (the CDS Hooks correlation id), including Fastify's own "request completed" line.
    preHandler: async (request, reply) => {
      const child = request.log.child({ hookInstance: request.body.hookInstance })
      request.log = child
      reply.log = child
    },
    // Whole-request latency (fallback, audit write and serialisation included), also for refused calls.
    onResponse: async (request, reply) => { metrics.observeHook(hookLabel(request.body), reply.elapsedTime / 1000, reply.statusCode) }
  }, async (request) => {
    const started = performance.now()
    const now = clock().toISOString()
    const outcome = await handleHook(opts.settings, request.body, now)
    const durationMs = Math.round((performance.now() - started) * 100) / 100
    for (const i of outcome.indications) metrics.countEvaluation(i.indication, i.status)
    request.log.info({
      hook: request.body.hook,
      orders: outcome.orders,
      indications: outcome.indications.map((i) => ({ indication: i.indication, status: i.status, failedCriteria: i.failedCriteria })),
      prefetchStates: outcome.prefetch,
      fhirFallback: outcome.fallback,
      rulesVersion: opts.settings.rules.rulesVersion,
      durationMs
    }, 'hook evaluated')
    // Nothing reads the prefetch after the evaluation, and it is most of the request's heap (the 76 KiB benchmark
    // request parses to about a megabyte of objects). Held while the audit write waits for its commit, the
    // prefetch of every call in flight was copied by each young-generation GC: drop it before waiting.
    const evaluated: CdsRequest = { ...request.body }
    delete evaluated.prefetch
    request.body = evaluated
    await opts.record?.(request, outcome, { serviceId, rulesVersion: opts.settings.rules.rulesVersion, durationMs, evaluatedAt: now })
    return { cards: outcome.cards }
  })
}
