/**
 * Load shedding with @fastify/under-pressure: while the event loop is
 * saturated (mean delay or utilisation above the configured limits) requests
 * get 503 with Retry-After instead of queueing until they time out — the EHR
 * shows no card rather than waiting, and the load balancer / readiness probe
 * moves traffic to other replicas. Liveness and metrics stay answered, so an
 * overloaded pod is not killed and can still be observed.
 */
import fp from 'fastify-plugin'
import underPressure from '@fastify/under-pressure'
import type { FastifyInstance } from 'fastify'
import { operationOutcome } from '../../hooks/operation-outcome.js'

export interface UnderPressureOptions {
  /** 0 switches the check off. */
  maxEventLoopDelayMs: number
  /** 0–1; 0 switches the check off. */
  maxEventLoopUtilization: number
  /** Route templates always answered (liveness, metrics). */
  exempt: string[]
  /** How often the event loop is sampled (default 1000 ms). */
  sampleIntervalMs?: number
  retryAfterSeconds?: number
}

async function underPressurePlugin (app: FastifyInstance, opts: UnderPressureOptions): Promise<void> {
  const exempt = new Set(opts.exempt)
  const retryAfter = opts.retryAfterSeconds ?? 10
  await app.register(underPressure, {
    maxEventLoopDelay: opts.maxEventLoopDelayMs,
    maxEventLoopUtilization: opts.maxEventLoopUtilization,
    // Utilisation of the last sample interval, not since start-up: a long-running pod must still notice saturation.
    eventLoopUtilizationMode: 'interval',
    sampleInterval: opts.sampleIntervalMs ?? 1000,
    retryAfter,
    pressureHandler: (request, reply, type, value) => {
      if (request.routeOptions.url !== undefined && exempt.has(request.routeOptions.url)) return undefined
      request.log.warn({ pressure: type, value }, 'under pressure: request refused')
      // Answered here; under-pressure then calls next(), and Fastify stops because the reply is sent.
      void reply.code(503).header('Retry-After', String(retryAfter)).type('application/fhir+json')
        .send(operationOutcome('throttled', 'Service temporarily overloaded; retry later'))
      return undefined
    }
  })
}

export default fp(underPressurePlugin, { name: 'wgs-under-pressure', fastify: '5.x' })
