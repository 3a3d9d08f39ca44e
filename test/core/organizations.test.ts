/** Organisation lists: identifier match, full-name match, and no partial-name match. */
import t from 'tap'
import { onList, type OrganizationList } from '../../src/core/organizations.js'
import { testRules } from '../helpers/app.js'

const list: OrganizationList = {
  id: 'x', title: { da: 'x', en: 'x' }, seed: { file: 'f', heading: 'h' },
  members: [{ name: 'Afdeling for Blodsygdomme, Rigshospitalet', aliases: ['Hæmatologisk Klinik, Rigshospitalet'], identifiers: [{ system: 'urn:oid:1.2.208.176.1.1', value: '123456' }] }]
}

void t.test('onList', async (t) => {
  t.ok(onList({ resourceType: 'Organization', name: '  afdeling for blodsygdomme,  Rigshospitalet ' }, list), 'name, ignoring case and spacing')
  t.ok(onList({ resourceType: 'Organization', name: 'Something else', identifier: [{ system: 'urn:oid:1.2.208.176.1.1', value: '123456' }] }, list), 'SOR identifier')
  t.ok(onList({ resourceType: 'Organization', alias: ['Hæmatologisk Klinik, Rigshospitalet'] }, list), 'alias')
  t.notOk(onList({ resourceType: 'Organization', name: 'Rigshospitalet' }, list), 'the hospital alone is not the department')
  t.notOk(onList({ resourceType: 'Organization', name: 'X', identifier: [{ system: 'urn:oid:1.2.208.176.1.1', value: '999' }] }, list))
})

void t.test('shipped lists: every alias is a full department name (no comma-split fragments)', async (t) => {
  for (const l of testRules().organizationLists) {
    for (const m of l.members) {
      for (const a of m.aliases ?? []) t.ok(a.includes(',') || a.split(' ').length > 1, `${l.id}: alias "${a}" names a department`)
      t.notOk(onList({ resourceType: 'Organization', name: 'Rigshospitalet' }, l), `${l.id}: "Rigshospitalet" alone does not qualify`)
      t.notOk(onList({ resourceType: 'Organization', name: 'Aarhus Universitetshospital' }, l), `${l.id}: "Aarhus Universitetshospital" alone does not qualify`)
    }
  }
})
