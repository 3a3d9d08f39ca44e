/**
 * Threat: a verdict from a number that is not one. JSON has no Infinity, but
 * `1e309` (or 309 digits) parses to it, and ajv takes it as an integer: an
 * "infinitely high" platelet count made "no normal platelet count" not met,
 * `-1e309` made it met. A non-finite number is invalid data: it is removed
 * when the body is parsed, an Observation's value becomes FHIR's own marker
 * for it (dataAbsentReason `positive-infinity` / `negative-infinity`,
 * http://terminology.hl7.org/CodeSystem/data-absent-reason), and the
 * criteria that read it are `unknown` — never met, never not met. A large finite number (1e308) is still a number.
 */
import t from 'tap'
import { readFileSync } from 'node:fs'
import { buildTestApp, resultFor, SERVICE_URL } from '../helpers/app.js'
import { inspectJson, removeNonFiniteNumbers } from '../../src/hooks/json-limits.js'
import { NON_FINITE } from '../../src/core/evaluate.js'
import type { Json } from '../helpers/fhir-builders.js'

const app = await buildTestApp(t)
const CRITERION = 'no-normal-platelet-count'

/** The README's example patient with every platelet count's value written as `literal`. */
function withPlatelets (literal: string): string {
  const call = JSON.parse(readFileSync(new URL('../../examples/order-select-inherited-thrombocytopenia.json', import.meta.url), 'utf8')) as Json
  call.hookInstance = crypto.randomUUID()
  for (const e of call.prefetch.observations.entry) {
    if (e.resource.code.coding[0].code === 'NPU03568') e.resource.valueQuantity.value = '__VALUE__'
  }
  return JSON.stringify(call).replaceAll('"__VALUE__"', literal)
}

async function criterion (literal: string): Promise<{ status?: string, evidence: Array<Record<string, string>>, reason?: string }> {
  const res = await app.inject({ method: 'POST', url: SERVICE_URL, payload: withPlatelets(literal), headers: { 'content-type': 'application/json' } })
  if (res.statusCode !== 200) throw new Error(`${literal.slice(0, 20)}: HTTP ${res.statusCode} ${res.body.slice(0, 200)}`)
  const c = resultFor(res.json(), 'inherited-thrombocytopenia')?.criteria.find((x) => x.id === CRITERION)
  return { status: c?.status, evidence: (c?.evidence ?? []) as any, ...(c?.reason ? { reason: c.reason } : {}) }
}

void t.test('finite values still decide', async (t) => {
  t.equal((await criterion('88')).status, 'met', 'low counts: met')
  t.equal((await criterion('88')).reason, undefined, 'no unreadable-value reason on a finite value')
  t.equal((await criterion('1e308')).status, 'not-met', '1e308 is a (very high) number: not met')
})

const POSITIVE = 'Positive Infinity (PINF)'
const NEGATIVE = 'Negative Infinity (NINF)'
for (const [literal, display] of [['1e309', POSITIVE], ['1E400', POSITIVE], ['1.5e+999', POSITIVE], [`1${'0'.repeat(400)}`, POSITIVE], ['-1e309', NEGATIVE]] as const) {
  void t.test(`${literal.length > 20 ? `${literal.slice(0, 8)}… (${literal.length} digits)` : literal} is invalid data: unknown, with the reason`, async (t) => {
    const c = await criterion(literal)
    t.equal(c.status, 'unknown', 'neither met nor not met')
    t.equal(c.reason, NON_FINITE, `the reason says why: '${NON_FINITE}'`)
    t.notOk(JSON.stringify(c.evidence).includes('Infinity'), `no infinite count shown as a value (the record carries dataAbsentReason '${display}')`)
  })
}

void t.test('the byte scan finds every literal that may overflow, and only those decide a walk', async (t) => {
  const scan = (text: string): boolean => inspectJson(Buffer.from(text)).mayOverflow
  t.notOk(scan('{"a":true,"b":false,"c":123.5,"d":"1e309"}'), 'true/false, plain numbers and strings: no walk')
  t.ok(scan('{"a":1e309}'))
  t.ok(scan('{"a":2.5E-3}'), 'any exponent is looked at')
  t.ok(scan(`[${'9'.repeat(309)}]`), '309 digits')
  const body = JSON.parse(`{"resourceType":"Observation","valueQuantity":{"value":1e309,"unit":"g"},"component":[{"valueInteger":-1e999}],"x":[1e309,2],"y":{"z":1e309}}`)
  t.equal(removeNonFiniteNumbers(body), 4)
  t.same(body, {
    resourceType: 'Observation',
    component: [{ dataAbsentReason: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/data-absent-reason', code: 'negative-infinity', display: 'Negative Infinity (NINF)' }], text: 'Negative Infinity (NINF)' } }],
    x: [null, 2],
    y: {},
    dataAbsentReason: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/data-absent-reason', code: 'positive-infinity', display: 'Positive Infinity (PINF)' }], text: 'Positive Infinity (PINF)' }
  })
})
