/**
 * The playground's synthetic patients, as data: for each indication an
 * eligible, a not-eligible and an incomplete patient (built with the test
 * builders), plus one that matches no indication. `make-playground-patients.ts`
 * writes them to examples/patients/playground-*.json after checking that each
 * really has its labelled outcome at REFERENCE_DATE; test/web/playground-patients.test.ts
 * checks the files again. All data is synthetic; no real person is described.
 */
import { attestation, condition, ecog, familyMember, integerObservation, karnofsky, medicationStatement, orderingRole, patient, plateletCount, procedure, quantityObservation, PATIENT_ID, SYSTEMS, type Json } from '../test/helpers/fhir-builders.js'
import type { DemoOutcome } from '../src/web/demo-patients.js'

/** The date every clinical date below is relative to (Bundle.timestamp). */
export const REFERENCE_DATE = '2026-11-22T10:00:00.000Z'

export interface PatientSpec {
  indication: string | null
  outcome: DemoOutcome
  description: { da: string, en: string }
  patient: Json
  resources: Json[]
}

const person = (given: string, family: string, birthDate: string, gender: 'female' | 'male'): Json =>
  patient({ name: [{ use: 'official', family, given: [given] }], birthDate, gender })
const provisional = { verificationStatus: { coding: [{ system: SYSTEMS.conditionVerification, code: 'provisional' }] } }
const clinical = (code: string): Json => ({ clinicalStatus: { coding: [{ system: SYSTEMS.conditionClinical, code }] } })
const SNOMED = {
  oncology: '394592004',
  neurosurgery: '394610002',
  petCt: '450436003',
  boneMarrow: '234326005',
  karyotype: '312948004',
  molecular: '405825005',
  histopathology: '252416005'
}
const ICDO3 = 'http://terminology.hl7.org/CodeSystem/icd-o-3'
const morphology = (code: string): Json => ({ extension: [{ url: 'https://example.org/fhir/StructureDefinition/histology-morphology', valueCodeableConcept: { coding: [{ system: ICDO3, code }] } }] })
const lab = (system: string, code: string, value: number, unit: string, date: string, low: number, high: number): Json =>
  quantityObservation(system, code, value, unit, date, { referenceRange: [{ low: { value: low, unit, system: SYSTEMS.ucum, code: unit }, high: { value: high, unit, system: SYSTEMS.ucum, code: unit } }] })
const consent = (status: string, provision: 'permit' | 'deny' = 'permit'): Json => ({
  resourceType: 'Consent',
  id: `consent-${status}-${provision}`,
  status,
  scope: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'treatment' }] },
  category: [{ coding: [{ system: 'https://ngc-wgs-cds.dk/fhir/CodeSystem/wgs-consent', code: 'comprehensive-genetic-analysis' }] }],
  patient: { reference: `Patient/${PATIENT_ID}` },
  dateTime: '2026-10-01',
  provision: { type: provision }
})
/** Liver metastases found at the metastatic diagnosis (August 2025), before first-line therapy. */
const liverMetastases = (): Json => condition('C78.7', { onsetDateTime: '2025-08-15', recordedDate: '2025-08-20' })
/** Lung metastases that appeared on first-line therapy (onset June 2026): the progression. */
const newLungMetastases = (): Json => condition('DC780', { onsetDateTime: '2026-06-01', recordedDate: '2026-06-03' })

type Variant = Omit<PatientSpec, 'indication'>

/** One indication's three patients: an eligible base and two variants of it. */
function trio (indication: string, eligible: Variant, notEligible: Variant, incomplete: Variant): PatientSpec[] {
  return [eligible, notEligible, incomplete].map((v) => ({ indication, ...v }))
}

// ---- inherited haematological disease

function thrombocytopenia (): PatientSpec[] {
  const base = (informed = true, extra: Json[] = []): Json[] => [
    condition('DD694', provisional),
    plateletCount(88, '2015-05-01'), plateletCount(95, '2021-03-01'), plateletCount(91, '2026-01-10'),
    quantityObservation(SYSTEMS.loinc, '32623-1', 12.1, 'fL', '2024-02-01'),
    attestation('lifelong-course'), attestation('acquired-causes-excluded'),
    ...(informed ? [attestation('patient-informed')] : []),
    ...orderingRole('Afdeling for Blodsygdomme, Rigshospitalet'),
    ...extra
  ]
  return trio('inherited-thrombocytopenia',
    { outcome: 'eligible', description: { da: 'Livslang trombocytopeni, alle tal nedsatte, MPV målt', en: 'Lifelong thrombocytopenia, every count low, MPV measured' }, patient: person('Trine', 'Blodplade', '1980-03-01', 'female'), resources: base() },
    { outcome: 'not-eligible', description: { da: 'Normalt trombocyttal i 2018', en: 'A normal platelet count in 2018' }, patient: person('Tove', 'Blodplade', '1978-06-12', 'female'), resources: base(true, [plateletCount(210, '2018-01-01')]) },
    { outcome: 'incomplete', description: { da: 'Information af patienten ikke dokumenteret', en: 'Patient information not documented' }, patient: person('Tage', 'Blodplade', '1985-09-30', 'male'), resources: base(false) })
}

