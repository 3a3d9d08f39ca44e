/**
 * POST /cds-services/{id} — the hook call. The body arrives as bytes and is
 * parsed, validated (CDS Hooks request schema, per-hook context), evaluated
 * and serialised by src/hooks/raw-call.ts — on an evaluation thread
 * (src/evaluation-pool/) when one is ready, inline otherwise. This adapter
 * turns the result into the answer: the same 400/412 OperationOutcomes as
 * Fastify's own parsing and validation gave, the log line, the metrics and
 * the audit write, then the cards' bytes as they are.
 *
 * A call with no WGS order (an EHR may call on every order a clinician
 * selects) costs about what the HTTP stack costs: a scan of the bytes
 * (hooks/json-limits.ts inspectJson with hooks/orders.ts wgsOrderCodes) finds no WGS order code, so the call is
 * parsed and validated on the event loop — no thread hop — and answered
 * `{"cards":[]}` with no audit row and one log line. Its prefetch, which
 * nothing reads, is checked on its bytes and not parsed (hooks/json-outline.ts);
 * the rest gets the full validation (same ajv schema), and every fault
 * anywhere gets the same 400 as before: a malformed call must not get a 200
 * only because it holds no WGS order.
 */
import { errorCodes, type FastifyInstance, type FastifyRequest } from 'fastify'
import { handleHook, type HookSettings } from '../../hooks/handle-hook.js'
import { HookError } from '../../hooks/operation-outcome.js'
import { requestValidator } from '../../hooks/request-validator.js'
import { inspectJson, MAX_JSON_DEPTH, NESTING_MESSAGE } from '../../hooks/json-limits.js'
import { evaluateRawCall, evaluatedCall, parseRequest, type CallContext, type CallResult, type CallSummary, type OutcomeSummary } from '../../hooks/raw-call.js'
import requestSchema from '../../hooks/schemas/cds-request.schema.json' with { type: 'json' }
import contextSchema from '../../hooks/schemas/cds-order-context.schema.json' with { type: 'json' }
import type { EvaluationRecorder } from '../../store/record-evaluation.js'
import { EvaluationThreadStopped, type EvaluationPool } from '../../evaluation-pool/pool.js'
import { NOOP_METRICS, type Metrics } from '../metrics.js'
import { requestLine, tagRequest } from '../logger.js'
import { mayHoldWgsOrder, wgsOrderCodes } from '../../hooks/orders.js'
import { isEndpointOf } from './discovery.js'

export interface HookRouteOptions {
  settings: HookSettings
  /** The evaluation time; the clock is read here, never in the core. */
  clock?: () => Date
  /** The audit write (src/store/record-evaluation.ts), awaited before the cards are returned. */
  record?: EvaluationRecorder
  /** Latency per hook and evaluations per indication/status (src/http/metrics.ts). */
  metrics?: Metrics
  /** The evaluation threads; without them (EVALUATION_THREADS=0) every call is evaluated inline. */
  pool?: EvaluationPool
}

const JSON_TYPES = ['application/json', 'application/fhir+json']

/** What the request's log lines, metrics and audit see once the call is parsed: ids only, never the prefetch. */
type SeenBody = Partial<CallSummary> | Buffer

