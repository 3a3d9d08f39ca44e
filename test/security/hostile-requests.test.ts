/**
 * Hostile requests (fast-check): at least 10,000 generated requests to the
 * hook endpoint — invalid JSON, wrong types, missing and extra fields, huge
 * strings and arrays, deep nesting, __proto__/constructor keys, invalid dates
 * and quantities, unknown codes, resources of the wrong type in prefetch keys,
 * inconsistent references, non-UTF-8 bytes. Expected: a 4xx with an
 * OperationOutcome for malformed requests, a 200 with cards for well-formed
 * ones; never a 5xx, never a hang, memory bounded.
 */
import t from 'tap'
import fc from 'fast-check'
import { retainedHeap } from '../helpers/heap.js'
import { buildTestApp, SERVICE_URL } from '../helpers/app.js'
import { attestation, condition, hookRequest, patient, plateletCount, quantityObservation, SYSTEMS, type Json } from '../helpers/fhir-builders.js'

const RUNS = Number(process.env.FUZZ_RUNS ?? 10_000)

const base = (): Json => hookRequest(patient(), [condition('DD694'), plateletCount(90, '2020-01-01'), attestation('lifelong-course')])

const hostileScalar = fc.oneof(
  fc.string({ maxLength: 20 }), fc.integer(), fc.double(), fc.boolean(), fc.constant(null),
  fc.constant(''), fc.constant('x'.repeat(20_000)), fc.array(fc.integer(), { maxLength: 5 }),
  fc.constant({ __proto__: { polluted: true } }), fc.constant(JSON.parse('{"__proto__": {"polluted": true}}')),
  fc.constant({ constructor: { prototype: { polluted: true } } }), fc.constant('2026-13-45'), fc.constant('not-a-date'),
  fc.constant(Array.from({ length: 5000 }, (_, i) => i))
)

/** A path into the request and a value to put there. */
const paths = [
  ['hook'], ['hookInstance'], ['context'], ['context', 'patientId'], ['context', 'userId'], ['context', 'selections'],
  ['context', 'draftOrders'], ['context', 'draftOrders', 'entry'], ['prefetch'], ['prefetch', 'patient'], ['prefetch', 'conditions'],
  ['prefetch', 'observations'], ['prefetch', 'patient', 'birthDate'], ['prefetch', 'patient', 'gender'], ['fhirServer'], ['extension'], ['__proto__'], ['constructor']
]

function setPath (obj: Json, path: string[], value: unknown): Json {
  const copy = structuredClone(obj)
  let node: any = copy
  for (const key of path.slice(0, -1)) {
    if (typeof node[key] !== 'object' || node[key] === null) node[key] = {}
    node = node[key]
  }
  Object.defineProperty(node, path[path.length - 1]!, { value, enumerable: true, writable: true, configurable: true })
  return copy
}

function deep (depth: number): unknown {
  let v: unknown = 1
  for (let i = 0; i < depth; i++) v = i % 2 === 0 ? { a: v } : [v]
  return v
}

/** Clinically bad data inside a well-formed request. */
const badClinicalData = fc.oneof(
  fc.constant(quantityObservation(SYSTEMS.npu, 'NPU03568', Number.NaN, '10*9/L', '2020-01-01')),
  fc.constant(quantityObservation(SYSTEMS.npu, 'NPU03568', 100, 'furlongs', 'yesterday')),
  fc.constant({ resourceType: 'Observation', status: 'final', code: { coding: [{ system: SYSTEMS.npu, code: 'NPU03568' }] }, valueQuantity: { value: '100' } }),
  fc.constant(condition('DZZ999X')),
  fc.constant(condition('DD694', { onsetDateTime: '2026-02-30', subject: { reference: 'Patient/someone-else' } })),
  fc.constant({ resourceType: 'Condition', code: 'D69.4' }),
  fc.constant({ resourceType: 'Patient', id: 'pt-1' }),
  fc.constant({ resourceType: 'Bundle', entry: [{ resource: { resourceType: 'Bundle', entry: 'x' } }] }),
  fc.constant({ resourceType: 42 }),
  fc.constant(deep(50)),
  fc.string({ maxLength: 50 }).map((code) => condition('D69.4', { code: { coding: [{ system: SYSTEMS.icd10, code }] } })),
  fc.record({ resourceType: fc.constantFrom('Observation', 'Condition', 'Procedure', 'FamilyMemberHistory', 'MedicationStatement'), id: fc.string({ maxLength: 10 }), status: fc.string({ maxLength: 8 }), code: fc.jsonValue({ maxDepth: 3 }) })
)

