/**
 * primary-brain-tumour (seed 003, "Primær hjernetumor"): every criterion
 * driven to met, not-met and unknown over HTTP, and each of the seed's four
 * timing rules shown to carry the indication on its own (glioblastoma with
 * PS 0–1 at first operation; low-grade glioma at recurrence operation;
 * meningioma at progression after radiotherapy with no standard offer; rare
 * diagnosis at first and/or recurrence operation) — and glioblastoma with
 * PS 2 shown not eligible.
 */
import t from 'tap'
import { buildTestApp } from '../helpers/app.js'
import { runScenarios, assertCoverage, assemble, type Scenario } from '../helpers/scenarios.js'
import { attestation, condition, ecog, orderingRole, patient, procedure, SYSTEMS, icdo3, pathologyReport, sksM, type Json } from '../helpers/fhir-builders.js'

const ID = 'primary-brain-tumour'
const ICDO3 = 'http://terminology.hl7.org/CodeSystem/icd-o-3'
const ONCOLOGY = '394592004'
const NEUROSURGERY = '394610002'

const morphology = (code: string): Json[] => [{ url: 'https://example.org/fhir/StructureDefinition/histology-morphology', valueCodeableConcept: { coding: [{ system: ICDO3, code }] } }]
const status = (code: string): Json => ({ coding: [{ system: SYSTEMS.conditionClinical, code }] })

/** A brain tumour diagnosis (ICD-10/SKS) with an ICD-O-3 morphology, or none. */
function tumour (icd = 'C71.1', morph: string | null = '9440/3', over: Json = {}): Json {
  return condition(icd, { onsetDateTime: '2026-11-05', ...(morph ? { extension: morphology(morph) } : {}), ...over })
}
const radiotherapy = (date = '2025-03-01'): Json => procedure(SYSTEMS.snomed, '108290001', date)
/** A brain tumour resection (SNOMED 118819003 Excision of neoplasm of brain). */
const resection = (date: string): Json => procedure(SYSTEMS.snomed, '118819003', date)
const diseaseStatus = (trend: string, date: string): Json => ({
  resourceType: 'Observation', id: `status-${trend}-${date}`, status: 'final', subject: { reference: 'Patient/pt-1' },
  code: { coding: [{ system: SYSTEMS.loinc, code: '97509-4' }] }, effectiveDateTime: date,
  valueCodeableConcept: { coding: [{ system: SYSTEMS.snomed, code: trend }] }
})
const WORSENED = '271299001'
const STABLE = '359746009'


/** Suspected glioblastoma, PS 1, at first operation, ordered by a neurosurgeon: eligible. */
function complete (over: { without?: string[], add?: Json[], tumour?: Json, ps?: number } = {}): Json[] {
  const parts: Record<string, Json[]> = {
    tumour: [over.tumour ?? tumour('C71.1', '9440/3', { verificationStatus: { coding: [{ system: SYSTEMS.conditionVerification, code: 'provisional' }] } })],
    ecog: [ecog(over.ps ?? 1, '2026-11-15')],
    histopathology: [procedure(SYSTEMS.snomed, '252416005', '2026-11-06')],
    surgery: [attestation('first-surgery')],
    tissue: [attestation('tumour-accessible-for-biopsy')],
    role: orderingRole('Neurokirurgisk Klinik, Rigshospitalet', NEUROSURGERY)
  }
  return assemble(parts, over)
}

