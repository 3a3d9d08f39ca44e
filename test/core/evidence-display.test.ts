/** Evidence in words (issue 13 §4, interface 8): a bare code in the record is shown with the catalogue's display. */
import t from 'tap'
import { attestation, condition, SYSTEMS } from '../helpers/fhir-builders.js'
import { criterion, indication, result, run } from './mini-catalogue.js'

void t.test('display from the ValueSet or CodeSystem when the coding has none; the record’s own display wins', async (t) => {
  const codeSystems = [{ resourceType: 'CodeSystem', status: 'active', content: 'complete', url: SYSTEMS.attestation, concept: [{ code: 'mdt-assessment', display: 'MDT assessment documented' }] }] as any
  const ind = indication([
    criterion('plt', '%plt.exists()', { evidence: '%plt' }),
    criterion('att', "%att.attestation('mdt-assessment')", { evidence: '%att' }),
    criterion('ps', 'true', { evidence: '%ps' })
  ], { data: { dx: { resourceType: 'Condition', valueSet: 'vs:dx' }, plt: { resourceType: 'Observation', valueSet: 'vs:plt' }, att: { resourceType: 'Observation', valueSet: 'vs:att' }, ps: { resourceType: 'Observation' } } })
  const bare = { resourceType: 'Observation', id: 'p1', status: 'final', code: { coding: [{ system: 'urn:oid:1.2.208.176.2.1', code: 'NPU03568' }] }, valueQuantity: { value: 90, system: SYSTEMS.ucum, code: '10*9/L' }, effectiveDateTime: '2026-11-01' }
  const ecog = { resourceType: 'Observation', id: 'e1', status: 'final', code: { coding: [{ system: SYSTEMS.loinc, code: '89247-1' }] }, valueCodeableConcept: { coding: [{ system: SYSTEMS.loinc, code: 'LA9623-5' }] }, effectiveDateTime: '2026-11-01' }
  const results = run(ind, [condition('C92.0'), bare, attestation('mdt-assessment'), ecog], undefined, { catalogue: { codeSystems } })
  t.equal(result(results, 'plt')?.evidence[0]?.display, 'Trombocytter;B', 'ValueSet display, found under the NPU OID')
  t.equal(result(results, 'att')?.evidence[0]?.display, 'MDT assessment documented', 'CodeSystem display')
  t.equal(result(results, 'ps')?.evidence.find((e) => e.reference === 'Observation/e1')?.value, 'ECOG 1', 'a coded performance status in words')
  const named = { ...bare, id: 'p2', code: { coding: [{ system: SYSTEMS.npu, code: 'NPU03568', display: 'B—Trombocytter; antalk.' }] } }
  t.equal(result(run(ind, [condition('C92.0'), named]), 'plt')?.evidence[0]?.display, 'B—Trombocytter; antalk.', 'the record’s display is kept')
})
