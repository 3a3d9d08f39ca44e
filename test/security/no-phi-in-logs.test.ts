/**
 * No patient data in logs: requests carrying a name, a CPR number, a birth
 * date, an address and an access token are processed with logging at debug
 * (successful calls, malformed calls, a 412, a FHIR fallback failure); the
 * captured log stream must contain none of them.
 */
import t from 'tap'
import { Writable } from 'node:stream'
import { buildTestApp, postHook, SERVICE_URL } from '../helpers/app.js'
import { attestation, condition, hookRequest, orderingRole, patient, plateletCount } from '../helpers/fhir-builders.js'

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
  const completed = text.split('\n').filter((l) => l.includes('"request completed"') && l.includes('"statusCode":200'))
  t.ok(completed.length > 0 && completed.every((l) => /"hookInstance":"[0-9a-f-]{36}"/.test(l)), 'hookInstance on every line of a valid hook call, as the request id')
  for (const [what, value] of Object.entries(SECRETS)) {
    t.notOk(text.includes(value), `no ${what} in the log`)
  }
  t.notOk(text.includes('Sørensen'), 'no part of the name')
})
