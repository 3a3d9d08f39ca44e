/**
 * `fhirAuthorization` as real CDS clients send it. The service uses the token
 * only when the FHIR fallback has to fetch something, so only then is it
 * checked, and only for what that fetch uses: a non-empty `access_token`, and
 * a `token_type` of Bearer in any case (RFC 6749 §5.1: "The value is case
 * insensitive"). A missing `scope` or `subject`, a string `expires_in` or a
 * lower-case `bearer` is no reason to refuse a call whose prefetch is complete
 * (issue 14, item 13).
 */
import t from 'tap'
import { buildTestApp, postHook, resultFor } from '../helpers/app.js'
import { startFhirServer } from '../helpers/fhir-server.js'
import { attestation, condition, hookRequest, orderingRole, patient, plateletCount, quantityObservation, SYSTEMS, type Json } from '../helpers/fhir-builders.js'

const TOKEN = 'fhir-authorization-test-token-41d2'
const ID = 'inherited-thrombocytopenia'
const pt = patient()
const resources: Json[] = [
  condition('DD694'), plateletCount(88, '2015-05-01'), plateletCount(95, '2021-03-01'), plateletCount(91, '2026-01-10'),
  quantityObservation(SYSTEMS.loinc, '32623-1', 12.1, 'fL', '2024-02-01'),
  attestation('lifelong-course'), attestation('acquired-causes-excluded'), attestation('patient-informed'),
  ...orderingRole('Afdeling for Blodsygdomme, Rigshospitalet')
]

const LENIENT: Array<[string, Json]> = [
  ['token_type in lower case', { access_token: TOKEN, token_type: 'bearer', expires_in: 300, scope: 'patient/*.read', subject: 'wgs-cds' }],
  ['token_type in upper case', { access_token: TOKEN, token_type: 'BEARER', expires_in: 300, scope: 'patient/*.read', subject: 'wgs-cds' }],
  ['no scope', { access_token: TOKEN, token_type: 'Bearer', expires_in: 300, subject: 'wgs-cds' }],
  ['no subject', { access_token: TOKEN, token_type: 'Bearer', expires_in: 300, scope: 'patient/*.read' }],
  ['expires_in as a string', { access_token: TOKEN, token_type: 'Bearer', expires_in: '300', scope: 'patient/*.read', subject: 'wgs-cds' }],
  ['no expires_in', { access_token: TOKEN, token_type: 'Bearer', scope: 'patient/*.read', subject: 'wgs-cds' }]
]

void t.test('complete prefetch: an imperfect fhirAuthorization the call does not use is no reason for a 400', async (t) => {
  const app = await buildTestApp(t)
  const complete = hookRequest(pt, resources)
  const unused: Array<[string, Json]> = [
    ...LENIENT,
    ['token_type MAC (not used: nothing to fetch)', { access_token: TOKEN, token_type: 'MAC', expires_in: 300 }],
    ['an empty access_token (not used)', { access_token: '', token_type: 'Bearer' }]
  ]
  for (const [name, fhirAuthorization] of unused) {
    const res = await postHook(app, { ...complete, fhirServer: 'https://fhir.example.dk/R4', fhirAuthorization })
    t.equal(res.status, 200, `${name}: 200`)
    t.equal(resultFor(res.body, ID)?.status, 'eligible', `${name}: evaluated from the prefetch`)
  }
  const noServer = await postHook(app, { ...complete, fhirAuthorization: LENIENT[0]![1] })
  t.equal(noServer.status, 200, 'fhirAuthorization without fhirServer, nothing to fetch: 200')
})

void t.test('missing prefetch: a case-insensitive Bearer token is used, an unusable one refused naming the field', async (t) => {
  for (const [name, fhirAuthorization] of LENIENT) {
    await t.test(name, async (t) => {
      const fhir = await startFhirServer([pt, ...resources] as any, TOKEN)
      t.teardown(fhir.close)
      const app = await buildTestApp(t, { FHIR_SERVER_ALLOWLIST: fhir.baseUrl })
      const res = await postHook(app, { ...hookRequest(pt, resources, { omit: ['observations'] }), fhirServer: fhir.baseUrl, fhirAuthorization })
      t.equal(res.status, 200)
      t.equal(resultFor(res.body, ID)?.status, 'eligible', 'the observations were fetched with the token')
      t.ok(fhir.requests.length > 0 && fhir.requests.every((r) => r.authorized), 'sent as Authorization: Bearer')
    })
  }
  const refused: Array<[string, Json, RegExp]> = [
    ['token_type MAC', { access_token: TOKEN, token_type: 'MAC', expires_in: 300 }, /fhirAuthorization\.token_type/],
    ['an empty access_token', { access_token: '', token_type: 'Bearer' }, /fhirAuthorization\.access_token/],
    ['no access_token', { token_type: 'Bearer' }, /fhirAuthorization\.access_token/]
  ]
  for (const [name, fhirAuthorization, names] of refused) {
    await t.test(name, async (t) => {
      const fhir = await startFhirServer([pt, ...resources] as any, TOKEN)
      t.teardown(fhir.close)
      const app = await buildTestApp(t, { FHIR_SERVER_ALLOWLIST: fhir.baseUrl })
      const res = await postHook(app, { ...hookRequest(pt, resources, { omit: ['observations'] }), fhirServer: fhir.baseUrl, fhirAuthorization })
      t.equal(res.status, 400)
      t.equal(res.body.resourceType, 'OperationOutcome')
      t.match(res.body.issue[0].expression, [names], 'names the field')
      t.match(res.body.issue[0].diagnostics, /observations/, 'and the prefetch key it was needed for')
      t.equal(fhir.requests.length, 0, 'nothing was sent to the FHIR server')
    })
  }
})
