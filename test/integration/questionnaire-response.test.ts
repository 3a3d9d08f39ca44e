/**
 * Answers of the requisition form over HTTP, with the shipped rules: a sarcoma patient whose
 * record lacks two facts the clinician can attest (spread, histopathological diagnosis) is
 * incomplete; a QuestionnaireResponse to the sarcoma form answering both — sent as the
 * `questionnaireResponses` prefetch key, or read by the FHIR fallback — makes them eligible,
 * with the response (its date and author) as evidence. An answer "no" is not met; responses to
 * another questionnaire or still in progress count for nothing. Attestation Observations keep
 * working alongside. (Windows and the draft order's supportingInfo: test/questionnaires/answers.test.ts.)
 */
import t from 'tap'
import { buildTestApp, postHook, resultFor } from '../helpers/app.js'
import { startFhirServer } from '../helpers/fhir-server.js'
import { attestation, condition, ecog, hookRequest, orderingRole, patient, wgsOrder, type Json } from '../helpers/fhir-builders.js'
import { questionnaireUrl } from '../../src/core/questionnaire.js'

const ID = 'sarcoma'
const TOKEN = 'qr-test-token-1c9e'
const pt = patient()
/** A metastatic thigh sarcoma's record without the metastasis code and without the histology: two facts missing. */
const record = (): Json[] => [
  condition('C49.2'), ecog(1, '2026-11-01'), attestation('tumour-accessible-for-biopsy'),
  ...orderingRole('Sarkomcenteret, Aarhus Universitetshospital', '394592004')
]

function response (answers: Record<string, boolean>, over: Json = {}): Json {
  return {
    resourceType: 'QuestionnaireResponse',
    id: 'qr-sarcoma-1',
    status: 'completed',
    questionnaire: questionnaireUrl(ID),
    subject: { reference: `Patient/${String(pt.id)}` },
    authored: '2026-11-21T14:05:00+01:00',
    author: { reference: 'Practitioner/dr-1', display: 'Dr. Lene Holm' },
    item: Object.entries(answers).map(([linkId, v]) => ({ linkId, answer: [{ valueBoolean: v }] })),
    ...over
  }
}
const both = { 'metastatic-or-recurrent': true, 'histopathology-diagnosis': true }
const searchset = (resources: Json[]): Json => ({ resourceType: 'Bundle', type: 'searchset', entry: resources.map((resource) => ({ resource })) })

/** A hook call; without responses the `questionnaireResponses` key is not sent (an EHR that does not know the forms). */
function call (responses: Json[] | undefined): Json {
  const request = hookRequest(pt, record(), responses ? {} : { omit: ['questionnaireResponses'] })
  if (responses) (request.prefetch as Json).questionnaireResponses = searchset(responses)
  return request
}

const criterion = (result: any, id: string): any => result?.criteria.find((c: any) => c.id === id)
const answer = (c: any): any => c?.evidence.find((e: any) => e.resourceType === 'QuestionnaireResponse')

void t.test('prefetch questionnaireResponses: two missing facts answered by the form', async (t) => {
  const app = await buildTestApp(t)

  const before = resultFor((await postHook(app, call(undefined))).body, ID)
  t.equal(before?.status, 'incomplete', 'without the answers: incomplete')
  t.equal(criterion(before, 'metastatic-or-recurrent').status, 'unknown')
  t.equal(criterion(before, 'histopathology-diagnosis').status, 'unknown')
  t.notOk((before as { unavailable?: unknown } | undefined)?.unavailable, 'a key not sent for the forms is no data that could not be read')

  const res = await postHook(app, call([response(both)]))
  t.equal(res.status, 200)
  const after = resultFor(res.body, ID)
  t.equal(after?.status, 'eligible', 'answered: eligible')
  for (const id of ['metastatic-or-recurrent', 'histopathology-diagnosis']) {
    const c = criterion(after, id)
    t.equal(c.status, 'met', `${id} met`)
    t.match(answer(c), { reference: 'QuestionnaireResponse/qr-sarcoma-1', resourceType: 'QuestionnaireResponse', value: 'true', date: '2026-11-21T14:05:00+01:00', author: 'Dr. Lene Holm' }, `${id}: the response is the evidence, with date and author`)
  }
})

