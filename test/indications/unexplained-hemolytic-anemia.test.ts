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
const dat = (result?: 'POS' | 'NEG', date = '2026-09-01'): Json => ({
  resourceType: 'Observation',
  id: `dat-${++consentCounter}`,
  status: 'final',
  subject: { reference: `Patient/${PATIENT_ID}` },
  code: { coding: [{ system: SYSTEMS.loinc, code: '1007-4' }] },
  effectiveDateTime: date,
  ...(result ? interpretation(result) : {})
})
const ldh = (value: number, date = '2026-09-01'): Json => quantityObservation(SYSTEMS.loinc, '2532-0', value, 'U/L', date, {
  referenceRange: [{ low: { value: 105, system: SYSTEMS.ucum, code: 'U/L' }, high: { value: 205, system: SYSTEMS.ucum, code: 'U/L' } }]
})
const g6pd = (): Json => quantityObservation(SYSTEMS.loinc, '2357-2', 250, 'U/L', '2026-08-01')
const child = (): Json => patient({ birthDate: '2016-02-01' })

/** Hereditary spherocytosis (SKS DD580) with every criterion met; each scenario changes one thing. */
function complete (over: { without?: string[], add?: Json[] } = {}): Json[] {
  const parts: Record<string, Json[]> = {
    diagnosis: [condition('DD580')],
    unexplained: [attestation('hereditary-anaemia-unexplained')],
    dat: [dat('NEG')],
    membrane: [attestation('membranopathy-test-done')],
    typing: [attestation('hemoglobin-typing-done')],
    g6pd: [g6pd()],
    ldh: [ldh(180)],
    consent: [consent()]
  }
  return assemble(parts, over)
}

/** Congenital dyserythropoietic anaemia (SKS DD644): not haemolytic by code. */
const cda = (add: Json[] = []): Json[] => [condition('DD644'), attestation('hereditary-anaemia-unexplained'), consent(), ...add]
/** Constitutional aplastic anaemia, Blackfan-Diamond (SKS DD610A): bone marrow failure. */
const marrowFailure = (add: Json[] = []): Json[] => [condition('DD610A'), attestation('hereditary-anaemia-unexplained'), consent(), ...add]
/** Beta thalassaemia (ICD-10 D56.1) only, the rest of the work-up complete. */
const thalassaemia = (add: Json[] = []): Json[] => complete({ without: ['diagnosis'], add: [condition('D56.1'), ...add] })

