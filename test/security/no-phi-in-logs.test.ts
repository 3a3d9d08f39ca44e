/**
 * No patient data in logs: requests carrying a name, a CPR number, a birth
 * date, an address and an access token are processed with logging at debug
 * (successful calls, malformed calls, a 412, a FHIR fallback failure); the
 * captured log stream must contain none of them.
 */
import t from 'tap'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Writable } from 'node:stream'
import { buildTestApp, postHook, resultFor, SERVICE_URL, testRules } from '../helpers/app.js'
import { attestation, condition, hookRequest, orderingRole, patient, plateletCount, searchset, type Json } from '../helpers/fhir-builders.js'
import { clientKey, DISCOVERY_AUD, EHR_ISS, FEEDBACK_AUD, PATIENT_KEY_SECRET, PUBLIC_BASE_URL, SERVICE_AUD, token } from '../helpers/jwt.js'
import { loadDemoPatients } from '../../src/web/demo-patients.js'
import pino from 'pino'
import { censorNested, loggerOptions } from '../../src/http/logger.js'

const SECRETS = {
  name: 'Kirstine Sørensen-Ravnkilde',
  cpr: '0101904321',
  birthDate: '1990-01-01',
  address: 'Frederiksborggade 17',
  token: 'eyJhbGciOiJSUzM4NCJ9.secret-access-token.sig'
}

function capture (): { stream: Writable, text: () => string } {
  const chunks: string[] = []
  return { stream: new Writable({ write (chunk, _enc, cb) { chunks.push(String(chunk)); cb() } }), text: () => chunks.join('') }
}

void t.test('logs at debug level carry no patient data and no token', async (t) => {
  const log = capture()
  const app = await buildTestApp(t, { LOG_LEVEL: 'debug', FHIR_SERVER_ALLOWLIST: 'http://127.0.0.1:9/fhir' }, { logStream: log.stream })
  const pt = patient({
    birthDate: SECRETS.birthDate,
    name: [{ text: SECRETS.name }],
    identifier: [{ system: 'urn:oid:1.2.208.176.1.2', value: SECRETS.cpr }],
    address: [{ line: [SECRETS.address], city: 'København' }]
  })
  const resources = [condition('DD694'), plateletCount(90, '2020-01-01'), plateletCount(95, '2021-01-01'), attestation('lifelong-course'), ...orderingRole('Afdeling for Blodsygdomme, Rigshospitalet')]
  const withToken = (r: any): any => ({ ...r, fhirServer: 'http://127.0.0.1:9/fhir', fhirAuthorization: { access_token: SECRETS.token, token_type: 'Bearer', expires_in: 60, scope: 'patient/*.read', subject: 'wgs' } })

  t.equal((await postHook(app, withToken(hookRequest(pt, resources)))).status, 200, 'a full call')
  t.equal((await postHook(app, withToken(hookRequest(pt, resources, { omit: ['observations'] })))).status, 200, 'a call whose fallback fails (nothing listens on port 9)')
  t.equal((await postHook(app, withToken(hookRequest(pt, resources, { omit: ['patient'] })))).status, 412, 'a 412')
  const bad = { ...withToken(hookRequest(pt, resources)), hookInstance: SECRETS.name }
  t.equal((await postHook(app, bad)).status, 400, 'a malformed call echoing a name in a bad field')
  await app.inject({ method: 'POST', url: SERVICE_URL, headers: { 'content-type': 'application/json', authorization: `Bearer ${SECRETS.token}` }, payload: `{"prefetch": {"patient": {"name": "${SECRETS.name}"` })

  const text = log.text()
  t.ok(text.length > 500, `log captured (${text.length} characters)`)
  t.match(text, /hook evaluated/, 'the evaluation was logged')
  // One line per request (src/http/logger.ts): a hook call's is "hook evaluated", with its status.
  const completed = text.split('\n').filter((l) => l.includes('"statusCode":200') && l.includes('"route":"/cds-services/:id"'))
  t.ok(completed.length > 0 && completed.every((l) => l.includes('"hook evaluated"') && /"hookInstance":"[0-9a-f-]{36}"/.test(l)), 'hookInstance on every line of a valid hook call, as the request id')
  for (const [what, value] of Object.entries(SECRETS)) {
    t.notOk(text.includes(value), `no ${what} in the log`)
  }
  t.notOk(text.includes('Sørensen'), 'no part of the name')
})

