/**
 * Threat: a 500 (or a thread lost) from one small request. A deeply nested
 * field in a draft order is copied into the eligible card's suggestion, and
 * serialising the answer overflowed the stack in JSON.stringify from about
 * 5,000 levels (≈ 14 KB of `[[[[…`) on the event loop. Nesting deeper than
 * the limit is refused when the body is parsed, with a 400 OperationOutcome
 * that names the limit — on the hook endpoint and on feedback alike — while
 * a real FHIR record (a dozen levels) is untouched.
 */
import t from 'tap'
import { readFileSync } from 'node:fs'
import { buildTestApp, resultFor, SERVICE_URL } from '../helpers/app.js'
import { attestation, type Json } from '../helpers/fhir-builders.js'
import { MAX_JSON_DEPTH } from '../../src/hooks/json-limits.js'

const app = await buildTestApp(t)

/** The README's example patient, made eligible (informed), with `nested` put into the draft order. */
function eligibleCall (nested?: unknown): Json {
  const call = JSON.parse(readFileSync(new URL('../../examples/order-select-inherited-thrombocytopenia.json', import.meta.url), 'utf8')) as Json
  call.hookInstance = crypto.randomUUID()
  call.prefetch.observations.entry.push({ resource: attestation('patient-informed') })
  if (nested !== undefined) call.context.draftOrders.entry[0].resource.note = [{ text: 'x', extension: nested }]
  return call
}

/** `[[[…1…]]]` / `{"a":{"a":…}}`, `depth` levels. */
const nestedText = (depth: number, open = '[', close = ']'): string => `${open.repeat(depth)}1${close.repeat(depth)}`
const objectsText = (depth: number): string => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`

const post = async (body: string, url = SERVICE_URL): Promise<{ status: number, body: any }> => {
  const res = await app.inject({ method: 'POST', url, payload: body, headers: { 'content-type': 'application/json' } })
  return { status: res.statusCode, body: res.json() }
}

void t.test('the example is eligible, so its draft order is copied into a suggestion', async (t) => {
  const res = await post(JSON.stringify(eligibleCall()))
  t.equal(res.status, 200)
  t.equal(resultFor(res.body, 'inherited-thrombocytopenia')?.status, 'eligible')
  t.ok(res.body.cards.some((c: any) => c.suggestions?.length), 'a suggestion')
})

void t.test('nesting within the limit is served, nesting beyond it is a 400 naming the limit', async (t) => {
  const within = eligibleCall(JSON.parse(nestedText(MAX_JSON_DEPTH - 20)))
  t.equal((await post(JSON.stringify(within))).status, 200, `${MAX_JSON_DEPTH - 20} levels inside the order: 200`)
  for (const [name, text] of [
    ['arrays, 5,000 levels (≈ 10 KB)', nestedText(5_000)],
    ['arrays, 20,000 levels', nestedText(20_000)],
    ['objects, 5,000 levels', objectsText(5_000)],
    ['just past the limit', nestedText(MAX_JSON_DEPTH)]
  ] as const) {
    const body = JSON.stringify(eligibleCall(0)).replace('"extension":0', `"extension":${text}`)
    const res = await post(body)
    t.equal(res.status, 400, `${name}: 400`)
    t.equal(res.body.resourceType, 'OperationOutcome', `${name}: an OperationOutcome`)
    t.match(res.body.issue?.[0]?.diagnostics, new RegExp(`nested deeper than ${MAX_JSON_DEPTH} levels`), `${name}: names the limit`)
  }
})

void t.test('brackets inside strings are text, not nesting', async (t) => {
  const call = eligibleCall()
  call.context.draftOrders.entry[0].resource.note = [{ text: `${'['.repeat(10_000)}"\\${'{'.repeat(10_000)}` }]
  t.equal((await post(JSON.stringify(call))).status, 200)
})

void t.test('feedback bodies have the same limit', async (t) => {
  const res = await post(`{"feedback":[{"card":"x","outcome":"accepted","outcomeTimestamp":"2026-11-22T10:00:00Z","acceptedSuggestions":${nestedText(10_000)}}]}`, `${SERVICE_URL}/feedback`)
  t.equal(res.status, 400)
  t.match(res.body.issue?.[0]?.diagnostics, new RegExp(`nested deeper than ${MAX_JSON_DEPTH} levels`))
})