const scenarios: Scenario[] = [
  { name: 'hereditary spherocytosis (SKS DD580), all documented', criterion: 'diagnosis', expect: 'met', indicationStatus: 'eligible', resources: complete() },
  { name: 'congenital elliptocytosis (Danish sub-code DD581A)', criterion: 'diagnosis', expect: 'met', resources: complete({ without: ['diagnosis'], add: [condition('DD581A')] }) },
  { name: 'beta thalassaemia, standard work-up attested insufficient', criterion: 'diagnosis', expect: 'met', indicationStatus: 'eligible', resources: thalassaemia([attestation('thalassaemia-standard-work-up-insufficient')]) },
  { name: 'beta thalassaemia, standard work-up sufficient', criterion: 'diagnosis', expect: 'not-met', indicationStatus: 'not-eligible', resources: thalassaemia([attestation('thalassaemia-standard-work-up-insufficient', false)]) },
  { name: 'beta thalassaemia, not documented', criterion: 'diagnosis', expect: 'unknown', indicationStatus: 'incomplete', resources: thalassaemia() },

  { name: 'attested', criterion: 'hereditary-form-suspected', expect: 'met', resources: complete() },
  { name: 'child (10 years), attested', criterion: 'hereditary-form-suspected', expect: 'met', indicationStatus: 'eligible', patient: child(), resources: complete() },
  { name: 'attested false', criterion: 'hereditary-form-suspected', expect: 'not-met', resources: complete({ without: ['unexplained'], add: [attestation('hereditary-anaemia-unexplained', false)] }) },
  { name: 'not documented', criterion: 'hereditary-form-suspected', expect: 'unknown', resources: complete({ without: ['unexplained'] }) },

  { name: 'DAT negative', criterion: 'immune-haemolysis-excluded', expect: 'met', resources: complete() },
  { name: 'not haemolytic by code (CDA): not applicable', criterion: 'immune-haemolysis-excluded', expect: 'met', resources: cda() },
  { name: 'DAT positive', criterion: 'immune-haemolysis-excluded', expect: 'not-met', indicationStatus: 'not-eligible', resources: complete({ without: ['dat'], add: [dat('POS')] }) },
  { name: 'earlier positive, latest negative', criterion: 'immune-haemolysis-excluded', expect: 'met', resources: complete({ without: ['dat'], add: [dat('POS', '2025-01-01'), dat('NEG', '2026-09-01')] }) },
  { name: 'active autoimmune haemolytic anaemia (SKS DD591)', criterion: 'immune-haemolysis-excluded', expect: 'not-met', resources: complete({ add: [condition('DD591')] }) },
  { name: 'DAT without a readable result', criterion: 'immune-haemolysis-excluded', expect: 'unknown', resources: complete({ without: ['dat'], add: [dat()] }) },
  { name: 'no DAT', criterion: 'immune-haemolysis-excluded', expect: 'unknown', indicationStatus: 'incomplete', resources: complete({ without: ['dat'] }) },
  { name: 'observations prefetch not sent', criterion: 'immune-haemolysis-excluded', expect: 'unknown', resources: complete(), request: { omit: ['observations'] } },

  { name: 'EMA/ektacytometry attested', criterion: 'membranopathy-tested', expect: 'met', resources: complete() },
  { name: 'not haemolytic by code (CDA)', criterion: 'membranopathy-tested', expect: 'met', resources: cda() },
  { name: 'attested not done', criterion: 'membranopathy-tested', expect: 'not-met', resources: complete({ without: ['membrane'], add: [attestation('membranopathy-test-done', false)] }) },
  { name: 'not documented', criterion: 'membranopathy-tested', expect: 'unknown', resources: complete({ without: ['membrane'] }) },

  { name: 'haemoglobin typing attested', criterion: 'haemoglobin-typing', expect: 'met', resources: complete() },
  { name: 'not haemolytic by code (CDA)', criterion: 'haemoglobin-typing', expect: 'met', resources: cda() },
  { name: 'attested not done', criterion: 'haemoglobin-typing', expect: 'not-met', resources: complete({ without: ['typing'], add: [attestation('hemoglobin-typing-done', false)] }) },
  { name: 'not documented', criterion: 'haemoglobin-typing', expect: 'unknown', resources: complete({ without: ['typing'] }) },

  { name: 'G6PD activity measured (2357-2)', criterion: 'g6pd-tested', expect: 'met', resources: complete() },
  { name: 'Northern European origin: not required', criterion: 'g6pd-tested', expect: 'met', resources: complete({ without: ['g6pd'], add: [attestation('ethnic-origin-outside-northern-europe', false)] }) },
  { name: 'G6PD deficiency anaemia (SKS DD550) on record', criterion: 'g6pd-tested', expect: 'met', resources: complete({ without: ['g6pd', 'diagnosis'], add: [condition('DD550')] }) },
  { name: 'origin outside Northern Europe, test attested not done', criterion: 'g6pd-tested', expect: 'not-met', resources: complete({ without: ['g6pd'], add: [attestation('ethnic-origin-outside-northern-europe'), attestation('g6pd-test-done', false)] }) },
  { name: 'origin outside Northern Europe, no result', criterion: 'g6pd-tested', expect: 'unknown', resources: complete({ without: ['g6pd'], add: [attestation('ethnic-origin-outside-northern-europe')] }) },
  { name: 'origin and test undocumented', criterion: 'g6pd-tested', expect: 'unknown', resources: complete({ without: ['g6pd'] }) },

  { name: 'LDH normal: PNH test not required', criterion: 'pnh-tested', expect: 'met', resources: complete() },
  { name: 'LDH high, PNH flow cytometry attested', criterion: 'pnh-tested', expect: 'met', resources: complete({ without: ['ldh'], add: [ldh(480), attestation('pnh-flow-cytometry-done')] }) },
  { name: 'child with high LDH: not required', criterion: 'pnh-tested', expect: 'met', patient: child(), resources: complete({ without: ['ldh'], add: [ldh(480)] }) },
  { name: 'active PNH (ICD-10 D59.5)', criterion: 'pnh-tested', expect: 'not-met', indicationStatus: 'not-eligible', resources: complete({ add: [condition('D59.5')] }) },
  { name: 'LDH high, PNH test attested not done', criterion: 'pnh-tested', expect: 'not-met', resources: complete({ without: ['ldh'], add: [ldh(480), attestation('pnh-flow-cytometry-done', false)] }) },
  { name: 'LDH high, PNH test not documented', criterion: 'pnh-tested', expect: 'unknown', resources: complete({ without: ['ldh'], add: [ldh(480)] }) },
  { name: 'no LDH', criterion: 'pnh-tested', expect: 'unknown', resources: complete({ without: ['ldh'] }) },
  { name: 'no birth date', criterion: 'pnh-tested', expect: 'unknown', patient: patient({ birthDate: undefined }), resources: complete({ without: ['ldh'], add: [ldh(480)] }) },

  { name: 'no bone marrow failure: not applicable', criterion: 'bone-marrow-if-failure', expect: 'met', resources: complete() },
  { name: 'Blackfan-Diamond (DD610A) with bone marrow aspiration', criterion: 'bone-marrow-if-failure', expect: 'met', indicationStatus: 'eligible', resources: marrowFailure([procedure(SYSTEMS.snomed, '49401003', '2025-03-01')]) },
  { name: 'Blackfan-Diamond, bone marrow attested not done', criterion: 'bone-marrow-if-failure', expect: 'not-met', resources: marrowFailure([attestation('bone-marrow-examination-done', false)]) },
  { name: 'Blackfan-Diamond, bone marrow not documented', criterion: 'bone-marrow-if-failure', expect: 'unknown', resources: marrowFailure() },

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