type Body = { kind: 'json', value: unknown } | { kind: 'raw', value: Buffer | string }

const requests: fc.Arbitrary<Body> = fc.oneof(
  { weight: 3, arbitrary: fc.tuple(fc.constantFrom(...paths), hostileScalar).map(([p, v]) => ({ kind: 'json' as const, value: setPath(base(), p, v) })) },
  { weight: 2, arbitrary: fc.constantFrom(...paths).map((p) => { const b = base(); const copy = setPath(b, p, undefined); return { kind: 'json' as const, value: copy } }) },
  { weight: 3, arbitrary: fc.array(badClinicalData, { minLength: 1, maxLength: 6 }).chain((bad) => fc.constantFrom('conditions', 'observations', 'procedures', 'familyHistory', 'consents').map((key) => {
    const b = base()
    b.prefetch[key] = { resourceType: 'Bundle', type: 'searchset', entry: bad.map((resource) => ({ resource })) }
    return { kind: 'json' as const, value: b }
  })) },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 6 }).map((value) => ({ kind: 'json' as const, value })) },
  { weight: 1, arbitrary: fc.integer({ min: 20, max: 400 }).map((d) => ({ kind: 'json' as const, value: setPath(base(), ['extension'], deep(d)) })) },
  { weight: 1, arbitrary: fc.uint8Array({ minLength: 1, maxLength: 300 }).map((bytes) => ({ kind: 'raw' as const, value: Buffer.concat([Buffer.from('{"hook":"order-select","x":"'), Buffer.from(bytes), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('"}')]) })) },
  { weight: 1, arbitrary: fc.string({ maxLength: 200 }).map((s) => ({ kind: 'raw' as const, value: s })) }
)

void t.test(`${RUNS} hostile requests: never a 5xx, a crash or a hang`, async (t) => {
  const app = await buildTestApp(t)
  const before = retainedHeap()
  let count = 0
  const statuses = new Map<number, number>()
  await fc.assert(fc.asyncProperty(requests, async (body) => {
    count++
    const payload = body.kind === 'json' ? JSON.stringify(body.value) ?? 'null' : body.value
    // The hang guard's timer is cleared at once: left running, it would keep each response alive for 5 s.
    let guard: NodeJS.Timeout | undefined
    const res = await Promise.race([
      app.inject({ method: 'POST', url: SERVICE_URL, headers: { 'content-type': 'application/json' }, payload }),
      new Promise<never>((_resolve, reject) => { guard = setTimeout(() => reject(new Error('hang: no answer within 5 s')), 5000) })
    ]).finally(() => { clearTimeout(guard) })
    statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1)
    if (res.statusCode >= 500) throw new Error(`HTTP ${res.statusCode} for ${String(payload).slice(0, 300)}`)
    const json = res.json()
    if (res.statusCode === 200) {
      if (!Array.isArray(json.cards)) throw new Error('200 without cards')
    } else if (json.resourceType !== 'OperationOutcome' || !json.issue?.[0]?.diagnostics) {
      throw new Error(`HTTP ${res.statusCode} without an OperationOutcome`)
    }
    if (({} as any).polluted !== undefined) throw new Error('prototype pollution')
  }), { numRuns: RUNS, verbose: false })
  t.equal(count >= RUNS, true, `${count} requests sent`)
  t.ok((statuses.get(200) ?? 0) > RUNS / 10, `well-formed requests answered 200 (${statuses.get(200) ?? 0})`)
  t.ok([...statuses.keys()].some((s) => s >= 400 && s < 500), `malformed requests answered 4xx (${JSON.stringify(Object.fromEntries(statuses))})`)
  const grown = (retainedHeap() - before) / 1e6
  t.ok(grown < 32, `retained heap (after full GC) grew ${grown.toFixed(1)} MB over ${count} requests (bounded)`)
})
