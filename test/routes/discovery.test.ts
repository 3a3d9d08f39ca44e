/** GET /cds-services: one service id for order-select and order-sign, spec-valid prefetch tokens. */
import t from 'tap'
import { buildTestApp } from '../helpers/app.js'

void t.test('discovery', async (t) => {
  const app = await buildTestApp(t)
  const res = await app.inject({ method: 'GET', url: '/cds-services' })
  t.equal(res.statusCode, 200)
  const { services } = res.json()
  t.same(services.map((s: any) => s.hook).sort(), ['order-select', 'order-sign'])
  t.same([...new Set(services.map((s: any) => s.id))], ['ngc-wgs-eligibility'], 'the same id for both hooks (order-sign supersedes order-select)')
  for (const s of services) {
    t.ok(s.title && s.description, 'title and description')
    t.same(Object.keys(s.prefetch).sort(), ['conditions', 'consents', 'familyHistory', 'medicationRequests', 'medicationStatements', 'observations', 'patient', 'practitionerRoles', 'procedures'])
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
