/**
 * FHIR-server fallback against a real FHIR server over HTTP on loopback
 * (@medplum/fhir-router, in-memory repository): the same request evaluated
 * with full prefetch and with no prefetch gives the same cards; tokens only go
 * to allow-listed servers; failures leave criteria unknown with a reason.
 */
import t from 'tap'
import { buildTestApp, postHook, resultFor } from '../helpers/app.js'
import { startFhirServer } from '../helpers/fhir-server.js'
import { attestation, condition, hookRequest, orderingRole, patient, plateletCount, quantityObservation, SYSTEMS, type Json } from '../helpers/fhir-builders.js'

const TOKEN = 'test-access-token-7f3a'
const ID = 'inherited-thrombocytopenia'

function patientRecord (): { pt: Json, resources: Json[] } {
  const pt = patient()
  const roles = orderingRole('Afdeling for Blodsygdomme, Rigshospitalet')
  const role = roles[0]!
  role.practitioner = { reference: 'Practitioner/dr-1' }
  return {
    pt,
    resources: [
      condition('DD694'),
      plateletCount(88, '2015-05-01'), plateletCount(95, '2021-03-01'), plateletCount(91, '2026-01-10'),
      quantityObservation(SYSTEMS.loinc, '32623-1', 12.1, 'fL', '2024-02-01'),
      attestation('lifelong-course'), attestation('acquired-causes-excluded'), attestation('patient-informed'),
      ...roles
    ]
  }
}

function withoutPrefetch (request: Json, baseUrl: string, token = TOKEN): Json {
  const rest = { ...request }
  delete rest.prefetch
  return { ...rest, fhirServer: baseUrl, fhirAuthorization: { access_token: token, token_type: 'Bearer', expires_in: 300, scope: 'patient/*.read user/PractitionerRole.read', subject: 'wgs-cds' } }
}

/** The comparable part of a result: statuses and evidence references. */
function essence (result: any): unknown {
  return { status: result?.status, criteria: result?.criteria.map((c: any) => ({ id: c.id, status: c.status, evidence: c.evidence.map((e: any) => e.reference).sort() })) }
}

void t.test('full prefetch and no prefetch (FHIR fallback) give the same result', async (t) => {
  const { pt, resources } = patientRecord()
  const fhir = await startFhirServer([pt, ...resources] as any, TOKEN)
  t.teardown(fhir.close)
  const app = await buildTestApp(t, { FHIR_SERVER_ALLOWLIST: fhir.baseUrl })
  const request = hookRequest(pt, resources)
  const withPrefetch = await postHook(app, request)
  t.equal(withPrefetch.status, 200)
  t.equal(resultFor(withPrefetch.body, ID)?.status, 'eligible', 'eligible with prefetch')
  const viaFhir = await postHook(app, withoutPrefetch(request, fhir.baseUrl))
  t.equal(viaFhir.status, 200)
  t.same(essence(resultFor(viaFhir.body, ID)), essence(resultFor(withPrefetch.body, ID)), 'same criteria, statuses and evidence')
  t.ok(fhir.requests.length >= 9, `the service queried the FHIR server (${fhir.requests.length} requests)`)
  t.ok(fhir.requests.every((r) => r.authorized), 'every request carried the bearer token')
})

void t.test('a FHIR server not on the allow-list never receives the token', async (t) => {
  const { pt, resources } = patientRecord()
  const fhir = await startFhirServer([pt, ...resources] as any, TOKEN)
  t.teardown(fhir.close)
  const app = await buildTestApp(t, { FHIR_SERVER_ALLOWLIST: 'https://fhir.other-region.example/R4' })
  const res = await postHook(app, withoutPrefetch(hookRequest(pt, resources), fhir.baseUrl))
  t.equal(res.status, 412, '412 Precondition Failed without a Patient')
  t.equal(res.body.resourceType, 'OperationOutcome')
  t.match(res.body.issue[0].diagnostics, /allow-list/)
  t.equal(fhir.requests.length, 0, 'no request reached the server')
})

