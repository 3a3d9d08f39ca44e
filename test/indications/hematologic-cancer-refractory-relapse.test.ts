/**
 * hematologic-cancer-refractory-relapse (seed 000, "Refraktære relaps"):
 * every criterion driven to met, not-met and unknown over HTTP, plus the
 * disease-group boundaries of the diagnosis ValueSets.
 */
import t from 'tap'
import { buildTestApp, cardFor, criterionStatus, postHook, resultFor } from '../helpers/app.js'
import { runScenarios, assertCoverage, assemble, type Scenario } from '../helpers/scenarios.js'
import { attestation, condition, ecog, hookRequest, integerObservation, karnofsky, orderingRole, patient, procedure, SYSTEMS, wgsOrder, type Json } from '../helpers/fhir-builders.js'

const ID = 'hematologic-cancer-refractory-relapse'
const ONCOLOGY = '394592004'
const PET_CT = '450436003'
const CT = '77477000'
const MDT_REVIEW = '708004003'

const status = (code: string): Json => ({ coding: [{ system: SYSTEMS.conditionClinical, code }] })
const verification = (code: string): Json => ({ coding: [{ system: SYSTEMS.conditionVerification, code }] })
const relapsed = (code: string, over: Json = {}): Json => condition(code, { clinicalStatus: status('relapse'), ...over })

/**
 * A patient meeting every criterion: relapsed diffuse large B-cell lymphoma
 * (SKS DC833), treatment options exhausted, ECOG 1 / Karnofsky 80 within the
 * look-back window, PET-CT done, MDT attested, ordered by a haematologist.
 * Each scenario changes one thing.
 */
function complete (over: { without?: string[], add?: Json[], diagnosis?: Json[] } = {}): Json[] {
  const parts: Record<string, Json[]> = {
    diagnosis: over.diagnosis ?? [relapsed('DC833')],
    exhausted: [attestation('treatment-options-exhausted')],
    ecog: [ecog(1, '2026-10-15')],
    karnofsky: [karnofsky(80, '2026-10-15')],
    comorbidity: [attestation('no-significant-comorbidity')],
    imaging: [procedure(SYSTEMS.snomed, PET_CT, '2026-10-01')],
    mdt: [attestation('mdt-assessment')],
    role: orderingRole('Hæmatologisk Afdeling, Odense Universitetshospital')
  }
  return assemble(parts, over)
}

