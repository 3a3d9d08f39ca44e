/**
 * Required data the service cannot obtain: CDS Hooks 2.0 §Prefetch, "If the
 * CDS Service is unable to obtain required data because it cannot access the
 * FHIR server and the request did not contain the necessary prefetch keys,
 * the service SHALL respond with an HTTP 412 Precondition Failed."
 *
 * Without the patient's diagnoses no indication can be matched, so a card
 * would only say "cannot be assessed" (and used to add "matches none"): a
 * missing `conditions` prefetch with no FHIR access is a 412 naming the key
 * (issue 14, item 11). When the FHIR server is reachable the key is fetched;
 * when the fetch itself fails, the card says what could not be retrieved.
 */
import t from 'tap'
import { buildTestApp, postHook, resultFor } from '../helpers/app.js'
import { startFhirServer } from '../helpers/fhir-server.js'
import { condition, hookRequest, patient, plateletCount, type Json } from '../helpers/fhir-builders.js'

const operationOutcomeFor = (): Json => ({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'timeout', diagnostics: 'Condition search timed out' }] })

const pt = patient()
const resources: Json[] = [condition('DD694'), plateletCount(88, '2015-05-01')]
const TOKEN = 'required-prefetch-token-9e0c'
const auth = { access_token: TOKEN, token_type: 'Bearer', expires_in: 300, scope: 'patient/*.read', subject: 'wgs-cds' }

void t.test('conditions not obtainable without FHIR access: 412 naming the key', async (t) => {
  const app = await buildTestApp(t, { FHIR_SERVER_ALLOWLIST: 'https://fhir.allowed.example/R4' })
  const omitted = hookRequest(pt, resources, { omit: ['conditions'] })
  const cases: Array<[string, Json, RegExp]> = [
    ['not sent, no fhirServer', omitted, /not sent.*no fhirServer/],
    ['an OperationOutcome, no fhirServer', { ...omitted, prefetch: { ...omitted.prefetch, conditions: operationOutcomeFor() } }, /OperationOutcome/],
    ['not sent, fhirServer not on the allow-list', { ...omitted, fhirServer: 'https://fhir.elsewhere.example/R4', fhirAuthorization: auth }, /allow-list/]
  ]
  for (const [name, body, why] of cases) {
    const res = await postHook(app, body)
    t.equal(res.status, 412, `${name}: 412`)
    t.equal(res.body.resourceType, 'OperationOutcome')
    t.equal(res.body.issue[0].code, 'incomplete')
    t.match(res.body.issue[0].diagnostics, /prefetch 'conditions'/, `${name}: names the key`)
    t.match(res.body.issue[0].diagnostics, why, `${name}: and why it could not be obtained`)
    t.same(res.body.issue[0].expression, ['prefetch.conditions'])
  }
  const complete = await postHook(app, hookRequest(pt, resources))
  t.equal(complete.status, 200, 'control: with the key sent, the call is evaluated')
  t.ok(resultFor(complete.body, 'inherited-thrombocytopenia'), 'and the indication matched')
})

void t.test('conditions not sent, FHIR server reachable: fetched and evaluated', async (t) => {
  const fhir = await startFhirServer([pt, ...resources] as any, TOKEN)
  t.teardown(fhir.close)
  const app = await buildTestApp(t, { FHIR_SERVER_ALLOWLIST: fhir.baseUrl })
  const res = await postHook(app, { ...hookRequest(pt, resources, { omit: ['conditions'] }), fhirServer: fhir.baseUrl, fhirAuthorization: auth })
  t.equal(res.status, 200)
  t.ok(resultFor(res.body, 'inherited-thrombocytopenia'), 'the fetched diagnosis matched the indication')
  t.same(fhir.requests.map((r) => r.path.split('?')[0]), ['/fhir/R4/Condition'], 'only the missing key was fetched')
})

void t.test('conditions fetch fails: the card says they could not be retrieved, and never that they match nothing', async (t) => {
  const fhir = await startFhirServer([pt, ...resources] as any, TOKEN)
  t.teardown(fhir.close)
  fhir.fault = (req, res) => {
    if (!req.url?.startsWith('/fhir/R4/Condition')) return false
    res.writeHead(503, { 'content-type': 'application/fhir+json' }).end('{"resourceType":"OperationOutcome","issue":[]}')
    return true
  }
  for (const language of ['da', 'en']) {
    const app = await buildTestApp(t, { FHIR_SERVER_ALLOWLIST: fhir.baseUrl, CARD_LANGUAGE: language })
    const res = await postHook(app, { ...hookRequest(pt, resources, { omit: ['conditions'] }), fhirServer: fhir.baseUrl, fhirAuthorization: auth })
    t.equal(res.status, 200, `${language}: the fetch was tried: 200 with a card`)
    const card = res.body.cards[0]
    t.match(card.summary, language === 'da' ? /kan ikke vurderes/ : /cannot be assessed/, `${language}: summary`)
    t.notMatch(card.detail, /matcher ingen|match none/, `${language}: the detail does not contradict the summary`)
    t.match(card.extension['dk.ngc-wgs-cds.eligibility'].unavailable.join('; '), /'conditions' could not be retrieved from the FHIR server: the FHIR server answered HTTP 503/, `${language}: the result says why`)
    t.match(card.detail, language === 'da' ? /Data der ikke kunne hentes: diagnose/ : /Data that could not be retrieved: diagnosis/, `${language}: the card says what, in its language`)
  }
})
