/**
 * Client authentication for the CDS Hooks endpoints: every request under
 * /cds-services (discovery, service calls, feedback) must carry a valid bearer
 * JWT from a trusted client. CORS preflights (OPTIONS), health, metrics and
 * static pages are not behind it.
 *
 * A failure is a bare 401: an OperationOutcome with code `login` and a generic
 * message, plus `WWW-Authenticate: Bearer`. The log line names only the
 * reason code and the token's iss/kid/jti hashed (a trusted iss as configured) — never the token.
 */
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { ConfigError, type Config } from '../config/config.js'
import { operationOutcome } from '../hooks/operation-outcome.js'
import { normalisedPath } from '../http/request-target.js'
import type { EvaluationStore } from '../store/store.js'
import { resolveAuthMode, type ResolvedAuthMode } from './mode.js'
import { replayGuard } from './replay-cache.js'
import { buildTrustedIssuers, RemoteJwksCache, trustedIssuerConfigs } from './trusted-issuers.js'
import { CdsJwtVerifier, type CdsClient } from './verify-jwt.js'

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated CDS client; undefined when authentication is off. */
    cdsClient?: CdsClient
  }
}

export interface ClientAuthOptions {
  config: Readonly<Config>
  /** Epoch milliseconds for token times; the real clock unless a test fixes it. */
  now?: () => number
  /** The audit store: seen `jti`s are kept there when it is shared (replay-cache.ts), in memory otherwise. */
  store?: EvaluationStore
}

const PROTECTED = /^\/cds-services(\/|$)/
/** For a path no route matched: the router's own decoding, case aside, decides nothing there, so be wide. */
const PROTECTED_UNMATCHED = /^\/+cds-services(\/|$)/i
const FEEDBACK = /^(\/cds-services\/[^/]+)\/feedback$/

/**
 * The path of the route Fastify matched, its parameters filled in with their
 * decoded values: what protection and `aud` are decided from. Undefined when
 * no route matched (a 404) or the match was a wildcard.
 */
export function matchedPath (pattern: string | undefined, params: unknown): string | undefined {
  if (!pattern || pattern.includes('*')) return undefined
  const values = (params ?? {}) as Record<string, unknown>
  return pattern.replace(/:([A-Za-z0-9_]+)/g, (_, name: string) => String(values[name] ?? ''))
}

/**
 * The URLs a call may be addressed to: the exact endpoint URL (spec). For
 * feedback the service's URL is accepted too, since some clients address all
 * calls of a service to it; the jti cache still stops a token being used twice.
 */
export function audiencesFor (publicBaseUrl: string, path: string): string[] {
  const base = publicBaseUrl.replace(/\/+$/, '')
  const feedback = FEEDBACK.exec(path)
  return feedback ? [`${base}${path}`, `${base}${feedback[1]!}`] : [`${base}${path}`]
}

async function clientAuth (app: FastifyInstance, opts: ClientAuthOptions): Promise<void> {
  const { config } = opts
  const resolved: ResolvedAuthMode = resolveAuthMode(config)
  app.decorateRequest('cdsClient', undefined)
  if (resolved.mode === 'off') {
    app.log.warn({ authMode: 'off', because: resolved.because },
      'CLIENT AUTHENTICATION IS OFF: any caller can use /cds-services. For local development only — set CDS_AUTH=required, PUBLIC_BASE_URL and CDS_TRUSTED_ISSUERS(_FILE) before exposing this service (README "Connecting an EHR").')
    return
  }
  if (!config.publicBaseUrl) throw new ConfigError('PUBLIC_BASE_URL is required when client authentication is on: the JWT aud is checked against it')
  const remote = new RemoteJwksCache({ timeoutMs: config.jwksTimeoutMs, cacheMaxAgeMs: config.jwksCacheMaxAgeSeconds * 1000, cooldownMs: 30_000 })
  const issuers = buildTrustedIssuers(trustedIssuerConfigs(config.trustedIssuers, config.trustedIssuersFile), remote)
  if (issuers.size === 0) throw new ConfigError('client authentication is on but no client is trusted: set CDS_TRUSTED_ISSUERS or CDS_TRUSTED_ISSUERS_FILE (or CDS_AUTH=off for local development)')
  const verifier = new CdsJwtVerifier({
    issuers,
    remote,
    replay: replayGuard(opts.store, config.jwtReplayCacheSize, opts.now),
    clockSkewSeconds: config.jwtClockSkewSeconds,
    maxTokenAgeSeconds: config.jwtMaxTokenAgeSeconds,
    ...(opts.now ? { now: opts.now } : {})
  })
  const publicBaseUrl = config.publicBaseUrl
  app.log.info({ authMode: 'required', because: resolved.because, issuers: [...issuers.keys()] }, 'client authentication required')

  app.addHook('onRequest', async (request, reply) => {
    if (request.method === 'OPTIONS') return
    // Decided from the route the router matched, never from the raw target (percent-encoding,
    // absolute form and fragments all reach the same route); a 404 from its normalised path.
    const matched = matchedPath(request.routeOptions.url, request.params)
    const path = matched ?? normalisedPath(request.url)
    if (matched ? !PROTECTED.test(matched) : !PROTECTED_UNMATCHED.test(path)) return
    const result = await verifier.verify(request.headers.authorization, audiencesFor(publicBaseUrl, path))
    if (result.ok) {
      request.cdsClient = result.client
      return
    }
    const why = { reason: result.reason, iss: result.iss, kid: result.kid, jti: result.jti }
    // Key-source and capacity problems are the operator's to fix; the others are the caller's.
    const level = result.reason === 'jwks-unavailable' || result.reason === 'replay-cache-full' || result.reason === 'replay-store-unavailable' ? 'warn' : 'info'
    request.log[level]({ auth: why }, 'client authentication failed')
    // The token may be good: whether it was seen could not be settled, so the call is refused as a passing failure.
    if (result.reason === 'replay-store-unavailable') {
      return reply.code(503).header('Retry-After', '5').type('application/fhir+json').send(operationOutcome('transient', 'The service is temporarily unavailable'))
    }
    return reply.code(401).header('WWW-Authenticate', 'Bearer').type('application/fhir+json')
      .send(operationOutcome('login', 'Authentication failed'))
  })
}

export default fp(clientAuth, { name: 'wgs-client-auth', fastify: '5.x' })