/*
 * Every scenario: the 34 bundled synthetic patients (every indication and
 * outcome, examples/patients/playground-*.json) with patient data added —
 * a name on the Patient and on every reference to it, a CPR identifier
 * (urn:oid:1.2.208.176.1.2, synthetic 10-digit), an address, a phone number,
 * and a note naming the patient — sent through order-select and order-sign
 * with full prefetch, through a FHIR fallback that succeeds and one that fails
 * (the failing server echoes the patient data and the token), without a
 * Patient (412); feedback on every card (accepted, overridden with a comment
 * naming the patient, unknown card, malformed); malformed requests carrying
 * patient data in values, keys, paths and query strings; and every JWT
 * failure path. Logging is at debug. Birth dates may appear in cards as
 * evidence, never in the log.
 */
const demo = loadDemoPatients()
const CPR_SYSTEM = 'urn:oid:1.2.208.176.1.2'
const letters = (i: number): string => String.fromCharCode(97 + (i % 26)) + String.fromCharCode(97 + Math.floor(i / 26))

interface Phi { family: string, given: string, cpr: string, cprDash: string, birthDate: string, address: string, phone: string }

/** Add identifying data to a playground bundle's patient and to every resource that refers to it. */
function withPhi (bundle: Json, i: number): { bundle: Json, phi: Phi } {
  const copy = structuredClone(bundle)
  const resources = (copy.entry as Array<{ resource: Json }>).map((e) => e.resource)
  const pt = resources.find((r) => r.resourceType === 'Patient')!
  const [y, m, d] = String(pt.birthDate ?? '1970-01-01').split('-') as [string, string, string]
  const serial = String(4100 + i)
  const phi: Phi = {
    family: `Ørnsholtgaard${letters(i)}`,
    given: `Kirstinemarie${letters(i)}`,
    cpr: `${d}${m}${y.slice(2)}${serial}`,
    cprDash: `${d}${m}${y.slice(2)}-${serial}`,
    birthDate: String(pt.birthDate),
    address: `Frederiksborggade ${17 + i}, 3. tv`,
    phone: `+45 61 ${String(100000 + i).slice(0, 2)} ${String(100000 + i).slice(2)}`
  }
  const fullName = `${phi.given} ${phi.family}`
  pt.name = [...(Array.isArray(pt.name) ? pt.name : []), { use: 'official', family: phi.family, given: [phi.given], text: fullName }]
  pt.identifier = [{ system: CPR_SYSTEM, value: phi.cpr }]
  pt.address = [{ line: [phi.address], city: 'København K', postalCode: '1360', country: 'DK' }]
  pt.telecom = [{ system: 'phone', value: phi.phone }]
  for (const r of resources) {
    for (const field of ['subject', 'patient']) if (r[field]?.reference) r[field].display = fullName
    if (r.resourceType !== 'Patient' && r.resourceType !== 'Organization' && r.resourceType !== 'PractitionerRole') r.note = [{ text: `${fullName}, CPR ${phi.cprDash}, ${phi.address}` }]
  }
  return { bundle: copy, phi }
}