const scenarios: Scenario[] = [
  { name: 'relapsed DLBCL (SKS DC833), everything documented', criterion: 'diagnosis', expect: 'met', indicationStatus: 'eligible', resources: complete() },
  { name: 'relapsed multiple myeloma (ICD-10 C90.0)', criterion: 'diagnosis', expect: 'met', indicationStatus: 'eligible', resources: complete({ diagnosis: [relapsed('C90.0')] }) },
  { name: 'relapsed AML (SKS DC920)', criterion: 'diagnosis', expect: 'met', indicationStatus: 'eligible', resources: complete({ diagnosis: [relapsed('DC920')] }) },
  { name: 'refractory MDS with excess blasts (ICD-10 D46.2)', criterion: 'diagnosis', expect: 'met', resources: complete({ diagnosis: [condition('D46.2')], add: [attestation('refractory-disease')] }) },
  { name: 'relapsed ALL (SKS DC910)', criterion: 'diagnosis', expect: 'met', resources: complete({ diagnosis: [relapsed('DC910')] }) },
  { name: 'Langerhans-cell histiocytosis (C96.5, histiocytic/dendritic group)', criterion: 'diagnosis', expect: 'met', resources: complete({ diagnosis: [relapsed('C96.5')] }) },

  { name: 'confirmed diagnosis', criterion: 'morphologically-verified', expect: 'met', resources: complete() },
  { name: 'diagnosis only provisional', criterion: 'morphologically-verified', expect: 'not-met', indicationStatus: 'not-eligible', resources: complete({ diagnosis: [relapsed('DC833', { verificationStatus: verification('provisional') })] }) },
  { name: 'no verificationStatus recorded', criterion: 'morphologically-verified', expect: 'unknown', indicationStatus: 'incomplete', resources: complete({ diagnosis: [relapsed('DC833', { verificationStatus: undefined })] }) },
  { name: 'one provisional and one confirmed diagnosis', criterion: 'morphologically-verified', expect: 'met', resources: complete({ diagnosis: [relapsed('DC833', { verificationStatus: verification('provisional') }), relapsed('C90.0')] }) },

  { name: 'refractory disease attested', criterion: 'refractory-attested', expect: 'met', resources: complete({ add: [attestation('refractory-disease')] }) },
  { name: 'refractory disease attested false', criterion: 'refractory-attested', expect: 'not-met', resources: complete({ add: [attestation('refractory-disease', false)] }) },
  { name: 'not attested', criterion: 'refractory-attested', expect: 'unknown', resources: complete() },

  { name: 'clinicalStatus relapse', criterion: 'relapse-recorded', expect: 'met', resources: complete() },
  { name: 'clinicalStatus recurrence (ICD-10 C81.1)', criterion: 'relapse-recorded', expect: 'met', resources: complete({ diagnosis: [condition('C81.1', { clinicalStatus: status('recurrence') })] }) },
  // Review G: 'active' is no positive evidence against relapse (refractory disease is active too).
  { name: 'clinicalStatus active, nothing else recorded: unknown, not not-met', criterion: 'relapse-recorded', expect: 'unknown', resources: complete({ diagnosis: [condition('DC833')] }) },
  { name: 'diagnosis in remission', criterion: 'relapse-recorded', expect: 'not-met', resources: complete({ diagnosis: [condition('DC833', { clinicalStatus: status('remission') })] }) },
  // The high-risk path stays open, so the indication is incomplete rather than not eligible.
  { name: 'relapse recorded but attested not refractory/not requiring treatment', criterion: 'relapse-recorded', expect: 'not-met', indicationStatus: 'incomplete', resources: complete({ add: [attestation('refractory-disease', false)] }) },
  { name: 'no clinicalStatus', criterion: 'relapse-recorded', expect: 'unknown', resources: complete({ diagnosis: [condition('DC833', { clinicalStatus: undefined })] }) },

  { name: 'relapse recorded', criterion: 'refractory-or-relapse', expect: 'met', resources: complete() },
  { name: 'active disease attested refractory', criterion: 'refractory-or-relapse', expect: 'met', indicationStatus: 'eligible', resources: complete({ diagnosis: [condition('DC833')], add: [attestation('refractory-disease')] }) },
  { name: 'active disease attested not refractory', criterion: 'refractory-or-relapse', expect: 'not-met', indicationStatus: 'incomplete', resources: complete({ diagnosis: [condition('DC833')], add: [attestation('refractory-disease', false)] }) },
  { name: 'active disease, refractoriness not documented', criterion: 'refractory-or-relapse', expect: 'unknown', indicationStatus: 'incomplete', resources: complete({ diagnosis: [condition('DC833')] }) },

  { name: 'exhausted attested', criterion: 'treatment-options-exhausted', expect: 'met', resources: complete() },
  { name: 'exhausted attested false', criterion: 'treatment-options-exhausted', expect: 'not-met', resources: complete({ without: ['exhausted'], add: [attestation('treatment-options-exhausted', false)] }) },
  { name: 'exhaustion not documented', criterion: 'treatment-options-exhausted', expect: 'unknown', resources: complete({ without: ['exhausted'] }) },

  { name: 'relapse and exhausted', criterion: 'relapsed-refractory-exhausted', expect: 'met', resources: complete() },
  { name: 'relapse, but approved options remain', criterion: 'relapsed-refractory-exhausted', expect: 'not-met', indicationStatus: 'incomplete', resources: complete({ without: ['exhausted'], add: [attestation('treatment-options-exhausted', false)] }) },
  { name: 'relapse, exhaustion not documented', criterion: 'relapsed-refractory-exhausted', expect: 'unknown', resources: complete({ without: ['exhausted'] }) },

  { name: 'high risk attested', criterion: 'high-risk-primary-refractory', expect: 'met', resources: complete({ add: [attestation('high-risk-primary-refractory')] }) },
  { name: 'high risk attested false', criterion: 'high-risk-primary-refractory', expect: 'not-met', resources: complete({ add: [attestation('high-risk-primary-refractory', false)] }) },
  { name: 'high risk not documented', criterion: 'high-risk-primary-refractory', expect: 'unknown', resources: complete() },

  { name: 'relapsed, options exhausted', criterion: 'disease-course', expect: 'met', resources: complete() },
  {
    name: 'newly diagnosed AML with TP53 (DC920, active) assessed high risk at MDT',
    criterion: 'disease-course',
    expect: 'met',
    indicationStatus: 'eligible',
    resources: complete({ diagnosis: [condition('DC920')], without: ['exhausted'], add: [attestation('high-risk-primary-refractory')] })
  },
  {
    name: 'options not exhausted and not high risk',
    criterion: 'disease-course',
    expect: 'not-met',
    indicationStatus: 'not-eligible',
    resources: complete({ without: ['exhausted'], add: [attestation('treatment-options-exhausted', false), attestation('high-risk-primary-refractory', false)] })
  },
  { name: 'neither exhaustion nor high risk documented', criterion: 'disease-course', expect: 'unknown', indicationStatus: 'incomplete', resources: complete({ without: ['exhausted'] }) },
  {
    name: 'options remain, high risk not documented',
    criterion: 'disease-course',
    expect: 'unknown',
    resources: complete({ without: ['exhausted'], add: [attestation('treatment-options-exhausted', false)] })
  },

  { name: 'born 1980, evaluated 2026', criterion: 'adult', expect: 'met', resources: complete() },
  { name: '16 years old', criterion: 'adult', expect: 'not-met', indicationStatus: 'not-eligible', patient: patient({ birthDate: '2010-05-01' }), resources: complete() },
  { name: 'no birth date', criterion: 'adult', expect: 'unknown', indicationStatus: 'incomplete', patient: patient({ birthDate: undefined }), resources: complete() },

  { name: 'ECOG 1 and Karnofsky 80', criterion: 'performance-status', expect: 'met', resources: complete() },
  { name: 'only ECOG 2 documented', criterion: 'performance-status', expect: 'met', resources: complete({ without: ['ecog', 'karnofsky'], add: [ecog(2, '2026-11-01')] }) },
  { name: 'only Karnofsky 60 documented', criterion: 'performance-status', expect: 'met', resources: complete({ without: ['ecog', 'karnofsky'], add: [karnofsky(60, '2026-11-01')] }) },
  { name: 'ECOG 3 in September, ECOG 1 in November: the latest counts', criterion: 'performance-status', expect: 'met', resources: complete({ without: ['ecog'], add: [ecog(3, '2026-09-10'), ecog(1, '2026-11-10')] }) },
  { name: 'ECOG 3', criterion: 'performance-status', expect: 'not-met', indicationStatus: 'not-eligible', resources: complete({ without: ['ecog'], add: [ecog(3, '2026-11-01')] }) },
  { name: 'ECOG 2 but Karnofsky 50', criterion: 'performance-status', expect: 'not-met', resources: complete({ without: ['ecog', 'karnofsky'], add: [ecog(2, '2026-11-01'), karnofsky(50, '2026-11-01')] }) },
  { name: 'ECOG 0 a year ago, ECOG 3 now', criterion: 'performance-status', expect: 'not-met', resources: complete({ without: ['ecog', 'karnofsky'], add: [ecog(0, '2025-11-01'), ecog(3, '2026-11-01')] }) },
  { name: 'no performance status', criterion: 'performance-status', expect: 'unknown', indicationStatus: 'incomplete', resources: complete({ without: ['ecog', 'karnofsky'] }) },
  { name: 'only an ECOG 1 from January (outside the 90-day window)', criterion: 'performance-status', expect: 'unknown', resources: complete({ without: ['ecog', 'karnofsky'], add: [ecog(1, '2026-01-15')] }) },
  // Review D: coded answers are read (LOINC answer LA9622-7 = ECOG 0).
  {
    name: 'ECOG recorded as a LOINC answer code without a number',
    criterion: 'performance-status',
    expect: 'met',
    resources: complete({ without: ['ecog', 'karnofsky'], add: [{ ...integerObservation(SYSTEMS.loinc, '89247-1', 0, '2026-11-01'), valueInteger: undefined, valueCodeableConcept: { coding: [{ system: SYSTEMS.loinc, code: 'LA9622-7' }] } }] })
  },
  { name: 'observations prefetch not sent', criterion: 'performance-status', expect: 'unknown', resources: complete(), request: { omit: ['observations'] } },

  { name: 'attested', criterion: 'no-significant-comorbidity', expect: 'met', resources: complete() },
  { name: 'attested false', criterion: 'no-significant-comorbidity', expect: 'not-met', indicationStatus: 'not-eligible', resources: complete({ without: ['comorbidity'], add: [attestation('no-significant-comorbidity', false)] }) },
  { name: 'not documented', criterion: 'no-significant-comorbidity', expect: 'unknown', resources: complete({ without: ['comorbidity'] }) },

  { name: 'lymphoma with PET-CT', criterion: 'imaging-lymphoma', expect: 'met', resources: complete() },
  { name: 'lymphoma with CT', criterion: 'imaging-lymphoma', expect: 'met', resources: complete({ without: ['imaging'], add: [procedure(SYSTEMS.snomed, CT, '2026-10-01')] }) },
  { name: 'lymphoma with imaging attested', criterion: 'imaging-lymphoma', expect: 'met', resources: complete({ without: ['imaging'], add: [attestation('imaging-done')] }) },
  { name: 'myeloma without imaging (optional for plasma cell disease)', criterion: 'imaging-lymphoma', expect: 'not-applicable', indicationStatus: 'eligible', resources: complete({ diagnosis: [relapsed('DC900')], without: ['imaging'] }) },
  { name: 'lymphoblastic lymphoma C83.5 without imaging (acute group, optional)', criterion: 'imaging-lymphoma', expect: 'not-applicable', resources: complete({ diagnosis: [relapsed('C83.5')], without: ['imaging'] }) },
  { name: 'lymphoma, imaging attested not done', criterion: 'imaging-lymphoma', expect: 'not-met', indicationStatus: 'not-eligible', resources: complete({ without: ['imaging'], add: [attestation('imaging-done', false)] }) },
  { name: 'lymphoma without imaging', criterion: 'imaging-lymphoma', expect: 'unknown', indicationStatus: 'incomplete', resources: complete({ without: ['imaging'] }) },
  { name: 'lymphoma (CLL, SKS DC911) without imaging', criterion: 'imaging-lymphoma', expect: 'unknown', resources: complete({ diagnosis: [relapsed('DC911')], without: ['imaging'] }) },

  { name: 'MDT attested', criterion: 'mdt-assessment', expect: 'met', resources: complete() },
  { name: 'MDT conference recorded as a Procedure', criterion: 'mdt-assessment', expect: 'met', resources: complete({ without: ['mdt'], add: [procedure(SYSTEMS.snomed, MDT_REVIEW, '2026-11-05')] }) },
  { name: 'MDT attested false', criterion: 'mdt-assessment', expect: 'not-met', indicationStatus: 'not-eligible', resources: complete({ without: ['mdt'], add: [attestation('mdt-assessment', false)] }) },
  { name: 'no MDT documented', criterion: 'mdt-assessment', expect: 'unknown', resources: complete({ without: ['mdt'] }) },

  { name: 'haematologist', criterion: 'hematology-specialist', expect: 'met', resources: complete() },
  // Review A: another SNOMED CT specialty is often the department's, not the clinician's: unknown, never a refusal.
  { name: 'clinical oncology specialty at an oncology department: unknown, not a refusal', criterion: 'hematology-specialist', expect: 'unknown', indicationStatus: 'incomplete', resources: complete({ without: ['role'], add: orderingRole('Onkologisk Afdeling, Odense Universitetshospital', ONCOLOGY) }) },
  { name: 'local specialty coding at a bed ward whose partOf is Afdeling for Blodsygdomme, Rigshospitalet', criterion: 'hematology-specialist', expect: 'met', indicationStatus: 'eligible', resources: complete({ without: ['role'], add: wardUnderBloodDiseases() }) },
  { name: 'no PractitionerRole prefetched', criterion: 'hematology-specialist', expect: 'unknown', resources: complete(), request: { omit: ['practitionerRoles'] } },
  { name: 'empty PractitionerRole search', criterion: 'hematology-specialist', expect: 'unknown', indicationStatus: 'incomplete', resources: complete({ without: ['role'] }) }
]