void t.test('the FHIR server rejects the token: 412 for the Patient, never a 500', async (t) => {
  const { pt, resources } = patientRecord()
  const fhir = await startFhirServer([pt, ...resources] as any, TOKEN)
  t.teardown(fhir.close)
  const app = await buildTestApp(t, { FHIR_SERVER_ALLOWLIST: fhir.baseUrl })
  const res = await postHook(app, withoutPrefetch(hookRequest(pt, resources), fhir.baseUrl, 'wrong-token'))
  t.equal(res.status, 412)
  t.match(res.body.issue[0].diagnostics, /HTTP 401/)
  t.notMatch(JSON.stringify(res.body), /wrong-token/, 'the token is not echoed')
})

void t.test('a missing key is fetched while sent keys are used as they are', async (t) => {
  const { pt, resources } = patientRecord()
  const fhir = await startFhirServer([pt, ...resources] as any, TOKEN)
  t.teardown(fhir.close)
  const app = await buildTestApp(t, { FHIR_SERVER_ALLOWLIST: fhir.baseUrl })
  const request = { ...hookRequest(pt, resources, { omit: ['observations'] }), fhirServer: fhir.baseUrl, fhirAuthorization: withoutPrefetch({}, fhir.baseUrl).fhirAuthorization }
  const res = await postHook(app, request)
  t.equal(res.status, 200)
  t.equal(resultFor(res.body, ID)?.status, 'eligible')
  t.same(fhir.requests.map((r) => r.path.split('?')[0]), ['/fhir/R4/Observation'], 'only the missing key was queried')
})

void t.test('paged results are followed to the end', async (t) => {
  const { pt, resources } = patientRecord()
  const fhir = await startFhirServer([pt, ...resources] as any, TOKEN, { pageSize: 2 })
  t.teardown(fhir.close)
  const app = await buildTestApp(t, { FHIR_SERVER_ALLOWLIST: fhir.baseUrl })
  const res = await postHook(app, withoutPrefetch(hookRequest(pt, resources), fhir.baseUrl))
  t.equal(resultFor(res.body, ID)?.status, 'eligible', 'all six observations were read across pages')
  t.ok(fhir.requests.some((r) => r.path.includes('_page=2')), 'the third page was requested')
})

void t.test('a slow key times out: its criteria are unknown with the reason, the rest is evaluated', async (t) => {
  const { pt, resources } = patientRecord()
  const fhir = await startFhirServer([pt, ...resources] as any, TOKEN)
  t.teardown(fhir.close)
  fhir.fault = async (req) => {
    if (!req.url?.startsWith('/fhir/R4/Observation')) return false
    await new Promise((resolve) => setTimeout(resolve, 1500))
    return false
  }
  const app = await buildTestApp(t, { FHIR_SERVER_ALLOWLIST: fhir.baseUrl, FHIR_FETCH_TIMEOUT_MS: '200' })
  const started = Date.now()
  const res = await postHook(app, withoutPrefetch(hookRequest(pt, resources), fhir.baseUrl))
  t.ok(Date.now() - started < 1400, 'answered before the slow server would have')
  t.equal(res.status, 200)
  const result = resultFor(res.body, ID)
  t.equal(result?.status, 'incomplete')
  const platelets = result?.criteria.find((c) => c.id === 'no-normal-platelet-count')
  t.equal(platelets?.status, 'unknown')
  t.match(platelets?.reason, /did not answer in time/)
  t.equal(result?.criteria.find((c) => c.id === 'adult')?.status, 'met', 'criteria not reading observations still evaluated')
})

void t.test('a redirect is refused and the token does not follow it', async (t) => {
  const { pt, resources } = patientRecord()
  const fhir = await startFhirServer([pt, ...resources] as any, TOKEN)
  t.teardown(fhir.close)
  fhir.fault = (req, res) => {
    if (!req.url?.startsWith('/fhir/R4/Condition')) return false
    res.writeHead(302, { location: 'http://127.0.0.2:9/steal' }).end()
    return true
  }
  const app = await buildTestApp(t, { FHIR_SERVER_ALLOWLIST: fhir.baseUrl })
  const res = await postHook(app, withoutPrefetch(hookRequest(pt, resources), fhir.baseUrl))
  t.equal(res.status, 200)
  t.match(res.body.cards[0].summary, /diagnoser kunne ikke hentes|cannot be assessed/, 'the card says the diagnoses could not be retrieved')
  t.match(res.body.cards[0].extension['dk.ngc-wgs-cds.eligibility'].unavailable.join('; '), /redirect/, 'why, for integrators, in the result')
  t.match(res.body.cards[0].detail, /Data der ikke kunne hentes: diagnose/, 'what, in the card language')
})
