/**
 * The call without a WGS order (src/http/routes/hooks.ts, src/hooks/orders.ts
 * wgsOrderScan): the bytes are scanned for the WGS order codes first; a call
 * without any is parsed, validated and answered `{"cards":[]}` on the event
 * loop — no evaluation thread, no audit row, one log line —, its prefetch
 * checked on its bytes but not parsed, and a malformed one still gets the
 * 400 a WGS call with the same fault gets. A body that may hold a WGS order goes to a thread
 * as before, and is evaluated.
 */
import t from 'tap'
import { Writable } from 'node:stream'
import { buildTestApp, SERVICE_URL, testRules } from '../helpers/app.js'
import { attestation, condition, hookRequest, orderingRole, patient, plateletCount, SYSTEMS, wgsOrder, type Json } from '../helpers/fhir-builders.js'
import { wgsOrderCodes, wgsOrderScan } from '../../src/hooks/orders.js'
import { parseRequest, type CallContext } from '../../src/hooks/raw-call.js'
import { requestValidator } from '../../src/hooks/request-validator.js'
import { inspectJson, MAX_JSON_DEPTH } from '../../src/hooks/json-limits.js'
import { compileValueSets } from '../../src/core/terminology.js'
import { SqliteStore } from '../../src/store/sqlite-store.js'
import { METRIC_NAMES } from '../../src/http/metrics.js'
import { sampleValue } from '../helpers/prometheus.js'

const rules = testRules()
const orderValueSet = rules.catalogue.valueSets.get(rules.service.orderValueSet)!
const eligibleResources = (): Json[] => [
  condition('DD694'), plateletCount(88, '2015-05-01'), plateletCount(95, '2021-03-01'),
  attestation('lifelong-course'), attestation('acquired-causes-excluded'), attestation('patient-informed'),
  ...orderingRole('Afdeling for Blodsygdomme, Rigshospitalet')
]
/** A blood count, LOINC 58410-2 "CBC panel - Blood by Automated count" (verified: loinc.org/58410-2): not a WGS order. */
const bloodCount = (): Json => wgsOrder('blood-count', { code: { coding: [{ system: SYSTEMS.loinc, code: '58410-2' }] } })
const bytes = (body: unknown): Buffer => Buffer.from(typeof body === 'string' ? body : JSON.stringify(body))

void t.test('the scan: "maybe" whenever a WGS order code could be in the body, "no" only when none can', async (t) => {
  const scan = wgsOrderScan(orderValueSet, new Set(['urn:oid:1.2.208.176.2.4|BOQM0']))
  if (!scan) throw new Error('the shipped order ValueSet (LOINC 86206-0, exact) must be scannable')
  t.equal(scan(bytes(hookRequest(patient(), eligibleResources()))), true, 'a WGS order')
  t.equal(scan(bytes(hookRequest(patient(), eligibleResources(), { order: bloodCount() }))), false, 'a blood count only')
  t.equal(scan(bytes(hookRequest(patient(), eligibleResources(), { order: wgsOrder('local', { code: { coding: [{ system: 'urn:oid:1.2.208.176.2.4', code: 'BOQM0' }] } }) }))), true, 'a configured local code')
  t.equal(scan(bytes('{"code": "86206-0"}')), true, 'the code with whitespace around it')
  t.equal(scan(bytes('{"code":"\\u00386206-0"}')), true, 'the code spelled with an escape (\\u0038 is "8")')
  t.equal(scan(bytes('{"code":"58410-2","text":"bl\\u00e6r"}')), false, 'an escaped non-ASCII letter cannot spell a code')
  t.equal(scan(bytes('{"code":"86206-01"}')), false, 'a longer code is another code')
  // A set the scan cannot promise to read exactly: ICD-10 codes are normalised (DC920 → C92.0), prefixes roll up.
  const [icd] = compileValueSets([{ resourceType: 'ValueSet', url: 'urn:test:icd', compose: { include: [{ system: 'http://hl7.org/fhir/sid/icd-10', concept: [{ code: 'C92.0' }] }] } } as never]).values()
  t.equal(wgsOrderScan(icd!, new Set()), undefined, 'no scan for a set whose codes are normalised: every call then goes the full way')
  t.equal(wgsOrderScan(orderValueSet, new Set(['urn:x|A B'])), undefined, 'nor for a local code the scan cannot spell')
})

