/**
 * GET /cds-services: spec-valid entries and prefetch tokens; by default one
 * service id per hook, because the official CDS Hooks sandbox keys services
 * by URL and with a shared id sees only one of the two hooks (issue 14,
 * item 10); DISCOVERY_SHARED_ID=true lists both under one id (CDS Hooks
 * allows it: order-sign's cards then supersede order-select's). Every id
 * discovery can list answers hook calls and feedback, whichever the setting.
 */
import t from 'tap'
import { buildTestApp, postHook, resultFor } from '../helpers/app.js'
import { hookRequest, patient, condition, plateletCount } from '../helpers/fhir-builders.js'

void t.test('default: one id per hook, so a client keying services by URL sees both hooks', async (t) => {
  const app = await buildTestApp(t)
  const { services } = (await app.inject({ method: 'GET', url: '/cds-services' })).json()
  const byHook = Object.fromEntries(services.map((s: any) => [s.hook, s.id]))
  t.same(byHook, { 'order-select': 'ngc-wgs-eligibility-order-select', 'order-sign': 'ngc-wgs-eligibility-order-sign' })
  t.equal(new Set(services.map((s: any) => `/cds-services/${String(s.id)}`)).size, 2, 'two service URLs')
  for (const s of services) {
    const res = await postHook(app, hookRequest(patient(), [condition('DD694'), plateletCount(88, '2015-05-01')], { hook: s.hook }), `/cds-services/${String(s.id)}`)
    t.equal(res.status, 200, `${s.hook} answers at its own URL`)
    t.ok(resultFor(res.body, 'inherited-thrombocytopenia'), `${s.hook}: evaluated`)
    const feedback = await app.inject({ method: 'POST', url: `/cds-services/${String(s.id)}/feedback`, payload: { feedback: [{ card: res.body.cards[0].uuid, outcome: 'overridden', overrideReason: { reason: res.body.cards[0].overrideReasons?.[0] }, outcomeTimestamp: '2026-11-22T10:05:00Z' }] } })
    t.equal(feedback.statusCode, 200, `${s.hook}: feedback at its URL`)
  }
  const shared = await postHook(app, hookRequest(patient(), [condition('DD694')]), '/cds-services/ngc-wgs-eligibility')
  t.equal(shared.status, 200, 'the shared id still answers (clients configured with it keep working)')
  t.equal((await postHook(app, hookRequest(patient(), []), '/cds-services/ngc-wgs-eligibility-patient-view')).status, 404, 'no id for a hook the service does not serve')
})

void t.test('DISCOVERY_SHARED_ID=true: both hooks under one id', async (t) => {
  const app = await buildTestApp(t, { DISCOVERY_SHARED_ID: 'true' })
  const { services } = (await app.inject({ method: 'GET', url: '/cds-services' })).json()
  t.same(services.map((s: any) => [s.hook, s.id]).sort(), [['order-select', 'ngc-wgs-eligibility'], ['order-sign', 'ngc-wgs-eligibility']])
  t.equal((await postHook(app, hookRequest(patient(), [condition('DD694')]), '/cds-services/ngc-wgs-eligibility')).status, 200)
})

void t.test('discovery entries', async (t) => {
  const app = await buildTestApp(t)
  const res = await app.inject({ method: 'GET', url: '/cds-services' })
  t.equal(res.statusCode, 200)
  const { services } = res.json()
  t.same(services.map((s: any) => s.hook).sort(), ['order-select', 'order-sign'])
  for (const s of services) {
    t.ok(s.title && s.description, 'title and description')
    t.same(Object.keys(s.prefetch).sort(), ['conditions', 'consents', 'diagnosticReports', 'familyHistory', 'medicationAdministrations', 'medicationRequests', 'medicationStatements', 'observations', 'patient', 'practitionerRoles', 'procedures', 'questionnaireResponses', 'userPractitionerRole'])
    t.equal(s.prefetch.userPractitionerRole, 'PractitionerRole?_id={{userPractitionerRoleId}}&_include=PractitionerRole:organization', 'a PractitionerRole user\'s role and department (context.userId = PractitionerRole/…)')
    t.equal(s.prefetch.diagnosticReports, 'DiagnosticReport?patient={{context.patientId}}')
    t.equal(s.prefetch.medicationAdministrations, 'MedicationAdministration?patient={{context.patientId}}')
    for (const [key, template] of Object.entries<string>(s.prefetch)) {
      const tokens = [...template.matchAll(/\{\{([^}]+)\}\}/g)].map((m) => m[1])
      for (const token of tokens) {
        t.ok(/^(context\.(patientId|encounterId|userId)|userPractitionerId|userPractitionerRoleId|userPatientId|userRelatedPersonId)$/.test(token!), `${key}: token {{${token}}} is a CDS Hooks 2.0 root-level token`)
      }
    }
    t.match(s.extension['dk.ngc-wgs-cds.rules'].rulesVersion, /^\d+\.\d+\.\d+\+[0-9a-f]{12}$/, 'rules version in a service extension')
    for (const [k, v] of Object.entries(s)) t.not(v === null || v === '' || (Array.isArray(v) && v.length === 0), true, `${k} is not empty (spec: omit, never empty)`)
  }
})
