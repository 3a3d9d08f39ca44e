/**
 * Benchmark 5 — FHIR fallback: the order-select request without prefetch,
 * handled by handleHook against a real FHIR server on loopback
 * (test/helpers/fhir-server.ts) that answers every request after an injected
 * delay, as a remote EHR would. Keys fetched in parallel (the default) against
 * one after another (FallbackSettings.concurrency = 1), alternating, same run.
 * The figure is the fetching itself; the whole hook call is reported beside it.
 */
import type { Resource } from '@medplum/fhirtypes'
import { setTimeout as sleep } from 'node:timers/promises'
import { handleHook, type CdsRequest, type HookSettings } from '../src/hooks/handle-hook.js'
import { fetchMissingPrefetch } from '../src/hooks/fhir-fallback.js'
import type { LoadedRules } from '../src/definitions/load.js'
import { startFhirServer } from '../test/helpers/fhir-server.js'
import { BENCH_NOW, generatePatient, matchingDiagnoses, orderSelectRequest } from './synthetic-patient.js'
import { median, round } from './stats.js'

export interface FallbackResult {
  delayMs: number
  resources: number
  iterations: number
  /** Prefetch keys the fallback fetched per hook call, and FHIR requests it made (reads, searches, _include back-fills). */
  keys: number
  fhirRequestsPerCall: number
  /** Median time to fetch every key (fetchMissingPrefetch), ms. */
  parallelMedianMs: number
  sequentialMedianMs: number
  /** Median of the whole hook call (fetch, record, evaluation, cards), ms. */
  parallelHookMedianMs: number
  sequentialHookMedianMs: number
  /** sequential / parallel. */
  speedup: number
}

const TOKEN = 'bench-fallback-token'

export async function runFallback (rules: LoadedRules, opts: { resources: number, iterations: number, delayMs: number }): Promise<FallbackResult> {
  const p = generatePatient(opts.resources, matchingDiagnoses(rules))
  const server = await startFhirServer([p.patient, ...p.resources, { resourceType: 'Practitioner', id: 'dr-1' }] as unknown as Resource[], TOKEN)
  // Every request waits delayMs, as a remote EHR would. After the first call each answer is
  // replayed from memory: the in-process FHIR router's own CPU time would otherwise serialise
  // the parallel requests on this process's event loop and measure the router, not latency.
  const replay = new Map<string, string>()
  server.fault = async (req, res) => {
    await sleep(opts.delayMs)
    const cached = replay.get(req.url ?? '')
    if (cached !== undefined) { res.writeHead(200, { 'content-type': 'application/fhir+json' }).end(cached); return true }
    const end = res.end.bind(res) as (chunk?: unknown) => typeof res
    res.end = ((chunk?: unknown) => {
      if (res.statusCode === 200 && typeof chunk === 'string') replay.set(req.url ?? '', chunk)
      return end(chunk)
    }) as typeof res.end
    return false
  }
  try {
    const request = { ...orderSelectRequest(rules.service, p, { prefetch: false }), fhirServer: server.baseUrl, fhirAuthorization: { access_token: TOKEN, token_type: 'Bearer', expires_in: 300, scope: 'patient/*.read', subject: 'bench' } } as unknown as CdsRequest
    const settings = (concurrency?: number): HookSettings => ({
      rules,
      orderValueSet: rules.catalogue.valueSets.get(rules.service.orderValueSet)!,
      localOrderCodes: new Set(),
      language: 'da',
      fallback: { allowedBaseUrls: [server.baseUrl], timeoutMs: 10_000, deadlineMs: 60_000, maxPages: 20, ...(concurrency ? { concurrency } : {}) }
    })
    const parallel = settings()
    const sequential = settings(1)
    // The fetching itself (what concurrency changes), then the whole hook call for context.
    const once = async (s: HookSettings): Promise<{ fetchMs: number, hookMs: number, keys: number, requests: number }> => {
      const before = server.requests.length
      const t0 = performance.now()
      const fetched = await fetchMissingPrefetch(rules.service, request, undefined, s.fallback)
      const fetchMs = performance.now() - t0
      const requests = server.requests.length - before
      if (Object.keys(fetched.failures).length) throw new Error(`fallback failed: ${Object.values(fetched.failures).join('; ')}`)
      const t1 = performance.now()
      const outcome = await handleHook(s, request, BENCH_NOW)
      const hookMs = performance.now() - t1
      if (outcome.fallback.failed.length) throw new Error(`fallback failed for ${outcome.fallback.failed.join(', ')}`)
      return { fetchMs, hookMs, keys: Object.keys(fetched.values).length, requests }
    }
    await once(parallel) // warm-up (also checks the set-up)
    await once(sequential)
    const par: Array<Awaited<ReturnType<typeof once>>> = []
    const seq: Array<Awaited<ReturnType<typeof once>>> = []
    for (let i = 0; i < opts.iterations; i++) {
      par.push(await once(parallel))
      seq.push(await once(sequential))
    }
    const parallelMedianMs = round(median(par.map((x) => x.fetchMs)), 1)
    const sequentialMedianMs = round(median(seq.map((x) => x.fetchMs)), 1)
    return {
      delayMs: opts.delayMs,
      resources: opts.resources,
      iterations: opts.iterations,
      keys: par[0]!.keys,
      fhirRequestsPerCall: par[0]!.requests,
      parallelMedianMs,
      sequentialMedianMs,
      speedup: round(sequentialMedianMs / parallelMedianMs, 2),
      parallelHookMedianMs: round(median(par.map((x) => x.hookMs)), 1),
      sequentialHookMedianMs: round(median(seq.map((x) => x.hookMs)), 1)
    }
  } finally {
    await server.close()
  }
}