function plateletFunction (): PatientSpec[] {
  const coag = (skip?: string, low?: string): Json[] => [
    ['NPU01685', SYSTEMS.npu, 1.0, 0.9, 1.2, '{INR}'], ['14979-9', SYSTEMS.loinc, 30, 25, 38, 's'], ['3255-7', SYSTEMS.loinc, 3.0, 2.0, 4.0, 'g/L'],
    ['3209-4', SYSTEMS.loinc, 100, 50, 150, '%'], ['3187-2', SYSTEMS.loinc, 100, 65, 150, '%'], ['3226-8', SYSTEMS.loinc, 100, 65, 150, '%'],
    ['27815-0', SYSTEMS.loinc, 100, 70, 140, '%'], ['27816-8', SYSTEMS.loinc, 100, 50, 160, '%'], ['6014-5', SYSTEMS.loinc, 90, 50, 160, '%']
  ].filter((c) => c[0] !== skip).map(([code, system, value, lo, hi, unit]) =>
    lab(system as string, code as string, code === low ? (lo as number) * 0.6 : value as number, unit as string, '2026-09-01', lo as number, hi as number))
  const base = (coagulation: Json[]): Json[] => [
    condition('DD691', provisional),
    integerObservation(SYSTEMS.attestation, 'isth-bat-score', 9, '2026-10-01'),
    ...coagulation,
    attestation('lifelong-course'), attestation('acquired-causes-excluded'), attestation('patient-informed'),
    ...orderingRole('Afdeling for Blodsygdomme, Rigshospitalet')
  ]
  return trio('inherited-platelet-function-disorder',
    { outcome: 'eligible', description: { da: 'Blødningstendens (ISTH-BAT 9), normal koagulationsudredning', en: 'Bleeding tendency (ISTH-BAT 9), normal coagulation work-up' }, patient: person('Frida', 'Pladefunktion', '1980-03-01', 'female'), resources: base(coag()) },
    { outcome: 'not-eligible', description: { da: 'Lav faktor VIII (tyder på hæmofili A)', en: 'Low factor VIII (suggests haemophilia A)' }, patient: person('Fie', 'Pladefunktion', '1990-02-14', 'female'), resources: base(coag(undefined, '3209-4')) },
    { outcome: 'incomplete', description: { da: 'Faktor XIII ikke målt', en: 'Factor XIII not measured' }, patient: person('Finn', 'Pladefunktion', '1975-11-02', 'male'), resources: base(coag('27815-0')) })
}

function cytopenia (): PatientSpec[] {
  const workUp = [procedure(SYSTEMS.snomed, SNOMED.boneMarrow, '2025-07-01'), procedure(SYSTEMS.snomed, SNOMED.karyotype, '2025-07-01'), attestation('somatic-myeloid-panel-done'), attestation('patient-informed')]
  return trio('inherited-myeloid-or-unexplained-cytopenia',
    { outcome: 'eligible', description: { da: 'MDS ved 45 år med dispositionstegn', en: 'MDS at 45 with predisposing features' }, patient: person('Mette', 'Marv', '1980-03-01', 'female'), resources: [condition('DD461'), attestation('myeloid-predisposition-features'), ...workUp] },
    { outcome: 'not-eligible', description: { da: 'Aplastisk anæmi konstateret ved 59 år, ingen arvelighed i familien', en: 'Aplastic anaemia found at 59, no family pattern' }, patient: person('Mogens', 'Marv', '1966-01-01', 'male'), resources: [condition('DD619'), attestation('cytopenia-differentials-excluded'), familyMember('MTH', 'E11.9', 60), attestation('family-history-taken'), ...workUp] },
    { outcome: 'incomplete', description: { da: 'MDS ved 45 år, dispositionstegn ikke dokumenteret', en: 'MDS at 45, predisposing features not documented' }, patient: person('Maja', 'Marv', '1980-03-01', 'female'), resources: [condition('DD461'), ...workUp] })
}