void t.test('such a call is parsed without its prefetch; any other is parsed whole', async (t) => {
  const codes = wgsOrderCodes(orderValueSet, new Set())!
  const ctx = { validate: requestValidator() } as unknown as CallContext
  const parsed = (body: Json, withCodes = true): ReturnType<typeof parseRequest> => {
    const b = bytes(body)
    return parseRequest(ctx, b, inspectJson(b, MAX_JSON_DEPTH, withCodes ? codes : []))
  }
  const none = parsed(hookRequest(patient(), eligibleResources(), { order: bloodCount() }))
  if (!('request' in none)) throw new Error('a valid call')
  t.equal(none.prefetchUnread, true, 'no WGS order: the prefetch is not parsed')
  t.same(none.request.prefetch, {}, 'and the request carries an empty one')
  t.same(none.request.context, hookRequest(patient(), eligibleResources(), { order: bloodCount() }).context, 'the rest is parsed as sent')
  const wgs = parsed(hookRequest(patient(), eligibleResources()))
  t.equal('request' in wgs && wgs.prefetchUnread, false, 'a WGS order: parsed whole')
  const unsought = parsed(hookRequest(patient(), eligibleResources(), { order: bloodCount() }), false)
  t.equal('request' in unsought && unsought.prefetchUnread, false, 'codes not looked for: parsed whole')
})