/** The request the playground builds from a bundle (src/web/static/playground.js), with its prefetch. */
function playgroundRequest (bundle: Json, hook: 'order-select' | 'order-sign'): Json {
  const resources = (bundle.entry as Array<{ resource: Json }>).map((e) => e.resource)
  const pt = resources.find((r) => r.resourceType === 'Patient')!
  const prefetch: Json = {}
  for (const [key, def] of Object.entries(testRules().service.prefetch)) {
    if (def.resourceTypes.includes('Patient')) { prefetch[key] = pt; continue }
    const found = resources.filter((r) => def.resourceTypes.includes(r.resourceType))
    prefetch[key] = { resourceType: 'Bundle', type: 'searchset', total: found.length, entry: found.map((resource) => ({ resource })) }
  }
  const order = { resourceType: 'ServiceRequest', id: 'wgs-order-1', status: 'draft', intent: 'order', subject: { reference: `Patient/${String(pt.id)}` }, code: { coding: [{ system: 'http://loinc.org', code: '86206-0' }] } }
  return {
    hook,
    hookInstance: crypto.randomUUID(),
    context: { userId: 'Practitioner/dr-1', patientId: pt.id, ...(hook === 'order-select' ? { selections: ['ServiceRequest/wgs-order-1'] } : {}), draftOrders: { resourceType: 'Bundle', type: 'collection', entry: [{ resource: order }] } },
    prefetch
  }
}

