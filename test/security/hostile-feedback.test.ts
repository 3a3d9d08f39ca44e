/**
 * Hostile requests to the FEEDBACK endpoint (fast-check), the sibling of
 * hostile-requests.test.ts (hook endpoint): at least 10,000 generated
 * requests — invalid JSON, wrong types, missing and extra fields, huge
 * strings and arrays, deep nesting, __proto__/constructor keys, invalid and
 * odd RFC 3339 timestamps, unknown and malformed card uuids, non-UTF-8 bytes —
 * mixed with well-formed feedback on cards a real hook call issued.
 * Expected: 200 `{}` for well-formed feedback on a known card, 404 with an
 * OperationOutcome naming the item for an unknown card, 4xx with an
 * OperationOutcome for anything malformed; never a 5xx, never a hang, no
 * prototype pollution, memory bounded, and nothing stored from a refused request.
 *
 * Then the timestamps RFC 3339 allows but a date library or PostgreSQL cannot
 * hold, against every store (SQLite; PostgreSQL when TEST_DATABASE_URL is set).
 */
import t from 'tap'
import fc from 'fast-check'
import { retainedHeap } from '../helpers/heap.js'
import { buildTestApp, SERVICE_URL } from '../helpers/app.js'
import { attestation, condition, hookRequest, patient, plateletCount, type Json } from '../helpers/fhir-builders.js'
import { PATIENT_KEY_SECRET } from '../helpers/jwt.js'
import { reportPostgresCoverage, storeKinds } from '../helpers/stores.js'
import { SqliteStore } from '../../src/store/sqlite-store.js'

const RUNS = Number(process.env.FUZZ_RUNS ?? 10_000)
const FEEDBACK_URL = `${SERVICE_URL}/feedback`
/** One of the override reasons the cards offer (feedback may name no other: test/routes/feedback.test.ts). */
const REASON = { code: 'clinical-judgement', system: 'https://ngc-wgs-cds.dk/fhir/CodeSystem/wgs-override-reason', display: 'Klinisk vurdering' }

