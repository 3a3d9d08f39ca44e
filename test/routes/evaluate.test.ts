/**
 * POST /evaluate: a FHIR Bundle in, the results out (src/http/routes/evaluate.ts) — the same
 * evaluation as the hook and the CLI, answers of the requisition forms included; every bad input
 * a 4xx OperationOutcome naming the problem.
 */
import t from 'tap'
import { buildTestApp, postHook, resultFor, testRules, NOW } from '../helpers/app.js'
import { attestation, condition, ecog, hookRequest, orderingRole, patient, wgsOrder, type Json } from '../helpers/fhir-builders.js'
import { readPatientInput, evaluateInput } from '../../src/cli/input.js'
import { questionnaireUrl } from '../../src/core/questionnaire.js'
import { MAX_JSON_DEPTH } from '../../src/hooks/json-limits.js'
import { clientKey, EHR_ISS, PATIENT_KEY_SECRET, PUBLIC_BASE_URL } from '../helpers/jwt.js'

const pt = patient()
const record = (): Json[] => [
  condition('C49.2'), condition('C78.0'), ecog(1, '2026-11-01'), attestation('tumour-accessible-for-biopsy'),
  ...orderingRole('Sarkomcenteret, Aarhus Universitetshospital', '394592004')
]
const bundle = (resources: Json[], type = 'collection'): Json => ({ resourceType: 'Bundle', type, entry: resources.map((resource) => ({ resource })) })
const post = async (app: Awaited<ReturnType<typeof buildTestApp>>, body: unknown, query = '', contentType = 'application/fhir+json') =>
  await app.inject({ method: 'POST', url: `/evaluate${query}`, headers: { 'content-type': contentType }, payload: typeof body === 'string' ? body : JSON.stringify(body) })

void t.test('a Bundle in, every matching indication out, as the hook evaluates it', async (t) => {
  const app = await buildTestApp(t)
  const res = await post(app, bundle([pt, ...record(), wgsOrder()]))
  t.equal(res.statusCode, 200)
  const out = res.json()
  t.equal(out.rulesVersion, testRules().rulesVersion)
  t.equal(out.evaluatedAt, NOW)
  t.equal(out.language, 'da', "the service's language by default")
  const sarcoma = out.indications.find((i: any) => i.indication === 'sarcoma')
  t.ok(sarcoma, 'sarcoma matches')
  t.equal(sarcoma.criteria.length, testRules().indications.find((i) => i.id === 'sarcoma')!.criteria.length, 'all criteria')
  t.equal(sarcoma.others, undefined, 'each indication once, not nested')

  // The same verdicts as the CLI's code path and as the hook.
  const cli = evaluateInput(testRules(), readPatientInput(testRules(), bundle([pt, ...record(), wgsOrder()])), NOW)
  t.same(out.indications.map((i: any) => [i.indication, i.status]), cli.map((r) => [r.indication, r.status]), 'the CLI gives the same results')
  const hook = resultFor((await postHook(app, hookRequest(pt, record()))).body, 'sarcoma')
  t.same(sarcoma.criteria.map((c: any) => [c.id, c.status]), hook?.criteria.map((c: any) => [c.id, c.status]), 'the hook gives the same criteria')
  t.same(sarcoma.criteria.map((c: any) => c.text), hook?.criteria.map((c: any) => c.text), 'in the same words')
})

void t.test('language, indication and order parameters', async (t) => {
  const app = await buildTestApp(t)
  const second = wgsOrder('wgs-order-2')
  const en = (await post(app, bundle([pt, ...record(), wgsOrder(), second]), '?language=en&indication=sarcoma&order=wgs-order-2', 'application/json')).json()
  t.equal(en.language, 'en')
  t.same(en.indications.map((i: any) => i.indication), ['sarcoma'], 'only the indication asked for')
  t.equal(en.indications[0].criteria[0].text, testRules().indications.find((i) => i.id === 'sarcoma')!.criteria[0]!.text.en, 'English texts')
  t.match(en.indications[0].order, /wgs-order-2/, 'evaluated for the order asked for')
  const none = (await post(app, bundle([pt, ...record()]), '?indication=myeloid-cancer')).json()
  t.same(none.indications, [], 'an indication the record does not match: none')
})