/** A small FHIR server on 127.0.0.1 answering searches from the current bundle, or failing on purpose (echoing data and token). */
async function bundleServer (): Promise<{ base: string, bundle: Json | undefined, fail: string | undefined, close: () => Promise<void> }> {
  const state = { base: '', bundle: undefined as Json | undefined, fail: undefined as string | undefined, close: async () => {} }
  const server = createServer((req, res) => {
    if (state.fail !== undefined) {
      res.writeHead(500, { 'content-type': 'application/fhir+json' }).end(JSON.stringify({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'exception', diagnostics: `${state.fail} ${req.headers.authorization ?? ''}` }] }))
      return
    }
    const url = new URL(req.url ?? '/', 'http://x')
    const [type, id] = url.pathname.replace(/^\/fhir\/?/, '').split('/')
    const resources = ((state.bundle?.entry ?? []) as Array<{ resource: Json }>).map((e) => e.resource)
    if (id) {
      const found = resources.find((r) => r.resourceType === type && r.id === id)
      res.writeHead(found ? 200 : 404, { 'content-type': 'application/fhir+json' }).end(JSON.stringify(found ?? { resourceType: 'OperationOutcome', issue: [] }))
      return
    }
    const types = type === 'PractitionerRole' ? ['PractitionerRole', 'Organization'] : type === 'MedicationStatement' ? ['MedicationStatement', 'Medication'] : [type]
    res.writeHead(200, { 'content-type': 'application/fhir+json' }).end(JSON.stringify(searchset(resources.filter((r) => types.includes(String(r.resourceType))))))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  state.base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/fhir`
  state.close = async () => { server.closeAllConnections(); await new Promise<void>((resolve) => server.close(() => resolve())) }
  return state
}

void t.test('every playground patient, every path, logging at debug: no patient data and no token in the log', async (t) => {
  t.ok(demo.list.length >= 34, `${demo.list.length} playground patients`)
  const fhir = await bundleServer()
  t.teardown(fhir.close)
  const log = capture()
  const app = await buildTestApp(t, { LOG_LEVEL: 'debug', FHIR_SERVER_ALLOWLIST: fhir.base }, { logStream: log.stream })
  const secrets: string[] = []
  const tokens: string[] = []
  const instances: string[] = []
  const post = async (body: Json): Promise<{ status: number, body: any }> => { instances.push(String(body.hookInstance)); return await postHook(app, body) }
  const outcomes = new Map<string, number>()

  for (const [i, p] of demo.list.entries()) {
    const served = (await app.inject({ url: `/playground/patients/${p.id}.json` })).json()
    const { bundle, phi } = withPhi(served, i)
    secrets.push(phi.family, phi.given, phi.cpr, phi.cprDash, phi.birthDate, phi.address, phi.phone)
    const names = ((served.entry as Array<{ resource: Json }>).find((e) => e.resource.resourceType === 'Patient')?.resource.name ?? []) as Array<{ family?: string, given?: string[] }>
    for (const n of names) secrets.push(...[n.family, ...(n.given ?? [])].filter((s): s is string => typeof s === 'string' && s.length >= 4))
    const token = `eyJhbGciOiJSUzM4NCJ9.${Buffer.from(`access-${p.id}-${i}`).toString('base64url')}.c2lnbmF0dXJl${i}`
    tokens.push(token)
    const auth = { fhirServer: fhir.base, fhirAuthorization: { access_token: token, token_type: 'Bearer', expires_in: 300, scope: 'patient/*.read', subject: 'wgs-cds' } }

    const select = await post(playgroundRequest(bundle, 'order-select'))
    t.equal(select.status, 200, `${p.id}: order-select 200`)
    t.equal(resultFor(select.body, p.indication)?.status, p.outcome, `${p.id}: its labelled outcome (${p.outcome}), patient data included`)
    outcomes.set(p.outcome, (outcomes.get(p.outcome) ?? 0) + 1)
    const sign = await post(playgroundRequest(bundle, 'order-sign'))
    t.equal(sign.status, 200, `${p.id}: order-sign 200`)

    // The FHIR fallback fetching everything (it succeeds), then failing with the data and token echoed.
    fhir.bundle = bundle
    fhir.fail = undefined
    const viaFhir: Json = { ...playgroundRequest(bundle, 'order-select'), ...auth }
    delete viaFhir.prefetch
    const fetched = await post(viaFhir)
    t.equal(resultFor(fetched.body, p.indication)?.status, p.outcome, `${p.id}: same outcome through the FHIR fallback`)
    fhir.fail = `${phi.given} ${phi.family} ${phi.cpr} ${phi.address}`
    const failing: Json = { ...playgroundRequest(bundle, 'order-select'), ...auth }
    delete failing.prefetch.observations
    delete failing.prefetch.conditions
    t.equal((await post(failing)).status, 200, `${p.id}: fallback failing (HTTP 500) still 200`)
    const noPatient: Json = { ...playgroundRequest(bundle, 'order-select'), ...auth }
    delete noPatient.prefetch.patient
    t.equal((await post(noPatient)).status, 412, `${p.id}: no Patient obtainable: 412`)

    // Feedback on every card: accepted, overridden with a comment naming the patient, an unknown card, a malformed item.
    for (const card of select.body.cards as Array<{ uuid: string, suggestions?: Array<{ uuid: string }>, overrideReasons?: Array<{ system: string, code: string }> }>) {
      const fb = async (item: Json): Promise<number> => (await app.inject({ method: 'POST', url: `${SERVICE_URL}/feedback`, payload: { feedback: [item] } })).statusCode
      t.equal(await fb({ card: card.uuid, outcome: 'accepted', acceptedSuggestions: (card.suggestions ?? []).map((s) => ({ id: s.uuid })), outcomeTimestamp: '2026-11-22T10:05:00Z' }), 200)
      t.equal(await fb({ card: card.uuid, outcome: 'overridden', overrideReason: { ...(card.overrideReasons?.[0] ? { reason: { ...card.overrideReasons[0], display: `${phi.given} ${phi.family}` } } : {}), userComment: `${phi.given} ${phi.family} (${phi.cprDash}) bor på ${phi.address}` }, outcomeTimestamp: '2026-11-22T10:06:00Z', [phi.cpr]: phi.family }), 200)
      t.equal(await fb({ card: phi.cpr, outcome: 'accepted', acceptedSuggestions: [], outcomeTimestamp: '2026-11-22T10:07:00Z' }), 404, 'feedback naming a CPR number as the card: 404')
      t.equal(await fb({ card: card.uuid, outcome: phi.family, outcomeTimestamp: phi.birthDate }), 400, 'malformed feedback carrying patient data: 400')
    }
  }
  t.same([...outcomes.keys()].sort(), ['eligible', 'incomplete', 'no-matching-indication', 'not-eligible'], 'every outcome was run')

  // Malformed requests with patient data in values, property names, the path and the query string.
  const pt = withPhi((await app.inject({ url: `/playground/patients/${demo.list[0]!.id}.json` })).json(), 0)
  const base = playgroundRequest(pt.bundle, 'order-select')
  const name = `${pt.phi.given} ${pt.phi.family}`
  t.equal((await postHook(app, { ...base, hookInstance: name })).status, 400, 'a name as hookInstance')
  t.equal((await postHook(app, { ...base, prefetch: { ...base.prefetch, [`${name} ${pt.phi.cpr}`]: 5 } })).status, 400, 'a name and CPR as a prefetch key of the wrong type')
  t.equal((await postHook(app, { ...base, context: { ...base.context, [pt.phi.cpr]: pt.phi.address, patientId: 42 } })).status, 400, 'a CPR as a context key')
  t.equal((await postHook(app, { ...base, fhirServer: `https://${pt.phi.cpr}.example/${pt.phi.family}` })).status, 400, 'patient data in a fhirServer not on the allow-list (no fhirAuthorization: 400)')
  const raw = async (payload: string, type = 'application/json'): Promise<number> => (await app.inject({ method: 'POST', url: SERVICE_URL, headers: { 'content-type': type }, payload })).statusCode
  t.equal(await raw(`{"prefetch":{"patient":{"name":"${name}","identifier":"${pt.phi.cpr}"`), 400, 'invalid JSON holding a name and a CPR')
  t.equal(await raw(`${name} ${pt.phi.cpr}`, 'text/plain'), 415, 'a text/plain body')
  t.equal(await raw(`{"__proto__":{"name":"${name}"}}`), 400, 'a prototype-poisoning body')
  for (const url of [`/criteria/${pt.phi.cpr}`, `/cds-services/${pt.phi.cpr}`, `/cds-services/ngc-wgs-eligibility?cpr=${pt.phi.cpr}&name=${encodeURIComponent(name)}`, `/${encodeURIComponent(pt.phi.address)}`, `/playground/patients/${pt.phi.cpr}.json`]) {
    const res = await app.inject({ method: url.includes('?') ? 'POST' : 'GET', url, payload: url.includes('?') ? base : undefined })
    // GET on a service URL answers 405 (Allow: POST) by design (issue 14 item 15)
    t.ok(res.statusCode === 200 || res.statusCode === 404 || res.statusCode === 405, `${url.split('/')[1]}…: ${res.statusCode}`)
  }
  const big = await app.inject({ method: 'POST', url: SERVICE_URL, headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ ...base, extension: { note: `${name} `.repeat(700_000) } }) })
  t.equal(big.statusCode, 413, 'a body over the limit, full of a name')

  const text = log.text()
  t.ok(text.length > 50_000, `log captured at debug (${text.length} characters)`)
  // The capture sees every request: each hookInstance (not patient data) is in the log.
  const missing = instances.filter((id) => !text.includes(id))
  t.same(missing, [], `every one of the ${instances.length} hook calls is in the log`)
  t.match(text, /"level":20/, 'debug lines were written')
  const leaked = [...new Set(secrets)].filter((s) => text.includes(s))
  t.same(leaked, [], `none of ${new Set(secrets).size} names, CPR numbers, birth dates, addresses and phone numbers in the log`)
  t.same(tokens.filter((tk) => text.includes(tk) || text.includes(tk.split('.')[1]!)), [], `none of the ${tokens.length} access tokens in the log`)
  t.notOk(text.includes('Ørnsholtgaard'), 'no part of a name')
})