function haemolysis (): PatientSpec[] {
  const base = (datCode: 'POS' | 'NEG' | undefined): Json[] => [
    condition('DD580'), attestation('hereditary-anaemia-unexplained'),
    ...(datCode ? [{ resourceType: 'Observation', id: `dat-${datCode}`, status: 'final', subject: { reference: `Patient/${PATIENT_ID}` }, code: { coding: [{ system: SYSTEMS.loinc, code: '1007-4' }] }, effectiveDateTime: '2026-09-01', interpretation: [{ coding: [{ system: SYSTEMS.interpretation, code: datCode }] }] }] : []),
    attestation('membranopathy-test-done'), attestation('hemoglobin-typing-done'),
    quantityObservation(SYSTEMS.loinc, '2357-2', 250, 'U/L', '2026-08-01'),
    lab(SYSTEMS.loinc, '2532-0', 180, 'U/L', '2026-09-01', 105, 205),
    attestation('local-contact-reviewed-history'), consent('active')
  ]
  return trio('unexplained-hemolytic-anemia',
    { outcome: 'eligible', description: { da: 'Hereditær sfærocytose, udredning komplet', en: 'Hereditary spherocytosis, work-up complete' }, patient: person('Hanne', 'Hæmolyse', '1992-05-20', 'female'), resources: base('NEG') },
    { outcome: 'not-eligible', description: { da: 'Positiv DAT (immunbetinget hæmolyse)', en: 'Positive DAT (immune haemolysis)' }, patient: person('Henrik', 'Hæmolyse', '1988-07-07', 'male'), resources: base('POS') },
    { outcome: 'incomplete', description: { da: 'Ingen DAT', en: 'No DAT' }, patient: person('Helle', 'Hæmolyse', '1995-12-01', 'female'), resources: base(undefined) })
}

// ---- haematological cancer

function refractoryRelapse (): PatientSpec[] {
  const base = (diagnosis: Json, mdt = true): Json[] => [
    diagnosis, attestation('treatment-options-exhausted'), ecog(1, '2026-10-15'), karnofsky(80, '2026-10-15'),
    attestation('no-significant-comorbidity'), procedure(SYSTEMS.snomed, SNOMED.petCt, '2026-10-01'),
    ...(mdt ? [attestation('mdt-assessment')] : []), ...orderingRole('Hæmatologisk Afdeling, Odense Universitetshospital')
  ]
  return trio('hematologic-cancer-refractory-relapse',
    { outcome: 'eligible', description: { da: 'Recidiv af diffust storcellet B-celle-lymfom, behandling udtømt', en: 'Relapsed diffuse large B-cell lymphoma, treatment exhausted' }, patient: person('Lars', 'Lymfom', '1980-03-01', 'male'), resources: base(condition('DC833', clinical('relapse'))) },
    { outcome: 'not-eligible', description: { da: 'Diagnosen er kun foreløbig (ikke morfologisk verificeret)', en: 'Diagnosis only provisional (not morphologically verified)' }, patient: person('Lise', 'Lymfom', '1970-04-04', 'female'), resources: base(condition('DC833', { ...clinical('relapse'), ...provisional })) },
    { outcome: 'incomplete', description: { da: 'MDT-vurdering ikke dokumenteret', en: 'MDT assessment not documented' }, patient: person('Leif', 'Lymfom', '1965-08-18', 'male'), resources: base(condition('DC833', clinical('relapse')), false) })
}

function myeloid (): PatientSpec[] {
  const workUp = (diagnosis: Json[]): Json[] => [
    ...diagnosis, procedure(SYSTEMS.snomed, SNOMED.boneMarrow, '2026-09-20'), procedure(SYSTEMS.snomed, SNOMED.karyotype, '2026-09-20'),
    procedure(SYSTEMS.snomed, SNOMED.molecular, '2026-09-25'), attestation('mdt-assessment'), ...orderingRole('Hæmatologisk Afdeling, Regionshospitalet Holstebro')
  ]
  return trio('myeloid-cancer',
    { outcome: 'eligible', description: { da: 'MDS med øget blastandel, udredning komplet', en: 'MDS with excess blasts, work-up complete' }, patient: person('Mikkel', 'Myeloid', '1958-02-11', 'male'), resources: workUp([condition('DD462')]) },
    { outcome: 'not-eligible', description: { da: 'Foreløbig MDS, vurderet ikke myeloid neoplasi', en: 'Provisional MDS, assessed as not a myeloid neoplasm' }, patient: person('Marie', 'Myeloid', '1962-10-03', 'female'), resources: workUp([condition('DD469', provisional), attestation('clinically-myeloid-neoplasm', false)]) },
    { outcome: 'incomplete', description: { da: 'Foreløbig MDS, intet dokumenteret', en: 'Provisional MDS, nothing documented' }, patient: person('Morten', 'Myeloid', '1955-05-25', 'male'), resources: workUp([condition('DD469', provisional)]) })
}