export async function hookRoutes (app: FastifyInstance, opts: HookRouteOptions): Promise<void> {
  // For the OpenAPI description (plugins/openapi.ts); the validation itself is raw-call.ts's.
  app.addSchema(contextSchema)
  app.addSchema(requestSchema)
  // Bytes, not objects: the body is parsed where it is evaluated. Empty bodies are refused here, as Fastify's parser did.
  app.removeContentTypeParser(JSON_TYPES)
  app.addContentTypeParser(JSON_TYPES, { parseAs: 'buffer' }, (_request, body: Buffer, done) => {
    if (body.length === 0) done(new errorCodes.FST_ERR_CTP_EMPTY_JSON_BODY(), undefined)
    else done(null, body)
  })
  const serviceId = opts.settings.rules.service.id
  const clock = opts.clock ?? (() => new Date())
  const metrics = opts.metrics ?? NOOP_METRICS
  const ctx: CallContext = { settings: opts.settings, validate: requestValidator() }
  // A trusted issuer's own card language (CDS_TRUSTED_ISSUERS `language`), else CARD_LANGUAGE.
  const contexts = { da: { ...ctx, settings: { ...opts.settings, language: 'da' as const } }, en: { ...ctx, settings: { ...opts.settings, language: 'en' as const } } }
  const contextFor = (request: FastifyRequest): CallContext => contexts[request.cdsClient?.language ?? opts.settings.language]
  // Undefined when the order codes cannot be scanned for: every call then goes to a thread as before.
  // The body's one pre-parse pass (json-limits.ts inspectJson) then also looks for these codes; its shape goes with the bytes.
  const wgsCodes = wgsOrderCodes(opts.settings.orderValueSet, opts.settings.localOrderCodes)
  // Hook label from a closed set: the hooks this service is registered for, else 'invalid' (a 400/404).
  const knownHooks = new Set<string>(opts.settings.rules.service.hooks)
  const hookLabel = (body: SeenBody): string => {
    const hook = Buffer.isBuffer(body) ? undefined : body?.hook
    return typeof hook === 'string' && knownHooks.has(hook) ? hook : 'invalid'
  }

  /** From here on the request's log line (src/http/logger.ts), whatever its message, carries the hookInstance. */
  const seen = (request: FastifyRequest, body: CallSummary): void => {
    request.body = body
    tagRequest(request, { hookInstance: body.hookInstance })
  }

  /** A call the FHIR fallback must complete: parsed again here, where the network and its metrics are. */
  const withFallback = async (bytes: Uint8Array, now: string, call: CallContext): Promise<CallResult> => {
    const parsed = parseRequest(call, bytes)
    if (!('request' in parsed)) return parsed
    return evaluatedCall(parsed.request, await handleHook(call.settings, parsed.request, now))
  }

  app.post<{ Params: { id: string } }>('/cds-services/:id', {
    schema: { body: { $ref: 'cds-request#' } },
    // The schema above documents the body; raw-call.ts validates it (the body is still bytes here).
    validatorCompiler: () => () => true,
    // Unknown service ids answer 404 before the body is read as a request.
    preValidation: async (request) => {
      // The service's id or a per-hook one (discovery.ts): whichever DISCOVERY_SHARED_ID lists.
      if (!isEndpointOf(opts.settings.rules.service, request.params.id)) throw new HookError(404, 'not-found', `CDS service '${request.params.id}' not found`)
    },
    // Whole-request latency (fallback, audit write and serialisation included), also for refused calls.
    onResponse: async (request, reply) => { metrics.observeHook(hookLabel(request.body as SeenBody), reply.elapsedTime / 1000, reply.statusCode) }
  }, async (request, reply) => {
    const started = performance.now()
    const now = clock().toISOString()
    const bytes = request.body as Buffer
    let result: CallResult
    const call = contextFor(request)
    const shape = wgsCodes && inspectJson(bytes, MAX_JSON_DEPTH, wgsCodes)
    const onThread = shape && !mayHoldWgsOrder(shape) ? undefined : opts.pool?.run(bytes, now, call.settings.language === opts.settings.language ? undefined : call.settings.language, shape)
    let place: 'thread' | 'event_loop' = onThread ? 'thread' : 'event_loop'
    try {
      result = await (onThread ?? evaluateRawCall(call, bytes, now, shape))
    } catch (err) {
      if (err instanceof EvaluationThreadStopped) {
        // The thread is being replaced; any other thread, or the event loop, takes the retry.
        void reply.header('retry-after', '1')
        throw new HookError(503, 'transient', 'The evaluation was interrupted; please try again')
      }
      throw err
    }
    if (result.kind === 'needs-fallback') {
      seen(request, result.request)
      result = await withFallback(result.bytes ?? bytes, now, call)
      place = 'event_loop'
    }
    switch (result.kind) {
      case 'invalid-json':
        throw new errorCodes.FST_ERR_CTP_INVALID_JSON_BODY()
      case 'too-deep':
        throw new HookError(400, 'structure', NESTING_MESSAGE)
      case 'invalid':
        request.body = result.hook === undefined ? {} : { hook: result.hook }
        // The shape of Fastify's validation errors, for the one error handler (src/http/error-handler.ts).
        throw Object.assign(new Error('body is not a valid CDS Hooks request'), { statusCode: 400, validation: result.validation, validationContext: 'body' })
      case 'refused':
        seen(request, result.request)
        throw new HookError(result.status, result.code, result.message, result.expression)
      case 'needs-fallback':
        throw new Error('a call handed back for the FHIR fallback was handed back again')
      case 'evaluated':
        break
    }
    seen(request, result.request)
    metrics.countEvaluatedOn(place)
    await answered(request, result.request, result.outcome, now, Math.round((performance.now() - started) * 100) / 100)
    return await reply.type('application/json; charset=utf-8').send(Buffer.from(result.response.buffer, result.response.byteOffset, result.response.byteLength))
  })

  async function answered (request: FastifyRequest, call: CallSummary, outcome: OutcomeSummary, now: string, durationMs: number): Promise<void> {
    for (const i of outcome.indications) metrics.countEvaluation(i.indication, i.status)
    // No WGS order, no audit row (record-evaluation.ts records only evaluated orders): not even the call.
    if (outcome.orders > 0) await opts.record?.(request, call, outcome, { serviceId, rulesVersion: opts.settings.rules.rulesVersion, durationMs, evaluatedAt: now })
    // The request's one log line (src/http/logger.ts), once the audit row is written: a failed write is a 503, not this.
    requestLine(request, 'hook evaluated', {
      hook: call.hook,
      orders: outcome.orders,
      indications: outcome.indications.map((i) => ({ indication: i.indication, status: i.status, failedCriteria: i.failedCriteria })),
      prefetchStates: outcome.prefetch,
      fhirFallback: outcome.fallback,
      rulesVersion: opts.settings.rules.rulesVersion,
      durationMs
    })
  }
}