/*
 * Issue 13 / clinical review (seed 000 «Refraktære relaps», review §1 and cross-cutting A, D–G, I):
 * records coded the way Danish hospital systems send them. Each scenario fails on the rules before
 * the issue-13 changes and passes after.
 */
const SCT_DLBCL: Json = { coding: [{ system: SYSTEMS.snomed, code: '109969005', display: 'Diffuse large B-cell malignant lymphoma (disorder)' }] }
const snomedCondition = (code: string, display: string, over: Json = {}): Json => condition('DC833', { code: { coding: [{ system: SYSTEMS.snomed, code, display }] }, ...over })
/** mCODE cancer disease status (LOINC 97509-4) with a SNOMED CT trend value. */
const diseaseStatus = (trend: '271299001' | '268910001' | '359746009', date: string): Json => ({
  resourceType: 'Observation',
  id: `ds-${trend}-${date}`,
  status: 'final',
  subject: { reference: 'Patient/pt-1' },
  code: { coding: [{ system: SYSTEMS.loinc, code: '97509-4', display: 'Cancer Disease Progression' }] },
  effectiveDateTime: date,
  valueCodeableConcept: { coding: [{ system: SYSTEMS.snomed, code: trend }] }
})
const active = (code: string): Json => condition(code)

const danish: Scenario[] = [
  // SNOMED CT-coding EHR (review §2 "Diagnoses"): DLBCL as a SNOMED disorder concept.
  { name: 'relapsed DLBCL coded in SNOMED CT (109969005)', criterion: 'diagnosis', expect: 'met', indicationStatus: 'eligible', resources: complete({ diagnosis: [relapsed('DC833', { code: SCT_DLBCL })] }) },
  { name: 'SNOMED-coded DLBCL is a lymphoma: imaging required', criterion: 'imaging-lymphoma', expect: 'unknown', resources: complete({ diagnosis: [relapsed('DC833', { code: SCT_DLBCL })], without: ['imaging'] }) },
  // Issue 13 §2: a year-only birthDate that settles the age (born 1971: 54 or 55 in November 2026).
  { name: 'year-only birthDate 1971', criterion: 'adult', expect: 'met', patient: patient({ birthDate: '1971' }), resources: complete() },
  { name: 'year-only birthDate 2008 (17 or 18): not settled', criterion: 'adult', expect: 'unknown', patient: patient({ birthDate: '2008' }), resources: complete() },
  // Review I: an SKS code sent under the ICD-10 system URI.
  { name: 'SKS DC833 sent under the ICD-10 system URI', criterion: 'diagnosis', expect: 'met', indicationStatus: 'eligible', resources: complete({ diagnosis: [relapsed('DC833', { code: { coding: [{ system: SYSTEMS.icd10, code: 'DC833' }] } })] }) },
  // Review §1: AL amyloidosis / POEMS missing.
  { name: 'relapsed AL amyloidosis (SNOMED 23132008)', criterion: 'diagnosis', expect: 'met', indicationStatus: 'eligible', resources: complete({ diagnosis: [snomedCondition('23132008', 'Amyloid light-chain amyloidosis', { clinicalStatus: status('relapse') })] }) },
  { name: 'POEMS: osteosclerotic myeloma (SNOMED 425657001), refractory', criterion: 'diagnosis', expect: 'met', resources: complete({ diagnosis: [snomedCondition('425657001', 'Osteosclerotic myeloma')], add: [attestation('refractory-disease')] }) },
  // Review §1: C92.7/C92.9/C93.7/C93.9 rejected.
  { name: 'relapsed myeloid leukaemia, unspecified (SKS DC929)', criterion: 'diagnosis', expect: 'met', indicationStatus: 'eligible', resources: complete({ diagnosis: [relapsed('DC929')] }) },
  { name: 'other monocytic leukaemia (ICD-10 C93.7), relapsed', criterion: 'diagnosis', expect: 'met', resources: complete({ diagnosis: [relapsed('C93.7')] }) },
  { name: 'monocytic leukaemia unspecified (SKS DC939) needs no imaging', criterion: 'imaging-lymphoma', expect: 'not-applicable', resources: complete({ diagnosis: [relapsed('DC939')], without: ['imaging'] }) },
  // Review §1: BPDCN (C86.4) landed in the lymphoma group, so lymphoma imaging was demanded.
  { name: 'relapsed BPDCN (SKS DC864) without imaging: lymphoma imaging not applicable', criterion: 'imaging-lymphoma', expect: 'not-applicable', indicationStatus: 'eligible', resources: complete({ diagnosis: [relapsed('DC864')], without: ['imaging'] }) },
  // Review §1: mCODE disease status not read.
  { name: 'active DLBCL with mCODE disease status "worsened" (97509-4 = 271299001)', criterion: 'relapse-recorded', expect: 'met', indicationStatus: 'eligible', resources: complete({ diagnosis: [active('DC833')], add: [diseaseStatus('271299001', '2026-10-20')] }) },
  { name: 'progression in September, improved on salvage in November: latest status counts', criterion: 'relapse-recorded', expect: 'not-met', resources: complete({ diagnosis: [active('DC833')], add: [diseaseStatus('271299001', '2026-09-01'), diseaseStatus('268910001', '2026-11-10')] }) },
  { name: 'relapsing AML coded in SNOMED CT (12281000132104)', criterion: 'relapse-recorded', expect: 'met', resources: complete({ diagnosis: [snomedCondition('12281000132104', 'Relapsing acute myeloid leukemia', { clinicalStatus: status('active') })] }) },
  // Review §1: imaging codes exact only (F).
  { name: 'lymphoma with PET/CT FDG whole body (SNOMED 443271005)', criterion: 'imaging-lymphoma', expect: 'met', resources: complete({ without: ['imaging'], add: [procedure(SYSTEMS.snomed, '443271005', '2026-10-01')] }) },
  { name: 'CNS lymphoma with SKS UXCA00 CT-skanning af cerebrum', criterion: 'imaging-lymphoma', expect: 'met', resources: complete({ without: ['imaging'], add: [procedure('urn:oid:1.2.208.176.2.4', 'UXCA00', '2026-10-01')] }) },
  // Review §1: MDT documented twice on the high-risk route.
  {
    name: 'high-risk AML: the MDT high-risk confirmation is the MDT assessment',
    criterion: 'mdt-assessment',
    expect: 'met',
    indicationStatus: 'eligible',
    resources: complete({ diagnosis: [active('DC920')], without: ['exhausted', 'mdt'], add: [attestation('high-risk-primary-refractory')] })
  },
  // Review E: old evidence counted forever (relapsed DLBCL, MDT 2018, attestations 2019 → was eligible).
  { name: 'MDT conference from 2018 only', criterion: 'mdt-assessment', expect: 'unknown', indicationStatus: 'incomplete', resources: complete({ without: ['mdt'], add: [procedure(SYSTEMS.snomed, MDT_REVIEW, '2018-05-03')] }) },
  {
    name: 'MDT in March, progression in September: the MDT predates the relapse',
    criterion: 'mdt-assessment',
    expect: 'unknown',
    resources: complete({ diagnosis: [active('DC833')], without: ['mdt'], add: [procedure(SYSTEMS.snomed, MDT_REVIEW, '2026-03-10'), diseaseStatus('271299001', '2026-09-15')] })
  },
  { name: 'MDT after the September progression', criterion: 'mdt-assessment', expect: 'met', resources: complete({ diagnosis: [active('DC833')], without: ['mdt'], add: [procedure(SYSTEMS.snomed, MDT_REVIEW, '2026-10-05'), diseaseStatus('271299001', '2026-09-15')] }) },
  // Seed: the MDT assessment carries «argumentation for hvorfor … behandlingsmulighederne vurderes udtømte»:
  // the recorded MDT conference after the progression documents the exhaustion (no extra confirmation needed).
  { name: 'relapsed DLBCL, MDT conference after the progression, no separate confirmation', criterion: 'treatment-options-exhausted', expect: 'met', indicationStatus: 'eligible', resources: complete({ without: ['exhausted', 'mdt'], add: [procedure(SYSTEMS.snomed, MDT_REVIEW, '2026-11-05'), diseaseStatus('271299001', '2026-09-15')] }) },
  { name: 'MDT conference, but the clinician confirms approved options remain', criterion: 'treatment-options-exhausted', expect: 'not-met', resources: complete({ without: ['exhausted', 'mdt'], add: [procedure(SYSTEMS.snomed, MDT_REVIEW, '2026-11-05'), attestation('treatment-options-exhausted', false)] }) },
  { name: 'treatment options confirmed exhausted in 2019 only', criterion: 'treatment-options-exhausted', expect: 'unknown', indicationStatus: 'incomplete', resources: complete({ without: ['exhausted'], add: [attestation('treatment-options-exhausted', true, '2019-02-01')] }) },
  // Review D: a score of 4 months ago gave incomplete without showing the value.
  { name: 'only an ECOG 1 from July (outside the 90-day window)', criterion: 'performance-status', expect: 'unknown', resources: complete({ without: ['ecog', 'karnofsky'], add: [ecog(1, '2026-07-20')] }) },
  {
    name: 'ECOG grade 3 as a SNOMED CT finding (423053003)',
    criterion: 'performance-status',
    expect: 'not-met',
    indicationStatus: 'not-eligible',
    resources: complete({ without: ['ecog', 'karnofsky'], add: [{ ...integerObservation(SYSTEMS.snomed, '423740007', 0, '2026-11-12'), valueInteger: undefined, valueCodeableConcept: { coding: [{ system: SYSTEMS.snomed, code: '423053003', display: 'Eastern Cooperative Oncology Group performance status - grade 3' }] } }] })
  },
  // Review A: a specialty coding the service does not know must not give not-met.
  { name: 'haematologist with a local specialty coding only', criterion: 'hematology-specialist', expect: 'unknown', indicationStatus: 'incomplete', resources: complete({ without: ['role'], add: localSpecialtyRole('Medicinsk Afdeling, Regionshospitalet Gødstrup') }) },
  { name: 'local specialty coding at Afdeling for Blodsygdomme, Rigshospitalet', criterion: 'hematology-specialist', expect: 'met', resources: complete({ without: ['role'], add: localSpecialtyRole('Afdeling for Blodsygdomme, Rigshospitalet') }) }
]

