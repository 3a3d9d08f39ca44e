/**
 * metastatic-solid-tumour (seed 003, "Metastatisk kræft (solide tumorer)"): every
 * criterion driven to met, not-met and unknown over HTTP, and every first-line
 * exception (cholangiocarcinoma, pancreatic cancer, CUP, sarcoma, other rare cancers).
 */
import t from 'tap'
import { buildTestApp, postHook, resultFor } from '../helpers/app.js'
import { runScenarios, assertCoverage, assemble, type Scenario } from '../helpers/scenarios.js'
import { attestation, condition, ecog, hookRequest, medicationStatement, orderingRole, patient, procedure, SYSTEMS, icdo3, pathologyReport, sksM, type Json } from '../helpers/fhir-builders.js'

const ID = 'metastatic-solid-tumour'
/** Load shedding (503 under event-loop pressure) is not under test here; on a busy CI box it would make scenarios flaky. */
const NO_LOAD_SHEDDING = { UNDER_PRESSURE_MAX_EVENT_LOOP_UTILIZATION: '0', UNDER_PRESSURE_MAX_EVENT_LOOP_DELAY_MS: '0' }
const ONCOLOGY = '394592004'
const oncologist = (): Json[] => orderingRole('Onkologisk Afdeling, Odense Universitetshospital', ONCOLOGY)
const surgeon = (): Json[] => orderingRole('Kirurgisk Afdeling, Odense Universitetshospital')
const status = (code: string): Json => ({ clinicalStatus: { coding: [{ system: SYSTEMS.conditionClinical, code }] } })
const provisional = { verificationStatus: { coding: [{ system: SYSTEMS.conditionVerification, code: 'provisional' }] } }
/** Liver metastases found at the metastatic diagnosis (August 2025), before first-line therapy. */
const liverMetastases = (over: Json = {}): Json => condition('C78.7', { onsetDateTime: '2025-08-15', recordedDate: '2025-08-20', ...over })
/** Lung metastases that appeared on first-line therapy (onset June 2026): progression. */
const newLungMetastases = (over: Json = {}): Json => condition('DC780', { onsetDateTime: '2026-06-01', recordedDate: '2026-06-03', ...over })
/** ICD-O-3 morphology as the mCODE histology-morphology-behavior extension. */
const morphology = (code: string): Json[] => [{ url: 'http://hl7.org/fhir/us/mcode/StructureDefinition/mcode-histology-morphology-behavior', valueCodeableConcept: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/icd-o-3', code }] } }]
const stage = (code: string): Json => ({ stage: [{ summary: { coding: [{ system: SYSTEMS.snomed, code }] } }] })
/** mCODE-style disease status: LOINC 97509-4 with a SNOMED trend value. */
const diseaseStatus = (trend: string, date: string): Json => ({
  resourceType: 'Observation',
  id: `status-${trend}-${date}`,
  status: 'final',
  subject: { reference: 'Patient/pt-1' },
  code: { coding: [{ system: SYSTEMS.loinc, code: '97509-4' }] },
  effectiveDateTime: date,
  valueCodeableConcept: { coding: [{ system: SYSTEMS.snomed, code: trend }] }
})
const WORSENED = '271299001'

const medicationRequest = (atc: string, authoredOn: string): Json => ({
  resourceType: 'MedicationRequest',
  id: `mr-${atc}`,
  status: 'completed',
  intent: 'order',
  subject: { reference: 'Patient/pt-1' },
  medicationCodeableConcept: { coding: [{ system: SYSTEMS.atc, code: atc }] },
  authoredOn
})

/** In-hospital chemotherapy recorded as a MedicationAdministration (ATC code, period). */
const administration = (atc: string, start: string, end: string): Json => ({
  resourceType: 'MedicationAdministration',
  id: `ma-${atc}-${start}`,
  status: 'completed',
  subject: { reference: 'Patient/pt-1' },
  medicationCodeableConcept: { coding: [{ system: SYSTEMS.atc, code: atc }] },
  effectivePeriod: { start, end }
})

/**
 * A patient meeting every criterion: sigmoid colon cancer with liver metastases (August 2025),
 * first-line FOLFOX from September 2025, new lung metastases on therapy (June 2026).
 * Each scenario changes one thing.
 */
function complete (over: { without?: string[], add?: Json[], primary?: Json[] } = {}): Json[] {
  const parts: Record<string, Json[]> = {
    primary: over.primary ?? [condition('C18.7')],
    metastases: [liverMetastases()],
    progression: [newLungMetastases()],
    therapy: [medicationStatement('L01BC02', { status: 'completed', effectiveDateTime: undefined, effectivePeriod: { start: '2025-09-01', end: '2026-05-15' } })],
    histology: [procedure(SYSTEMS.snomed, '252416005', '2025-08-01')],
    ecog: [ecog(1, '2026-11-01')],
    incurable: [attestation('incurable-disease')],
    tissue: [attestation('tumour-accessible-for-biopsy')],
    role: oncologist()
  }
  return assemble(parts, over)
}

/** A rare cancer at diagnosis of metastatic disease: no systemic therapy recorded. */
const atDiagnosis = (primary: Json[]): Json[] => complete({ primary, without: ['therapy'], add: [] })

const scenarios: Scenario[] = [
  { name: 'all criteria documented', criterion: 'spread-or-relapse', expect: 'met', indicationStatus: 'eligible', resources: complete() },
  { name: 'SKS DC789 (the seed\'s code) as the metastasis', criterion: 'spread-or-relapse', expect: 'met', resources: complete({ without: ['metastases', 'progression'], add: [condition('DC789', { recordedDate: '2026-06-01' })] }) },
  { name: 'liver metastases coded in SNOMED (94381002)', criterion: 'spread-or-relapse', expect: 'met', resources: complete({ without: ['metastases', 'progression'], add: [condition('x', { code: { coding: [{ system: SYSTEMS.snomed, code: '94381002' }] } })] }) },
  { name: 'stage IV (SNOMED 258228008) on the cancer diagnosis', criterion: 'spread-or-relapse', expect: 'met', resources: complete({ primary: [condition('C18.7', stage('258228008'))], without: ['metastases', 'progression'] }) },
  { name: 'UICC cM1 on the cancer diagnosis', criterion: 'spread-or-relapse', expect: 'met', resources: complete({ primary: [condition('C18.7', stage('1352513006'))], without: ['metastases', 'progression'] }) },
  { name: 'mCODE-style observation: distant metastasis present (399409002)', criterion: 'spread-or-relapse', expect: 'met', resources: complete({ without: ['metastases', 'progression'], add: [{ ...diseaseStatus('399409002', '2025-08-20'), code: { coding: [{ system: SYSTEMS.loinc, code: '21907-1' }] } }] }) },
  { name: 'relapse of the primary (clinicalStatus recurrence)', criterion: 'spread-or-relapse', expect: 'met', resources: complete({ primary: [condition('C18.7', status('recurrence'))], without: ['metastases', 'progression'], add: [attestation('first-line-treatment-failed')] }) },
  { name: 'attested metastatic without codes', criterion: 'spread-or-relapse', expect: 'met', resources: complete({ without: ['metastases', 'progression'], add: [attestation('metastatic-or-recurrent-disease')] }) },
  { name: 'attested no spread and no relapse', criterion: 'spread-or-relapse', expect: 'not-met', indicationStatus: 'not-eligible', resources: complete({ without: ['metastases', 'progression'], add: [attestation('metastatic-or-recurrent-disease', false), attestation('first-line-treatment-failed')] }) },
  { name: 'attestation false overrides an old metastasis code', criterion: 'spread-or-relapse', expect: 'not-met', resources: complete({ add: [attestation('metastatic-or-recurrent-disease', false)] }) },
  { name: 'active primary, no metastasis coded', criterion: 'spread-or-relapse', expect: 'unknown', indicationStatus: 'incomplete', resources: complete({ without: ['metastases', 'progression'], add: [attestation('first-line-treatment-failed')] }) },
  { name: 'metastasis resolved', criterion: 'spread-or-relapse', expect: 'unknown', resources: complete({ without: ['metastases', 'progression'], add: [liverMetastases(status('resolved')), attestation('first-line-treatment-failed')] }) },

  { name: 'incurable attested', criterion: 'incurable', expect: 'met', resources: complete() },
  { name: 'attested curable (e.g. resectable oligometastases)', criterion: 'incurable', expect: 'not-met', indicationStatus: 'not-eligible', resources: complete({ without: ['incurable'], add: [attestation('incurable-disease', false)] }) },
  { name: 'not documented', criterion: 'incurable', expect: 'unknown', indicationStatus: 'incomplete', resources: complete({ without: ['incurable'] }) },

  { name: 'born 1980, evaluated 2026', criterion: 'adult', expect: 'met', resources: complete() },
  { name: '17 years old', criterion: 'adult', expect: 'not-met', indicationStatus: 'not-eligible', patient: patient({ birthDate: '2009-06-01' }), resources: complete() },
  { name: 'no birth date', criterion: 'adult', expect: 'unknown', patient: patient({ birthDate: undefined }), resources: complete() },

  { name: 'ECOG 1 three weeks ago', criterion: 'performance-status', expect: 'met', resources: complete() },
  { name: 'ECOG 3 before, ECOG 2 most recent', criterion: 'performance-status', expect: 'met', resources: complete({ without: ['ecog'], add: [ecog(3, '2026-09-15'), ecog(2, '2026-11-10')] }) },
  { name: 'ECOG 3 most recent', criterion: 'performance-status', expect: 'not-met', indicationStatus: 'not-eligible', resources: complete({ without: ['ecog'], add: [ecog(1, '2026-09-15'), ecog(3, '2026-11-10')] }) },
  { name: 'only an ECOG older than 90 days', criterion: 'performance-status', expect: 'unknown', resources: complete({ without: ['ecog'], add: [ecog(1, '2026-05-01')] }) },
  { name: 'no ECOG', criterion: 'performance-status', expect: 'unknown', resources: complete({ without: ['ecog'] }) },

  // first line received and failed (review §7: therapy for the metastatic disease, progression dated by onset after it)
  { name: 'FOLFOX after the liver metastases, then new lung metastases (onset) on therapy', criterion: 'first-line-treatment-failed', expect: 'met', resources: complete() },
  { name: 'L01 MedicationRequest after the metastases, then disease status worsened', criterion: 'first-line-treatment-failed', expect: 'met', resources: complete({ without: ['therapy', 'progression'], add: [medicationRequest('L01XA03', '2025-09-01'), diseaseStatus(WORSENED, '2026-08-01')] }) },
  { name: 'chemotherapy Procedure (SNOMED 367336001), then worsened', criterion: 'first-line-treatment-failed', expect: 'met', resources: complete({ without: ['therapy', 'progression'], add: [procedure(SYSTEMS.snomed, '367336001', '2025-09-01'), diseaseStatus(WORSENED, '2026-08-01')] }) },
  { name: 'endocrine first line (letrozole, ATC L02BG04) for metastatic breast cancer, then progression', criterion: 'first-line-treatment-failed', expect: 'met', resources: complete({ primary: [condition('DC504')], without: ['therapy'], add: [medicationStatement('L02BG04', { status: 'active', effectiveDateTime: undefined, effectivePeriod: { start: '2025-09-10' } })] }) },
  { name: 'attested (first line given elsewhere)', criterion: 'first-line-treatment-failed', expect: 'met', resources: complete({ without: ['therapy'], add: [attestation('first-line-treatment-failed')] }) },
  { name: 'attested not failed, despite coded progression', criterion: 'first-line-treatment-failed', expect: 'not-met', resources: complete({ add: [attestation('first-line-treatment-failed', false)] }) },
  { name: 'adjuvant CAPOX in 2022, metastases in 2026 not yet treated', criterion: 'first-line-treatment-failed', expect: 'unknown', indicationStatus: 'incomplete', resources: complete({ without: ['therapy', 'metastases', 'progression'], add: [medicationStatement('L01BC06', { status: 'completed', effectiveDateTime: undefined, effectivePeriod: { start: '2022-03-01', end: '2022-08-15' } }), condition('C78.7', { onsetDateTime: '2026-09-01' }), condition('DC780', { onsetDateTime: '2026-09-01' })] }) },
  { name: 'metastasis present before first line but recorded only later (no onset) is no progression', criterion: 'first-line-treatment-failed', expect: 'unknown', indicationStatus: 'incomplete', resources: complete({ without: ['progression'], add: [condition('DC780', { recordedDate: '2026-06-03' })] }) },
  { name: 'de novo metastatic, on first line, no progression', criterion: 'first-line-treatment-failed', expect: 'unknown', resources: complete({ without: ['progression'], add: [diseaseStatus('359746009', '2026-10-01')] }) },
  { name: 'worsened before therapy began does not count', criterion: 'first-line-treatment-failed', expect: 'unknown', resources: complete({ without: ['progression'], add: [diseaseStatus(WORSENED, '2025-08-20')] }) },
  { name: 'no systemic therapy recorded', criterion: 'first-line-treatment-failed', expect: 'unknown', resources: complete({ without: ['therapy'] }) },
  { name: 'an intended (not received) L01 statement', criterion: 'first-line-treatment-failed', expect: 'unknown', resources: complete({ without: ['therapy'], add: [medicationStatement('L01BC02', { status: 'intended', effectiveDateTime: '2025-09-01' })] }) },
  { name: 'medicationStatements prefetch not sent', criterion: 'first-line-treatment-failed', expect: 'unknown', resources: complete(), request: { omit: ['medicationStatements'] } },
  { name: 'oxaliplatin given in hospital (MedicationAdministration) after the metastases, then progression', criterion: 'first-line-treatment-failed', expect: 'met', indicationStatus: 'eligible', resources: complete({ without: ['therapy'], add: [administration('L01XA03', '2025-09-02', '2025-09-02')] }) },
  { name: 'administrations not sent: the medication list still shows the failed first line', criterion: 'first-line-treatment-failed', expect: 'met', indicationStatus: 'eligible', resources: complete(), request: { omit: ['medicationAdministrations'] } },

  { name: 'medication list: FOLFOX after the metastases, then progression', criterion: 'first-line-failed-recorded', expect: 'met', resources: complete() },
  { name: 'attested not failed', criterion: 'first-line-failed-recorded', expect: 'not-met', resources: complete({ add: [attestation('first-line-treatment-failed', false)] }) },
  { name: 'no therapy on the medication list', criterion: 'first-line-failed-recorded', expect: 'unknown', resources: complete({ without: ['therapy'] }) },
  { name: 'administrations after the metastases, then progression', criterion: 'first-line-failed-administered', expect: 'met', resources: complete({ without: ['therapy'], add: [administration('L01BC02', '2025-09-02', '2025-09-04')] }) },
  { name: 'attested not failed', criterion: 'first-line-failed-administered', expect: 'not-met', resources: complete({ add: [attestation('first-line-treatment-failed', false)] }) },
  { name: 'adjuvant administrations in 2022 only', criterion: 'first-line-failed-administered', expect: 'unknown', resources: complete({ without: ['therapy'], add: [administration('L01BC02', '2022-03-01', '2022-03-03')] }) },
  { name: 'administrations prefetch not sent', criterion: 'first-line-failed-administered', expect: 'unknown', resources: complete(), request: { omit: ['medicationAdministrations'] } },

  // exceptions
  { name: 'colon cancer is not a listed exception', criterion: 'first-line-exception', expect: 'not-met', resources: complete() },
  { name: 'attested not a rare cancer', criterion: 'first-line-exception', expect: 'not-met', resources: complete({ primary: [], add: [attestation('rare-cancer', false)] }) },
  { name: 'only a metastasis code, no primary diagnosis', criterion: 'first-line-exception', expect: 'unknown', resources: complete({ primary: [] }) },
  { name: 'intrahepatic cholangiocarcinoma C22.1', criterion: 'first-line-exception', expect: 'met', resources: atDiagnosis([condition('C22.1')]) },
  { name: 'at diagnosis: intrahepatic cholangiocarcinoma C22.1', criterion: 'first-line-requirement', expect: 'met', indicationStatus: 'eligible', resources: atDiagnosis([condition('C22.1')]) },
  { name: 'at diagnosis: extrahepatic bile duct SKS DC240', criterion: 'first-line-requirement', expect: 'met', resources: atDiagnosis([condition('DC240')]) },
  { name: 'at diagnosis: pancreatic cancer C25.0', criterion: 'first-line-requirement', expect: 'met', resources: atDiagnosis([condition('C25.0')]) },
  { name: 'at diagnosis: cancer of unknown primary C80.0', criterion: 'first-line-requirement', expect: 'met', resources: atDiagnosis([condition('C80.0')]) },
  { name: 'at diagnosis: soft-tissue sarcoma C49.2', criterion: 'first-line-requirement', expect: 'met', resources: atDiagnosis([condition('C49.2')]) },
  { name: 'at diagnosis: osteosarcoma SKS DC402', criterion: 'first-line-requirement', expect: 'met', resources: atDiagnosis([condition('DC402')]) },
  { name: 'at diagnosis: GIST coded in SNOMED (420120006)', criterion: 'first-line-requirement', expect: 'met', resources: atDiagnosis([condition('x', { code: { coding: [{ system: SYSTEMS.snomed, code: '420120006' }] } })]) },
  { name: 'at diagnosis: thymic carcinoma C37 (another rare cancer)', criterion: 'first-line-requirement', expect: 'met', resources: atDiagnosis([condition('C37')]) },
  { name: 'at diagnosis: adrenocortical carcinoma attested rare', criterion: 'first-line-requirement', expect: 'met', resources: atDiagnosis([condition('C74.0'), attestation('rare-cancer')]) },
  { name: 'at diagnosis: uterine leiomyosarcoma coded by site (C54.2 + 8890/3)', criterion: 'first-line-requirement', expect: 'met', indicationStatus: 'eligible', resources: atDiagnosis([condition('DC542', { extension: morphology('8890/3') })]) },
  { name: 'at diagnosis: gastric GIST coded by site (C16.2 + 8936/3)', criterion: 'first-line-exception', expect: 'met', resources: atDiagnosis([condition('C16.2', { extension: morphology('8936/3') })]) },
  { name: 'gallbladder cancer C23 is not cholangiocarcinoma', criterion: 'first-line-exception', expect: 'not-met', resources: atDiagnosis([condition('C23')]) },

  { name: 'colon cancer after failed first line', criterion: 'first-line-requirement', expect: 'met', resources: complete() },
  { name: 'colon cancer, first line attested not failed', criterion: 'first-line-requirement', expect: 'not-met', indicationStatus: 'not-eligible', resources: complete({ add: [attestation('first-line-treatment-failed', false)] }) },
  { name: 'colon cancer, no treatment history', criterion: 'first-line-requirement', expect: 'unknown', indicationStatus: 'incomplete', resources: complete({ without: ['therapy'] }) },

  { name: 'confirmed diagnosis and histopathology procedure', criterion: 'histopathology-diagnosis', expect: 'met', resources: complete() },
  { name: 'attested (diagnosis still provisional in the record)', criterion: 'histopathology-diagnosis', expect: 'met', resources: complete({ primary: [condition('C18.7', provisional)], without: ['histology'], add: [attestation('histopathology-diagnosis')] }) },
  { name: 'attested no histopathological diagnosis', criterion: 'histopathology-diagnosis', expect: 'not-met', indicationStatus: 'not-eligible', resources: complete({ add: [attestation('histopathology-diagnosis', false)] }) },
  { name: 'every diagnosis provisional', criterion: 'histopathology-diagnosis', expect: 'unknown', resources: complete({ primary: [condition('C18.7', provisional)], without: ['metastases', 'progression'], add: [liverMetastases(provisional)] }) },
  { name: 'no histopathology recorded', criterion: 'histopathology-diagnosis', expect: 'unknown', resources: complete({ without: ['histology'] }) },

  { name: 'tumour accessible for biopsy', criterion: 'fresh-tissue', expect: 'met', resources: complete() },
  // «Forud for henvisning bør følgende vurderes»: a consideration shown on the card, not a requirement.
  { name: 'attested not accessible: shown, not a refusal', criterion: 'fresh-tissue', expect: 'not-met', indicationStatus: 'eligible', resources: complete({ without: ['tissue'], add: [attestation('tumour-accessible-for-biopsy', false)] }) },
  { name: 'not documented: does not leave the order incomplete', criterion: 'fresh-tissue', expect: 'unknown', indicationStatus: 'eligible', resources: complete({ without: ['tissue'] }) },

  { name: 'ordered by an oncologist', criterion: 'oncologist-assessment', expect: 'met', resources: complete() },
  { name: 'ordered by a surgeon, oncologist assessment attested', criterion: 'oncologist-assessment', expect: 'met', resources: complete({ without: ['role'], add: [...surgeon(), attestation('oncologist-assessment')] }) },
  { name: 'ordered by a surgeon, attested not assessed', criterion: 'oncologist-assessment', expect: 'not-met', indicationStatus: 'not-eligible', resources: complete({ without: ['role'], add: [...surgeon(), attestation('oncologist-assessment', false)] }) },
  { name: 'ordered by a surgeon, nothing documented', criterion: 'oncologist-assessment', expect: 'unknown', resources: complete({ without: ['role'], add: surgeon() }) },
  { name: 'no PractitionerRole prefetched', criterion: 'oncologist-assessment', expect: 'unknown', resources: complete(), request: { omit: ['practitionerRoles'] } },

  // Morphology wherever the record carries it (issue 13 §2, review F: SKS/Patobank M-codes, pathology reports).
  { name: 'gastric cancer C16.2 whose pathology report (category SP) concludes GIST 8936/3: a sarcoma, exempt', criterion: 'first-line-exception', expect: 'met', indicationStatus: 'eligible', resources: atDiagnosis([condition('C16.2'), pathologyReport(icdo3('8936/3'))]) },
  { name: 'gastric GIST as SKS diagnosis with a Patobank M-code (DC162+ZM89363)', criterion: 'first-line-exception', expect: 'met', resources: atDiagnosis([condition('x', { code: { coding: [{ system: SYSTEMS.sks, code: 'DC162+ZM89363' }] } })]) },
  { name: 'no histopathology procedure: the pathology report (category SP only) and its coded conclusion', criterion: 'histopathology-diagnosis', expect: 'met', indicationStatus: 'eligible', resources: complete({ without: ['histology'], add: [pathologyReport(sksM('M81403'), '2025-08-01')] }) },
  { name: 'no histopathology procedure: the adenocarcinoma morphology (8140/3) on the confirmed diagnosis', criterion: 'histopathology-diagnosis', expect: 'met', resources: complete({ primary: [condition('C18.7', { extension: morphology('8140/3') })], without: ['histology'] }) },
  { name: 'a suspected morphology on a provisional diagnosis is no histology', criterion: 'histopathology-diagnosis', expect: 'unknown', resources: complete({ primary: [condition('C18.7', { ...provisional, extension: morphology('8140/3') })], without: ['histology', 'metastases', 'progression'], add: [liverMetastases(provisional), attestation('first-line-treatment-failed')] }) },
  // Evidence has an age (issue 13 §1, review E).
  { name: 'first-line failure attested before the metastases (an earlier course) does not count', criterion: 'first-line-treatment-failed', expect: 'unknown', indicationStatus: 'incomplete', resources: complete({ without: ['therapy'], add: [attestation('first-line-treatment-failed', true, '2025-03-01')] }) },
  { name: 'incurability attested two years ago is too old', criterion: 'incurable', expect: 'unknown', indicationStatus: 'incomplete', resources: complete({ without: ['incurable'], add: [attestation('incurable-disease', true, '2024-10-01')] }) },
  { name: '"no spread" attested two years ago no longer overrides the metastasis codes', criterion: 'spread-or-relapse', expect: 'met', indicationStatus: 'eligible', resources: complete({ add: [attestation('metastatic-or-recurrent-disease', false, '2024-10-01')] }) },
  { name: 'ordered by a medical oncologist (SNOMED 394593009; review §7, A)', criterion: 'oncologist-assessment', expect: 'met', indicationStatus: 'eligible', resources: complete({ without: ['role'], add: orderingRole('Onkologisk Afdeling, Herlev og Gentofte Hospital', '394593009') }) }
]

void t.test(ID, async (t) => {
  const app = await buildTestApp(t, NO_LOAD_SHEDDING)
  assertCoverage(t, ID, scenarios)
  await runScenarios(t, app, ID, scenarios)

  await t.test('no card for an old basal cell carcinoma (C44) or a resolved cancer (review H)', async (tt) => {
    const bcc = await postHook(app, hookRequest(patient(), [condition('DC443', { recordedDate: '2019-04-01' })]))
    tt.equal(resultFor(bcc.body, ID), undefined, 'C44 skin cancer')
    const cured = await postHook(app, hookRequest(patient(), [condition('C50.4', { clinicalStatus: { coding: [{ system: SYSTEMS.conditionClinical, code: 'resolved' }] } })]))
    tt.equal(resultFor(cured.body, ID), undefined, 'resolved breast cancer')
    const spread = await postHook(app, hookRequest(patient(), [condition('DC443'), condition('C77.0')]))
    tt.ok(resultFor(spread.body, ID), 'a skin cancer with nodal metastases still matches')
  })
  await t.test('performance status outside the window is shown with its value, marked too old (review D)', async (tt) => {
    const res = await postHook(app, hookRequest(patient(), complete({ without: ['ecog'], add: [ecog(1, '2026-07-20')] })))
    const ps = resultFor(res.body, ID)?.criteria.find((c) => c.id === 'performance-status')
    tt.equal(ps?.status, 'unknown')
    tt.ok(ps?.evidence.some((e) => e.tooOld === true), 'the July ECOG is shown as too old')
  })
  await t.test('an old first-line attestation is shown, marked too old (review E)', async (tt) => {
    const res = await postHook(app, hookRequest(patient(), complete({ without: ['therapy'], add: [attestation('first-line-treatment-failed', true, '2025-03-01')] })))
    const failed = resultFor(res.body, ID)?.criteria.find((c) => c.id === 'first-line-failed-recorded')
    tt.equal(failed?.status, 'unknown')
    tt.ok(failed?.evidence.some((e) => e.tooOld === true), 'the March 2025 attestation predates the metastases')
  })
  await t.test('no card without a solid cancer (a lymphoma relapse belongs to Group A)', async (tt) => {
    const res = await postHook(app, hookRequest(patient(), [condition('C83.3', status('relapse'))]))
    tt.equal(resultFor(res.body, ID), undefined)
  })
  await t.test('advice and related indications', async (tt) => {
    const colon = resultFor((await postHook(app, hookRequest(patient(), complete()))).body, ID)
    tt.ok(colon?.advice?.some((a) => a.id === 'good-prognosis-wait'), 'good-prognosis advice for a common cancer')
    tt.ok(colon?.advice?.some((a) => a.id === 'assess-before-referral'), 'advice: assess performance status and expected survival before referral (review §7)')
    tt.equal(colon?.related, undefined, 'no related indication for colon cancer')
    const pancreas = resultFor((await postHook(app, hookRequest(patient(), atDiagnosis([condition('C25.0', status('recurrence'))])))).body, ID)
    tt.notOk(pancreas?.advice?.some((a) => a.id === 'good-prognosis-wait'), 'no waiting advice for a first-line exception')
    tt.ok(pancreas?.advice?.some((a) => a.id === 'histopathology-at-relapse'), 'histopathology advice at relapse')
    tt.ok(pancreas?.related?.some((r) => r.indication === 'pancreatic-cancer'), 'names the pancreatic-cancer indication')
    const sarcoma = resultFor((await postHook(app, hookRequest(patient(), atDiagnosis([condition('C49.2')])))).body, ID)
    tt.ok(sarcoma?.related?.some((r) => r.indication === 'sarcoma'), 'names the sarcoma indication')
  })
})