void t.test('an answer "no" is not met, with the response as evidence', async (t) => {
  const app = await buildTestApp(t)
  const result = resultFor((await postHook(app, call([response({ ...both, 'histopathology-diagnosis': false })]))).body, ID)
  t.equal(result?.status, 'not-eligible')
  const c = criterion(result, 'histopathology-diagnosis')
  t.equal(c.status, 'not-met')
  t.match(answer(c), { reference: 'QuestionnaireResponse/qr-sarcoma-1', value: 'false' })
})

void t.test('responses that are ignored', async (t) => {
  const app = await buildTestApp(t)
  const other = resultFor((await postHook(app, call([response(both, { questionnaire: 'https://example.org/fhir/Questionnaire/intake' })]))).body, ID)
  t.equal(other?.status, 'incomplete', 'a response to another questionnaire')
  t.equal(answer(criterion(other, 'histopathology-diagnosis')), undefined, 'not evidence')
  const inProgress = resultFor((await postHook(app, call([response(both, { status: 'in-progress' })]))).body, ID)
  t.equal(inProgress?.status, 'incomplete', 'a response in progress')
  const otherForm = resultFor((await postHook(app, call([response(both, { questionnaire: questionnaireUrl('myeloid-cancer') })]))).body, ID)
  t.equal(otherForm?.status, 'incomplete', 'the form of another indication answers other items')
})

void t.test('attestation Observations still count', async (t) => {
  const app = await buildTestApp(t)
  const observations = hookRequest(pt, [...record(), attestation('metastatic-or-recurrent-disease'), attestation('histopathology-diagnosis')])
  t.equal(resultFor((await postHook(app, observations)).body, ID)?.status, 'eligible', 'the same facts as Observations')
})

void t.test('a response the draft order contains (supportingInfo #id) is read too', async (t) => {
  const app = await buildTestApp(t)
  const contained = { ...response(both), id: 'form' }
  const order = wgsOrder('wgs-order-form', { contained: [contained], supportingInfo: [{ reference: '#form' }] })
  const request = hookRequest(pt, record(), { order, omit: ['questionnaireResponses'] })
  const res = await postHook(app, request)
  t.equal(res.status, 200)
  t.equal(resultFor(res.body, ID)?.status, 'eligible')
  const withoutResponse = hookRequest(pt, record(), { order: wgsOrder('wgs-order-form'), omit: ['questionnaireResponses'] })
  t.equal(resultFor((await postHook(app, withoutResponse)).body, ID)?.status, 'incomplete', 'the same order without it')
})

void t.test('FHIR fallback: the responses are read from the FHIR server', async (t) => {
  const fhir = await startFhirServer([pt, ...record(), response(both), response(both, { id: 'qr-draft', status: 'in-progress' })] as any, TOKEN)
  t.teardown(fhir.close)
  const app = await buildTestApp(t, { FHIR_SERVER_ALLOWLIST: fhir.baseUrl })
  const request = call(undefined)
  const res = await postHook(app, { ...request, fhirServer: fhir.baseUrl, fhirAuthorization: { access_token: TOKEN, token_type: 'Bearer', expires_in: 300, scope: 'patient/*.read', subject: 'wgs-cds' } })
  t.equal(res.status, 200)
  const result = resultFor(res.body, ID)
  t.equal(result?.status, 'eligible', 'answers fetched with the discovery query')
  t.match(answer(criterion(result, 'histopathology-diagnosis')), { reference: 'QuestionnaireResponse/qr-sarcoma-1' })
  t.ok(fhir.requests.some((r) => r.path.includes('QuestionnaireResponse?subject=')), 'the service asked for QuestionnaireResponses')
})