/** The ordering user's role with only a local (non-SNOMED) specialty coding. */
function localSpecialtyRole (orgName: string): Json[] {
  const [role, org] = orderingRole(orgName)
  return [{ ...role, specialty: [{ coding: [{ system: 'urn:oid:1.2.208.176.2.1.99', code: 'HAEM', display: 'Hæmatologi' }] }] }, org!]
}

/** A role with a local specialty coding at a bed ward whose Organization.partOf is the named department. */
function wardUnderBloodDiseases (): Json[] {
  const [role, ward] = localSpecialtyRole('Blodsygdomme L, Senge, Rigshospitalet')
  const parent = { resourceType: 'Organization', id: 'org-afd-blodsygdomme', name: 'Afdeling for Blodsygdomme, Rigshospitalet' }
  return [role!, { ...ward, partOf: { reference: `Organization/${parent.id}` } }, parent]
}

const impossible = {
  'hematology-specialist': [{ outcome: 'not-met' as const, why: 'a specialty or department that does not match is no positive evidence (the seed also allows departments with haematological subspecialisation): unknown, never not met' }],
  diagnosis: [
    { outcome: 'not-met' as const, why: 'the indication only matches when a diagnosis of one of the four groups is present' },
    { outcome: 'unknown' as const, why: 'without Conditions the indication does not match at all' }
  ]
}

