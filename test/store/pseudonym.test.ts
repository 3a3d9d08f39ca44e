/**
 * The pseudonymous patient key and its secret policy, and the ordering
 * organisation's SOR identifier taken from the practitionerRoles prefetch.
 */
import t from 'tap'
import { readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { patientKeyer, patientKeySecret, SECRET_FILE } from '../../src/store/patient-key.js'
import { orderingOrganization, SOR_SYSTEM } from '../../src/store/ordering-organization.js'
import { searchset } from '../helpers/fhir-builders.js'

void t.test('patient key: keyed HMAC-SHA256 of the patient id', async (t) => {
  const key = patientKeyer('s'.repeat(32))
  t.match(key('0101801234'), /^[0-9a-f]{64}$/)
  t.equal(key('0101801234'), key('0101801234'), 'stable for a patient')
  t.not(key('0101801234'), key('0101801235'), 'differs between patients')
  t.not(patientKeyer('t'.repeat(32))('0101801234'), key('0101801234'), 'depends on the secret: not a plain hash anyone could recompute from a CPR number')
})

void t.test('secret policy', async (t) => {
  t.same(patientKeySecret('x'.repeat(40), true, ':memory:'), { secret: 'x'.repeat(40), source: 'configured' })
  t.throws(() => patientKeySecret(undefined, true, ':memory:'), /PATIENT_KEY_SECRET is required/)
  t.equal(patientKeySecret(undefined, false, ':memory:').source, 'memory')
  const dir = join(t.testdir({}), 'data')
  const generated = patientKeySecret(undefined, false, dir)
  t.equal(generated.source, 'generated')
  t.equal(statSync(join(dir, SECRET_FILE)).mode & 0o777, 0o600)
  t.same(patientKeySecret(undefined, false, dir), { secret: generated.secret, source: 'data-dir' }, 'reused on the next start')
  t.equal(readFileSync(join(dir, SECRET_FILE), 'utf8').trim(), generated.secret)
  writeFileSync(join(dir, SECRET_FILE), 'short\n')
  t.throws(() => patientKeySecret(undefined, false, dir), /shorter than 32/)
})

void t.test('ordering organisation', async (t) => {
  const org = (id: string, ...sor: string[]): Record<string, unknown> => ({ resourceType: 'Organization', id, identifier: [{ system: 'urn:other', value: 'x' }, ...sor.map((value) => ({ system: SOR_SYSTEM, value }))] })
  const role = (id: string, orgId: string): Record<string, unknown> => ({ resourceType: 'PractitionerRole', id, organization: { reference: `Organization/${orgId}` } })
  const prefetch = { practitionerRoles: searchset([role('r1', 'o1'), role('r2', 'o2'), org('o1', '111'), org('o2', '222'), org('o3', '333')]) }
  t.equal(orderingOrganization(prefetch, 'PractitionerRole/r2'), `${SOR_SYSTEM}|222`, 'the user\'s role decides')
  t.equal(orderingOrganization(prefetch, 'Practitioner/dr-1'), `${SOR_SYSTEM}|111,${SOR_SYSTEM}|222`, 'all of the practitioner\'s roles, not unrelated organisations')
  t.equal(orderingOrganization({ practitionerRoles: searchset([role('r1', 'o1'), org('o1')]) }, 'Practitioner/dr-1'), undefined, 'no SOR identifier: none recorded')
  t.equal(orderingOrganization(undefined, 'Practitioner/dr-1'), undefined)
  t.equal(orderingOrganization({ practitionerRoles: null }, 'Practitioner/dr-1'), undefined)
})
