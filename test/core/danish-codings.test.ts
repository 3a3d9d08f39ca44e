/**
 * Codings as Danish EHRs send them, normalised in one place (issue 13 §2, interface 6), and a
 * year-only birthDate that settles an age comparison when both possible ages agree.
 */
import t from 'tap'
import { codingKey, compileValueSets } from '../../src/core/terminology.js'
import { rewriteAgeComparisons } from '../../src/core/fhirpath-functions.js'
import { ageRange } from '../../src/core/clinical-time.js'
import { condition, patient, plateletCount, SYSTEMS } from '../helpers/fhir-builders.js'
import { criterion, indication, result, run } from './mini-catalogue.js'

void t.test('codingKey: NPU under both URIs, SKS under the ICD-10 URI and the SKS root, SNOMED edition URIs', async (t) => {
  t.equal(codingKey('urn:oid:1.2.208.176.2.1', 'NPU03568'), codingKey(SYSTEMS.npu, 'NPU03568'), 'NPU OID ≡ NPU URL')
  t.equal(codingKey(SYSTEMS.npu, ' npu03568'), codingKey(SYSTEMS.npu, 'NPU03568'), 'case and space')
  t.equal(codingKey(SYSTEMS.icd10, 'DC920'), `${SYSTEMS.icd10}|C92.0`, 'SKS code under the ICD-10 URI')
  t.equal(codingKey(SYSTEMS.icd10, 'DD694'), `${SYSTEMS.icd10}|D69.4`)
  t.equal(codingKey(SYSTEMS.icd10, 'D69.6'), `${SYSTEMS.icd10}|D69.6`, 'a WHO D-chapter code is not mistaken for SKS')
  t.equal(codingKey(SYSTEMS.icd10, 'D696'), `${SYSTEMS.icd10}|D69.6`)
  t.equal(codingKey('urn:oid:1.2.208.176.2.4', 'DC920'), `${SYSTEMS.icd10}|C92.0`, 'SKS diagnosis under the SKS root')
  t.equal(codingKey('urn:oid:1.2.208.176.2.4', 'ZZ3140'), 'urn:oid:1.2.208.176.2.4|ZZ3140', 'SKS procedure codes stay as they are')
  t.equal(codingKey('http://snomed.info/sct/554471000005108', '394803006'), `${SYSTEMS.snomed}|394803006`, 'Danish edition module URI')
  t.equal(codingKey('http://snomed.info/sct/554471000005108/version/20150731', '394803006'), `${SYSTEMS.snomed}|394803006`)
  const vs = compileValueSets([{ resourceType: 'ValueSet', status: 'active', url: 'vs', compose: { include: [{ system: SYSTEMS.sks, concept: [{ code: 'DC920' }] }, { system: SYSTEMS.npu, concept: [{ code: 'NPU03568' }] }] } }]).get('vs')!
  t.ok(vs.match({ system: SYSTEMS.icd10, code: 'DC920' }), 'a ValueSet listing the SKS code matches it under the ICD-10 URI')
  t.ok(vs.match({ system: SYSTEMS.icd10, code: 'DC920A' }), 'and a national sub-code')
  t.ok(vs.match({ system: 'urn:oid:1.2.208.176.2.1', code: 'NPU03568' }), 'an NPU ValueSet matches the OID')
})

void t.test('in evaluation: platelet counts under the NPU OID and SKS diagnoses under the ICD-10 URI are read', async (t) => {
  const ind = indication([criterion('plt', '%plt.exists()', { evidence: '%plt' })])
  const results = run(ind, [condition('C92.0', { code: { coding: [{ system: SYSTEMS.icd10, code: 'DC920' }] } }), plateletCount(100, '2026-11-01', { code: { coding: [{ system: 'urn:oid:1.2.208.176.2.1', code: 'NPU03568' }] } })])
  t.equal(results.length, 1, 'DC920 under the ICD-10 URI matches the indication')
  t.equal(result(results, 'plt')?.status, 'met')
  t.equal(result(results, 'plt')?.evidence[0]?.value, '100 10*9/L')
})

void t.test('year-only birthDate: settled comparisons answer, unsettled ones stay unknown', async (t) => {
  t.same(ageRange('1950', '2026-11-22'), [75, 76])
  t.same(ageRange('1950-03-01', '2026-11-22'), [76, 76])
  const ind = indication([
    criterion('adult', '%ageYears >= 18', { evidence: '%patient' }),
    criterion('over-75', '%ageYears > 75', { evidence: '%patient' }),
    criterion('under-80', '80 > %ageYears', { evidence: '%patient' }),
    criterion('exact', 'iif(%ageYears.exists(), true, {})', { evidence: '%patient' }),
    criterion('limit', '%ageYears < %limit', { evidence: '%patient' })
  ], { variables: { limit: '77' } })
  for (const engine of ['compiled', 'reference'] as const) {
    const r = run(ind, [condition('C92.0')], patient({ birthDate: '1950' }), { catalogue: { engine } })
    t.equal(result(r, 'adult')?.status, 'met', `${engine}: 75 or 76 is adult either way`)
    t.equal(result(r, 'over-75')?.status, 'unknown', `${engine}: 75 or 76 does not settle > 75`)
    t.equal(result(r, 'under-80')?.status, 'met', `${engine}: literal on the left`)
    t.equal(result(r, 'exact')?.status, 'unknown', `${engine}: %ageYears itself stays empty`)
    t.equal(result(r, 'limit')?.status, 'met', `${engine}: a variable limit`)
    const child = run(ind, [condition('C92.0')], patient({ birthDate: '2015' }), { catalogue: { engine } })
    t.equal(result(child, 'adult')?.status, 'not-met', `${engine}: born 2015 is under 18 either way`)
    t.equal(child[0]?.paediatricRedirect, true)
  }
})

void t.test('rewriteAgeComparisons leaves arithmetic and other uses alone', async (t) => {
  t.equal(rewriteAgeComparisons('%ageYears >= 18 and %x'), "ageIs('>=', 18) and %x")
  t.equal(rewriteAgeComparisons('%ageYears < 50 or %y.exists()'), "ageIs('<', 50) or %y.exists()")
  t.equal(rewriteAgeComparisons('%ageYears + 1 > 18'), '%ageYears + 1 > 18')
  t.equal(rewriteAgeComparisons('%ageYears > 18 + 1'), '%ageYears > 18 + 1')
  t.equal(rewriteAgeComparisons('%ageYears.where($this < 50)'), '%ageYears.where($this < 50)')
  t.equal(rewriteAgeComparisons('%ageYears > %limit.first()'), '%ageYears > %limit.first()')
})