void t.test('answers of the form count, as in the hook', async (t) => {
  const app = await buildTestApp(t)
  // No metastasis code, no histology: the two facts the form answers.
  const withoutSpread = [condition('C49.2'), ecog(1, '2026-11-01'), attestation('tumour-accessible-for-biopsy'), ...orderingRole('Sarkomcenteret, Aarhus Universitetshospital', '394592004')]
  const before = (await post(app, bundle([pt, ...withoutSpread]), '?indication=sarcoma')).json()
  t.equal(before.indications[0].status, 'incomplete')
  const qr = { resourceType: 'QuestionnaireResponse', id: 'qr-1', status: 'completed', questionnaire: questionnaireUrl('sarcoma'), subject: { reference: `Patient/${String(pt.id)}` }, authored: '2026-11-21', item: [{ linkId: 'metastatic-or-recurrent', answer: [{ valueBoolean: true }] }, { linkId: 'histopathology-diagnosis', answer: [{ valueBoolean: true }] }] }
  const after = (await post(app, bundle([pt, ...withoutSpread, qr]), '?indication=sarcoma')).json()
  t.equal(after.indications[0].status, 'eligible')
})

void t.test('bad input: a 4xx OperationOutcome naming the problem', async (t) => {
  const app = await buildTestApp(t)
  const refused = async (body: unknown, status: number, pattern: RegExp, query = '', contentType?: string): Promise<void> => {
    const res = await post(app, body, query, contentType)
    t.equal(res.statusCode, status, `${status}: ${String(pattern)}`)
    const outcome = res.json()
    t.equal(outcome.resourceType, 'OperationOutcome')
    t.match(outcome.issue[0].diagnostics, pattern)
  }
  await refused(pt, 400, /expected a FHIR Bundle; got resourceType Patient/)
  await refused({ entry: [] }, 400, /without resourceType/)
  await refused([bundle([pt])], 400, /object/)
  await refused({ resourceType: 'Bundle', type: 'collection', entry: {} }, 400, /entry/)
  await refused(bundle([condition('C49.2')]), 400, /no Patient/)
  await refused(bundle([pt, patient({ id: 'pt-2' })]), 400, /2 different patients/)
  await refused(bundle([pt, ...record(), wgsOrder()]), 400, /no draft WGS ServiceRequest with id 'nope'.*wgs-order-1/, '?order=nope')
  await refused(bundle([pt]), 400, /unknown indication 'nothing'/, '?indication=nothing')
  await refused(bundle([pt]), 400, /language/, '?language=fr')
  await refused('{"resourceType": "Bundle", ', 400, /JSON/)
  let deep = '1'
  for (let i = 0; i <= MAX_JSON_DEPTH; i++) deep = `[${deep}]`
  await refused(`{"resourceType":"Bundle","entry":${deep}}`, 400, /nested deeper than/)
  await refused('resourceType=Bundle', 415, /application\/json/, '', 'text/plain')
  const small = await buildTestApp(t, { BODY_LIMIT_BYTES: '2048' })
  const large = await small.inject({ method: 'POST', url: '/evaluate', headers: { 'content-type': 'application/fhir+json' }, payload: JSON.stringify(bundle([pt, ...Array.from({ length: 40 }, () => condition('C49.2'))])) })
  t.equal(large.statusCode, 413)
  t.equal(large.json().resourceType, 'OperationOutcome')
})

void t.test('open with CDS_AUTH=required (the browser app calls it), while the hooks ask for the client JWT', async (t) => {
  const key = await clientKey('ES384', 'k1')
  const app = await buildTestApp(t, { CDS_AUTH: 'required', PUBLIC_BASE_URL, PATIENT_KEY_SECRET, CDS_TRUSTED_ISSUERS: JSON.stringify([{ iss: EHR_ISS, jwks: { keys: [key.publicJwk] } }]) })
  t.equal((await post(app, bundle([pt, ...record()]))).statusCode, 200)
  t.equal((await postHook(app, hookRequest(pt, record()))).status, 401)
})

void t.test('documented in the OpenAPI description', async (t) => {
  const app = await buildTestApp(t)
  const doc = (await app.inject({ method: 'GET', url: '/docs/json' })).json()
  const op = doc.paths['/evaluate']?.post
  t.ok(op, 'POST /evaluate')
  t.same(op.tags, ['forms'])
  t.ok(op.requestBody.content['application/json'] ?? op.requestBody.content['application/fhir+json'], 'the body')
  t.same(op.parameters.map((p: any) => p.name).sort(), ['indication', 'language', 'order'])
  t.ok(op.responses['200'] && op.responses['400'] && op.responses['413'])
  t.ok(doc.paths['/fhir/Questionnaire/{id}']?.get, 'the forms too')
})
