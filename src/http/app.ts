/**
 * The application as a Fastify plugin: never calls listen (src/server.ts does),
 * so tests drive it through inject. Where a request goes:
 *   GET  /cds-services          → routes/discovery.ts
 *   POST /cds-services/{id}     → routes/hooks.ts → hooks/handle-hook.ts → core/evaluate.ts → cards/render.ts
 *   GET  /health/{live,ready}   → routes/health.ts
 */
import type { FastifyInstance } from 'fastify'
import type { Config } from '../config/config.js'
import type { LoadedRules } from '../definitions/load.js'
import { registerErrorHandling } from './error-handler.js'
import { discoveryRoutes } from './routes/discovery.js'
import { hookRoutes } from './routes/hooks.js'
import { healthRoutes } from './routes/health.js'

export interface AppOptions {
  config: Readonly<Config>
  rules: LoadedRules
  clock?: () => Date
}

export async function cdsApp (app: FastifyInstance, opts: AppOptions): Promise<void> {
  const { config, rules } = opts
  const orderValueSet = rules.catalogue.valueSets.get(rules.service.orderValueSet)!
  registerErrorHandling(app)
  await app.register(discoveryRoutes, { rules })
  await app.register(hookRoutes, {
    clock: opts.clock,
    settings: {
      rules,
      orderValueSet,
      localOrderCodes: new Set(config.wgsOrderCodes),
      language: config.language,
      publicBaseUrl: config.publicBaseUrl,
      fallback: {
        allowedBaseUrls: config.fhirServerAllowlist,
        timeoutMs: config.fhirFetchTimeoutMs,
        deadlineMs: config.fhirFallbackDeadlineMs,
        maxPages: config.fhirMaxPages
      }
    }
  })
  await app.register(healthRoutes, {
    ready: async () => ({ ok: true, checks: { rules: `${rules.catalogue.indications.length} indications compiled` } })
  })
}
