/**
 * The evaluation threads (src/evaluation-pool/): a service with threads
 * answers every call exactly as one without — the 34 playground patients,
 * order-select and order-sign, and every refusal (invalid JSON, schema
 * errors, an unsupported hook, 412 without a Patient, prototype poisoning) —
 * calls whose prefetch the FHIR fallback completes are finished on the event
 * loop, calls arriving before any thread is ready are evaluated inline, and a
 * thread that stops fails only its own calls (503, retryable) and is replaced.
 */
import t from 'tap'
import { Writable } from 'node:stream'
import type { FastifyInstance } from 'fastify'
import { buildTestApp, SERVICE_URL } from '../helpers/app.js'
import { hookRequest, type Json } from '../helpers/fhir-builders.js'
import { startFhirServer } from '../helpers/fhir-server.js'
import { loadDemoPatients } from '../../src/web/demo-patients.js'
import { threadCount } from '../../src/evaluation-pool/pool.js'
import { loadConfig } from '../../src/config/config.js'
import { METRIC_NAMES } from '../../src/http/metrics.js'
import { sampleValue } from '../helpers/prometheus.js'

const demo = loadDemoPatients()

function requestFor (id: string, hook: 'order-select' | 'order-sign'): Json {
  const resources = (demo.bundle(id)!.entry as Array<{ resource: Json }>).map((e) => e.resource)
  const pt = resources.find((r) => r.resourceType === 'Patient')!
  return hookRequest(pt, resources.filter((r) => r !== pt), { hook, hookInstance: '7d6c2a3e-0b1f-4c5d-9e8a-1f2b3c4d5e6f' })
}

/** Card uuids are random per call: compare everything else. */
function comparable (body: string): unknown {
  return JSON.parse(body.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, 'UUID'))
}

async function post (app: FastifyInstance, payload: string, contentType = 'application/json'): Promise<{ status: number, type: string, body: string, retryAfter?: string }> {
  const res = await app.inject({ method: 'POST', url: SERVICE_URL, headers: { 'content-type': contentType }, payload })
  return { status: res.statusCode, type: String(res.headers['content-type']), body: res.body, ...(res.headers['retry-after'] ? { retryAfter: String(res.headers['retry-after']) } : {}) }
}

/** A service with two evaluation threads, both ready (a throw fails the calling test). */
async function pooledApp (t: Parameters<typeof buildTestApp>[0], env: Record<string, string> = {}, logStream?: Writable): Promise<FastifyInstance> {
  const app = await buildTestApp(t, { EVALUATION_THREADS: '2', ...env }, logStream ? { logStream } : {})
  if (!app.evaluationPool) throw new Error('EVALUATION_THREADS=2 gave no evaluation threads')
  await app.evaluationPool.ready()
  if (app.evaluationPool.readyCount !== 2) throw new Error(`${app.evaluationPool.readyCount} of 2 threads ready`)
  return app
}

void t.test('EVALUATION_THREADS: auto is one per core but one, 1 to 4, none on one core; a number is taken as it is', async (t) => {
  t.equal(threadCount('auto', 1), 0)
  t.equal(threadCount('auto', 2), 1)
  t.equal(threadCount('auto', 4), 3)
  t.equal(threadCount('auto', 16), 4)
  t.equal(threadCount(0, 16), 0)
  t.equal(threadCount(3, 1), 3)
  t.equal(loadConfig({}).evaluationThreads, 'auto', 'auto by default')
  t.equal(loadConfig({ EVALUATION_THREADS: '2' }).evaluationThreads, 2)
  t.throws(() => loadConfig({ EVALUATION_THREADS: 'many' }), /EVALUATION_THREADS/, 'anything else stops start-up, naming the variable')
  t.throws(() => loadConfig({ EVALUATION_THREADS: '-1' }), /EVALUATION_THREADS/)
})