void t.test(ID, async (t) => {
  // Load shedding (event-loop utilisation) would answer 503 to a tight loop of injected
  // requests on a busy machine; it is not what these scenarios test.
  const app = await buildTestApp(t, { UNDER_PRESSURE_MAX_EVENT_LOOP_UTILIZATION: '0', UNDER_PRESSURE_MAX_EVENT_LOOP_DELAY_MS: '0' })
  assertCoverage(t, ID, [...scenarios, ...danish], impossible)
  await runScenarios(t, app, ID, scenarios)
  await runScenarios(t, app, ID, danish)

  await t.test('disease-group boundaries: no card for codes outside the four groups', async (t) => {
    for (const code of ['C93.3', 'DC933', 'C91.9', 'D47.2', 'D69.4']) {
      const res = await postHook(app, hookRequest(patient(), complete({ diagnosis: [relapsed(code)] })))
      t.equal(res.status, 200)
      t.equal(resultFor(res.body, ID), undefined, `${code} does not match ${ID}`)
    }
  })

  await t.test('evidence has an age: the 2018 MDT is shown, marked too old', async (t) => {
    const res = await postHook(app, hookRequest(patient(), complete({ without: ['mdt'], add: [procedure(SYSTEMS.snomed, MDT_REVIEW, '2018-05-03')] })))
    const mdt = resultFor(res.body, ID)?.criteria.find((c) => c.id === 'mdt-assessment')
    t.equal(mdt?.status, 'unknown')
    t.ok(mdt?.evidence.some((e) => e.tooOld === true), 'the old MDT is listed as too old')
  })

  await t.test('evidence has an age: an old confirmation attached to the draft order counts', async (t) => {
    const old = { ...attestation('treatment-options-exhausted', true, '2019-02-01'), id: 'att-exhausted-2019' }
    const order = wgsOrder('wgs-order-1', { supportingInfo: [{ reference: 'Observation/att-exhausted-2019' }] })
    const res = await postHook(app, hookRequest(patient(), complete({ without: ['exhausted'], add: [old] }), { order }))
    t.equal(criterionStatus(resultFor(res.body, ID), 'treatment-options-exhausted'), 'met')
  })

  await t.test('performance status outside the window is shown with its value, marked too old', async (t) => {
    const res = await postHook(app, hookRequest(patient(), complete({ without: ['ecog', 'karnofsky'], add: [ecog(1, '2026-07-20')] })))
    const ps = resultFor(res.body, ID)?.criteria.find((c) => c.id === 'performance-status')
    t.ok(ps?.evidence.some((e) => e.tooOld === true), 'the July ECOG is shown as too old')
  })

  await t.test('a C92.9 myeloid leukaemia matches (review §1), C91.9 still does not', async (t) => {
    const res = await postHook(app, hookRequest(patient(), complete({ diagnosis: [relapsed('C92.9')] })))
    t.equal(resultFor(res.body, ID)?.status, 'eligible')
  })

  await t.test('advice: relevant biochemistry incl. organ markers (review §1)', async (t) => {
    const res = await postHook(app, hookRequest(patient(), complete()))
    t.match(cardFor(res.body, ID)?.detail, /organmarkører/)
  })

  await t.test('a refuted diagnosis does not match', async (t) => {
    const res = await postHook(app, hookRequest(patient(), complete({ diagnosis: [relapsed('DC833', { verificationStatus: verification('refuted') })] })))
    t.equal(resultFor(res.body, ID), undefined)
  })

  await t.test('high-risk advice is shown only when high risk is attested', async (t) => {
    const withRisk = await postHook(app, hookRequest(patient(), complete({ add: [attestation('high-risk-primary-refractory')] })))
    t.match(cardFor(withRisk.body, ID)?.detail, /Angiv på rekvisitionen/)
    const without = await postHook(app, hookRequest(patient(), complete()))
    t.notMatch(cardFor(without.body, ID)?.detail, /Angiv på rekvisitionen/)
  })

  await t.test('a 16-year-old is pointed to the paediatric groups', async (t) => {
    const res = await postHook(app, hookRequest(patient({ birthDate: '2010-05-01' }), complete()))
    t.equal(resultFor(res.body, ID)?.paediatricRedirect, true)
  })
})
