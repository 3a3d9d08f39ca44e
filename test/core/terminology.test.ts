/** ValueSet compilation and ICD-10/SKS normalisation. */
import t from 'tap'
import { codingKey, compileValueSets, normaliseDiagnosisCode, ICD10, SKS_D, ATC, TerminologyError } from '../../src/core/terminology.js'
import type { ValueSet } from '../../src/core/fhir.js'

void t.test('SKS and ICD-10 diagnosis codes normalise to one form', async (t) => {
  t.equal(normaliseDiagnosisCode(SKS_D, 'DC920'), 'C92.0')
  t.equal(normaliseDiagnosisCode(SKS_D, 'DD581A'), 'D58.1A', 'national sub-code kept as a subdivision')
  t.equal(normaliseDiagnosisCode(ICD10, 'c92.0'), 'C92.0')
  t.equal(normaliseDiagnosisCode(ICD10, 'C920'), 'C92.0', 'undotted ICD-10')
  t.equal(normaliseDiagnosisCode(ICD10, 'D46'), 'D46')
  t.equal(normaliseDiagnosisCode(SKS_D, 'C920'), undefined, 'SKS D-codes must start with D')
  t.equal(normaliseDiagnosisCode(ICD10, 'not a code'), undefined)
  t.equal(codingKey(undefined, 'C92.0'), undefined, 'no system, no key')
})

const vs = (url: string, compose: ValueSet['compose']): ValueSet => ({ resourceType: 'ValueSet', status: 'active', url, compose })

void t.test('membership: exact codes, subdivisions, is-a, nested sets and excludes', async (t) => {
  const sets = compileValueSets([
    vs('a', { include: [{ system: ICD10, concept: [{ code: 'D58.1', display: 'Hereditary elliptocytosis' }] }] }),
    vs('b', { include: [{ system: 'http://loinc.org', concept: [{ code: '777-3' }] }] }),
    vs('c', { include: [{ system: ICD10, filter: [{ property: 'concept', op: 'is-a', value: 'D46' }] }], exclude: [{ system: ICD10, concept: [{ code: 'D46.9' }] }] }),
    vs('d', { include: [{ valueSet: ['a', 'b'] }] }),
    vs('e', { include: [{ system: ATC, filter: [{ property: 'concept', op: 'is-a', value: 'B01AC' }] }] }),
    vs('f', { include: [{ system: 'https://example.org/cs' }] })
  ])
  const a = sets.get('a')!
  t.same(a.match({ system: SKS_D, code: 'DD581A' }), { display: 'Hereditary elliptocytosis' }, 'SKS sub-code rolls up')
  t.ok(a.match({ system: ICD10, code: 'D58.1' }))
  t.notOk(a.match({ system: ICD10, code: 'D58.2' }))
  t.notOk(a.match({ system: 'http://snomed.info/sct', code: 'D58.1' }), 'another system never matches')
  t.ok(sets.get('b')!.exactKeys?.has('http://loinc.org|777-3'), 'exact sets expose their keys for index probes')
  t.equal(a.exactKeys, undefined, 'prefix sets do not')
  const c = sets.get('c')!
  t.ok(c.match({ system: SKS_D, code: 'DD461' }))
  t.notOk(c.match({ system: ICD10, code: 'D46.9' }), 'exclude wins')
  t.notOk(c.match({ system: ICD10, code: 'D47.1' }))
  t.ok(sets.get('d')!.match({ system: 'http://loinc.org', code: '777-3' }), 'nested ValueSets')
  t.ok(sets.get('d')!.match({ system: SKS_D, code: 'DD581' }))
  t.ok(sets.get('e')!.match({ system: ATC, code: 'b01ac06' }), 'ATC hierarchy by prefix, case-insensitive')
  t.notOk(sets.get('e')!.match({ system: ATC, code: 'B01AA03' }))
  t.ok(sets.get('f')!.match({ system: 'https://example.org/cs', code: 'anything' }), 'a whole code system')
})

void t.test('ValueSets the engine cannot compute are start-up errors', async (t) => {
  t.throws(() => compileValueSets([vs('x', { include: [{ system: 'http://snomed.info/sct', filter: [{ property: 'concept', op: 'is-a', value: '128462008' }] }] })]), TerminologyError, 'SNOMED is-a needs a terminology server')
  t.throws(() => compileValueSets([vs('x', { include: [{ valueSet: ['missing'] }] })]), /not defined/)
  t.throws(() => compileValueSets([vs('x', { include: [{ valueSet: ['x'] }] })]), /includes itself/)
  t.throws(() => compileValueSets([vs('x', { include: [{ system: ICD10, concept: [{ code: '??' }] }] })]), /not a valid/)
})
