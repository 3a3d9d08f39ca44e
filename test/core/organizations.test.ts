/** Organisation lists: identifier, normalised name, partOf chain, complete SOR lists, specialties; a miss is unknown. */
import t from 'tap'
import { nameKey, onList, organizationFunctions, organizationIndex, ORGANIZATION_INDEX, SOR, type OrganizationList } from '../../src/core/organizations.js'
import { compileValueSets } from '../../src/core/terminology.js'
import { testRules } from '../helpers/app.js'
import { orderingRole } from '../helpers/fhir-builders.js'

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

void t.test('nameKey: case, diacritics, word order, unit words, department letters and hospital abbreviations', async (t) => {
  const same = [
    ['Afdeling for Blodsygdomme, Rigshospitalet', 'Klinik for Blodsygdomme, RH'],
    ['Afdeling for Blodsygdomme, Rigshospitalet', 'Rigshospitalet, Hæmatologisk Afdeling'],
    ['Hæmatologisk Afdeling X, Odense Universitetshospital', 'Hæmatologisk Afd., OUH'],
    ['Blodsygdomme, Aarhus Universitetshospital', 'BLODSYGDOMME – AUH'],
    ['Hæmatologisk afdeling, Aalborg Universitetshospital', 'Haematologisk Afsnit, AAUH'],
    ['Hæmatologisk afdeling, SUH Roskilde', 'Hæmatologisk Afdeling, Sjællands Universitetshospital, Roskilde']
  ]
  for (const [a, b] of same) t.equal(nameKey(a), nameKey(b), `${a} ≡ ${b}`)
  t.not(nameKey('Onkologisk Klinik, Rigshospitalet'), nameKey('Afdeling for Blodsygdomme, Rigshospitalet'))
  t.not(nameKey('Hæmatologisk Afd., OUH'), nameKey('Hæmatologisk Afd., AUH'), 'the hospital still counts')
})

const SOR_LIST: OrganizationList = {
  id: 'sor-list', title: { da: 'Liste', en: 'List' }, seed: { file: 'f', heading: 'h' }, complete: true,
  members: [{ name: 'Afdeling for Blodsygdomme, Rigshospitalet', identifiers: [{ system: SOR, value: '111' }] }]
}

void t.test('membership: partOf chain, SOR, complete lists, specialties; a non-match is unknown', async (t) => {
  const lists = testRules().organizationLists
  const aml = lists.find((l) => l.id === 'aml-departments')!
  const ward = { resourceType: 'Organization', id: 'ward', name: 'Blodsygdomme L, Senge', partOf: { reference: 'Organization/dept' } }
  const dept = { resourceType: 'Organization', id: 'dept', name: 'Afdeling for Blodsygdomme', partOf: { reference: 'Organization/rh' } }
  const rh = { resourceType: 'Organization', id: 'rh', name: 'Rigshospitalet' }
  const index = organizationIndex([ward, dept, rh])
  const fns = organizationFunctions([aml, SOR_LIST]) as Record<string, { fn: (this: unknown, inputs: unknown[], id: string) => unknown[] }>
  const vars = (organizations: unknown[], practitionerRoles: unknown[] = []): Record<string | symbol, unknown> => ({ organizations, practitionerRoles, [ORGANIZATION_INDEX]: index })
  const onListFn = (v: Record<string | symbol, unknown>, id: string): unknown[] => fns.onList!.fn.call({ vars: v }, [], id)
  t.same(onListFn(vars([ward]), 'aml-departments'), [true], 'a bed ward under the listed department, named with its parents')
  t.same(onListFn(vars([{ resourceType: 'Organization', name: 'Klinik for Blodsygdomme, Rigshospitalet' }]), 'aml-departments'), [true], 'the name seed 002 uses')
  t.same(onListFn(vars([{ resourceType: 'Organization', name: 'Hæmatologisk Afdeling, OUH' }]), 'aml-departments'), [true], 'OUH haematology')
  t.same(onListFn(vars([rh]), 'aml-departments'), [], 'the hospital alone: unknown, not false')
  t.same(onListFn(vars([{ resourceType: 'Organization', name: 'Onkologisk Klinik, Rigshospitalet' }]), 'aml-departments'), [], 'another department by name: unknown')
  t.same(onListFn(vars([]), 'aml-departments'), [], 'no organisation: unknown')
  const sorOrg = (value: string): unknown => ({ resourceType: 'Organization', name: 'Whatever', identifier: [{ system: SOR, value }] })
  t.same(onListFn(vars([sorOrg('111')]), 'sor-list'), [true], 'SOR identifier')
  t.same(onListFn(vars([sorOrg('999')]), 'sor-list'), [false], 'SOR-identified and not on a complete SOR list: not met')
  t.same(onListFn(vars([sorOrg('999')]), 'aml-departments'), [], 'a list that is not declared complete never says false')
  const withSpecialty = compileValueSets([{ resourceType: 'ValueSet', status: 'active', url: 'vs:onc', compose: { include: [{ system: 'http://snomed.info/sct', concept: [{ code: '394593009' }] }] } }])
  const specialtyFns = organizationFunctions([{ ...aml, id: 'spec', specialtyValueSets: ['vs:onc'] }], withSpecialty) as typeof fns
  const role = { resourceType: 'PractitionerRole', specialty: [{ coding: [{ system: 'http://snomed.info/sct', code: '394593009' }] }] }
  t.same(specialtyFns.onList!.fn.call({ vars: vars([rh], [role]) }, [], 'spec'), [true], 'a qualifying specialty')
  t.throws(() => onListFn(vars([]), 'nope'), /unknown list/)
})

