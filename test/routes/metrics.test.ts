/**
 * Prometheus /metrics: latency per hook, evaluations per indication and
 * status, FHIR fallback fetches and failures, feedback outcomes, the rules
 * version; not behind the CDS client JWT; own bearer token; can be switched
 * off or moved.
 */
import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { exportJWK, generateKeyPair } from 'jose'
import { buildTestApp, postHook, resultFor, testRules, SERVICE_URL } from '../helpers/app.js'
import { startFhirServer } from '../helpers/fhir-server.js'
import { sampleValue } from '../helpers/prometheus.js'
import { attestation, condition, hookRequest, orderingRole, patient, plateletCount, quantityObservation, SYSTEMS } from '../helpers/fhir-builders.js'
import { PrometheusMetrics, METRIC_NAMES } from '../../src/http/metrics.js'

const ID = 'inherited-thrombocytopenia'

/**
 * Scrape until `ready` holds (at most ~1 s): onResponse hooks — where latency
 * is observed — run after inject() has already resolved with the response.
 */
async function scrape (app: FastifyInstance, ready: (text: string) => boolean = () => true): Promise<string> {
  let text = ''
  for (let i = 0; i < 50; i++) {
    text = (await app.inject({ method: 'GET', url: '/metrics' })).body
    if (ready(text)) return text
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  return text
}
const resources = (): any[] => [
  condition('DD694'),
  plateletCount(88, '2015-05-01'), plateletCount(95, '2021-03-01'),
  quantityObservation(SYSTEMS.loinc, '32623-1', 12.1, 'fL', '2024-02-01'),
  attestation('lifelong-course'),
  ...orderingRole('Afdeling for Blodsygdomme, Rigshospitalet')
]

void t.test('exposes the rules version and counts hook calls and evaluations', async (t) => {
  const app = await buildTestApp(t)
  const first = await app.inject({ method: 'GET', url: '/metrics' })
  t.equal(first.statusCode, 200)
  t.match(first.headers['content-type'], /^text\/plain; version=0\.0\.4/)
  t.equal(sampleValue(first.body, METRIC_NAMES.rulesInfo, { rules_version: testRules().rulesVersion }), 1, 'cds_rules_info carries rulesVersion')
  t.ok(sampleValue(first.body, 'process_cpu_user_seconds_total') !== undefined, 'default process metrics are collected')

  const ok = await postHook(app, hookRequest(patient(), resources(), { hook: 'order-select' }))
  t.equal(ok.status, 200)
  const status = resultFor(ok.body, ID)?.status
  t.ok(status, 'the indication was evaluated')
  await postHook(app, hookRequest(patient(), resources(), { hook: 'order-sign' }))
  const invalid = await postHook(app, { hook: 'patient-view', hookInstance: 'x' })
  t.equal(invalid.status, 400)

  const text = await scrape(app, (s) => sampleValue(s, `${METRIC_NAMES.hookDuration}_count`, { hook: 'invalid', status_code: '400' }) === 1)
  t.equal(sampleValue(text, `${METRIC_NAMES.hookDuration}_count`, { hook: 'order-select', status_code: '200' }), 1)
  t.equal(sampleValue(text, `${METRIC_NAMES.hookDuration}_count`, { hook: 'order-sign', status_code: '200' }), 1)
  t.equal(sampleValue(text, `${METRIC_NAMES.hookDuration}_count`, { hook: 'invalid', status_code: '400' }), 1, 'refused calls are timed under hook="invalid"')
  t.ok((sampleValue(text, `${METRIC_NAMES.hookDuration}_sum`, { hook: 'order-select', status_code: '200' }) ?? 0) > 0, 'latency is recorded')
  t.equal(sampleValue(text, `${METRIC_NAMES.hookDuration}_bucket`, { hook: 'order-select', status_code: '200', le: '+Inf' }), 1, 'it is a histogram')
  t.equal(sampleValue(text, METRIC_NAMES.evaluations, { indication: ID, status: status! }), 2, 'one evaluation per hook call')
  t.equal(sampleValue(text, `${METRIC_NAMES.httpDuration}_count`, { method: 'POST', route: '/cds-services/:id', status_code: '200' }), 2, 'route templates, not raw URLs')
  t.equal(sampleValue(text, METRIC_NAMES.evaluatedOn, { on: 'event_loop' }), 2, 'both evaluated calls ran on the event loop (EVALUATION_THREADS=0)')
  t.equal(sampleValue(text, METRIC_NAMES.evaluatedOn, { on: 'thread' }), undefined, 'none on a thread')
  t.equal(sampleValue(text, METRIC_NAMES.evaluationThreads, { state: 'configured' }), 0, 'no threads configured')
  t.notMatch(text, /pt-1|DD694/, 'no patient data in any label')
})

void t.test('counts FHIR fallback fetches and failures', async (t) => {
  const token = 'metrics-test-token-1'
  const pt = patient()
  const roles = orderingRole('Afdeling for Blodsygdomme, Rigshospitalet')
  const fhir = await startFhirServer([pt, ...resources(), ...roles] as any, token)
  t.teardown(fhir.close)
  // Observations fail on the server; the other keys succeed.
  fhir.fault = (req, res) => {
    if (!req.url?.includes('Observation')) return false
    res.writeHead(500).end()
    return true
  }
  const app = await buildTestApp(t, { FHIR_SERVER_ALLOWLIST: fhir.baseUrl })
  const request: any = hookRequest(pt, [])
  delete request.prefetch
  const res = await postHook(app, { ...request, fhirServer: fhir.baseUrl, fhirAuthorization: { access_token: token, token_type: 'Bearer', expires_in: 300, scope: 'patient/*.read', subject: 'wgs-cds' } })
  t.equal(res.status, 200)
  const text = (await app.inject({ method: 'GET', url: '/metrics' })).body
  t.equal(sampleValue(text, METRIC_NAMES.fallback, { key: 'conditions', outcome: 'ok' }), 1, 'a successful fetch')
  const failures = sampleValue(text, METRIC_NAMES.fallback, { key: 'observations' })
  t.ok(failures === 1, 'the failed fetch is counted once')
  t.equal(sampleValue(text, METRIC_NAMES.fallback, { key: 'observations', outcome: 'ok' }), undefined, '…with a failure outcome, not ok')
})

void t.test('feedback outcomes are counted (Metrics interface)', async (t) => {
  const m = new PrometheusMetrics({ rulesVersion: '0.0.0+test', defaultMetrics: false })
  m.countFeedback('accepted')
  m.countFeedback('overridden')
  m.countFeedback('overridden')
  const text = await m.registry.metrics()
  t.equal(sampleValue(text, METRIC_NAMES.feedback, { outcome: 'accepted' }), 1)
  t.equal(sampleValue(text, METRIC_NAMES.feedback, { outcome: 'overridden' }), 2)
})

void t.test('metrics, health and docs are not behind the CDS client JWT', async (t) => {
  const { publicKey } = await generateKeyPair('ES256')
  const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256' }
  const app = await buildTestApp(t, {
    CDS_AUTH: 'required',
    PUBLIC_BASE_URL: 'https://wgs-cds.example.test',
    CDS_TRUSTED_ISSUERS: JSON.stringify([{ iss: 'https://ehr.example.test', jwks: { keys: [jwk] } }]),
    PATIENT_KEY_SECRET: 'x'.repeat(40)
  })
  t.equal((await app.inject({ method: 'GET', url: '/cds-services' })).statusCode, 401, 'CDS endpoints need a JWT')
  t.equal((await postHook(app, hookRequest(patient(), resources()), SERVICE_URL)).status, 401)
  for (const url of ['/metrics', '/health/live', '/docs/json']) {
    t.equal((await app.inject({ method: 'GET', url })).statusCode, 200, `${url} needs no JWT`)
  }
})

void t.test('METRICS_TOKEN protects the endpoint with its own bearer token', async (t) => {
  const token = 'scrape-token-0123456789'
  const app = await buildTestApp(t, { METRICS_TOKEN: token })
  const none = await app.inject({ method: 'GET', url: '/metrics' })
  t.equal(none.statusCode, 401)
  t.equal(none.json().resourceType, 'OperationOutcome')
  t.equal((await app.inject({ method: 'GET', url: '/metrics', headers: { authorization: 'Bearer wrong-token-0123456789' } })).statusCode, 401)
  t.equal((await app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${token}` } })).statusCode, 200)
})

void t.test('METRICS_PATH moves the endpoint; METRICS_ENABLED=false removes it', async (t) => {
  const moved = await buildTestApp(t, { METRICS_PATH: '/internal/prometheus' })
  t.equal((await moved.inject({ method: 'GET', url: '/internal/prometheus' })).statusCode, 200)
  t.equal((await moved.inject({ method: 'GET', url: '/metrics' })).statusCode, 404)

  const off = await buildTestApp(t, { METRICS_ENABLED: 'false' })
  t.equal((await off.inject({ method: 'GET', url: '/metrics' })).statusCode, 404)
  t.equal((await postHook(off, hookRequest(patient(), resources()))).status, 200, 'hooks work without metrics')
})
