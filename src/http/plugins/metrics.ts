/**
 * Prometheus endpoint (GET METRICS_PATH, default /metrics) and the
 * `app.metrics` decorator the routes record through. The endpoint is not
 * behind the CDS client JWT: scrapers are not EHRs. It has its own optional
 * bearer token (METRICS_TOKEN); otherwise restrict it at the network level
 * (README "Operations").
 */
import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import { createHash, timingSafeEqual } from 'node:crypto'
import { HookError } from '../../hooks/operation-outcome.js'
import { NOOP_METRICS, PrometheusMetrics, type Metrics } from '../metrics.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** Where routes and the FHIR fallback record metrics; a no-op when METRICS_ENABLED=false. */
    metrics: Metrics
  }
}

export interface MetricsPluginOptions {
  enabled: boolean
  path: string
  /** When set, scrapes must present `Authorization: Bearer <token>`. */
  token?: string
  rulesVersion: string
}

const digest = (s: string): Buffer => createHash('sha256').update(s).digest()

/** Constant-time comparison of the presented bearer token with the configured one. */
function bearerMatches (header: string | undefined, token: string): boolean {
  const presented = /^Bearer\s+(\S+)$/i.exec(header ?? '')?.[1]
  return presented !== undefined && timingSafeEqual(digest(presented), digest(token))
}

async function metricsPlugin (app: FastifyInstance, opts: MetricsPluginOptions): Promise<void> {
  if (!opts.enabled) {
    app.decorate('metrics', NOOP_METRICS)
    return
  }
  const metrics = new PrometheusMetrics({ rulesVersion: opts.rulesVersion })
  app.decorate('metrics', metrics)
  app.addHook('onResponse', async (request, reply) => {
    // The route template (`/cds-services/:id`), never the raw URL: bounded labels, no identifiers.
    metrics.observeHttp(request.method, request.routeOptions.url ?? 'unmatched', reply.statusCode, reply.elapsedTime / 1000)
  })
  app.get(opts.path, {
    schema: {
      summary: 'Prometheus metrics',
      description: 'Prometheus text exposition format. Not behind the CDS client JWT; protected by METRICS_TOKEN when set.',
      tags: ['operations'],
      response: { 200: { description: 'Metrics in the Prometheus text format', content: { 'text/plain': { schema: { type: 'string' } } } } }
    }
  }, async (request, reply) => {
    if (opts.token && !bearerMatches(request.headers.authorization, opts.token)) {
      throw new HookError(401, 'login', 'metrics require the configured bearer token')
    }
    const body = await metrics.registry.metrics()
    return reply.type(metrics.registry.contentType).send(body)
  })
}

export default fp(metricsPlugin, { name: 'wgs-metrics', fastify: '5.x' })