void t.test('in a criterion: unknown with a warning naming the listed departments; the card shows it', async (t) => {
  const { criterion, indication, result, run } = await import('./mini-catalogue.js')
  const { renderCards } = await import('../../src/cards/render.js')
  const aml = testRules().organizationLists.find((l) => l.id === 'aml-departments')!
  const ind = indication([criterion('dept', "onList('aml-departments')", { evidence: '%organizations' })])
  const { condition } = await import('../helpers/fhir-builders.js')
  for (const engine of ['compiled', 'reference'] as const) {
    const unknown = run(ind, [condition('C92.0'), ...orderingRole('Onkologisk Klinik, Rigshospitalet')], undefined, { catalogue: { organizationLists: [aml], engine } })
    t.equal(result(unknown, 'dept')?.status, 'unknown', engine)
    t.match(result(unknown, 'dept')?.warnings?.[0]?.da, /Afdeling for Blodsygdomme, Rigshospitalet.*Hæmatologisk Afd., OUH/)
    const [card] = renderCards(unknown, { language: 'da', rulesVersion: 'v', unavailable: [] })
    t.match(card!.detail, /⚠ Den bestillende afdeling kunne ikke genkendes/)
    const met = run(ind, [condition('C92.0'), ...orderingRole('Klinik for Blodsygdomme, Rigshospitalet')], undefined, { catalogue: { organizationLists: [aml], engine } })
    t.equal(result(met, 'dept')?.status, 'met', engine)
    t.notOk(result(met, 'dept')?.warnings)
  }
})

void t.test('nameKey: a name folded once answers the same later, long names and a full cache included', async (t) => {
  const name = 'Afdeling for Blodsygdomme, Rigshospitalet'
  const first = nameKey(name)
  t.equal(first, 'haematologi rigshospitalet')
  t.equal(nameKey(name), first, 'the second call (cached) gives the same key')
  const long = `${'Klinik '.repeat(60)}Hæmatologisk Afdeling, RH`
  t.equal(nameKey(long), 'haematologi rigshospitalet', 'a name too long to be cached is folded all the same')
  for (let i = 0; i < 1100; i++) nameKey(`Afdeling ${i}, Rigshospitalet`) // past the cache's bound: it starts over
  t.equal(nameKey(name), first, 'after the cache started over')
  t.equal(nameKey('Afdeling 7, Rigshospitalet'), 'rigshospitalet', 'numbers of one digit are dropped like ward letters')
})
