/**
 * The ordering user identified as a PractitionerRole (`context.userId =
 * "PractitionerRole/…"`, as in the CDS Hooks order-select example). The
 * `practitionerRoles` template needs `{{userPractitionerId}}`, which such a
 * request cannot fill, so the service also declares `userPractitionerRole`
 * with `{{userPractitionerRoleId}}`: that role and its Organization. The EHR
 * may prefetch it; otherwise the FHIR fallback reads the role and its
 * Organization (also when the server ignores `_include`). For each user type
 * the key whose token it cannot fill is not applicable — never "not sent" on
 * the card (issue 14, item 9). Against a real FHIR server on loopback.
 */
import t from 'tap'
import { buildTestApp, postHook, resultFor, cardFor } from '../helpers/app.js'
import { startFhirServer } from '../helpers/fhir-server.js'
import { attestation, condition, hookRequest, orderingRole, patient, plateletCount, quantityObservation, searchset, SYSTEMS, type Json } from '../helpers/fhir-builders.js'

const TOKEN = 'practitioner-role-user-token-2a7f'
const ID = 'inherited-thrombocytopenia'
const EXPERT = 'platelet-expert'
const auth = { access_token: TOKEN, token_type: 'Bearer', expires_in: 300, scope: 'user/*.read', subject: 'wgs-cds' }

function record (): { pt: Json, clinical: Json[], role: Json, org: Json } {
  const [role, org] = orderingRole('Afdeling for Blodsygdomme, Rigshospitalet') as [Json, Json]
  return {
    pt: patient(),
    clinical: [
      condition('DD694'), plateletCount(88, '2015-05-01'), plateletCount(95, '2021-03-01'), plateletCount(91, '2026-01-10'),
      quantityObservation(SYSTEMS.loinc, '32623-1', 12.1, 'fL', '2024-02-01'),
      attestation('lifelong-course'), attestation('acquired-causes-excluded'), attestation('patient-informed')
    ],
    role,
    org
  }
}

/** The request a client sends for a PractitionerRole user: it cannot fill {{userPractitionerId}}, so no practitionerRoles key. */
function roleUserRequest (pt: Json, clinical: Json[], roleId: string): Json {
  const req = hookRequest(pt, clinical, { omit: ['practitionerRoles'] })
  req.context.userId = `PractitionerRole/${roleId}`
  return req
}

void t.test('prefetch: the userPractitionerRole key gives the ordering department', async (t) => {
  const { pt, clinical, role, org } = record()
  const app = await buildTestApp(t)
  const req = roleUserRequest(pt, clinical, role.id)
  req.prefetch.userPractitionerRole = searchset([role, org])
  const res = await postHook(app, req)
  t.equal(res.status, 200)
  const result = resultFor(res.body, ID)
  t.equal(result?.criteria.find((c) => c.id === EXPERT)?.status, 'met', 'the department was read from the role\'s Organization')
  t.equal(result?.status, 'eligible')
  t.notMatch(cardFor(res.body, ID)?.detail, /practitionerRoles/, 'the Practitioner-only key is not reported as missing')
})

void t.test('a Practitioner user: the PractitionerRole-only key is not applicable, never reported missing', async (t) => {
  const { pt, clinical, role, org } = record()
  const app = await buildTestApp(t)
  const res = await postHook(app, hookRequest(pt, [...clinical, role, org]))
  t.equal(resultFor(res.body, ID)?.status, 'eligible')
  t.notMatch(cardFor(res.body, ID)?.detail, /userPractitionerRole/)
})

void t.test('FHIR fallback: PractitionerRole/{id} and its Organization are read', async (t) => {
  const { pt, clinical, role, org } = record()
  const fhir = await startFhirServer([pt, ...clinical, role, org] as any, TOKEN)
  t.teardown(fhir.close)
  const app = await buildTestApp(t, { FHIR_SERVER_ALLOWLIST: fhir.baseUrl })
  const req = roleUserRequest(pt, clinical, role.id)
  delete req.prefetch
  const res = await postHook(app, { ...req, fhirServer: fhir.baseUrl, fhirAuthorization: auth })
  t.equal(res.status, 200)
  const result = resultFor(res.body, ID)
  t.equal(result?.criteria.find((c) => c.id === EXPERT)?.status, 'met')
  t.equal(result?.status, 'eligible', 'the same verdict as with a Practitioner user')
  t.ok(fhir.requests.some((r) => r.path.startsWith('/fhir/R4/PractitionerRole') && r.path.includes(role.id)), 'the role was requested by its id')
  t.notOk(fhir.requests.some((r) => r.path.includes('practitioner=')), 'no search by a Practitioner id the request does not carry')
  t.notMatch(cardFor(res.body, ID)?.detail, /user token/, 'no "needs a user token" note')
})

void t.test('FHIR fallback against a server that ignores _include: the Organization is read by its id', async (t) => {
  const { pt, clinical, role, org } = record()
  const fhir = await startFhirServer([pt, ...clinical, role, org] as any, TOKEN)
  t.teardown(fhir.close)
  fhir.fault = (req, res) => {
    if (!req.url?.startsWith('/fhir/R4/PractitionerRole?')) return false
    res.writeHead(200, { 'content-type': 'application/fhir+json' }).end(JSON.stringify(searchset([role])))
    return true
  }
  const app = await buildTestApp(t, { FHIR_SERVER_ALLOWLIST: fhir.baseUrl })
  const req = roleUserRequest(pt, clinical, role.id)
  delete req.prefetch
  const res = await postHook(app, { ...req, fhirServer: fhir.baseUrl, fhirAuthorization: auth })
  t.ok(fhir.requests.some((r) => r.path === `/fhir/R4/Organization/${String(org.id)}`), 'the Organization was read')
  t.equal(resultFor(res.body, ID)?.criteria.find((c) => c.id === EXPERT)?.status, 'met')
})
