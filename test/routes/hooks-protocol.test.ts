/**
 * POST /cds-services/{id}: request validation and error paths (exact status,
 * always an OperationOutcome), which orders trigger evaluation, prefetch
 * states, and the card contract.
 */
import t from 'tap'
import { buildTestApp, postHook, resultFor, cardFor, cardWith, SERVICE_URL } from '../helpers/app.js'
import { attestation, condition, hookRequest, orderingRole, patient, plateletCount, quantityObservation, searchset, SYSTEMS, wgsOrder, type Json } from '../helpers/fhir-builders.js'

const eligibleResources = (): Json[] => [
  condition('DD694'), plateletCount(88, '2015-05-01'), plateletCount(95, '2021-03-01'),
  quantityObservation(SYSTEMS.loinc, '32623-1', 12.1, 'fL', '2024-02-01'),
  attestation('lifelong-course'), attestation('acquired-causes-excluded'), attestation('patient-informed'),
  ...orderingRole('Afdeling for Blodsygdomme, Rigshospitalet')
]

void t.test('malformed requests: 4xx with an OperationOutcome naming the problem', async (t) => {
  const app = await buildTestApp(t)
  const good = hookRequest(patient(), [])
  const cases: Array<{ name: string, payload: string | Json, status: number, mentions: RegExp, contentType?: string }> = [
    { name: 'invalid JSON', payload: '{"hook": "order-select",', status: 400, mentions: /JSON/ },
    { name: 'empty body', payload: '', status: 400, mentions: /body|empty/i },
    { name: 'missing hook', payload: { ...good, hook: undefined }, status: 400, mentions: /hook/ },
    { name: 'missing hookInstance', payload: { ...good, hookInstance: undefined }, status: 400, mentions: /hookInstance/ },
    { name: 'hookInstance not a UUID', payload: { ...good, hookInstance: 'abc' }, status: 400, mentions: /hookInstance/ },
    { name: 'context missing', payload: { ...good, context: undefined }, status: 400, mentions: /context/ },
    { name: 'context.patientId missing', payload: { ...good, context: { ...good.context, patientId: undefined } }, status: 400, mentions: /patientId/ },
    { name: 'order-select without selections', payload: { ...good, context: { ...good.context, selections: undefined } }, status: 400, mentions: /selections/ },
    { name: 'draftOrders not a Bundle', payload: { ...good, context: { ...good.context, draftOrders: { resourceType: 'List' } } }, status: 400, mentions: /draftOrders/ },
    { name: 'patientId of the wrong type', payload: { ...good, context: { ...good.context, patientId: 42 } }, status: 400, mentions: /patientId/ },
    { name: 'prefetch of the wrong type', payload: { ...good, prefetch: 'all of it' }, status: 400, mentions: /prefetch/ },
    { name: 'a prefetch key that is a string', payload: { ...good, prefetch: { patient: 'Patient/1' } }, status: 400, mentions: /prefetch/ },
    // What a fetch would use is checked only when it is used (test/routes/fhir-authorization.test.ts); its shape always.
    { name: 'fhirAuthorization not an object', payload: { ...good, fhirServer: 'https://fhir.example/r4', fhirAuthorization: 'Bearer x' }, status: 400, mentions: /fhirAuthorization/ },
    { name: 'fhirAuthorization token_type not a string', payload: { ...good, fhirServer: 'https://fhir.example/r4', fhirAuthorization: { access_token: 'x', token_type: 1 } }, status: 400, mentions: /token_type/ },
    { name: 'a hook this service does not serve', payload: { ...good, hook: 'patient-view' }, status: 400, mentions: /patient-view/ },
    { name: 'prefetch Patient for another patient', payload: { ...good, prefetch: { ...good.prefetch, patient: patient({ id: 'someone-else' }) } }, status: 400, mentions: /patientId/ }
  ]
  for (const c of cases) {
    const res = await app.inject({ method: 'POST', url: SERVICE_URL, headers: { 'content-type': 'application/json' }, payload: typeof c.payload === 'string' ? c.payload : JSON.stringify(c.payload) })
    t.equal(res.statusCode, c.status, `${c.name}: ${c.status}`)
    const body = res.json()
    t.equal(body.resourceType, 'OperationOutcome', `${c.name}: OperationOutcome`)
    t.match(JSON.stringify(body.issue), c.mentions, `${c.name}: names the problem`)
  }
})

void t.test('unknown service 404, wrong method/path 404, wrong media type 415', async (t) => {
  const app = await buildTestApp(t)
  const res = await postHook(app, hookRequest(patient(), []), '/cds-services/no-such-service')
  t.equal(res.status, 404)
  t.equal(res.body.resourceType, 'OperationOutcome')
  const wrongPath = await app.inject({ method: 'GET', url: '/cds-services/ngc-wgs-eligibility/nothing' })
  t.equal(wrongPath.statusCode, 404)
  const wrongType = await app.inject({ method: 'POST', url: SERVICE_URL, headers: { 'content-type': 'text/plain' }, payload: 'hello' })
  t.equal(wrongType.statusCode, 415)
  t.equal(wrongType.json().resourceType, 'OperationOutcome')
})