// ---- widespread and incurable cancer

function metastatic (): PatientSpec[] {
  const base = (incurable: boolean | undefined): Json[] => [
    // First-line FOLFOX (fluorouracil, ATC L01BC02) for the metastatic disease, then new lung metastases on it:
    // the failed first line is read from the record, no attestation needed.
    condition('C18.7'), liverMetastases(), newLungMetastases(),
    medicationStatement('L01BC02', { status: 'completed', effectiveDateTime: undefined, effectivePeriod: { start: '2025-09-01', end: '2026-05-15' } }),
    procedure(SYSTEMS.snomed, SNOMED.histopathology, '2025-08-01'), ecog(1, '2026-11-01'),
    ...(incurable === undefined ? [] : [attestation('incurable-disease', incurable)]),
    attestation('tumour-accessible-for-biopsy'), ...orderingRole('Onkologisk Afdeling, Odense Universitetshospital', SNOMED.oncology)
  ]
  return trio('metastatic-solid-tumour',
    { outcome: 'eligible', description: { da: 'Metastatisk tyktarmskræft, progression under 1. linje FOLFOX', en: 'Metastatic colon cancer, progression on first-line FOLFOX' }, patient: person('Karen', 'Kolon', '1964-01-19', 'female'), resources: base(true) },
    { outcome: 'not-eligible', description: { da: 'Vurderet helbredelig (resektable metastaser)', en: 'Assessed curable (resectable metastases)' }, patient: person('Knud', 'Kolon', '1959-03-08', 'male'), resources: base(false) },
    { outcome: 'incomplete', description: { da: 'Uhelbredelighed ikke dokumenteret', en: 'Incurability not documented' }, patient: person('Kirsten', 'Kolon', '1968-06-30', 'female'), resources: base(undefined) })
}

function pancreatic (): PatientSpec[] {
  const base = (ps: Json | undefined): Json[] => [
    condition('C25.0', { onsetDateTime: '2026-09-01' }), condition('C78.7', { recordedDate: '2026-09-01' }),
    procedure(SYSTEMS.snomed, SNOMED.histopathology, '2026-09-05'), ...(ps ? [ps] : []),
    attestation('tumour-accessible-for-biopsy'), ...orderingRole('Onkologisk Afdeling, Odense Universitetshospital', SNOMED.oncology)
  ]
  return trio('pancreatic-cancer',
    { outcome: 'eligible', description: { da: 'Metastatisk bugspytkirtelkræft, WHO/ECOG 1', en: 'Metastatic pancreatic cancer, WHO/ECOG 1' }, patient: person('Poul', 'Pankreas', '1960-04-01', 'male'), resources: base(ecog(1, '2026-11-01')) },
    { outcome: 'not-eligible', description: { da: 'Metastatisk, WHO/ECOG 3', en: 'Metastatic, WHO/ECOG 3' }, patient: person('Pia', 'Pankreas', '1958-09-09', 'female'), resources: base(ecog(3, '2026-11-10')) },
    { outcome: 'incomplete', description: { da: 'Ingen WHO/ECOG inden for look-back-perioden', en: 'No WHO/ECOG within the look-back window' }, patient: person('Peter', 'Pankreas', '1961-12-12', 'male'), resources: base(ecog(1, '2026-03-01')) })
}