/** Timestamps: valid, odd but valid, and ones the schema or the date check must refuse. */
const timestamps = fc.oneof(
  fc.date({ min: new Date('1900-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }).map((d) => d.toISOString()),
  fc.constantFrom('2026-11-22T10:00:00Z', '2026-11-22T11:00:00+01:00', '2026-11-22t10:00:00z', '2026-11-22T10:00:00.123456789Z',
    '2026-11-22T23:59:60Z', '2016-12-31T23:59:60Z', '0000-01-01T00:00:00Z', '9999-12-31T23:59:59-23:59', '2026-02-30T10:00:00Z',
    '2026-13-01T00:00:00Z', '2026-11-22', 'yesterday', '', '2026-11-22T10:00:00', '+275760-09-13T00:00:00Z', '1970-01-01T00:00:00Z')
)

const hostile = fc.oneof(
  fc.string({ maxLength: 20 }), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.constant(''),
  fc.constant('x'.repeat(20_000)), fc.array(fc.integer(), { maxLength: 5 }), fc.constant(Array.from({ length: 5000 }, (_, i) => ({ id: String(i) }))),
  fc.constant(JSON.parse('{"__proto__": {"polluted": true}}')), fc.constant({ constructor: { prototype: { polluted: true } } }),
  fc.jsonValue({ maxDepth: 3 })
)

function deep (depth: number): unknown {
  let v: unknown = 1
  for (let i = 0; i < depth; i++) v = i % 2 === 0 ? { a: v } : [v]
  return v
}

function setPath (obj: Json, path: Array<string | number>, value: unknown): Json {
  const copy = structuredClone(obj)
  let node: any = copy
  for (const key of path.slice(0, -1)) {
    if (typeof node[key] !== 'object' || node[key] === null) node[key] = {}
    node = node[key]
  }
  const last = path[path.length - 1]!
  if (value === undefined) delete node[last]
  else Object.defineProperty(node, last, { value, enumerable: true, writable: true, configurable: true })
  return copy
}

const PATHS: Array<Array<string | number>> = [
  ['feedback'], ['feedback', 0], ['feedback', 0, 'card'], ['feedback', 0, 'outcome'], ['feedback', 0, 'acceptedSuggestions'],
  ['feedback', 0, 'acceptedSuggestions', 0, 'id'], ['feedback', 0, 'overrideReason'], ['feedback', 0, 'overrideReason', 'reason'],
  ['feedback', 0, 'overrideReason', 'reason', 'code'], ['feedback', 0, 'overrideReason', 'userComment'], ['feedback', 0, 'outcomeTimestamp'],
  ['feedback', 0, 'extension'], ['extension'], ['__proto__'], ['constructor'], ['feedback', 0, '__proto__']
]

type Body = { kind: 'json', value: unknown } | { kind: 'raw', value: Buffer | string }

void t.test(`${RUNS} hostile feedback requests: never a 5xx, a crash or a hang`, async (t) => {
  const store = new SqliteStore(':memory:')
  t.teardown(() => store.close())
  const app = await buildTestApp(t, { PATIENT_KEY_SECRET }, { store })
  // Cards to give feedback on: issued by a real hook call, so they are in the store.
  const hook = await app.inject({ method: 'POST', url: SERVICE_URL, payload: hookRequest(patient(), [condition('DD694'), plateletCount(90, '2020-01-01'), attestation('lifelong-course')]) })
  t.equal(hook.statusCode, 200)
  const cards = (hook.json().cards as Array<{ uuid: string }>).map((c) => c.uuid)
  t.ok(cards.length > 0, `${cards.length} cards issued`)
  const knownCard = fc.constantFrom(...cards)
  const anyCard = fc.oneof(knownCard, fc.uuid(), fc.string({ maxLength: 120 }), fc.constant(`${cards[0]!}' OR '1'='1`), fc.constant(cards[0]!.toUpperCase()))

  const item = fc.oneof(
    fc.record({ card: knownCard, outcome: fc.constant('accepted'), acceptedSuggestions: fc.array(fc.record({ id: fc.uuid() }), { maxLength: 3 }), outcomeTimestamp: timestamps }),
    fc.record({ card: knownCard, outcome: fc.constant('overridden'), overrideReason: fc.record({ reason: fc.constant(REASON), userComment: fc.string({ maxLength: 200 }) }, { requiredKeys: [] }), outcomeTimestamp: timestamps }),
    fc.record({ card: anyCard, outcome: fc.constantFrom('accepted', 'overridden', 'ignored'), acceptedSuggestions: fc.array(fc.record({ id: fc.string({ maxLength: 10 }) }), { maxLength: 2 }), outcomeTimestamp: timestamps })
  )
  const wellFormed = fc.array(item, { minLength: 1, maxLength: 4 }).map((feedback) => ({ feedback }))
  const valid = (): Json => ({ feedback: [{ card: cards[0]!, outcome: 'overridden', overrideReason: { reason: REASON }, outcomeTimestamp: '2026-11-22T10:00:00Z' }] })

  const requests: fc.Arbitrary<Body> = fc.oneof(
    { weight: 4, arbitrary: wellFormed.map((value) => ({ kind: 'json' as const, value })) },
    { weight: 3, arbitrary: fc.tuple(fc.constantFrom(...PATHS), hostile).map(([p, v]) => ({ kind: 'json' as const, value: setPath(valid(), p, v) })) },
    { weight: 2, arbitrary: fc.constantFrom(...PATHS).map((p) => ({ kind: 'json' as const, value: setPath(valid(), p, undefined) })) },
    { weight: 1, arbitrary: fc.integer({ min: 90, max: 400 }).map((n) => ({ kind: 'json' as const, value: { feedback: Array.from({ length: n }, () => valid().feedback[0]) } })) },
    { weight: 1, arbitrary: fc.integer({ min: 20, max: 400 }).map((d) => ({ kind: 'json' as const, value: setPath(valid(), ['feedback', 0, 'extension'], deep(d)) })) },
    { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 5 }).map((value) => ({ kind: 'json' as const, value })) },
    { weight: 1, arbitrary: fc.uint8Array({ minLength: 1, maxLength: 300 }).map((bytes) => ({ kind: 'raw' as const, value: Buffer.concat([Buffer.from(`{"feedback":[{"card":"${cards[0]!}","outcome":"accepted","acceptedSuggestions":[],"outcomeTimestamp":"`), Buffer.from(bytes), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('"}]}')]) })) },
    { weight: 1, arbitrary: fc.string({ maxLength: 200 }).map((s) => ({ kind: 'raw' as const, value: s })) }
  )

  const before = retainedHeap()
  const statuses = new Map<number, number>()
  let count = 0
  let stored = 0
  await fc.assert(fc.asyncProperty(requests, async (body) => {
    count++
    const payload = body.kind === 'json' ? JSON.stringify(body.value) ?? 'null' : body.value
    // The hang guard's timer is cleared at once: left running, it would keep each response alive for 5 s.
    let guard: NodeJS.Timeout | undefined
    const res = await Promise.race([
      app.inject({ method: 'POST', url: FEEDBACK_URL, headers: { 'content-type': 'application/json' }, payload }),
      new Promise<never>((_resolve, reject) => { guard = setTimeout(() => reject(new Error('hang: no answer within 5 s')), 5000) })
    ]).finally(() => { clearTimeout(guard) })
    statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1)
    if (res.statusCode >= 500) throw new Error(`HTTP ${res.statusCode} ${res.body.slice(0, 200)} for ${String(payload).slice(0, 300)}`)
    const json = res.json()
    if (res.statusCode === 200) {
      if (JSON.stringify(json) !== '{}') throw new Error('200 without {}')
      stored += (body.value as { feedback: unknown[] }).feedback.length
    } else {
      if (res.statusCode < 400) throw new Error(`HTTP ${res.statusCode}`)
      if (json.resourceType !== 'OperationOutcome' || !json.issue?.[0]?.diagnostics) throw new Error(`HTTP ${res.statusCode} without an OperationOutcome`)
      if (res.statusCode === 404 && !/^feedback\[\d+\]\.card$/.test(String(json.issue[0].expression?.[0]))) throw new Error('404 without the item named')
    }
    if (({} as any).polluted !== undefined) throw new Error('prototype pollution')
  }), { numRuns: RUNS, verbose: false })

  t.ok(count >= RUNS, `${count} requests sent`)
  t.ok((statuses.get(200) ?? 0) > RUNS / 20, `well-formed feedback answered 200 (${statuses.get(200) ?? 0})`)
  t.ok((statuses.get(404) ?? 0) > 0, `feedback on unknown cards answered 404 (${statuses.get(404) ?? 0})`)
  t.ok((statuses.get(400) ?? 0) > RUNS / 10, `malformed requests answered 400 (${JSON.stringify(Object.fromEntries(statuses))})`)
  const rows = (await Promise.all(cards.map(async (c) => (await store.feedbackFor(c)).length))).reduce((a, b) => a + b, 0)
  t.equal(rows, stored, `exactly the items of the accepted requests were stored (${rows}); nothing of a refused one`)
  const grown = (retainedHeap() - before) / 1e6
  t.ok(grown < 32, `retained heap (after full GC) grew ${grown.toFixed(1)} MB over ${count} requests (bounded)`)
})

