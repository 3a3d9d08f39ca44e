/** Coded performance status (issue 13 §2, interface 4): numericValue() reads LOINC answers and SNOMED grade findings. */
import t from 'tap'
import { numericValue } from '../../src/core/fhirpath-functions.js'
import { condition, SYSTEMS } from '../helpers/fhir-builders.js'
import { criterion, indication, result, run, VALUE_SETS } from './mini-catalogue.js'
import { testRules } from '../helpers/app.js'

const obs = (code: { system: string, code: string }, over: Record<string, unknown> = {}): any =>
  ({ resourceType: 'Observation', id: `ps-${code.code}-${JSON.stringify(over).length}`, status: 'final', code: { coding: [code] }, effectiveDateTime: '2026-11-01', ...over })
const ECOG = { system: SYSTEMS.loinc, code: '89247-1' }
const KARNOFSKY = { system: SYSTEMS.loinc, code: '89243-0' }
const answer = (system: string, code: string): Record<string, unknown> => ({ valueCodeableConcept: { coding: [{ system, code }] } })

void t.test('numericValue: LOINC ECOG and Karnofsky answers, SNOMED ECOG/WHO findings, numbers as before', async (t) => {
  t.equal(numericValue(obs(ECOG, { valueInteger: 1 })), 1)
  t.equal(numericValue(obs(ECOG, answer(SYSTEMS.loinc, 'LA9622-7'))), 0)
  t.equal(numericValue(obs(ECOG, answer(SYSTEMS.loinc, 'LA9625-0'))), 3)
  t.equal(numericValue(obs(ECOG, answer(SYSTEMS.loinc, 'LA9627-6'))), 5, 'Dead = ECOG 5 on an ECOG observation')
  t.equal(numericValue(obs(KARNOFSKY, answer(SYSTEMS.loinc, 'LA9627-6'))), 0, '… and Karnofsky 0 on a Karnofsky observation')
  t.equal(numericValue(obs(KARNOFSKY, answer(SYSTEMS.loinc, 'LA29179-1'))), 60)
  t.equal(numericValue(obs(KARNOFSKY, answer(SYSTEMS.loinc, 'LA29175-9'))), 100)
  t.equal(numericValue(obs(ECOG, answer(SYSTEMS.snomed, '422894000'))), 2, 'SNOMED ECOG grade 2 as the answer')
  t.equal(numericValue(obs(ECOG, answer('http://snomed.info/sct/554471000005108', '373806003'))), 3, 'SNOMED WHO grade 3 under the Danish edition URI')
  t.equal(numericValue(obs({ system: SYSTEMS.snomed, code: '423237006' })), 4, 'a grade finding as the code itself')
  t.equal(numericValue(obs(ECOG, answer(SYSTEMS.loinc, 'LA6576-8'))), undefined, 'an unrelated answer is no score')
})

void t.test('the shipped ECOG ValueSet retrieves grade findings, and a criterion decides on a coded score', async (t) => {
  const ecogVs = testRules().valueSets.find((v) => v.url === 'https://ngc-wgs-cds.dk/fhir/ValueSet/ecog-performance-status')!
  const ind = indication([criterion('ps', '%ecog.latest().numericValue() <= 2', { evidence: '%ecog.latest()' })], {
    data: { dx: { resourceType: 'Condition', valueSet: 'vs:dx' }, ecog: { resourceType: 'Observation', valueSet: ecogVs.url! } }
  })
  const catalogue = { valueSets: [...VALUE_SETS, ecogVs] }
  const coded = run(ind, [condition('C92.0'), obs(ECOG, answer(SYSTEMS.loinc, 'LA9623-5'))], undefined, { catalogue })
  t.equal(result(coded, 'ps')?.status, 'met')
  const finding = run(ind, [condition('C92.0'), obs({ system: SYSTEMS.snomed, code: '423053003' })], undefined, { catalogue })
  t.equal(result(finding, 'ps')?.status, 'not-met', 'ECOG grade 3 as a SNOMED finding fails ≤ 2, with the observation as evidence')
  t.equal(result(finding, 'ps')?.evidence.length, 1)
})