function brain (): PatientSpec[] {
  const base = (ps: number | undefined): Json[] => [
    condition('C71.1', { onsetDateTime: '2026-11-05', ...morphology('9440/3'), ...provisional }),
    ...(ps === undefined ? [] : [ecog(ps, '2026-11-15')]),
    procedure(SYSTEMS.snomed, SNOMED.histopathology, '2026-11-06'), attestation('first-surgery'), attestation('tumour-accessible-for-biopsy'),
    ...orderingRole('Neurokirurgisk Klinik, Rigshospitalet', SNOMED.neurosurgery)
  ]
  return trio('primary-brain-tumour',
    { outcome: 'eligible', description: { da: 'Mistænkt glioblastom ved første operation, WHO/ECOG 1', en: 'Suspected glioblastoma at first operation, WHO/ECOG 1' }, patient: person('Gitte', 'Gliom', '1970-02-02', 'female'), resources: base(1) },
    { outcome: 'not-eligible', description: { da: 'Glioblastom, WHO/ECOG 3', en: 'Glioblastoma, WHO/ECOG 3' }, patient: person('Gunnar', 'Gliom', '1966-10-10', 'male'), resources: base(3) },
    { outcome: 'incomplete', description: { da: 'Performancestatus ikke registreret', en: 'Performance status not recorded' }, patient: person('Grete', 'Gliom', '1975-07-17', 'female'), resources: base(undefined) })
}

function sarcoma (): PatientSpec[] {
  const base = (metastases: boolean, ps: number): Json[] => [
    condition('C49.2'), ...(metastases ? [condition('C78.0')] : []), procedure(SYSTEMS.snomed, SNOMED.histopathology, '2024-03-01'),
    ecog(ps, '2026-11-01'), attestation('tumour-accessible-for-biopsy'), ...orderingRole('Sarkomcenteret, Aarhus Universitetshospital', SNOMED.oncology)
  ]
  return trio('sarcoma',
    { outcome: 'eligible', description: { da: 'Lungemetastaser fra leiomyosarkom i låret', en: 'Lung metastases of a thigh leiomyosarcoma' }, patient: person('Søren', 'Sarkom', '1972-03-03', 'male'), resources: base(true, 1) },
    { outcome: 'not-eligible', description: { da: 'Metastatisk sarkom, WHO/ECOG 3', en: 'Metastatic sarcoma, WHO/ECOG 3' }, patient: person('Sofie', 'Sarkom', '1969-11-11', 'female'), resources: base(true, 3) },
    { outcome: 'incomplete', description: { da: 'Lokaliseret sarkom, spredning/recidiv ikke dokumenteret', en: 'Localised sarcoma, spread/recurrence not documented' }, patient: person('Svend', 'Sarkom', '1977-01-21', 'male'), resources: base(false, 1) })
}

function thymic (): PatientSpec[] {
  const base = (ps: number | undefined): Json[] => [
    condition('C37', { onsetDateTime: '2026-10-20', ...morphology('8583/3') }), ...(ps === undefined ? [] : [ecog(ps, '2026-11-01')]),
    procedure(SYSTEMS.snomed, SNOMED.histopathology, '2026-10-18'), attestation('tumour-accessible-for-biopsy'),
    ...orderingRole('Onkologisk Klinik, Rigshospitalet', SNOMED.oncology)
  ]
  return trio('thymic-epithelial-tumour',
    { outcome: 'eligible', description: { da: 'Nydiagnosticeret thymom B1', en: 'Newly diagnosed thymoma B1' }, patient: person('Thea', 'Thymus', '1971-08-08', 'female'), resources: base(1) },
    { outcome: 'not-eligible', description: { da: 'Thymom, WHO/ECOG 3', en: 'Thymoma, WHO/ECOG 3' }, patient: person('Thor', 'Thymus', '1963-04-14', 'male'), resources: base(3) },
    { outcome: 'incomplete', description: { da: 'Ingen WHO/ECOG registreret', en: 'No WHO/ECOG recorded' }, patient: person('Tine', 'Thymus', '1980-12-24', 'female'), resources: base(undefined) })
}

function noMatch (): PatientSpec {
  return {
    indication: null,
    outcome: 'no-matching-indication',
    description: { da: 'Type 2-diabetes og forhøjet blodtryk: ingen WGS-indikation', en: 'Type 2 diabetes and hypertension: no WGS indication' },
    patient: person('Niels', 'Nomatch', '1955-05-05', 'male'),
    resources: [condition('E11.9'), condition('I10'), familyMember('MTH', 'E11.9', 60), ...orderingRole('Medicinsk Afdeling, Regionshospitalet Viborg')]
  }
}

export function playgroundPatientSpecs (): PatientSpec[] {
  return [
    ...refractoryRelapse(), ...myeloid(),
    ...thrombocytopenia(), ...plateletFunction(), ...cytopenia(), ...haemolysis(),
    ...metastatic(), ...pancreatic(), ...brain(), ...sarcoma(), ...thymic(),
    noMatch()
  ]
}