for (const kind of storeKinds()) {
  void t.test(`${kind.name}: timestamps valid in RFC 3339 but not representable are a 400, never a 5xx`, async (t) => {
    const store = await kind.open(t)
    const app = await buildTestApp(t, { PATIENT_KEY_SECRET }, { store })
    const hook = await app.inject({ method: 'POST', url: SERVICE_URL, payload: hookRequest(patient(), [condition('DD694')]) })
    const card = (hook.json().cards as Array<{ uuid: string }>)[0]!.uuid
    const send = async (outcomeTimestamp: string): Promise<{ statusCode: number, json: () => any }> =>
      await app.inject({ method: 'POST', url: FEEDBACK_URL, payload: { feedback: [{ card, outcome: 'overridden', overrideReason: { reason: REASON }, outcomeTimestamp }] } })
    for (const ts of ['2026-11-22T23:59:60Z', '2016-12-31T23:59:60+00:00', '0000-01-01T00:00:00Z', '9999-12-31T23:59:59-23:59']) {
      const res = await send(ts)
      t.equal(res.statusCode, 400, `${ts}: 400`)
      t.same(res.json().issue[0].expression, ['feedback[0].outcomeTimestamp'], `${ts}: the field is named`)
    }
    for (const ts of ['2026-11-22t10:00:00z', '0001-01-01T00:00:00Z', '9999-12-31T23:59:59Z', '2026-11-22T10:00:00.123456789+14:00']) {
      t.equal((await send(ts)).statusCode, 200, `${ts}: stored`)
    }
    const rows = await store.feedbackFor(card)
    t.equal(rows.length, 4, 'only the representable ones were stored')
    t.same(rows.map((r) => new Date(r.outcomeTimestamp).toISOString()).sort(), ['0001-01-01T00:00:00.000Z', '2026-11-21T20:00:00.123Z', '2026-11-22T10:00:00.000Z', '9999-12-31T23:59:59.000Z'], 'stored as UTC instants')
  })
}

void t.test('postgres', async (t) => { reportPostgresCoverage(t) })
