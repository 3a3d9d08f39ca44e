/**
 * unexplained-hemolytic-anemia (seed 002, indication 3): every criterion driven
 * to met, not-met and unknown over HTTP, with SKS-coded diagnoses, a child and
 * consent read from a FHIR Consent resource.
 */
import t from 'tap'
import { buildTestApp } from '../helpers/app.js'
import { runScenarios, assertCoverage, assemble, type Scenario } from '../helpers/scenarios.js'
import { attestation, condition, patient, procedure, quantityObservation, PATIENT_ID, SYSTEMS, type Json } from '../helpers/fhir-builders.js'

const ID = 'unexplained-hemolytic-anemia'
const CONSENT_SYSTEM = 'https://ngc-wgs-cds.dk/fhir/CodeSystem/wgs-consent'

let consentCounter = 0
/** A Consent to comprehensive genetic analysis (project-local code in category). */
function consent (over: Json = {}): Json {
  return {
    resourceType: 'Consent',
    id: `consent-${++consentCounter}`,
    status: 'active',
    scope: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'treatment' }] },
    category: [{ coding: [{ system: CONSENT_SYSTEM, code: 'comprehensive-genetic-analysis' }] }],
    patient: { reference: `Patient/${PATIENT_ID}` },
    dateTime: '2026-10-01',
    provision: { type: 'permit' },
    ...over
  }
}

const interpretation = (code: string): Json => ({ interpretation: [{ coding: [{ system: SYSTEMS.interpretation, code }] }] })
/** A direct antiglobulin test as a Danish laboratory reports it: NPU20025 with a text answer (Region Nordjylland's wording). */
const datText = (text: string, date = '2026-09-01'): Json => ({
  resourceType: 'Observation', id: `dat-${++consentCounter}`, status: 'final', subject: { reference: `Patient/${PATIENT_ID}` },
  code: { coding: [{ system: SYSTEMS.npu, code: 'NPU20025', display: 'Erc(B)—Direkte antiglobulin test' }] }, effectiveDateTime: date, valueString: text
})
/** A DAT coded in LOINC with an interpretation flag, or with a SNOMED CT coded result. */
const dat = (result?: 'POS' | 'NEG', date = '2026-09-01', over: Json = {}): Json => ({
  resourceType: 'Observation', id: `dat-${++consentCounter}`, status: 'final', subject: { reference: `Patient/${PATIENT_ID}` },
  code: { coding: [{ system: SYSTEMS.loinc, code: '1007-4' }] }, effectiveDateTime: date, ...(result ? interpretation(result) : {}), ...over
})
/** LDH as Danish laboratories send it (NPU19658), with the laboratory's reference range. */
const ldh = (value: number, date = '2026-09-01'): Json => quantityObservation(SYSTEMS.npu, 'NPU19658', value, 'U/L', date, {
  referenceRange: [{ low: { value: 105, system: SYSTEMS.ucum, code: 'U/L' }, high: { value: 205, system: SYSTEMS.ucum, code: 'U/L' } }]
})
const g6pd = (): Json => ({ resourceType: 'Observation', id: `g6pd-${++consentCounter}`, status: 'final', subject: { reference: `Patient/${PATIENT_ID}` }, code: { coding: [{ system: SYSTEMS.npu, code: 'NPU02205' }] }, effectiveDateTime: '2026-08-01', valueString: 'Normal aktivitet' })
const hbA2 = (): Json => quantityObservation(SYSTEMS.npu, 'NPU04611', 0.028, '1', '2026-08-01')
const child = (): Json => patient({ birthDate: '2016-02-01' })

/** Hereditary spherocytosis (SKS DD580) with every criterion met; each scenario changes one thing. */
function complete (over: { without?: string[], add?: Json[] } = {}): Json[] {
  const parts: Record<string, Json[]> = {
    diagnosis: [condition('DD580')],
    unexplained: [attestation('hereditary-anaemia-unexplained')],
    dat: [datText('negativ')],
    membrane: [attestation('membranopathy-test-done')],
    typing: [hbA2()],
    g6pd: [g6pd()],
    ldh: [ldh(180)],
    consent: [consent()],
    contact: [attestation('local-contact-reviewed-history')]
  }
  return assemble(parts, over)
}

