/**
 * DiagnosticReport (pathology, bone marrow, genetics, molecular panels) and
 * MedicationAdministration reach the rules through their own prefetch keys,
 * `diagnosticReports` and `medicationAdministrations` (issue 13 §2): sent in
 * the prefetch, they are evaluated; not sent, the FHIR fallback fetches them;
 * not obtainable, the criteria reading them are unknown with the reason.
 * Against a real FHIR server on loopback.
 */
import t from 'tap'
import { Writable } from 'node:stream'
import { buildTestApp, postHook, cardFor, resultFor, testRules } from '../helpers/app.js'
import { startFhirServer } from '../helpers/fhir-server.js'
import { condition, hookRequest, patient, plateletCount, SYSTEMS, type Json } from '../helpers/fhir-builders.js'
import { resolvePrefetch } from '../../src/hooks/prefetch.js'

const TOKEN = 'reports-and-administrations-token-8c3d'
const auth = { access_token: TOKEN, token_type: 'Bearer', expires_in: 300, scope: 'patient/*.read', subject: 'wgs-cds' }
const pt = patient()

const pathologyReport = (): Json => ({
  resourceType: 'DiagnosticReport',
  id: 'dr-pathology-1',
  status: 'final',
  subject: { reference: 'Patient/pt-1' },
  category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0074', code: 'PAT' }] }],
  code: { coding: [{ system: SYSTEMS.snomed, code: '252416005' }] },
  effectiveDateTime: '2025-08-01'
})
const administration = (): Json => ({
  resourceType: 'MedicationAdministration',
  id: 'ma-1',
  status: 'completed',
  subject: { reference: 'Patient/pt-1' },
  medicationCodeableConcept: { coding: [{ system: SYSTEMS.atc, code: 'L01BC02' }] },
  effectiveDateTime: '2025-09-01'
})
const clinical = (): Json[] => [condition('DD694'), plateletCount(88, '2015-05-01')]

void t.test('prefetched reports and administrations are part of the record', async (t) => {
  const service = testRules().service
  const request = hookRequest(pt, [...clinical(), pathologyReport(), administration()])
  const { record, states } = resolvePrefetch(service, request.prefetch, 'pt-1', {}, request.context)
  t.equal(states.diagnosticReports, 'present')
  t.equal(states.medicationAdministrations, 'present')
  t.same(record.resources.filter((r) => ['DiagnosticReport', 'MedicationAdministration'].includes(r.resourceType)).map((r) => r.id).sort(), ['dr-pathology-1', 'ma-1'])
  t.same(record.unavailable, [], 'nothing is unavailable')
})

void t.test('not sent and not obtainable: unavailable with the reason the card shows', async (t) => {
  const service = testRules().service
  const request = hookRequest(pt, clinical(), { omit: ['diagnosticReports', 'medicationAdministrations'] })
  const { record, states } = resolvePrefetch(service, request.prefetch, 'pt-1', {}, request.context)
  t.equal(states.diagnosticReports, 'missing')
  t.same(record.unavailable?.find((u) => u.resourceTypes.includes('DiagnosticReport'))?.reason, "prefetch 'diagnosticReports' was not sent")
  t.same(record.unavailable?.find((u) => u.resourceTypes.includes('MedicationAdministration'))?.reason, "prefetch 'medicationAdministrations' was not sent")
  const app = await buildTestApp(t)
  const res = await postHook(app, request)
  t.equal(res.status, 200)
  t.match(cardFor(res.body, 'inherited-thrombocytopenia')?.detail, /Data der ikke kunne hentes: .*svar/, 'the card lists what could not be retrieved, in its language')
  t.match(resultFor(res.body, 'inherited-thrombocytopenia')?.unavailable?.join('; '), /prefetch 'diagnosticReports' was not sent/, 'the result says why')
})

void t.test('not sent: the FHIR fallback fetches both with the token', async (t) => {
  const fhir = await startFhirServer([pt, ...clinical(), pathologyReport(), administration()] as any, TOKEN)
  t.teardown(fhir.close)
  const lines: any[] = []
  const logStream = new Writable({ write (chunk, _enc, done) { for (const l of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(l)); done() } })
  const app = await buildTestApp(t, { FHIR_SERVER_ALLOWLIST: fhir.baseUrl, LOG_LEVEL: 'info' }, { logStream })
  const request = { ...hookRequest(pt, clinical(), { omit: ['diagnosticReports', 'medicationAdministrations'] }), fhirServer: fhir.baseUrl, fhirAuthorization: auth }
  const res = await postHook(app, request)
  t.equal(res.status, 200)
  t.same(fhir.requests.map((r) => r.path.split('?')[0]).sort(), ['/fhir/R4/DiagnosticReport', '/fhir/R4/MedicationAdministration'], 'exactly the two missing keys were fetched')
  t.ok(fhir.requests.every((r) => r.authorized && r.path.includes('patient=pt-1')), 'for this patient, with the token')
  const evaluated = lines.find((l) => l.msg === 'hook evaluated')
  t.same(evaluated?.fhirFallback?.fetched?.sort(), ['diagnosticReports', 'medicationAdministrations'])
  t.notMatch(cardFor(res.body, 'inherited-thrombocytopenia')?.detail ?? '', /diagnosticReports|medicationAdministrations/, 'nothing reported missing')
})

void t.test('the FHIR server fails for one key: that key unavailable with the failure, the rest evaluated', async (t) => {
  const fhir = await startFhirServer([pt, ...clinical(), administration()] as any, TOKEN)
  t.teardown(fhir.close)
  fhir.fault = (req, res) => {
    if (!req.url?.startsWith('/fhir/R4/DiagnosticReport')) return false
    res.writeHead(500, { 'content-type': 'application/fhir+json' }).end('{"resourceType":"OperationOutcome","issue":[]}')
    return true
  }
  const app = await buildTestApp(t, { FHIR_SERVER_ALLOWLIST: fhir.baseUrl })
  const res = await postHook(app, { ...hookRequest(pt, clinical(), { omit: ['diagnosticReports', 'medicationAdministrations'] }), fhirServer: fhir.baseUrl, fhirAuthorization: auth })
  t.equal(res.status, 200)
  const why = resultFor(res.body, 'inherited-thrombocytopenia')?.unavailable?.join('; ') ?? ''
  t.match(why, /'diagnosticReports' could not be retrieved from the FHIR server: the FHIR server answered HTTP 500/)
  t.notMatch(why, /medicationAdministrations/)
  t.notMatch(cardFor(res.body, 'inherited-thrombocytopenia')?.detail ?? '', /could not be retrieved/, 'no English on the Danish card')
})