void t.test('a call without a WGS order: {"cards":[]} from the event loop, no audit row, one log line; bad input still a 400', async (t) => {
  let log = ''
  const logStream = new Writable({ write (chunk: Buffer, _enc, done) { log += chunk.toString(); done() } })
  const store = new SqliteStore(':memory:')
  t.teardown(() => store.close())
  const app = await buildTestApp(t, { EVALUATION_THREADS: '1', LOG_LEVEL: 'info' }, { logStream, store })
  await app.evaluationPool!.ready()
  const pool = app.evaluationPool!
  let handed = 0
  const run = pool.run.bind(pool)
  pool.run = (...args) => { handed++; return run(...args) }
  const post = async (body: unknown): Promise<{ status: number, body: string }> => {
    const res = await app.inject({ method: 'POST', url: SERVICE_URL, headers: { 'content-type': 'application/json' }, payload: typeof body === 'string' ? body : JSON.stringify(body) })
    return { status: res.statusCode, body: res.body }
  }
  const onLoop = async (): Promise<number> => sampleValue((await app.inject({ method: 'GET', url: '/metrics' })).body, METRIC_NAMES.evaluatedOn, { on: 'event_loop' }) ?? 0

  const before = await onLoop()
  const none = hookRequest(patient(), eligibleResources(), { order: bloodCount(), hookInstance: 'a0a0a0a0-1b1b-4c2c-8d3d-4e4e4e4e4e4e' })
  const res = await post(none)
  t.equal(res.status, 200)
  t.equal(res.body, '{"cards":[]}', 'no cards')
  t.equal(handed, 0, 'not handed to the evaluation thread')
  t.equal(await onLoop() - before, 1, `counted in ${METRIC_NAMES.evaluatedOn}{on="event_loop"}`)
  t.same(await store.evaluationsFor(none.hookInstance as string), [], 'no audit row')
  const lines = log.split('\n').filter((l) => l.includes(none.hookInstance as string))
  t.equal(lines.length, 1, 'one log line')
  t.match(lines[0], /"msg":"hook evaluated"/)
  t.match(lines[0], /"orders":0/)
  t.match(lines[0], /"statusCode":200/)

  // Bad input is refused as before: the validation is the full one.
  const badInstance = { ...none, hookInstance: 'not-a-uuid' }
  let r = await post(badInstance)
  t.equal(r.status, 400, 'a hookInstance that is not a uuid')
  t.match(JSON.parse(r.body), { resourceType: 'OperationOutcome' })
  r = await post({ ...none, context: { ...(none.context as Json), patientId: undefined } })
  t.equal(r.status, 400, 'no patientId')
  r = await post({ ...none, hook: 'patient-view' })
  t.equal(r.status, 400, 'a hook the service does not serve')
  t.match(JSON.parse(r.body), { resourceType: 'OperationOutcome' })
  r = await post('{"hook":"order-select",')
  t.equal(r.status, 400, 'not JSON')
  r = await post({ ...none, prefetch: { patient: 42 } })
  t.equal(r.status, 400, 'a prefetch value that is no resource')
  t.equal(handed, 0, 'none of them went to the thread')

  // The prefetch of such a call is checked on its bytes and not parsed (hooks/json-outline.ts): every
  // fault in it still gets the answer a WGS call with the same fault gets (the full parse and ajv).
  const wgsTwin = hookRequest(patient(), eligibleResources(), { hookInstance: none.hookInstance as string })
  const sameAnswer = async (fault: (text: string) => string, what: string, status = 400): Promise<void> => {
    const a = await post(fault(JSON.stringify(none)))
    const b = await post(fault(JSON.stringify(wgsTwin)))
    t.equal(a.status, status, `${what}: ${status}`)
    if (status === 400) t.equal(a.body, b.body, `${what}: the same OperationOutcome as a WGS call with it`)
  }
  await sameAnswer((s) => s.replace('"prefetch":{', '"prefetch":{"broken":{"resourceType":"Bundle",},'), 'a trailing comma inside the prefetch')
  await sameAnswer((s) => s.replace('"prefetch":{', '"prefetch":{"broken":{"n":01},'), 'a number with a leading zero inside the prefetch')
  await sameAnswer((s) => s.replace('"prefetch":{', '"prefetch":{"broken":{"t":"a\tb"},'), 'a raw tab inside a prefetch string')
  await sameAnswer((s) => s.replace('"prefetch":{', `"prefetch":{${Array.from({ length: 51 }, (_, i) => `"k${i}":null`).join(',')},`), 'more prefetch keys than the schema allows')
  await sameAnswer((s) => s.replace('"prefetch":{', '"prefetch":{"broken":"text",'), 'a prefetch member that is a string')
  await sameAnswer((s) => s.replace('"prefetch":{', '"prefetch":{"broken":{"__proto__":{}},'), 'a prototype-poisoning key inside the prefetch')
  await sameAnswer((s) => s.replace(/"prefetch":\{.*\}\}$/, '"prefetch":[]}'), 'a prefetch that is an array')
  await sameAnswer((s) => s.replace('"prefetch":{', '"prefetch":{"big":{"value":1e309},'), 'a number beyond a double inside the prefetch', 200)
  t.equal((await post(JSON.stringify(none).replace('"prefetch":{', '"prefetch":{"more":null,'))).body, '{"cards":[]}', 'a valid prefetch member more: no cards')
  handed = 0

  // A body that may hold a WGS order goes to the thread and is evaluated and recorded.
  const wgs = hookRequest(patient(), eligibleResources(), { hookInstance: 'b1b1b1b1-2c2c-4d3d-8e4e-5f5f5f5f5f5f' })
  r = await post(wgs)
  t.equal(r.status, 200)
  t.ok((JSON.parse(r.body) as { cards: unknown[] }).cards.length > 0, 'a WGS order: cards')
  t.equal(handed, 1, 'evaluated on the thread')
  t.equal((await store.evaluationsFor(wgs.hookInstance as string)).length, 1, 'and recorded')
  // A WGS order spelled with an escape: the scan says "maybe", and the thread evaluates it.
  const escaped = JSON.stringify(hookRequest(patient(), eligibleResources(), { hookInstance: 'c2c2c2c2-3d3d-4e4e-8f5f-6a6a6a6a6a6a' })).replace('"86206-0"', '"\\u00386206-0"')
  r = await post(escaped)
  t.ok((JSON.parse(r.body) as { cards: unknown[] }).cards.length > 0, 'an escaped WGS order code: cards')
  t.equal(handed, 2, 'evaluated on the thread')
  // A WGS order not selected (order-select): no cards either way.
  const notSelected = hookRequest(patient(), eligibleResources())
  ;(notSelected.context as Json).selections = ['ServiceRequest/something-else']
  t.equal((await post(notSelected)).body, '{"cards":[]}', 'a WGS order not selected: no cards')
})
