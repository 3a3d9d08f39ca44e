/**
 * @fastify/under-pressure: while the event loop is saturated, requests get
 * 503 + Retry-After (an OperationOutcome) instead of queueing; liveness and
 * metrics stay answered so the pod is neither killed nor blind.
 */
import t from 'tap'
import { buildTestApp } from '../helpers/app.js'

const busy = (ms: number): void => { const end = Date.now() + ms; while (Date.now() < end) { /* saturate the event loop */ } }
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

void t.test('503 while the event loop is saturated, then recovers', async (t) => {
  const app = await buildTestApp(t, { UNDER_PRESSURE_MAX_EVENT_LOOP_UTILIZATION: '0.5', UNDER_PRESSURE_MAX_EVENT_LOOP_DELAY_MS: '0' })
  t.equal((await app.inject({ method: 'GET', url: '/cds-services' })).statusCode, 200, 'normal before')

  // Saturate for longer than the 1 s sample interval; the sample taken right after sees ~100 % utilisation.
  busy(1500)
  await sleep(30)
  const refused = await app.inject({ method: 'GET', url: '/cds-services' })
  t.equal(refused.statusCode, 503)
  t.equal(refused.headers['retry-after'], '10')
  t.equal(refused.json().resourceType, 'OperationOutcome')
  t.equal(refused.json().issue[0].code, 'throttled')
  t.equal((await app.inject({ method: 'GET', url: '/health/ready' })).statusCode, 503, 'readiness fails: traffic moves to other replicas')
  t.equal((await app.inject({ method: 'GET', url: '/health/live' })).statusCode, 200, 'liveness stays up: an overloaded pod is not restarted')
  t.equal((await app.inject({ method: 'GET', url: '/metrics' })).statusCode, 200, 'metrics stay observable')

  // Idle for more than a sample interval: accepted again.
  await sleep(2200)
  t.equal((await app.inject({ method: 'GET', url: '/cds-services' })).statusCode, 200, 'recovers')
})

void t.test('thresholds of 0 switch load shedding off', async (t) => {
  const app = await buildTestApp(t, { UNDER_PRESSURE_MAX_EVENT_LOOP_UTILIZATION: '0', UNDER_PRESSURE_MAX_EVENT_LOOP_DELAY_MS: '0' })
  busy(1500)
  await sleep(30)
  t.equal((await app.inject({ method: 'GET', url: '/cds-services' })).statusCode, 200)
})