void t.test('threads answer every playground call byte for byte as the event loop does', async (t) => {
  const inline = await buildTestApp(t)
  t.equal(inline.evaluationPool, null, 'the test default evaluates inline')
  const pooled = await pooledApp(t)
  let withCards = 0
  for (const { id } of demo.list) {
    for (const hook of ['order-select', 'order-sign'] as const) {
      const payload = JSON.stringify(requestFor(id, hook))
      const [a, b] = [await post(inline, payload), await post(pooled, payload)]
      t.equal(b.status, 200, `${id} ${hook}: 200`)
      t.equal(b.type, a.type, `${id} ${hook}: same content type`)
      t.same(comparable(b.body), comparable(a.body), `${id} ${hook}: same cards`)
      if ((JSON.parse(b.body) as { cards: unknown[] }).cards.length > 0) withCards++
    }
  }
  t.equal(withCards, demo.list.length * 2, 'every call answered with cards (a comparison of empty answers would prove nothing)')
  const metrics = (await pooled.inject({ method: 'GET', url: '/metrics' })).body
  t.equal(sampleValue(metrics, METRIC_NAMES.evaluatedOn, { on: 'thread' }), demo.list.length * 2, 'every call ran on a thread (cds_hook_calls_evaluated_total)')
  t.equal(sampleValue(metrics, METRIC_NAMES.evaluationThreads, { state: 'ready' }), 2, 'cds_evaluation_threads: 2 ready')
  t.equal(sampleValue(metrics, METRIC_NAMES.evaluationThreads, { state: 'configured' }), 2, '…of 2 configured')
})

void t.test('threads refuse bad calls exactly as the event loop does', async (t) => {
  const inline = await buildTestApp(t)
  const pooled = await pooledApp(t)
  const good = requestFor(demo.list[0]!.id, 'order-select')
  const noPatient = structuredClone(good)
  delete (noPatient.prefetch as Json).patient
  const cases: Array<{ name: string, payload: string, status: number, contentType?: string }> = [
    { name: 'invalid JSON', payload: '{"hook": "order-select",', status: 400 },
    { name: 'not an object', payload: '[1, 2]', status: 400 },
    { name: 'hookInstance not a uuid', payload: JSON.stringify({ ...good, hookInstance: 'abc' }), status: 400 },
    { name: 'no context', payload: JSON.stringify({ hook: 'order-select', hookInstance: good.hookInstance }), status: 400 },
    { name: 'an unsupported hook', payload: JSON.stringify({ ...good, hook: 'patient-view' }), status: 400 },
    { name: 'no Patient and no FHIR server', payload: JSON.stringify(noPatient), status: 412 },
    { name: 'prototype poisoning', payload: '{"hook": "order-select", "__proto__": {"x": 1}}', status: 400 },
    { name: 'constructor poisoning', payload: '{"hook": "order-select", "constructor": {"prototype": {"x": 1}}}', status: 400 },
    { name: 'application/fhir+json', payload: JSON.stringify(good), status: 200, contentType: 'application/fhir+json' },
    { name: 'a byte-order mark', payload: `\uFEFF${JSON.stringify(good)}`, status: 200 }
  ]
  for (const c of cases) {
    const [a, b] = [await post(inline, c.payload, c.contentType), await post(pooled, c.payload, c.contentType)]
    t.equal(a.status, c.status, `${c.name}: ${c.status} inline`)
    t.equal(b.status, c.status, `${c.name}: ${c.status} from a thread`)
    t.same(comparable(b.body), comparable(a.body), `${c.name}: the same answer`)
  }
  const empty = await pooled.inject({ method: 'POST', url: SERVICE_URL, headers: { 'content-type': 'application/json' }, payload: '' })
  t.equal(empty.statusCode, 400, 'an empty body: 400')
  t.match(empty.json(), { resourceType: 'OperationOutcome' })
})