void t.test('JWT failure paths at debug: no token and no patient data in the log', async (t) => {
  const key = await clientKey('ES384', 'phi-key')
  const log = capture()
  const app = await buildTestApp(t, {
    LOG_LEVEL: 'debug', CDS_AUTH: 'required', PUBLIC_BASE_URL, PATIENT_KEY_SECRET,
    CDS_TRUSTED_ISSUERS: JSON.stringify([{ iss: EHR_ISS, jwks: { keys: [key.publicJwk] } }])
  }, { logStream: log.stream })
  const pt = withPhi((await app.inject({ url: `/playground/patients/${demo.list[1]!.id}.json` })).json(), 1)
  const body = playgroundRequest(pt.bundle, 'order-select')
  const used: string[] = []
  const call = async (bearer: string | undefined, url = SERVICE_URL, payload: unknown = body): Promise<number> => {
    if (bearer) used.push(bearer)
    return (await app.inject({ method: 'POST', url, payload: payload as Json, headers: bearer ? { authorization: `Bearer ${bearer}` } : {} })).statusCode
  }
  const valid = await token(key, { aud: SERVICE_AUD })
  t.equal(await call(valid), 200, 'a valid token')
  t.equal(await call(valid), 401, 'the same token replayed')
  t.equal(await call(await token(key, { aud: DISCOVERY_AUD })), 401, 'wrong audience')
  t.equal(await call(await token(key, { aud: SERVICE_AUD, expOffset: -3600, iatOffset: -3700 })), 401, 'expired')
  t.equal(await call(await token(key, { aud: SERVICE_AUD, iss: 'https://untrusted.example' })), 401, 'untrusted issuer')
  t.equal(await call(await token(key, { aud: SERVICE_AUD, kid: 'unknown-kid' })), 401, 'unknown kid')
  const v = await token(key, { aud: SERVICE_AUD })
  t.equal(await call(`${v.slice(0, -4)}AAAA`), 401, 'tampered signature')
  t.equal(await call(`not.a.jwt-${pt.phi.cpr}`), 401, 'garbage carrying a CPR number')
  t.equal(await call(undefined), 401, 'no token')
  const fbToken = await token(key, { aud: FEEDBACK_AUD })
  t.equal(await call(fbToken, `${SERVICE_URL}/feedback`, { feedback: [{ card: pt.phi.cpr, outcome: 'accepted', acceptedSuggestions: [], outcomeTimestamp: '2026-11-22T10:00:00Z' }] }), 404, 'feedback on an unknown card, authenticated')
  const text = log.text()
  t.match(text, /client authentication failed/, 'the failures were logged')
  t.same(used.filter((tk) => text.includes(tk) || text.includes(tk.split('.')[2] ?? tk)), [], `none of the ${used.length} tokens (nor their signatures) in the log`)
  t.same([pt.phi.family, pt.phi.given, pt.phi.cpr, pt.phi.cprDash, pt.phi.birthDate, pt.phi.address, pt.phi.phone].filter((s) => text.includes(s)), [], 'no patient data in the log')
})

