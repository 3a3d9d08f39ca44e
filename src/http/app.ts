/**
 * The application as a Fastify plugin: never calls listen (src/server.ts does),
 * so tests drive it through inject. Where a request goes:
 *   GET  /cds-services          → routes/discovery.ts
 *   POST /cds-services/{id}     → routes/hooks.ts → (evaluation-pool/ thread or inline) hooks/raw-call.ts
 *                                 → hooks/handle-hook.ts → core/evaluate.ts → cards/render.ts
 *   GET  /health/{live,ready}   → routes/health.ts
 *   POST /cds-services/{id}/feedback → routes/feedback.ts → store/
 *   GET  /, /criteria/{id}, /playground → routes/web.ts → web/ (pages for people; not behind the client JWT)
 *   GET  /metrics, /docs        → plugins/metrics.ts, plugins/openapi.ts (not behind the client JWT)
 * Security headers (plugins/security-headers.ts) and load shedding
 * (plugins/under-pressure.ts) run before everything else; rate limiting per
 * client (plugins/rate-limit.ts) right after client authentication.
 * Every /cds-services request passes client authentication (auth/client-auth.ts)
 * after CORS (cors.ts); every evaluation is recorded in the audit store (store/).
 */
import type { FastifyInstance } from 'fastify'
import type { Config } from '../config/config.js'
import type { LoadedRules } from '../definitions/load.js'
import { registerErrorHandling } from './error-handler.js'
import { discoveryRoutes } from './routes/discovery.js'
import { hookRoutes } from './routes/hooks.js'
import { healthRoutes } from './routes/health.js'
import { feedbackRoutes } from './routes/feedback.js'
import { webRoutes } from './routes/web.js'
import { reportRoutes } from './routes/reports.js'
import { questionnaireRoutes } from './routes/fhir-questionnaires.js'
import { evaluateRoutes } from './routes/evaluate.js'
import { registerCors } from './cors.js'
import clientAuth from '../auth/client-auth.js'
import { resolveAuthMode } from '../auth/mode.js'
import { openStore } from '../store/open-store.js'
import { assertRequiredSettings } from '../config/required.js'
import { evaluationRecorder } from '../store/record-evaluation.js'
import type { EvaluationStore } from '../store/store.js'
import { hookSettings } from '../hooks/hook-settings.js'
import { EvaluationPool, threadCount } from '../evaluation-pool/pool.js'
import underPressure from './plugins/under-pressure.js'
import metricsPlugin from './plugins/metrics.js'
import openApi from './plugins/openapi.js'
import gracefulClose from './plugins/graceful-close.js'
import securityHeaders from './plugins/security-headers.js'
import rateLimit from './plugins/rate-limit.js'
import { DOCS_PREFIX } from './plugins/openapi.js'
import { nestsDeeperThan, NESTING_MESSAGE } from '../hooks/json-limits.js'
import { HookError } from '../hooks/operation-outcome.js'

export interface AppOptions {
  config: Readonly<Config>
  rules: LoadedRules
  clock?: () => Date
  /** An audit store to use instead of the configured one (tests); the caller closes it. */
  store?: EvaluationStore
  /** Clock for JWT times, epoch ms (tests); the real clock otherwise. */
  authNow?: () => number
}

/**
 * The evaluation threads, started once the app is ready (not before: start-up is not slowed by compiling
 * the rules again on every thread) and stopped when it closes. Exposed as `app.evaluationPool` for tests.
 */
function evaluationPool (app: FastifyInstance, config: Readonly<Config>): EvaluationPool | undefined {
  const threads = threadCount(config.evaluationThreads)
  const pool = threads > 0 ? new EvaluationPool({ threads, config, log: app.log }) : undefined
  app.decorate('evaluationPool', pool ?? null)
  if (!pool) return undefined
  app.metrics.trackEvaluationThreads(() => ({ ready: pool.readyCount, configured: pool.size }))
  app.addHook('onReady', async () => { pool.start() })
  app.addHook('onClose', async () => { await pool.close() })
  return pool
}