/** Low-grade glioma (oligodendroglioma 9450/3, diagnosed 2021) at recurrence operation. */
const lggRecurrence = (add: Json[] = []): Json[] => complete({ tumour: tumour('DC711', '9450/3', { onsetDateTime: '2021-04-01', clinicalStatus: status('recurrence') }), without: ['surgery'], add: [attestation('recurrence-surgery'), ...add] })
/** Meningioma (9539/1, D42.0) progressing after radiotherapy, no standard offer. */
const meningiomaProgression = (add: Json[] = [], without: string[] = []): Json[] => complete({
  tumour: tumour('D42.0', '9539/1', { onsetDateTime: '2019-01-01' }),
  without: ['surgery', ...without],
  add: [radiotherapy(), diseaseStatus(WORSENED, '2026-10-01'), attestation('no-standard-treatment-offer'), ...add]
})
const ependymoma = (over: Json = {}): Json => tumour('C71.5', '9391/3', over)
/** A D42.0 meningioma recorded without morphology, progressing after radiotherapy, no standard offer. */
const meningiomaProgressionNoMorph = (): Json[] => complete({
  tumour: tumour('D42.0', null, { onsetDateTime: '2019-01-01' }),
  without: ['surgery', 'histopathology'],
  add: [procedure(SYSTEMS.snomed, '252416005', '2019-01-20'), radiotherapy(), diseaseStatus(WORSENED, '2026-10-01'), attestation('no-standard-treatment-offer')]
})

