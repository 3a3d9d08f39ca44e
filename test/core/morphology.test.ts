/** morphology() (issue 13 §2, interface 7): every place a Danish record carries the tumour morphology. */
import t from 'tap'
import { codingKey } from '../../src/core/terminology.js'
import { condition, SYSTEMS } from '../helpers/fhir-builders.js'
import { criterion, indication, result, run, VALUE_SETS } from './mini-catalogue.js'

const ICDO3 = 'http://terminology.hl7.org/CodeSystem/icd-o-3'
const MCODE_HMB = 'http://hl7.org/fhir/us/mcode/StructureDefinition/mcode-histology-morphology-behavior'
// The SNOMED CT code here is an opaque example for the matching test, not a clinical claim.
const gbmVs = { resourceType: 'ValueSet', status: 'active', url: 'vs:gbm', compose: { include: [{ system: ICDO3, concept: [{ code: '9440/3' }] }, { system: SYSTEMS.snomed, concept: [{ code: '393563007' }] }] } } as const

void t.test('codingKey: ICD-O-3 spellings and SKS/Patobank M-codes normalise to one key', async (t) => {
  for (const code of ['9440/3', '94403', 'M9440/3', 'M-9440/3']) t.equal(codingKey(ICDO3, code), `${ICDO3}|9440/3`, code)
  t.equal(codingKey('urn:oid:1.2.208.176.2.4', 'ZM94403'), `${ICDO3}|9440/3`, 'SKS additional code')
  t.equal(codingKey(SYSTEMS.sks, 'DC719+ZM94403'), `${SYSTEMS.icd10}|C71.9`, 'an SKS diagnosis with an additional code is still the diagnosis')
})

void t.test('morphology(): Condition.code, extensions, SKS additional codes, pathology conclusionCode', async (t) => {
  const ind = indication([criterion('gbm', "iif(%tumours.morphology().where(inValueSet('vs:gbm')).exists(), true, {})", { evidence: '%tumours' })], {
    data: { dx: { resourceType: 'Condition', valueSet: 'vs:dx' }, tumours: { resourceType: 'Condition' }, reports: { resourceType: 'DiagnosticReport' } },
    variables: {}
  })
  const withReports = indication([criterion('gbm', "iif((%tumours | %reports).morphology().where(inValueSet('vs:gbm')).exists(), true, {})", { evidence: '%tumours | %reports' })], {
    data: { dx: { resourceType: 'Condition', valueSet: 'vs:dx' }, tumours: { resourceType: 'Condition' }, reports: { resourceType: 'DiagnosticReport' } }
  })
  const catalogue = { valueSets: [...VALUE_SETS, gbmVs as any] }
  const dx = condition('C92.0')
  const cases: Array<[string, unknown]> = [
    ['ICD-O-3 on Condition.code', condition('C71.9', { code: { coding: [{ system: SYSTEMS.icd10, code: 'C71.9' }, { system: ICDO3, code: '9440/3' }] } })],
    ['mCODE histology-morphology-behavior extension', condition('C71.9', { extension: [{ url: MCODE_HMB, valueCodeableConcept: { coding: [{ system: ICDO3, code: '9440/3' }] } }] })],
    ['SKS additional code after +', condition('DC719', { code: { coding: [{ system: SYSTEMS.sks, code: 'DC719+ZM94403' }] } })],
    ['SKS M-code as its own coding', condition('DC719', { code: { coding: [{ system: SYSTEMS.sks, code: 'DC719' }, { system: 'urn:oid:1.2.208.176.2.4', code: 'ZM94403' }] } })],
    ['SNOMED CT disorder', condition('C71.9', { code: { coding: [{ system: SYSTEMS.snomed, code: '393563007' }] } })]
  ]
  for (const engine of ['compiled', 'reference'] as const) {
    for (const [name, tumour] of cases) {
      t.equal(result(run(ind, [dx, tumour], undefined, { catalogue: { ...catalogue, engine } }), 'gbm')?.status, 'met', `${engine}: ${name}`)
    }
    const report = { resourceType: 'DiagnosticReport', id: 'path-1', status: 'final', code: { text: 'Patologi' }, conclusionCode: [{ coding: [{ system: ICDO3, code: '9440/3' }] }] }
    t.equal(result(run(withReports, [dx, report], undefined, { catalogue: { ...catalogue, engine } }), 'gbm')?.status, 'met', `${engine}: pathology report conclusionCode`)
    t.equal(result(run(ind, [dx, condition('C71.9')], undefined, { catalogue: { ...catalogue, engine } }), 'gbm')?.status, 'unknown', `${engine}: no morphology recorded`)
  }
})

void t.test('morphology(): in verify mode the compiled path and fhirpath.js return the same codings (no false "differs")', async (t) => {
  // The ICD-O-3 codings made from SKS M-codes used to be new objects on every call, so the two engines'
  // equal results compared as different. They are made once per resource now.
  const ind = indication([criterion('gbm', "iif(%tumours.morphology().where(inValueSet('vs:gbm')).exists(), true, {})", { evidence: '%tumours' })], {
    data: { dx: { resourceType: 'Condition', valueSet: 'vs:dx' }, tumours: { resourceType: 'Condition' } },
    variables: { tumourMorphology: '%tumours.morphology()' }
  })
  const mismatches: unknown[] = []
  const catalogue = { valueSets: [...VALUE_SETS, gbmVs as any], engine: 'verify' as const, onMismatch: (m: unknown) => { mismatches.push(m) } }
  const tumour = condition('DC719', { code: { coding: [{ system: SYSTEMS.sks, code: 'DC719+ZM94403' }] } })
  t.equal(result(run(ind, [condition('C92.0'), tumour], undefined, { catalogue }), 'gbm')?.status, 'met', 'the SKS additional code is the morphology')
  t.same(mismatches, [], 'no expression reported as differing')
})