export async function cdsApp (app: FastifyInstance, opts: AppOptions): Promise<void> {
  const { config, rules } = opts
  registerErrorHandling(app)
  // First: answers given by early hooks (503 under load, 401, 429) carry the security headers too.
  await app.register(securityHeaders, { docsPrefix: DOCS_PREFIX })
  await app.register(gracefulClose)
  await app.register(underPressure, {
    maxEventLoopDelayMs: config.underPressureMaxEventLoopDelayMs,
    maxEventLoopUtilization: config.underPressureMaxEventLoopUtilization,
    exempt: ['/health/live', config.metricsPath]
  })
  // Before any route: @fastify/swagger collects routes as they are added. rulesVersion is `<package version>+<hash>`.
  await app.register(openApi, { enabled: config.openApiDocsEnabled, version: rules.rulesVersion.split('+')[0] ?? rules.rulesVersion, rulesVersion: rules.rulesVersion, publicBaseUrl: config.publicBaseUrl })
  await app.register(metricsPlugin, { enabled: config.metricsEnabled, path: config.metricsPath, token: config.metricsToken, rulesVersion: rules.rulesVersion })
  await registerCors(app, config.corsOrigins)
  // Every missing setting named at once, before the checks below that each stop at their own.
  assertRequiredSettings(config, resolveAuthMode(config).mode === 'required')
  // Before client authentication: seen JWT ids are kept in the audit store when it is shared (auth/replay-cache.ts).
  const audit = await openStore(config, app.log, resolveAuthMode(config).mode === 'required', opts.store)
  if (!opts.store) app.addHook('onClose', async () => { await audit.store.close() })
  await app.register(clientAuth, { config, store: audit.store, ...(opts.authNow ? { now: opts.authNow } : {}) })
  // After client authentication (its key is the verified issuer), before the routes it limits.
  await app.register(rateLimit, { max: config.rateLimitMax, windowMs: config.rateLimitWindowMs, exempt: ['/health/live', '/health/ready', config.metricsPath] })
  // JSON only: text/plain bodies get 415 instead of a confusing schema error;
  // application/fhir+json is JSON too. Prototype-poisoning keys are rejected.
  // Nesting beyond MAX_JSON_DEPTH is refused before parsing (hooks/json-limits.ts); the hook route has its own parser.
  app.removeContentTypeParser(['text/plain', 'application/json'])
  const parseJson = app.getDefaultJsonParser('error', 'error')
  app.addContentTypeParser(['application/json', 'application/fhir+json'], { parseAs: 'buffer' }, (request, body: Buffer, done) => {
    if (nestsDeeperThan(body)) done(new HookError(400, 'structure', NESTING_MESSAGE), undefined)
    else void parseJson(request, body.toString('utf8'), done)
  })
  await app.register(discoveryRoutes, { rules, sharedId: config.discoverySharedId })
  const pool = evaluationPool(app, config)
  await app.register(hookRoutes, {
    clock: opts.clock,
    record: evaluationRecorder(audit.store, audit.patientKey),
    metrics: app.metrics,
    settings: hookSettings(config, rules, (key, outcome) => app.metrics.countFallback(key, outcome)),
    ...(pool ? { pool } : {})
  })
  await app.register(feedbackRoutes, { serviceId: rules.service.id, store: audit.store, metrics: app.metrics })
  await app.register(webRoutes, { rules, clock: opts.clock, smartClientId: config.smartClientId })
  await app.register(reportRoutes, { config, rules, store: audit.store, clock: opts.clock })
  await app.register(questionnaireRoutes, { rules })
  await app.register(evaluateRoutes, { rules, language: config.language, clock: opts.clock })
  await app.register(healthRoutes, {
    ready: async () => {
      const store = await audit.store.health()
      // Threads not (yet) ready do not make the service unready: calls are then evaluated inline.
      const evaluation = pool ? `${pool.readyCount} of ${pool.size} evaluation threads ready` : 'evaluated on the event loop (EVALUATION_THREADS=0)'
      return { ok: store.ok, checks: { rules: `${rules.catalogue.indications.length} indications compiled`, store: store.detail, evaluation } }
    }
  })
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The evaluation threads, or null with EVALUATION_THREADS=0 (src/evaluation-pool/pool.ts). */
    evaluationPool: EvaluationPool | null
  }
}