void t.test('a call the FHIR fallback must complete is finished on the event loop, with the same result', async (t) => {
  const token = 'pool-test-token-4b1e'
  const id = demo.list.find((p) => p.outcome === 'eligible')!.id
  const resources = (demo.bundle(id)!.entry as Array<{ resource: Json }>).map((e) => e.resource)
  const fhir = await startFhirServer(resources as any, token)
  t.teardown(fhir.close)
  let log = ''
  const stream = new Writable({ write (chunk: Buffer, _enc, done) { log += chunk.toString(); done() } })
  const pooled = await pooledApp(t, { FHIR_SERVER_ALLOWLIST: fhir.baseUrl, LOG_LEVEL: 'info' }, stream)
  const full = requestFor(id, 'order-select')
  const withoutPrefetch: Json = { ...full, fhirServer: fhir.baseUrl, fhirAuthorization: { access_token: token, token_type: 'Bearer', expires_in: 300, scope: 'patient/*.read', subject: 'wgs-cds' } }
  delete withoutPrefetch.prefetch
  const viaFhir = await post(pooled, JSON.stringify(withoutPrefetch))
  t.equal(viaFhir.status, 200)
  t.ok(fhir.requests.length > 0 && fhir.requests.every((r) => r.authorized), 'the FHIR server was queried, with the token')
  const statuses = (body: string): unknown => (JSON.parse(body) as { cards: Array<{ extension: Record<string, { indication: string, status: string }> }> }).cards.map((c) => Object.values(c.extension)[0])
  t.same(statuses(viaFhir.body), statuses((await post(pooled, JSON.stringify(full))).body), 'same indications and statuses as with full prefetch')
  const lines = log.split('\n').filter((l) => l.includes('"route":"/cds-services/:id"'))
  t.equal(lines.length, 2, 'one line per call (src/http/logger.ts)')
  for (const line of lines) {
    t.match(line, /"msg":"hook evaluated"/, 'the call\'s line says it was evaluated')
    t.match(line, /"statusCode":200/, 'with the status')
    t.match(line, /"responseTime":/, 'and the response time')
    t.equal(line.split('"hookInstance"').length - 1, 1, 'and names the hookInstance once')
  }
  t.notMatch(log, /"incoming request"|"request completed"/, 'no other line for these calls')
})

void t.test('before any thread is ready, calls are evaluated inline', async (t) => {
  const app = await buildTestApp(t, { EVALUATION_THREADS: '1' })
  t.equal(app.evaluationPool!.readyCount, 0, 'no thread ready yet (they compile the rules first)')
  const res = await post(app, JSON.stringify(requestFor(demo.list[0]!.id, 'order-select')))
  t.equal(res.status, 200, 'answered anyway')
  t.ok((JSON.parse(res.body) as { cards: unknown[] }).cards.length > 0, 'with cards')
  const ready = await app.inject({ method: 'GET', url: '/health/ready' })
  t.match(ready.json(), { checks: { evaluation: /of 1 evaluation threads ready/ } }, 'readiness names the threads')
  await app.evaluationPool!.ready()
})

void t.test('a thread that stops fails only its own calls (503, retryable) and is replaced', async (t) => {
  const pooled = await pooledApp(t)
  const payload = JSON.stringify(requestFor(demo.list[0]!.id, 'order-select'))
  const calls = Array.from({ length: 6 }, async () => await post(pooled, payload))
  // Once thread 0 holds a call (the six spread over both threads), it stops.
  while (pooled.evaluationPool!.inFlight()[0] === 0) await new Promise((resolve) => setImmediate(resolve))
  await pooled.evaluationPool!.stopThread(0)
  const answers = await Promise.all(calls)
  const refused = answers.filter((a) => a.status === 503)
  t.ok(answers.every((a) => a.status === 200 || a.status === 503), 'each call answered 200 or 503')
  t.ok(refused.length >= 1, `the stopped thread's calls were refused (${refused.length})`)
  t.ok(answers.some((a) => a.status === 200), 'the other thread\'s calls were answered')
  for (const r of refused) {
    t.match(JSON.parse(r.body), { resourceType: 'OperationOutcome', issue: [{ code: 'transient' }] }, 'a stopped call is a transient OperationOutcome')
    t.equal(r.retryAfter, '1', '…with Retry-After')
  }
  const after = await post(pooled, payload)
  t.equal(after.status, 200, 'the next call is answered')
  await pooled.evaluationPool!.ready()
  t.equal(pooled.evaluationPool!.readyCount, 2, 'the stopped thread was replaced')
})