void t.test('body size limit: 413 with an OperationOutcome', async (t) => {
  const app = await buildTestApp(t, { BODY_LIMIT_BYTES: '2048' })
  const res = await postHook(app, hookRequest(patient(), eligibleResources()))
  t.equal(res.status, 413)
  t.equal(res.body.resourceType, 'OperationOutcome')
})

void t.test('only WGS orders trigger evaluation', async (t) => {
  const app = await buildTestApp(t, { WGS_ORDER_CODES: 'urn:oid:1.2.208.176.2.4|BOQM0' })
  const other = wgsOrder('blood-count', { code: { coding: [{ system: SYSTEMS.loinc, code: '58410-2' }] } })
  let res = await postHook(app, hookRequest(patient(), eligibleResources(), { order: other }))
  t.same(res.body, { cards: [] }, 'a non-WGS order: no cards')
  const req = hookRequest(patient(), eligibleResources())
  req.context.selections = ['ServiceRequest/something-else']
  res = await postHook(app, req)
  t.same(res.body, { cards: [] }, 'order-select: a WGS order that is not selected is not evaluated')
  const local = wgsOrder('local', { code: { coding: [{ system: 'urn:oid:1.2.208.176.2.4', code: 'BOQM0' }] } })
  res = await postHook(app, hookRequest(patient(), eligibleResources(), { order: local }))
  t.ok(cardFor(res.body, 'inherited-thrombocytopenia'), 'a configured local order code triggers evaluation')
  res = await postHook(app, hookRequest(patient(), eligibleResources(), { hook: 'order-sign' }))
  t.equal(resultFor(res.body, 'inherited-thrombocytopenia')?.status, 'eligible', 'order-sign evaluates every WGS order')
})

void t.test('prefetch states: missing Patient → 412; null, OperationOutcome, paged and wrong-type keys → unknown', async (t) => {
  const app = await buildTestApp(t)
  const missing = hookRequest(patient(), eligibleResources(), { omit: ['patient'] })
  let res = await postHook(app, missing)
  t.equal(res.status, 412)
  t.equal(res.body.resourceType, 'OperationOutcome')
  const nulled = hookRequest(patient(), eligibleResources())
  nulled.prefetch.patient = null
  res = await postHook(app, nulled)
  t.equal(res.status, 412, 'a null Patient read is no Patient')
  const oo = hookRequest(patient(), eligibleResources())
  oo.prefetch.observations = { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'timeout' }] }
  res = await postHook(app, oo)
  let r = resultFor(res.body, 'inherited-thrombocytopenia')
  t.equal(r?.criteria.find((c) => c.id === 'no-normal-platelet-count')?.status, 'unknown', 'OperationOutcome in prefetch is treated as missing')
  t.match(r?.criteria.find((c) => c.id === 'no-normal-platelet-count')?.reason, /could not retrieve prefetch 'observations'/)
  const paged = hookRequest(patient(), eligibleResources())
  paged.prefetch.observations = { ...paged.prefetch.observations, link: [{ relation: 'next', url: 'https://fhir.example/Observation?page=2' }] }
  res = await postHook(app, paged)
  r = resultFor(res.body, 'inherited-thrombocytopenia')
  t.equal(r?.status, 'incomplete', 'a partial lab history never makes "no normal count ever" pass')
  const wrongType = hookRequest(patient(), eligibleResources())
  wrongType.prefetch.observations = searchset([condition('DD694')])
  res = await postHook(app, wrongType)
  t.equal(res.status, 200, 'resources of the wrong type in a key: still 200')
  t.match(resultFor(res.body, 'inherited-thrombocytopenia')?.criteria.find((c) => c.id === 'no-normal-platelet-count')?.reason, /'observations' is not a Bundle or resource of the expected type/, 'and the criteria reading it say why they are unknown')
  const wrongDiagnoses = hookRequest(patient(), eligibleResources())
  wrongDiagnoses.prefetch.conditions = searchset([plateletCount(100, '2020-01-01')])
  res = await postHook(app, wrongDiagnoses)
  t.equal(res.status, 412, 'the required conditions of the wrong type, no FHIR access: 412 (test/routes/required-prefetch.test.ts)')
  t.match(res.body.issue?.[0]?.diagnostics, /prefetch 'conditions' is not a Bundle of the expected type/)
})

void t.test('resources about another patient are ignored', async (t) => {
  const app = await buildTestApp(t)
  const foreign = condition('DD694', { subject: { reference: 'Patient/other' } })
  const res = await postHook(app, hookRequest(patient(), [foreign]))
  t.equal(resultFor(res.body, null)?.status, 'no-matching-indication', 'another patient\'s diagnosis does not match')
})

