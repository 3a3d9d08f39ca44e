/**
 * sarcoma (seed 003, "Patienter med sarkom"): every criterion driven to met,
 * not-met and unknown over HTTP; subtypes (soft tissue, GIST, osteo-, chondrosarcoma).
 */
import t from 'tap'
import { buildTestApp, postHook, resultFor } from '../helpers/app.js'
import { runScenarios, assertCoverage, assemble, type Scenario } from '../helpers/scenarios.js'
import { attestation, condition, ecog, hookRequest, orderingRole, patient, procedure, SYSTEMS, icdo3, pathologyReport, sksM, type Json } from '../helpers/fhir-builders.js'

const ID = 'sarcoma'
/** Load shedding (503 under event-loop pressure) is not under test here; on a busy CI box it would make scenarios flaky. */
const NO_LOAD_SHEDDING = { UNDER_PRESSURE_MAX_EVENT_LOOP_UTILIZATION: '0', UNDER_PRESSURE_MAX_EVENT_LOOP_DELAY_MS: '0' }
const ONCOLOGY = '394592004'
const centreOncologist = (): Json[] => orderingRole('Sarkomcenteret, Aarhus Universitetshospital', ONCOLOGY)
const status = (code: string): Json => ({ clinicalStatus: { coding: [{ system: SYSTEMS.conditionClinical, code }] } })
const provisional = { verificationStatus: { coding: [{ system: SYSTEMS.conditionVerification, code: 'provisional' }] } }
const gist = (over: Json = {}): Json => condition('x', { code: { coding: [{ system: SYSTEMS.snomed, code: '420120006' }] }, ...over })
/** ICD-O-3 morphology as the mCODE histology-morphology-behavior extension, as a Danish EHR would carry the Patobank morphology. */
const morphology = (code: string): Json[] => [{ url: 'http://hl7.org/fhir/us/mcode/StructureDefinition/mcode-histology-morphology-behavior', valueCodeableConcept: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/icd-o-3', code }] } }]


/** Lung metastases of a thigh leiomyosarcoma, everything documented; each scenario changes one thing. */
function complete (over: { without?: string[], add?: Json[], sarcoma?: Json[] } = {}): Json[] {
  const parts: Record<string, Json[]> = {
    sarcoma: over.sarcoma ?? [condition('C49.2')],
    metastases: [condition('C78.0')],
    histology: [procedure(SYSTEMS.snomed, '252416005', '2024-03-01')],
    ecog: [ecog(1, '2026-11-01')],
    tissue: [attestation('tumour-accessible-for-biopsy')],
    role: centreOncologist()
  }
  return assemble(parts, over)
}

const scenarios: Scenario[] = [
  { name: 'metastatic soft-tissue sarcoma, all documented', criterion: 'metastatic-or-recurrent', expect: 'met', indicationStatus: 'eligible', resources: complete() },
  { name: 'recurrent osteosarcoma (SKS DC402, clinicalStatus recurrence)', criterion: 'metastatic-or-recurrent', expect: 'met', indicationStatus: 'eligible', resources: complete({ sarcoma: [condition('DC402', status('recurrence'))], without: ['metastases'] }) },
  { name: 'metastatic chondrosarcoma of the pelvis (C41.4)', criterion: 'metastatic-or-recurrent', expect: 'met', resources: complete({ sarcoma: [condition('C41.4')] }) },
  { name: 'metastatic GIST coded in SNOMED', criterion: 'metastatic-or-recurrent', expect: 'met', indicationStatus: 'eligible', resources: complete({ sarcoma: [gist()] }) },
  { name: 'retroperitoneal sarcoma, metastasis attested', criterion: 'metastatic-or-recurrent', expect: 'met', resources: complete({ sarcoma: [condition('C48.0')], without: ['metastases'], add: [attestation('metastatic-or-recurrent-disease')] }) },
  { name: 'attested localised, no recurrence', criterion: 'metastatic-or-recurrent', expect: 'not-met', indicationStatus: 'not-eligible', resources: complete({ without: ['metastases'], add: [attestation('metastatic-or-recurrent-disease', false)] }) },
  { name: 'localised sarcoma at diagnosis, nothing coded', criterion: 'metastatic-or-recurrent', expect: 'unknown', indicationStatus: 'incomplete', resources: complete({ without: ['metastases'] }) },
  { name: 'metastasis in remission', criterion: 'metastatic-or-recurrent', expect: 'unknown', resources: complete({ without: ['metastases'], add: [condition('C78.0', status('remission'))] }) },
  // Review §8: visceral and site-coded sarcomas reach the indication through their morphology.
  { name: 'uterine leiomyosarcoma coded by site (DC542 + 8890/3) with lung metastases', criterion: 'metastatic-or-recurrent', expect: 'met', indicationStatus: 'eligible', resources: complete({ sarcoma: [condition('DC542', { extension: morphology('8890/3') })] }) },
  { name: 'gastric GIST coded by site (C16.2 + 8936/3) with liver metastases', criterion: 'metastatic-or-recurrent', expect: 'met', indicationStatus: 'eligible', resources: complete({ sarcoma: [condition('C16.2', { extension: morphology('8936/3') })], without: ['metastases'], add: [condition('C78.7')] }) },
  { name: 'recurrent dermatofibrosarcoma protuberans (C44.5 + 8832/1)', criterion: 'metastatic-or-recurrent', expect: 'met', resources: complete({ sarcoma: [condition('C44.5', { extension: morphology('8832/1'), ...status('recurrence') })], without: ['metastases'] }) },
  { name: 'breast angiosarcoma (C50.4 + 9120/3) stage IV', criterion: 'metastatic-or-recurrent', expect: 'met', resources: complete({ sarcoma: [condition('C50.4', { extension: morphology('9120/3'), stage: [{ summary: { coding: [{ system: SYSTEMS.snomed, code: '258228008' }] } }] })], without: ['metastases'] }) },

  { name: 'born 1980, evaluated 2026', criterion: 'adult', expect: 'met', resources: complete() },
  { name: '15-year-old with osteosarcoma', criterion: 'adult', expect: 'not-met', indicationStatus: 'not-eligible', patient: patient({ birthDate: '2011-02-01' }), resources: complete({ sarcoma: [condition('C40.2')] }) },
  { name: 'no birth date', criterion: 'adult', expect: 'unknown', patient: patient({ birthDate: undefined }), resources: complete() },

  { name: 'ECOG 1', criterion: 'performance-status', expect: 'met', resources: complete() },
  { name: 'ECOG 2 (upper limit)', criterion: 'performance-status', expect: 'met', resources: complete({ without: ['ecog'], add: [ecog(2, '2026-11-15')] }) },
  { name: 'ECOG 3', criterion: 'performance-status', expect: 'not-met', indicationStatus: 'not-eligible', resources: complete({ without: ['ecog'], add: [ecog(3, '2026-11-15')] }) },
  { name: 'no ECOG in the last 90 days', criterion: 'performance-status', expect: 'unknown', resources: complete({ without: ['ecog'], add: [ecog(0, '2026-01-15')] }) },
  { name: 'observations prefetch not sent', criterion: 'performance-status', expect: 'unknown', resources: complete(), request: { omit: ['observations'] } },

  { name: 'confirmed sarcoma with histopathology', criterion: 'histopathology-diagnosis', expect: 'met', resources: complete() },
  { name: 'attested', criterion: 'histopathology-diagnosis', expect: 'met', resources: complete({ without: ['histology'], add: [attestation('histopathology-diagnosis')] }) },
  { name: 'attested not made by histopathology', criterion: 'histopathology-diagnosis', expect: 'not-met', indicationStatus: 'not-eligible', resources: complete({ add: [attestation('histopathology-diagnosis', false)] }) },
  { name: 'sarcoma diagnosis still provisional', criterion: 'histopathology-diagnosis', expect: 'unknown', resources: complete({ sarcoma: [condition('C49.2', provisional)] }) },
  { name: 'no histopathology recorded', criterion: 'histopathology-diagnosis', expect: 'unknown', resources: complete({ without: ['histology'] }) },
  { name: 'a recorded sarcoma morphology is itself the histopathological diagnosis', criterion: 'histopathology-diagnosis', expect: 'met', resources: complete({ without: ['histology'], sarcoma: [condition('DC542', { extension: morphology('8890/3') })] }) },

  { name: 'tumour accessible for biopsy', criterion: 'fresh-tissue', expect: 'met', resources: complete() },
  { name: 'attested not accessible: shown, not a refusal', criterion: 'fresh-tissue', expect: 'not-met', indicationStatus: 'eligible', resources: complete({ without: ['tissue'], add: [attestation('tumour-accessible-for-biopsy', false)] }) },
  { name: 'not documented: does not leave the order incomplete', criterion: 'fresh-tissue', expect: 'unknown', indicationStatus: 'eligible', resources: complete({ without: ['tissue'] }) },

  { name: 'ordered by a centre oncologist', criterion: 'oncologist-assessment', expect: 'met', resources: complete() },
  { name: 'centre surgeon, oncologist assessment attested', criterion: 'oncologist-assessment', expect: 'met', resources: complete({ without: ['role'], add: [...orderingRole('Sarkomcenteret, Rigshospitalet'), attestation('oncologist-assessment')] }) },
  { name: 'centre surgeon, attested not assessed', criterion: 'oncologist-assessment', expect: 'not-met', resources: complete({ without: ['role'], add: [...orderingRole('Sarkomcenteret, Rigshospitalet'), attestation('oncologist-assessment', false)] }) },
  { name: 'centre surgeon, nothing documented', criterion: 'oncologist-assessment', expect: 'unknown', resources: complete({ without: ['role'], add: orderingRole('Sarkomcenteret, Rigshospitalet') }) },
  // Review §8: «Kirurger og onkologer tilknyttet sarkomcentre skal være bekendt med …» is a knowledge requirement, not an ordering gate.
  { name: 'an oncologist at a regional department (not a sarcoma centre) orders: eligible', criterion: 'oncologist-assessment', expect: 'met', indicationStatus: 'eligible', resources: complete({ without: ['role'], add: orderingRole('Onkologisk Afdeling, Sygehus Lillebælt, Vejle', ONCOLOGY) }) },
  { name: 'Onkologisk Klinik, Rigshospitalet orders: eligible', criterion: 'oncologist-assessment', expect: 'met', indicationStatus: 'eligible', resources: complete({ without: ['role'], add: orderingRole('Onkologisk Klinik, Rigshospitalet', ONCOLOGY) }) },
// Morphology wherever the record carries it (issue 13 §2, review F/§8): SKS/Patobank M-codes, a morphology-only diagnosis, pathology report.
  { name: 'uterine leiomyosarcoma as SKS diagnosis with its Patobank M-code (DC542+ZM88903)', criterion: 'metastatic-or-recurrent', expect: 'met', indicationStatus: 'eligible', resources: complete({ sarcoma: [condition('x', { code: { coding: [{ system: SYSTEMS.sks, code: 'DC542+ZM88903' }] } })] }) },
  { name: 'gastric cancer C16.2 whose pathology report (category SP) concludes GIST (M89363), with liver metastases', criterion: 'metastatic-or-recurrent', expect: 'met', indicationStatus: 'eligible', resources: complete({ sarcoma: [condition('C16.2')], without: ['metastases', 'histology'], add: [condition('C78.7'), pathologyReport(sksM('M89363'), '2026-06-01')] }) },
  { name: 'a diagnosis coded by its morphology alone (ICD-O-3 8890/3 leiomyosarcoma)', criterion: 'metastatic-or-recurrent', expect: 'met', indicationStatus: 'eligible', resources: complete({ sarcoma: [condition('x', { code: { coding: [icdo3('8890/3')] } })] }) },
  { name: 'no histopathology procedure: the pathology report (category SP) concludes leiomyosarcoma (M88903)', criterion: 'histopathology-diagnosis', expect: 'met', indicationStatus: 'eligible', resources: complete({ without: ['histology'], add: [pathologyReport(sksM('M88903'), '2024-03-01')] }) },
  { name: 'a provisional site-coded sarcoma morphology is no histology', criterion: 'histopathology-diagnosis', expect: 'unknown', resources: complete({ sarcoma: [condition('DC542', { ...provisional, extension: morphology('8890/3') })], without: ['histology'] }) },
  // Evidence has an age (issue 13 §1, review E).
  { name: '"localised" attested two years ago no longer overrides the metastasis code', criterion: 'metastatic-or-recurrent', expect: 'met', indicationStatus: 'eligible', resources: complete({ add: [attestation('metastatic-or-recurrent-disease', false, '2024-10-01')] }) },
  { name: 'ordered by a medical oncologist (SNOMED 394593009; review §7, A)', criterion: 'oncologist-assessment', expect: 'met', indicationStatus: 'eligible', resources: complete({ without: ['role'], add: orderingRole('Onkologisk Afdeling, Herlev og Gentofte Hospital', '394593009') }) }
]

void t.test(ID, async (t) => {
  const app = await buildTestApp(t, NO_LOAD_SHEDDING)
  assertCoverage(t, ID, scenarios)
  await runScenarios(t, app, ID, scenarios)

  await t.test('the sarcoma-centre knowledge requirement is shown as advice, not as a criterion', async (tt) => {
    const result = resultFor((await postHook(app, hookRequest(patient(), complete()))).body, ID)
    tt.notOk(result?.criteria.some((c) => c.id === 'sarcoma-centre'), 'no ordering gate')
    tt.ok(result?.advice?.some((a) => a.id === 'secondary-findings-and-tumour-board'), 'knowledge requirement shown')
  })
  await t.test('a uterine carcinoma (C54 + 8380/3 endometrioid) is not a sarcoma', async (tt) => {
    const res = await postHook(app, hookRequest(patient(), [condition('DC541', { extension: morphology('8380/3') }), condition('C78.0')]))
    tt.equal(resultFor(res.body, ID), undefined)
  })
  await t.test('a gastric adenocarcinoma whose pathology report concludes adenocarcinoma (M81403) is not a sarcoma', async (tt) => {
    const res = await postHook(app, hookRequest(patient(), [condition('C16.2'), condition('C78.7'), pathologyReport(sksM('M81403'), '2026-06-01')]))
    tt.equal(resultFor(res.body, ID), undefined)
  })
  await t.test('not a sarcoma: mesothelioma (C45) and peritoneal carcinoma (C48.2) do not match', async (tt) => {
    for (const code of ['C45.0', 'C48.2']) {
      const res = await postHook(app, hookRequest(patient(), [condition(code), condition('C78.7')]))
      tt.equal(resultFor(res.body, ID), undefined, code)
    }
  })
  await t.test('no prior-treatment rule; overlap with metastatic-solid-tumour is named', async (tt) => {
    const res = await postHook(app, hookRequest(patient(), complete()))
    const result = resultFor(res.body, ID)
    tt.notOk(result?.criteria.some((c) => c.id.includes('first-line')), 'no first-line criterion')
    tt.ok(result?.related?.some((r) => r.indication === 'metastatic-solid-tumour'))
    tt.equal(resultFor(res.body, 'metastatic-solid-tumour')?.criteria.find((c) => c.id === 'first-line-requirement')?.status, 'met', 'sarcoma is a first-line exception there')
  })
})
