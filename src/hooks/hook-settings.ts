/**
 * The settings of a hook call, from configuration and the compiled rules.
 * One function, because two places build them: the HTTP app (src/http/app.ts)
 * and every evaluation thread (src/evaluation-pool/worker.ts), and the two
 * must evaluate identically.
 */
import type { Config } from '../config/config.js'
import type { LoadedRules } from '../definitions/load.js'
import type { FallbackSettings } from './fhir-fallback.js'
import type { HookSettings } from './handle-hook.js'

export function hookSettings (config: Readonly<Config>, rules: LoadedRules, onFetch?: FallbackSettings['onFetch']): HookSettings {
  return {
    rules,
    orderValueSet: rules.catalogue.valueSets.get(rules.service.orderValueSet)!,
    localOrderCodes: new Set(config.wgsOrderCodes),
    language: config.language,
    publicBaseUrl: config.publicBaseUrl,
    fallback: {
      allowedBaseUrls: config.fhirServerAllowlist,
      timeoutMs: config.fhirFetchTimeoutMs,
      deadlineMs: config.fhirFallbackDeadlineMs,
      maxPages: config.fhirMaxPages,
      maxResponseBytes: config.fhirMaxResponseBytes,
      ...(onFetch ? { onFetch } : {})
    }
  }
}