void t.test('card contract', async (t) => {
  const app = await buildTestApp(t)
  const eligible = await postHook(app, hookRequest(patient(), eligibleResources()))
  const card = cardFor(eligible.body, 'inherited-thrombocytopenia')
  t.ok(card.summary.length < 140, 'summary under 140 characters')
  t.match(card.summary, /^WGS-kriterier opfyldt/, 'Danish by default')
  t.equal(card.indicator, 'info', 'eligible → info')
  t.match(card.uuid, /^[0-9a-f-]{36}$/)
  t.equal(card.source.label, 'Nationalt Genom Center – WGS-kriterier')
  t.match(card.source.url, /^https:\/\/ngc\.dk\//)
  t.equal(card.selectionBehavior, 'at-most-one')
  const update = card.suggestions[0].actions[0]
  t.equal(update.type, 'update')
  t.equal(update.resource.resourceType, 'ServiceRequest')
  t.equal(update.resource.reasonCode.at(-1).coding[0].code, 'inherited-thrombocytopenia', 'indication as reasonCode')
  t.ok(update.resource.supportingInfo.some((s: any) => s.reference.startsWith('Observation/')), 'evidence as supportingInfo')
  t.notOk(card.overrideReasons, 'no override reasons on an eligible card')
  t.match(card.detail, /^\*\*Opfyldt\*\*: 7 af 7 påkrævede kriterier er opfyldt\./, 'the verdict first')
  t.notMatch(card.detail, /\|/, 'no table (issue 15): the checklist is in the extension and behind the links')
  t.equal(card.extension['dk.ngc-wgs-cds.eligibility'].rulesVersion.length > 0, true, 'the rules version in the result')
  const info = update.resource.extension.find((x: any) => x.url === 'https://ngc-wgs-cds.dk/fhir/StructureDefinition/wgs-eligibility-information')
  t.same(Object.fromEntries(info.extension.map((x: any) => [x.url, Object.values(x).find((v) => v !== x.url)])), {
    status: 'eligible',
    indication: { system: 'https://ngc-wgs-cds.dk/fhir/CodeSystem/wgs-indication', code: 'inherited-thrombocytopenia', display: card.source.topic.display },
    'doc-needed': 'no-doc',
    questionnaire: 'https://ngc-wgs-cds.dk/fhir/Questionnaire/wgs-inherited-thrombocytopenia',
    date: '2026-11-22',
    'rules-version': card.extension['dk.ngc-wgs-cds.eligibility'].rulesVersion,
    'assertion-id': card.uuid
  }, 'the eligibility information on the order (CRD coverage-information style); its assertion id is the card uuid the audit stores')
  t.notOk(card.links.some((l: any) => l.type === 'smart'), 'no form link without PUBLIC_BASE_URL (nothing to make it absolute)')
  const incomplete = await postHook(app, hookRequest(patient(), eligibleResources().filter((r) => r.code?.coding?.[0]?.code !== 'patient-informed')))
  const warn = cardFor(incomplete.body, 'inherited-thrombocytopenia')
  t.equal(warn.indicator, 'warning', 'incomplete → warning')
  t.ok(warn.overrideReasons.every((r: any) => r.display && r.code && r.system), 'override reasons are Codings with display')
  t.notOk(warn.suggestions, 'no suggestion on a warning card')
  t.match(warn.detail, /Dokumentér for at afklare/, 'says what to document')
  t.match(warn.detail, /\n- Dokumentér at patienten er informeret/, 'the one thing missing, in the rule\'s words')
  for (const c of [card, warn]) {
    for (const [k, v] of Object.entries(c)) t.not(v === null || v === '' || (Array.isArray(v) && v.length === 0), true, `${k} is never empty`)
  }
})

void t.test('English cards by configuration', async (t) => {
  const app = await buildTestApp(t, { CARD_LANGUAGE: 'en' })
  const res = await postHook(app, hookRequest(patient(), eligibleResources()))
  const card = cardFor(res.body, 'inherited-thrombocytopenia')
  t.match(card.summary, /^WGS criteria met/)
  t.equal(resultFor(res.body, 'inherited-thrombocytopenia')?.criteria[0]?.text, 'Suspected inherited thrombocytopenia (D69.4) is recorded')
})

void t.test('no matching indication: one info card', async (t) => {
  const app = await buildTestApp(t)
  const res = await postHook(app, hookRequest(patient(), [condition('J45.9')]))
  t.equal(res.body.cards.length, 1)
  t.equal(res.body.cards[0].indicator, 'info')
  t.same(resultFor(res.body, null)?.status, 'no-matching-indication')
})

void t.test('a patient under 18 in an adult indication is pointed to the paediatric groups', async (t) => {
  const app = await buildTestApp(t)
  const res = await postHook(app, hookRequest(patient({ birthDate: '2012-01-01' }), eligibleResources()))
  const r = resultFor(res.body, 'inherited-thrombocytopenia')
  t.equal(r?.status, 'not-eligible')
  t.equal(r?.paediatricRedirect, true)
  t.match(cardWith(res.body, 'inherited-thrombocytopenia').detail, /pædiatriske patientgrupper/, 'said on the card, whichever indication it is about')
})