void t.test('redaction: the request parts and tokens are censored at the top of a line and one level down, the logged objects unchanged', async (t) => {
  const out = capture()
  const log = pino(loggerOptions('info', out.stream) as pino.LoggerOptions, out.stream)
  const err = Object.assign(new Error('failed'), { context: { patientId: SECRETS.cpr }, code: 'X' })
  const nested = { prefetch: { patient: { name: SECRETS.name } }, fhirAuthorization: { access_token: SECRETS.token }, keep: 'ok' }
  log.info({ prefetch: { name: SECRETS.name }, context: { patientId: SECRETS.cpr }, access_token: SECRETS.token, err, nested, list: [{ context: 'in an array' }] }, 'a careless line')
  const line = JSON.parse(out.text()) as Record<string, any>
  t.equal(line.prefetch, '[redacted]', 'prefetch at the top')
  t.equal(line.context, '[redacted]', 'context at the top')
  t.equal(line.access_token, '[redacted]', 'a token at the top')
  t.equal(line.nested.prefetch, '[redacted]', 'prefetch one level down')
  t.equal(line.nested.fhirAuthorization, '[redacted]', 'fhirAuthorization one level down')
  t.equal(line.nested.keep, 'ok', 'the rest of that object kept')
  t.equal(line.err.context, '[redacted]', "an error's context")
  t.equal(line.err.message, 'failed', "and the error's own message kept")
  for (const [what, value] of Object.entries(SECRETS)) t.notOk(out.text().includes(value), `no ${what}`)
  t.same(err.context, { patientId: SECRETS.cpr }, 'the logged error is not changed')
  t.same(nested.prefetch, { patient: { name: SECRETS.name } }, 'nor the logged object')
  t.not(censorNested(nested), nested, 'a copy where something is censored')
  const clean = { hook: 'order-select', indications: [{ indication: 'x', status: 'met' }] }
  t.equal(censorNested(clean), clean, 'a line with nothing to censor is not copied')
})
