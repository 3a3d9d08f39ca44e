/**
 * Abuse limits with @fastify/rate-limit: at most RATE_LIMIT_MAX requests per
 * RATE_LIMIT_WINDOW_MS per client. A client is the verified JWT issuer
 * (`request.cdsClient.iss`, set by auth/client-auth.ts in its onRequest hook,
 * which runs before this route-level hook), so one EHR cannot starve the
 * others however many addresses it calls from; a request without a verified
 * client (authentication off, or a page for people) is counted by its IP
 * address. A request over the limit gets 429 with `Retry-After` (seconds) and
 * an OperationOutcome `throttled`. Liveness, readiness and metrics are never
 * limited: probes and scrapers must see an overloaded pod.
 *
 * Requests that fail authentication are answered 401 before this hook runs
 * and are not counted against the issuer they claim (that would let anyone
 * exhaust an EHR's budget with forged tokens).
 *
 * Must be registered after client authentication and before the routes it
 * limits (it attaches its hook to routes as they are added).
 */
import fp from 'fastify-plugin'
import rateLimit from '@fastify/rate-limit'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { HookError } from '../../hooks/operation-outcome.js'

export interface RateLimitOptions {
  /** Requests per window per client; 0 switches rate limiting off. */
  max: number
  windowMs: number
  /** Route templates never limited (health, metrics). */
  exempt: string[]
  /** Most clients (issuers and addresses) tracked at once; the least recently seen is forgotten first. */
  cacheSize?: number
}

/** The rate-limit key: the verified issuer when there is one, else the caller's address. */
export function clientKey (request: FastifyRequest): string {
  const iss = request.cdsClient?.iss
  return iss ? `iss:${iss}` : `ip:${request.ip}`
}

async function rateLimitPlugin (app: FastifyInstance, opts: RateLimitOptions): Promise<void> {
  if (opts.max === 0) {
    app.log.warn('rate limiting is off (RATE_LIMIT_MAX=0)')
    return
  }
  const exempt = new Set(opts.exempt)
  const isExempt = (request: FastifyRequest): boolean =>
    request.method === 'OPTIONS' || exempt.has(request.routeOptions.url ?? '') || (request.routeOptions.url ?? '').startsWith('/health/')
  await app.register(rateLimit, {
    global: true,
    max: opts.max,
    timeWindow: opts.windowMs,
    cache: opts.cacheSize ?? 10_000,
    keyGenerator: clientKey,
    allowList: isExempt,
    // Retry-After in seconds on 429; the RateLimit-* fields on every counted answer.
    addHeaders: { 'x-ratelimit-limit': true, 'x-ratelimit-remaining': true, 'x-ratelimit-reset': true, 'retry-after': true },
    onExceeded: (request, key) => {
      // The key is an issuer URL or an address, never patient data.
      request.log.warn({ rateLimited: key.startsWith('iss:') ? { iss: key.slice(4) } : { ip: key.slice(3) } }, 'rate limit exceeded: 429')
    },
    errorResponseBuilder: (_request, context) =>
      new HookError(429, 'throttled', `Too many requests from this client: at most ${context.max} per ${Math.round(opts.windowMs / 1000)} s; retry after ${Math.max(1, Math.ceil(context.ttl / 1000))} s`)
  })
}

export default fp(rateLimitPlugin, { name: 'wgs-rate-limit', fastify: '5.x' })