const scenarios: Scenario[] = [
  { name: 'suspected glioblastoma (provisional) coded C71.1', criterion: 'diagnosis', expect: 'met', indicationStatus: 'eligible', resources: complete() },
  { name: 'benign meningioma coded SKS DD320', criterion: 'diagnosis', expect: 'met', resources: complete({ tumour: tumour('DD320', '9530/0') }) },
  // Review §11: spinal ependymomas (C72.0/D33.4/D43.4) belong to the seed's ependymomas.
  { name: 'myxopapillary ependymoma of the spinal cord (SKS DD434 + 9394/1)', criterion: 'diagnosis', expect: 'met', indicationStatus: 'eligible', resources: complete({ tumour: tumour('DD434', '9394/1') }) },
  { name: 'glioblastoma coded in SNOMED CT (393563007)', criterion: 'diagnosis', expect: 'met', resources: complete({ tumour: condition('x', { code: { coding: [{ system: SYSTEMS.snomed, code: '393563007' }] }, onsetDateTime: '2026-11-05' }) }) },

  { name: 'born 1980', criterion: 'adult', expect: 'met', resources: complete() },
  { name: '17 years old', criterion: 'adult', expect: 'not-met', indicationStatus: 'not-eligible', patient: patient({ birthDate: '2009-06-01' }), resources: complete() },
  { name: 'no birth date', criterion: 'adult', expect: 'unknown', indicationStatus: 'incomplete', patient: patient({ birthDate: undefined }), resources: complete() },

  { name: 'ECOG 1', criterion: 'performance-status', expect: 'met', resources: complete() },
  { name: 'ECOG 3', criterion: 'performance-status', expect: 'not-met', indicationStatus: 'not-eligible', resources: complete({ ps: 3 }) },
  { name: 'no ECOG in the look-back window', criterion: 'performance-status', expect: 'unknown', resources: complete({ without: ['ecog'], add: [ecog(0, '2026-04-01')] }) },

  { name: 'histopathology procedure', criterion: 'histopathology', expect: 'met', resources: complete() },
  { name: 'histopathology attested', criterion: 'histopathology', expect: 'met', resources: complete({ without: ['histopathology'], add: [attestation('histopathology-diagnosis')] }) },
  { name: 'attested: no histopathological diagnosis', criterion: 'histopathology', expect: 'not-met', indicationStatus: 'not-eligible', resources: complete({ without: ['histopathology'], add: [attestation('histopathology-diagnosis', false)] }) },
  { name: 'pathology pending at first operation (suspected morphology on a provisional diagnosis is no histology)', criterion: 'histopathology', expect: 'unknown', indicationStatus: 'incomplete', resources: complete({ without: ['histopathology'] }) },
  { name: 'confirmed diagnosis with its ICD-O-3 morphology is the histopathological diagnosis', criterion: 'histopathology', expect: 'met', indicationStatus: 'eligible', resources: complete({ without: ['histopathology'], tumour: tumour('C71.1', '9440/3') }) },

  { name: 'glioblastoma NOS 9440/3', criterion: 'glioblastoma', expect: 'met', resources: complete() },
  { name: 'gliosarcoma 9442/3', criterion: 'glioblastoma', expect: 'met', resources: complete({ tumour: tumour('C71.2', '9442/3') }) },
  { name: 'meningioma morphology', criterion: 'glioblastoma', expect: 'not-met', resources: complete({ tumour: tumour('D32.0', '9530/0') }) },
  { name: 'no morphology recorded', criterion: 'glioblastoma', expect: 'unknown', resources: complete({ tumour: tumour('C71.9', null) }) },
  // Review §11: subtype attestation routes (DC719 without a morphology stayed incomplete forever).
  { name: 'SKS DC719 without morphology, suspected glioblastoma attested', criterion: 'glioblastoma', expect: 'met', indicationStatus: 'eligible', resources: complete({ tumour: tumour('DC719', null), add: [attestation('glioblastoma-diagnosis')] }) },
  { name: 'attested not a glioblastoma', criterion: 'glioblastoma', expect: 'not-met', resources: complete({ tumour: tumour('DC719', null), add: [attestation('glioblastoma-diagnosis', false)] }) },
  { name: 'glioblastoma coded in SNOMED CT (393563007)', criterion: 'glioblastoma', expect: 'met', resources: complete({ tumour: condition('x', { code: { coding: [{ system: SYSTEMS.snomed, code: '393563007' }] } }) }) },

  { name: 'oligodendroglioma NOS 9450/3', criterion: 'low-grade-glioma', expect: 'met', resources: lggRecurrence() },
  { name: 'anaplastic astrocytoma 9401/3 is not low grade', criterion: 'low-grade-glioma', expect: 'not-met', resources: complete({ tumour: tumour('C71.0', '9401/3') }) },
  { name: 'no morphology recorded', criterion: 'low-grade-glioma', expect: 'unknown', resources: complete({ tumour: tumour('C71.9', null) }) },
  { name: 'DC719 without morphology, low-grade glioma attested at recurrence operation', criterion: 'low-grade-glioma', expect: 'met', indicationStatus: 'eligible', resources: complete({ tumour: tumour('DC719', null, { onsetDateTime: '2020-02-01', clinicalStatus: status('recurrence') }), without: ['surgery'], add: [attestation('recurrence-surgery'), attestation('low-grade-glioma-diagnosis')] }) },

  { name: 'atypical meningioma 9539/1', criterion: 'meningioma', expect: 'met', resources: meningiomaProgression() },
  { name: 'glioblastoma', criterion: 'meningioma', expect: 'not-met', resources: complete() },
  { name: 'no morphology recorded', criterion: 'meningioma', expect: 'unknown', resources: complete({ tumour: tumour('C71.9', null) }) },
  // Review §11: D32.x/D42.x (meninges) recognise a meningioma without a morphology.
  { name: 'SKS DD320 (benign neoplasm of cerebral meninges) without morphology is a meningioma', criterion: 'meningioma', expect: 'met', resources: complete({ tumour: tumour('DD320', null) }) },
  { name: 'D42.0 without morphology, progressing after radiotherapy: eligible by the meningioma rule', criterion: 'timing', expect: 'met', indicationStatus: 'eligible', resources: meningiomaProgressionNoMorph() },
  { name: 'C70.0 (malignant, meninges) without morphology, meningioma attested', criterion: 'meningioma', expect: 'met', resources: complete({ tumour: tumour('C70.0', null), add: [attestation('meningioma-diagnosis')] }) },

  { name: 'ependymoma 9391/3', criterion: 'rare-diagnosis', expect: 'met', resources: complete({ tumour: ependymoma() }) },
  { name: 'spinal cord ependymoma (C72.0 + 9391/3)', criterion: 'rare-diagnosis', expect: 'met', indicationStatus: 'eligible', resources: complete({ tumour: tumour('C72.0', '9391/3') }) },
  { name: 'anaplastic astrocytoma attested rare', criterion: 'rare-diagnosis', expect: 'met', resources: complete({ tumour: tumour('C71.0', '9401/3'), add: [attestation('rare-brain-tumour-diagnosis')] }) },
  { name: 'glioblastoma has its own rule', criterion: 'rare-diagnosis', expect: 'not-met', resources: complete() },
  { name: 'attested not rare', criterion: 'rare-diagnosis', expect: 'not-met', resources: complete({ tumour: tumour('C71.0', '9401/3'), add: [attestation('rare-brain-tumour-diagnosis', false)] }) },
  { name: 'anaplastic astrocytoma, not attested', criterion: 'rare-diagnosis', expect: 'unknown', resources: complete({ tumour: tumour('C71.0', '9401/3') }) },

  { name: 'first operation attested', criterion: 'first-surgery', expect: 'met', resources: complete() },
  { name: 'recurrence operation attested', criterion: 'first-surgery', expect: 'not-met', resources: lggRecurrence() },
  { name: 'tumour recorded as recurrence', criterion: 'first-surgery', expect: 'not-met', resources: complete({ without: ['surgery'], tumour: tumour('C71.1', '9440/3', { clinicalStatus: status('recurrence') }) }) },
  { name: 'operation not documented', criterion: 'first-surgery', expect: 'unknown', resources: complete({ without: ['surgery'] }) },
  { name: 'the only recorded resection (118819003) three weeks ago is the first operation', criterion: 'first-surgery', expect: 'met', indicationStatus: 'eligible', resources: complete({ without: ['surgery'], add: [resection('2026-11-03')] }) },
  { name: 'a second resection: not the first operation', criterion: 'first-surgery', expect: 'not-met', resources: complete({ without: ['surgery'], add: [resection('2019-10-01'), resection('2026-11-04')] }) },
  { name: 'a single resection in 2019 (no operation now): unknown', criterion: 'first-surgery', expect: 'unknown', resources: complete({ without: ['surgery'], add: [resection('2019-10-01')] }) },

  { name: 'recurrence operation attested', criterion: 'recurrence-surgery', expect: 'met', resources: lggRecurrence() },
  { name: 'first operation attested', criterion: 'recurrence-surgery', expect: 'not-met', resources: complete() },
  { name: 'operation not documented', criterion: 'recurrence-surgery', expect: 'unknown', resources: complete({ without: ['surgery'] }) },
  { name: 'resection now after an earlier one, tumour in recurrence', criterion: 'recurrence-surgery', expect: 'met', resources: complete({ without: ['surgery'], tumour: tumour('DC711', '9450/3', { onsetDateTime: '2019-09-01', clinicalStatus: status('recurrence') }), add: [resection('2019-10-01'), resection('2026-11-04')] }) },
  { name: 'the only resection is the first', criterion: 'recurrence-surgery', expect: 'not-met', resources: complete({ without: ['surgery'], add: [resection('2026-11-03')] }) },

  { name: 'ECOG 1', criterion: 'performance-status-0-1', expect: 'met', resources: complete() },
  { name: 'ECOG 2', criterion: 'performance-status-0-1', expect: 'not-met', resources: complete({ ps: 2 }) },
  { name: 'no ECOG', criterion: 'performance-status-0-1', expect: 'unknown', resources: complete({ without: ['ecog'] }) },

  { name: 'worsened status after radiotherapy', criterion: 'progression-after-radiotherapy', expect: 'met', resources: meningiomaProgression() },
  { name: 'attested', criterion: 'progression-after-radiotherapy', expect: 'met', resources: complete({ add: [attestation('progression-after-radiotherapy')] }) },
  { name: 'stable status after radiotherapy', criterion: 'progression-after-radiotherapy', expect: 'not-met', resources: complete({ add: [radiotherapy(), diseaseStatus(STABLE, '2026-10-01')] }) },
  { name: 'worsened only before radiotherapy, nothing after', criterion: 'progression-after-radiotherapy', expect: 'unknown', resources: complete({ add: [diseaseStatus(WORSENED, '2024-06-01'), radiotherapy('2025-03-01')] }) },
  { name: 'no radiotherapy recorded', criterion: 'progression-after-radiotherapy', expect: 'unknown', resources: complete({ add: [diseaseStatus(WORSENED, '2026-10-01')] }) },
  { name: 'new meningioma at its first resection, no radiotherapy: not progression after radiotherapy', criterion: 'progression-after-radiotherapy', expect: 'not-met', resources: complete({ tumour: tumour('DD320', '9530/0', { onsetDateTime: '2026-10-05' }), without: ['surgery'], add: [resection('2026-11-02')] }) },
  { name: 'new meningioma at its first resection is not eligible («kun ved recidiv»)', criterion: 'timing', expect: 'not-met', indicationStatus: 'not-eligible', resources: complete({ tumour: tumour('DD320', '9530/0', { onsetDateTime: '2026-10-05' }), without: ['surgery'], add: [resection('2026-11-02')] }) },

  { name: 'attested', criterion: 'no-standard-treatment-offer', expect: 'met', resources: meningiomaProgression() },
  { name: 'attested a standard offer exists', criterion: 'no-standard-treatment-offer', expect: 'not-met', resources: complete({ add: [attestation('no-standard-treatment-offer', false)] }) },
  { name: 'not documented', criterion: 'no-standard-treatment-offer', expect: 'unknown', resources: complete() },

  { name: 'glioblastoma, PS 1, first operation', criterion: 'rule-glioblastoma-first-surgery', expect: 'met', indicationStatus: 'eligible', resources: complete() },
  { name: 'glioblastoma, PS 0, first operation', criterion: 'timing', expect: 'met', indicationStatus: 'eligible', resources: complete({ ps: 0 }) },
  { name: 'glioblastoma with PS 2 at first operation', criterion: 'rule-glioblastoma-first-surgery', expect: 'not-met', resources: complete({ ps: 2 }) },
  { name: 'glioblastoma with PS 2 at first operation is not eligible', criterion: 'timing', expect: 'not-met', indicationStatus: 'not-eligible', resources: complete({ ps: 2 }) },
  { name: 'glioblastoma at recurrence operation', criterion: 'rule-glioblastoma-first-surgery', expect: 'not-met', resources: complete({ without: ['surgery'], add: [attestation('recurrence-surgery')] }) },
  { name: 'glioblastoma, operation not documented', criterion: 'rule-glioblastoma-first-surgery', expect: 'unknown', resources: complete({ without: ['surgery'] }) },

  { name: 'low-grade glioma at recurrence operation', criterion: 'rule-low-grade-glioma-recurrence-surgery', expect: 'met', resources: lggRecurrence() },
  { name: 'low-grade glioma rule carries the indication', criterion: 'timing', expect: 'met', indicationStatus: 'eligible', resources: lggRecurrence() },
  { name: 'low-grade glioma at first operation', criterion: 'rule-low-grade-glioma-recurrence-surgery', expect: 'not-met', resources: complete({ tumour: tumour('C71.1', '9400/3') }) },
  { name: 'low-grade glioma at first operation is not eligible', criterion: 'timing', expect: 'not-met', indicationStatus: 'not-eligible', resources: complete({ tumour: tumour('C71.1', '9400/3') }) },
  { name: 'low-grade glioma, operation not documented', criterion: 'rule-low-grade-glioma-recurrence-surgery', expect: 'unknown', resources: complete({ tumour: tumour('C71.1', '9400/3'), without: ['surgery'] }) },

  { name: 'meningioma progressing after radiotherapy, no standard offer', criterion: 'rule-meningioma-progression-after-radiotherapy', expect: 'met', resources: meningiomaProgression() },
  { name: 'meningioma rule carries the indication', criterion: 'timing', expect: 'met', indicationStatus: 'eligible', resources: meningiomaProgression() },
  { name: 'meningioma at first operation (no radiotherapy, no progression)', criterion: 'rule-meningioma-progression-after-radiotherapy', expect: 'unknown', resources: complete({ tumour: tumour('D32.0', '9530/0') }) },
  { name: 'meningioma progressing, but a standard offer exists', criterion: 'rule-meningioma-progression-after-radiotherapy', expect: 'not-met', resources: complete({ tumour: tumour('D42.0', '9539/1'), without: ['surgery'], add: [radiotherapy(), diseaseStatus(WORSENED, '2026-10-01'), attestation('no-standard-treatment-offer', false)] }) },
  { name: 'meningioma stable after radiotherapy is not eligible', criterion: 'timing', expect: 'not-met', indicationStatus: 'not-eligible', resources: complete({ tumour: tumour('D42.0', '9539/1'), without: ['surgery'], add: [radiotherapy(), diseaseStatus(STABLE, '2026-10-01'), attestation('no-standard-treatment-offer')] }) },

  { name: 'ependymoma at first operation', criterion: 'rule-rare-diagnosis-surgery', expect: 'met', resources: complete({ tumour: ependymoma() }) },
  { name: 'rare rule carries the indication (ependymoma, recurrence operation)', criterion: 'timing', expect: 'met', indicationStatus: 'eligible', resources: complete({ tumour: ependymoma({ clinicalStatus: status('recurrence') }), without: ['surgery'], add: [attestation('recurrence-surgery')] }) },
  { name: 'ependymoma, attested neither first nor recurrence operation', criterion: 'rule-rare-diagnosis-surgery', expect: 'not-met', resources: complete({ tumour: ependymoma(), without: ['surgery'], add: [attestation('first-surgery', false), attestation('recurrence-surgery', false)] }) },
  { name: 'ependymoma, operation not documented', criterion: 'rule-rare-diagnosis-surgery', expect: 'unknown', resources: complete({ tumour: ependymoma(), without: ['surgery'] }) },

  { name: 'no morphology and no operation documented', criterion: 'timing', expect: 'unknown', indicationStatus: 'incomplete', resources: complete({ tumour: tumour('C71.9', null), without: ['surgery'] }) },

  { name: 'fresh tissue attested', criterion: 'fresh-tissue', expect: 'met', resources: complete() },
  { name: 'attested: no fresh tissue — shown, not a refusal', criterion: 'fresh-tissue', expect: 'not-met', indicationStatus: 'eligible', resources: complete({ without: ['tissue'], add: [attestation('tumour-accessible-for-biopsy', false)] }) },
  { name: 'not documented: does not leave the order incomplete', criterion: 'fresh-tissue', expect: 'unknown', indicationStatus: 'eligible', resources: complete({ without: ['tissue'] }) },
  { name: 'fresh tissue secured at the operation (not a biopsy)', criterion: 'fresh-tissue', expect: 'met', resources: complete({ without: ['tissue'], add: [attestation('fresh-tumour-tissue-secured')] }) },

  { name: 'neurosurgeon orders', criterion: 'treating-specialist', expect: 'met', resources: complete() },
  { name: 'oncologist orders', criterion: 'treating-specialist', expect: 'met', resources: complete({ without: ['role'], add: orderingRole('Onkologisk Klinik, Rigshospitalet', ONCOLOGY) }) },
  // Review A/§11: another specialty coding is no proof that the orderer is not the treating physician.
  { name: 'medical oncologist (394593009) orders', criterion: 'treating-specialist', expect: 'met', indicationStatus: 'eligible', resources: complete({ without: ['role'], add: orderingRole('Onkologisk Afdeling, Aarhus Universitetshospital', '394593009') }) },
  { name: 'haematologist orders: unknown, not refused', criterion: 'treating-specialist', expect: 'unknown', indicationStatus: 'incomplete', resources: complete({ without: ['role'], add: orderingRole('Afdeling for Blodsygdomme, Rigshospitalet') }) },
  { name: 'no PractitionerRole prefetched', criterion: 'treating-specialist', expect: 'unknown', resources: complete(), request: { omit: ['practitionerRoles'] } },
  { name: 'role without specialty', criterion: 'treating-specialist', expect: 'unknown', resources: complete({ without: ['role'], add: orderingRole('Neurokirurgisk Klinik, Rigshospitalet').map((r) => r.resourceType === 'PractitionerRole' ? { ...r, specialty: undefined } : r) }) },
// Morphology wherever the record carries it (issue 13 §2, review F/§11): pathology report, SKS/Patobank M-codes.
  { name: 'SKS DC719 without morphology; the pathology report (category SP) concludes glioblastoma as a Patobank M-code (M94403)', criterion: 'glioblastoma', expect: 'met', indicationStatus: 'eligible', resources: complete({ tumour: tumour('DC719', null), without: ['histopathology'], add: [pathologyReport(sksM('M94403'), '2026-11-08')] }) },
  { name: 'the pathology report with a coded conclusion is the histopathological diagnosis', criterion: 'histopathology', expect: 'met', resources: complete({ tumour: tumour('DC719', null), without: ['histopathology'], add: [pathologyReport(icdo3('9440/3'), '2026-11-08')] }) },
  { name: 'glioblastoma as SKS diagnosis with its additional code (DC719+ZM94403)', criterion: 'glioblastoma', expect: 'met', resources: complete({ tumour: condition('x', { code: { coding: [{ system: SYSTEMS.sks, code: 'DC719+ZM94403' }] }, onsetDateTime: '2026-11-05' }) }) },
  { name: 'pathology report concludes oligodendroglioma (9450/3) at a recurrence operation', criterion: 'low-grade-glioma', expect: 'met', resources: complete({ tumour: tumour('DC711', null, { onsetDateTime: '2021-04-01', clinicalStatus: status('recurrence') }), without: ['surgery'], add: [attestation('recurrence-surgery'), pathologyReport(icdo3('9450/3'), '2026-11-08')] }) },
  // Evidence has an age (issue 13 §1, review E).
  { name: 'progression attested before the latest radiotherapy does not count', criterion: 'progression-after-radiotherapy', expect: 'unknown', resources: complete({ tumour: tumour('D42.0', '9539/1', { onsetDateTime: '2019-01-01' }), without: ['surgery'], add: [radiotherapy(), attestation('no-standard-treatment-offer'), attestation('progression-after-radiotherapy', true, '2024-06-01')] }) },
  { name: 'progression attested after the latest radiotherapy', criterion: 'progression-after-radiotherapy', expect: 'met', resources: complete({ tumour: tumour('D42.0', '9539/1', { onsetDateTime: '2019-01-01' }), without: ['surgery'], add: [radiotherapy(), attestation('no-standard-treatment-offer'), attestation('progression-after-radiotherapy', true, '2026-10-01')] }) },
  { name: '"first operation" attested in 2024 (an earlier operation) is too old', criterion: 'first-surgery', expect: 'unknown', indicationStatus: 'incomplete', resources: complete({ without: ['surgery'], add: [attestation('first-surgery', true, '2024-05-01')] }) }
]

const impossible = {
  diagnosis: [
    { outcome: 'not-met' as const, why: 'the indication only matches when a primary brain tumour is recorded' },
    { outcome: 'unknown' as const, why: 'without a brain tumour Condition the indication does not match at all' }
  ],
  'treating-specialist': [{ outcome: 'not-met' as const, why: 'a specialty coding never proves the orderer is not the treating physician (review A): a non-match is unknown' }]
}

void t.test(ID, async (t) => {
  // A long scenario table drives the event loop near 100 % utilisation; under-pressure would
  // then answer 503, which is load shedding, not a rule outcome: switch it off for this suite.
  const app = await buildTestApp(t, { UNDER_PRESSURE_MAX_EVENT_LOOP_UTILIZATION: '0', UNDER_PRESSURE_MAX_EVENT_LOOP_DELAY_MS: '0' })
  assertCoverage(t, ID, scenarios, impossible)
  await runScenarios(t, app, ID, scenarios)
})