/** A patient without a haemolytic diagnosis: the rest complete. */
const withDiagnosis = (code: string, over: { without?: string[], add?: Json[] } = {}): Json[] => complete({ without: ['diagnosis', ...(over.without ?? [])], add: [condition(code), ...(over.add ?? [])] })
/** Constitutional aplastic anaemia, Blackfan-Diamond (SKS DD610A): bone marrow failure. */
const marrowFailure = (add: Json[] = []): Json[] => [condition('DD610A'), attestation('hereditary-anaemia-unexplained'), consent(), attestation('local-contact-reviewed-history'), ldh(150), ...add]
/** Beta thalassaemia (ICD-10 D56.1) only, the rest of the work-up complete. */
const thalassaemia = (add: Json[] = []): Json[] => complete({ without: ['diagnosis'], add: [condition('D56.1'), ...add] })

const scenarios: Scenario[] = [
  { name: 'hereditary spherocytosis (SKS DD580), all documented in Danish codes', criterion: 'diagnosis', expect: 'met', indicationStatus: 'eligible', resources: complete() },
  { name: 'congenital elliptocytosis (Danish sub-code DD581A)', criterion: 'diagnosis', expect: 'met', resources: complete({ without: ['diagnosis'], add: [condition('DD581A')] }) },
  { name: 'beta thalassaemia, standard work-up attested insufficient', criterion: 'diagnosis', expect: 'met', indicationStatus: 'eligible', resources: thalassaemia([attestation('thalassaemia-standard-work-up-insufficient')]) },
  { name: 'beta thalassaemia, standard work-up sufficient', criterion: 'diagnosis', expect: 'not-met', indicationStatus: 'not-eligible', resources: thalassaemia([attestation('thalassaemia-standard-work-up-insufficient', false)]) },
  { name: 'beta thalassaemia, not documented', criterion: 'diagnosis', expect: 'unknown', indicationStatus: 'incomplete', resources: thalassaemia() },

  { name: 'attested', criterion: 'hereditary-form-suspected', expect: 'met', resources: complete() },
  { name: 'child (10 years), attested', criterion: 'hereditary-form-suspected', expect: 'met', indicationStatus: 'eligible', patient: child(), resources: complete() },
  { name: 'attested false', criterion: 'hereditary-form-suspected', expect: 'not-met', resources: complete({ without: ['unexplained'], add: [attestation('hereditary-anaemia-unexplained', false)] }) },
  { name: 'hereditary spherocytosis (DD580) names the hereditary form; not documented separately', criterion: 'hereditary-form-suspected', expect: 'met', indicationStatus: 'eligible', resources: complete({ without: ['unexplained'] }) },
  { name: 'other sideroblastic anaemia (DD643), not documented', criterion: 'hereditary-form-suspected', expect: 'unknown', resources: withDiagnosis('DD643', { without: ['unexplained'] }) },

  { name: 'DAT NPU20025 answered "negativ" (text result)', criterion: 'immune-haemolysis-excluded', expect: 'met', resources: complete() },
  { name: 'DAT answered "DAT svag positiv" (text result)', criterion: 'immune-haemolysis-excluded', expect: 'not-met', indicationStatus: 'not-eligible', resources: complete({ without: ['dat'], add: [datText('DAT svag positiv')] }) },
  { name: 'DAT with a SNOMED CT coded result Negative (260385009)', criterion: 'immune-haemolysis-excluded', expect: 'met', resources: complete({ without: ['dat'], add: [dat(undefined, '2026-09-01', { valueCodeableConcept: { coding: [{ system: SYSTEMS.snomed, code: '260385009', display: 'Negative' }] } })] }) },
  { name: 'DAT with a SNOMED CT coded result Positive (10828004)', criterion: 'immune-haemolysis-excluded', expect: 'not-met', resources: complete({ without: ['dat'], add: [dat(undefined, '2026-09-01', { valueCodeableConcept: { coding: [{ system: SYSTEMS.snomed, code: '10828004' }] } })] }) },
  { name: 'DAT flagged POS (LOINC 1007-4)', criterion: 'immune-haemolysis-excluded', expect: 'not-met', resources: complete({ without: ['dat'], add: [dat('POS')] }) },
  { name: 'earlier positive, latest negative', criterion: 'immune-haemolysis-excluded', expect: 'met', resources: complete({ without: ['dat'], add: [dat('POS', '2025-01-01'), dat('NEG', '2026-09-01')] }) },
  { name: 'active autoimmune haemolytic anaemia (SKS DD591)', criterion: 'immune-haemolysis-excluded', expect: 'not-met', resources: complete({ add: [condition('DD591')] }) },
  { name: 'DAT without a readable result', criterion: 'immune-haemolysis-excluded', expect: 'unknown', resources: complete({ without: ['dat'], add: [dat()] }) },
  { name: 'DAT done elsewhere: the clinician documents immune haemolysis excluded', criterion: 'immune-haemolysis-excluded', expect: 'met', indicationStatus: 'eligible', resources: complete({ without: ['dat'], add: [attestation('immune-haemolysis-excluded')] }) },
  { name: 'no DAT', criterion: 'immune-haemolysis-excluded', expect: 'unknown', indicationStatus: 'incomplete', resources: complete({ without: ['dat'] }) },
  { name: 'observations prefetch not sent', criterion: 'immune-haemolysis-excluded', expect: 'unknown', resources: complete(), request: { omit: ['observations'] } },
  { name: 'congenital dyserythropoietic anaemia (DD644) is haemolytic: DAT required', criterion: 'immune-haemolysis-excluded', expect: 'unknown', resources: withDiagnosis('DD644', { without: ['dat'] }) },
  { name: 'sideroblastic anaemia (DD643) with a normal LDH: not applicable', criterion: 'immune-haemolysis-excluded', expect: 'not-applicable', resources: withDiagnosis('DD643', { without: ['dat'] }) },
  { name: 'constitutional aplastic anaemia (DD610) with a raised LDH: DAT required', criterion: 'immune-haemolysis-excluded', expect: 'unknown', resources: withDiagnosis('DD610', { without: ['dat', 'ldh'], add: [ldh(420)] }) },
  { name: 'constitutional aplastic anaemia (DD610) without an LDH: assessed, not skipped', criterion: 'immune-haemolysis-excluded', expect: 'unknown', resources: withDiagnosis('DD610', { without: ['dat', 'ldh'] }) },
  { name: 'sideroblastic anaemia, no LDH, haemolysis documented absent', criterion: 'immune-haemolysis-excluded', expect: 'not-applicable', resources: withDiagnosis('DD643', { without: ['dat', 'ldh'], add: [attestation('haemolysis-present', false)] }) },

  { name: 'EMA/ektacytometry attested', criterion: 'membranopathy-tested', expect: 'met', resources: complete() },
  { name: 'sideroblastic anaemia with a normal LDH', criterion: 'membranopathy-tested', expect: 'not-applicable', resources: withDiagnosis('DD643', { without: ['membrane'] }) },
  { name: 'attested not done', criterion: 'membranopathy-tested', expect: 'not-met', resources: complete({ without: ['membrane'], add: [attestation('membranopathy-test-done', false)] }) },
  { name: 'not documented', criterion: 'membranopathy-tested', expect: 'unknown', resources: complete({ without: ['membrane'] }) },

  { name: 'HbA2 result on record (NPU04611)', criterion: 'haemoglobin-typing', expect: 'met', resources: complete() },
  { name: 'haemoglobin type result (NPU17703)', criterion: 'haemoglobin-typing', expect: 'met', resources: complete({ without: ['typing'], add: [{ resourceType: 'Observation', id: 'hbtype-1', status: 'final', subject: { reference: `Patient/${PATIENT_ID}` }, code: { coding: [{ system: SYSTEMS.npu, code: 'NPU17703' }] }, effectiveDateTime: '2026-08-01', valueString: 'Normalt hæmoglobinmønster' }] }) },
  { name: 'typing attested done, no result on record', criterion: 'haemoglobin-typing', expect: 'met', resources: complete({ without: ['typing'], add: [attestation('hemoglobin-typing-done')] }) },
  { name: 'sideroblastic anaemia with a normal LDH', criterion: 'haemoglobin-typing', expect: 'not-applicable', resources: withDiagnosis('DD643', { without: ['typing'] }) },
  { name: 'attested not done', criterion: 'haemoglobin-typing', expect: 'not-met', resources: complete({ without: ['typing'], add: [attestation('hemoglobin-typing-done', false)] }) },
  { name: 'not documented', criterion: 'haemoglobin-typing', expect: 'unknown', resources: complete({ without: ['typing'] }) },

  { name: 'G6PD activity measured (NPU02205)', criterion: 'g6pd-tested', expect: 'met', resources: complete() },
  { name: 'G6PD activity measured (LOINC 2357-2)', criterion: 'g6pd-tested', expect: 'met', resources: complete({ without: ['g6pd'], add: [quantityObservation(SYSTEMS.loinc, '2357-2', 250, 'U/L', '2026-08-01')] }) },
  { name: 'test documented not indicated (Northern European origin)', criterion: 'g6pd-tested', expect: 'not-applicable', indicationStatus: 'eligible', resources: complete({ without: ['g6pd'], add: [attestation('g6pd-test-not-indicated')] }) },
  { name: 'older documentation: origin in Northern Europe', criterion: 'g6pd-tested', expect: 'not-applicable', resources: complete({ without: ['g6pd'], add: [attestation('ethnic-origin-outside-northern-europe', false)] }) },
  { name: 'G6PD deficiency anaemia (SKS DD550) on record', criterion: 'g6pd-tested', expect: 'met', resources: complete({ without: ['g6pd', 'diagnosis'], add: [condition('DD550')] }) },
  { name: 'test indicated, documented not done', criterion: 'g6pd-tested', expect: 'not-met', resources: complete({ without: ['g6pd'], add: [attestation('g6pd-test-not-indicated', false), attestation('g6pd-test-done', false)] }) },
  { name: 'origin outside Northern Europe, no result', criterion: 'g6pd-tested', expect: 'unknown', resources: complete({ without: ['g6pd'], add: [attestation('ethnic-origin-outside-northern-europe')] }) },
  { name: 'nothing documented: one question, no ethnicity asked', criterion: 'g6pd-tested', expect: 'unknown', resources: complete({ without: ['g6pd'] }) },

  { name: 'LDH normal: PNH test not applicable', criterion: 'pnh-tested', expect: 'not-applicable', resources: complete() },
  { name: 'LDH high (NPU19658), PNH flow cytometry attested', criterion: 'pnh-tested', expect: 'met', resources: complete({ without: ['ldh'], add: [ldh(480), attestation('pnh-flow-cytometry-done')] }) },
  { name: 'no LDH on record, PNH flow cytometry attested (was unknown: ordering bug)', criterion: 'pnh-tested', expect: 'met', indicationStatus: 'eligible', resources: complete({ without: ['ldh'], add: [attestation('pnh-flow-cytometry-done')] }) },
  { name: 'child with high LDH: not applicable', criterion: 'pnh-tested', expect: 'not-applicable', patient: child(), resources: complete({ without: ['ldh'], add: [ldh(480)] }) },
  { name: 'active PNH (ICD-10 D59.5) with a high LDH', criterion: 'pnh-tested', expect: 'not-met', indicationStatus: 'not-eligible', resources: complete({ without: ['ldh'], add: [ldh(480), condition('D59.5')] }) },
  { name: 'LDH high, PNH test attested not done', criterion: 'pnh-tested', expect: 'not-met', resources: complete({ without: ['ldh'], add: [ldh(480), attestation('pnh-flow-cytometry-done', false)] }) },
  { name: 'LDH high, PNH test not documented', criterion: 'pnh-tested', expect: 'unknown', resources: complete({ without: ['ldh'], add: [ldh(480)] }) },
  { name: 'no LDH', criterion: 'pnh-tested', expect: 'unknown', resources: complete({ without: ['ldh'] }) },
  { name: 'no birth date', criterion: 'pnh-tested', expect: 'unknown', patient: patient({ birthDate: undefined }), resources: complete({ without: ['ldh'], add: [ldh(480)] }) },

  { name: 'no bone marrow failure: not applicable', criterion: 'bone-marrow-if-failure', expect: 'not-applicable', resources: complete() },
  { name: 'Blackfan-Diamond (DD610A) with bone marrow aspiration', criterion: 'bone-marrow-if-failure', expect: 'met', indicationStatus: 'eligible', resources: marrowFailure([procedure(SYSTEMS.snomed, '49401003', '2025-03-01')]) },
  { name: 'Blackfan-Diamond, bone marrow attested not done', criterion: 'bone-marrow-if-failure', expect: 'not-met', resources: marrowFailure([attestation('bone-marrow-examination-done', false)]) },
  { name: 'Blackfan-Diamond, bone marrow not documented', criterion: 'bone-marrow-if-failure', expect: 'unknown', resources: marrowFailure() },

  { name: 'local contact person reviewed the history', criterion: 'local-contact-review', expect: 'met', resources: complete() },
  { name: 'documented not reviewed', criterion: 'local-contact-review', expect: 'not-met', indicationStatus: 'not-eligible', resources: complete({ without: ['contact'], add: [attestation('local-contact-reviewed-history', false)] }) },
  { name: 'review not documented (a "skal" of the seed, was missing)', criterion: 'local-contact-review', expect: 'unknown', indicationStatus: 'incomplete', resources: complete({ without: ['contact'] }) },

  { name: 'active consent, permit', criterion: 'consent-genetic-analysis', expect: 'met', resources: complete() },
  { name: 'consent recorded in scope instead of category', criterion: 'consent-genetic-analysis', expect: 'met', resources: complete({ without: ['consent'], add: [consent({ category: [{ text: 'Samtykke' }], scope: { coding: [{ system: CONSENT_SYSTEM, code: 'comprehensive-genetic-analysis' }] } })] }) },
  { name: 'consent rejected', criterion: 'consent-genetic-analysis', expect: 'not-met', indicationStatus: 'not-eligible', resources: complete({ without: ['consent'], add: [consent({ status: 'rejected' })] }) },
  { name: 'active consent with provision deny', criterion: 'consent-genetic-analysis', expect: 'not-met', resources: complete({ without: ['consent'], add: [consent({ provision: { type: 'deny' } })] }) },
  { name: 'earlier permit, later refusal', criterion: 'consent-genetic-analysis', expect: 'not-met', resources: complete({ add: [consent({ status: 'rejected', dateTime: '2026-11-01' })] }) },
  { name: 'only an inactive consent', criterion: 'consent-genetic-analysis', expect: 'unknown', resources: complete({ without: ['consent'], add: [consent({ status: 'inactive' })] }) },
  { name: 'a consent of another kind', criterion: 'consent-genetic-analysis', expect: 'unknown', resources: complete({ without: ['consent'], add: [consent({ category: [{ coding: [{ system: SYSTEMS.loinc, code: '59284-0' }] }] })] }) },
  { name: 'no consent', criterion: 'consent-genetic-analysis', expect: 'unknown', indicationStatus: 'incomplete', resources: complete({ without: ['consent'] }) },
  { name: 'consents prefetch not sent', criterion: 'consent-genetic-analysis', expect: 'unknown', resources: complete(), request: { omit: ['consents'] } }
]

void t.test(ID, async (t) => {
  // Load shedding is not under test: many back-to-back requests can saturate the event loop and get 503.
  const app = await buildTestApp(t, { UNDER_PRESSURE_MAX_EVENT_LOOP_DELAY_MS: '0', UNDER_PRESSURE_MAX_EVENT_LOOP_UTILIZATION: '0' })
  assertCoverage(t, ID, scenarios)
  await runScenarios(t, app, ID, scenarios)
})
