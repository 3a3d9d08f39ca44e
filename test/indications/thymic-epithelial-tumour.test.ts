/**
 * thymic-epithelial-tumour (seed 003, "Thymus epithel celle tumorer"): every
 * criterion driven to met, not-met and unknown over HTTP, and each timing
 * route (newly diagnosed; thymic carcinoma when systemic treatment is
 * considered; relapse) shown to carry the indication on its own.
 */
import t from 'tap'
import { buildTestApp, cardFor, postHook, resultFor } from '../helpers/app.js'
import { runScenarios, assertCoverage, assemble, type Scenario } from '../helpers/scenarios.js'
import { attestation, condition, ecog, hookRequest, orderingRole, patient, procedure, SYSTEMS, icdo3, pathologyReport, sksM, type Json } from '../helpers/fhir-builders.js'

const ID = 'thymic-epithelial-tumour'
const ICDO3 = 'http://terminology.hl7.org/CodeSystem/icd-o-3'
const ONCOLOGY = '394592004'

/** ICD-O-3 morphology carried as a Condition extension (mCODE/Onconova style). */
const morphology = (code: string): Json[] => [{ url: 'https://example.org/fhir/StructureDefinition/histology-morphology', valueCodeableConcept: { coding: [{ system: ICDO3, code }] } }]
const status = (code: string): Json => ({ coding: [{ system: SYSTEMS.conditionClinical, code }] })

/** Thymoma B1 (C37), diagnosed 2026-10-20: newly diagnosed at NOW (2026-11-22). */
function tumour (over: Json = {}, morph: string | null = '8583/3'): Json {
  return condition('C37', { onsetDateTime: '2026-10-20', ...(morph ? { extension: morphology(morph) } : {}), ...over })
}

/** A patient meeting every criterion; each scenario changes one thing. */
function complete (over: { without?: string[], add?: Json[], tumour?: Json } = {}): Json[] {
  const parts: Record<string, Json[]> = {
    tumour: [over.tumour ?? tumour()],
    ecog: [ecog(1, '2026-11-01')],
    histopathology: [procedure(SYSTEMS.snomed, '252416005', '2026-10-18')],
    tissue: [attestation('tumour-accessible-for-biopsy')],
    role: orderingRole('Onkologisk Klinik, Rigshospitalet', ONCOLOGY)
  }
  return assemble(parts, over)
}

const carcinoma = (over: Json = {}): Json => tumour(over, '8586/3')
const oldThymoma = (over: Json = {}): Json => tumour({ onsetDateTime: '2024-03-01', ...over })
const undated = (): Json => condition('C37', { recordedDate: undefined })


const scenarios: Scenario[] = [
  { name: 'thymoma B1 coded C37 with ICD-O-3 morphology', criterion: 'diagnosis', expect: 'met', indicationStatus: 'eligible', resources: complete() },
  { name: 'SKS DC379 without morphology (C37 read as TET)', criterion: 'diagnosis', expect: 'met', resources: complete({ tumour: condition('DC379', { onsetDateTime: '2026-10-20' }) }) },
  { name: 'thymic carcinoma coded only by ICD-O-3 on Condition.code', criterion: 'diagnosis', expect: 'met', resources: complete({ tumour: { ...condition('C37', { onsetDateTime: '2026-10-20' }), code: { coding: [{ system: ICDO3, code: '8586/3' }] } } }) },
  // Review §10: a C37 tumour is never 'not met' for its morphology; the thymic carcinoma subtypes are generic carcinoma codes.
  { name: 'C37 with a non-epithelial morphology (malignant teratoma 9080/3) is unknown, not refused', criterion: 'diagnosis', expect: 'unknown', indicationStatus: 'incomplete', resources: complete({ tumour: tumour({}, '9080/3') }) },
  { name: 'the clinician attests that the thymic tumour is not epithelial', criterion: 'diagnosis', expect: 'not-met', indicationStatus: 'not-eligible', resources: complete({ tumour: tumour({}, '9080/3'), add: [attestation('thymic-epithelial-tumour', false)] }) },
  { name: 'C37 with an unrecognised morphology, TET attested', criterion: 'diagnosis', expect: 'met', resources: complete({ tumour: tumour({}, '9080/3'), add: [attestation('thymic-epithelial-tumour')] }) },
  ...(['8070/3', '8123/3', '8082/3', '8430/3', '8140/3', '8023/3', '8240/3', '8013/3'].map((m): Scenario => (
    { name: `C37 with thymic carcinoma / neuroendocrine morphology ${m}`, criterion: 'diagnosis', expect: 'met', indicationStatus: 'eligible', resources: complete({ tumour: tumour({}, m) }) }))),
  { name: 'thymoma B2 registered as SKS DD150 with its morphology', criterion: 'diagnosis', expect: 'met', indicationStatus: 'eligible', resources: complete({ tumour: condition('DD150', { onsetDateTime: '2026-10-20', extension: morphology('8584/3') }) }) },
  { name: 'thymoma AB registered as SKS DD384 under the ICD-10 URI with its morphology', criterion: 'diagnosis', expect: 'met', resources: complete({ tumour: condition('D38.4', { onsetDateTime: '2026-10-20', extension: morphology('8582/3') }) }) },
  { name: 'SKS DD150 without any morphology: the card asks for the histology', criterion: 'diagnosis', expect: 'unknown', indicationStatus: 'incomplete', resources: complete({ tumour: condition('DD150', { onsetDateTime: '2026-10-20' }) }) },
  { name: 'DD150 thymoma confirmed by attestation', criterion: 'diagnosis', expect: 'met', resources: complete({ tumour: condition('DD150', { onsetDateTime: '2026-10-20' }), add: [attestation('thymic-epithelial-tumour')] }) },

  { name: 'ECOG 1 this month', criterion: 'performance-status', expect: 'met', resources: complete() },
  { name: 'ECOG 2 is still within PS 0–2', criterion: 'performance-status', expect: 'met', resources: complete({ without: ['ecog'], add: [ecog(2, '2026-11-10')] }) },
  { name: 'ECOG 3', criterion: 'performance-status', expect: 'not-met', indicationStatus: 'not-eligible', resources: complete({ without: ['ecog'], add: [ecog(3, '2026-11-10')] }) },
  { name: 'latest ECOG counts (1 after an earlier 3)', criterion: 'performance-status', expect: 'met', resources: complete({ add: [ecog(3, '2026-09-15')] }) },
  { name: 'no ECOG recorded', criterion: 'performance-status', expect: 'unknown', indicationStatus: 'incomplete', resources: complete({ without: ['ecog'] }) },
  { name: 'only an ECOG older than the 90-day look-back', criterion: 'performance-status', expect: 'unknown', resources: complete({ without: ['ecog'], add: [ecog(0, '2026-05-01')] }) },

  { name: 'histopathology procedure recorded', criterion: 'histopathology', expect: 'met', resources: complete() },
  { name: 'histopathology attested', criterion: 'histopathology', expect: 'met', resources: complete({ without: ['histopathology'], add: [attestation('histopathology-diagnosis')] }) },
  { name: 'attested that no histopathological diagnosis exists', criterion: 'histopathology', expect: 'not-met', indicationStatus: 'not-eligible', resources: complete({ without: ['histopathology'], add: [attestation('histopathology-diagnosis', false)] }) },
  { name: 'a recorded ICD-O-3 morphology is itself the histopathological diagnosis', criterion: 'histopathology', expect: 'met', indicationStatus: 'eligible', resources: complete({ without: ['histopathology'] }) },
  { name: 'no histopathology and no morphology documented', criterion: 'histopathology', expect: 'unknown', indicationStatus: 'incomplete', resources: complete({ without: ['histopathology'], tumour: tumour({}, null) }) },
  { name: 'a suspected (provisional) thymoma morphology is no histology', criterion: 'histopathology', expect: 'unknown', resources: complete({ without: ['histopathology'], tumour: tumour({ verificationStatus: { coding: [{ system: SYSTEMS.conditionVerification, code: 'provisional' }] } }) }) },
  { name: 'procedures prefetch not sent', criterion: 'histopathology', expect: 'unknown', resources: complete(), request: { omit: ['procedures'] } },

  { name: 'diagnosed 33 days ago', criterion: 'newly-diagnosed', expect: 'met', resources: complete() },
  { name: 'diagnosed in 2024: the 90-day window is local policy, so unknown (not refused)', criterion: 'newly-diagnosed', expect: 'unknown', resources: complete({ tumour: oldThymoma() }) },
  { name: 'recent record, but the tumour is recorded as recurrence', criterion: 'newly-diagnosed', expect: 'not-met', resources: complete({ tumour: tumour({ clinicalStatus: status('recurrence') }) }) },
  { name: 'attested newly diagnosed despite an older record date', criterion: 'newly-diagnosed', expect: 'met', resources: complete({ tumour: oldThymoma(), add: [attestation('newly-diagnosed')] }) },
  { name: 'attested not newly diagnosed', criterion: 'newly-diagnosed', expect: 'not-met', resources: complete({ add: [attestation('newly-diagnosed', false)] }) },
  { name: 'diagnosis without any date', criterion: 'newly-diagnosed', expect: 'unknown', resources: complete({ tumour: undated() }) },

  { name: 'thymic carcinoma NOS 8586/3', criterion: 'thymic-carcinoma', expect: 'met', resources: complete({ tumour: carcinoma() }) },
  { name: 'thymoma B1 8583/3', criterion: 'thymic-carcinoma', expect: 'not-met', resources: complete() },
  { name: 'no histological type recorded', criterion: 'thymic-carcinoma', expect: 'unknown', resources: complete({ tumour: tumour({}, null) }) },
  { name: 'squamous cell carcinoma 8070/3 on C37 is a thymic carcinoma', criterion: 'thymic-carcinoma', expect: 'met', resources: complete({ tumour: tumour({}, '8070/3') }) },
  { name: 'typical carcinoid 8240/3 is a TET but not a carcinoma in the seed\'s words', criterion: 'thymic-carcinoma', expect: 'unknown', resources: complete({ tumour: tumour({}, '8240/3') }) },

  { name: 'systemic treatment considered', criterion: 'systemic-treatment-considered', expect: 'met', resources: complete({ add: [attestation('systemic-treatment-considered')] }) },
  { name: 'systemic treatment not considered', criterion: 'systemic-treatment-considered', expect: 'not-met', resources: complete({ add: [attestation('systemic-treatment-considered', false)] }) },
  { name: 'not documented', criterion: 'systemic-treatment-considered', expect: 'unknown', resources: complete() },

  { name: 'carcinoma and systemic treatment considered', criterion: 'carcinoma-systemic-treatment', expect: 'met', resources: complete({ tumour: carcinoma(), add: [attestation('systemic-treatment-considered')] }) },
  { name: 'thymoma (not carcinoma) with systemic treatment considered', criterion: 'carcinoma-systemic-treatment', expect: 'not-met', resources: complete({ add: [attestation('systemic-treatment-considered')] }) },
  { name: 'carcinoma, systemic treatment not documented', criterion: 'carcinoma-systemic-treatment', expect: 'unknown', resources: complete({ tumour: carcinoma() }) },

  { name: 'clinicalStatus recurrence', criterion: 'relapse', expect: 'met', resources: complete({ tumour: oldThymoma({ clinicalStatus: status('recurrence') }) }) },
  { name: 'relapse attested', criterion: 'relapse', expect: 'met', resources: complete({ add: [attestation('disease-relapse')] }) },
  { name: 'tumour in remission', criterion: 'relapse', expect: 'not-met', resources: complete({ tumour: oldThymoma({ clinicalStatus: status('remission') }) }) },
  { name: 'attested no relapse', criterion: 'relapse', expect: 'not-met', resources: complete({ add: [attestation('disease-relapse', false)] }) },
  { name: 'active status alone decides nothing', criterion: 'relapse', expect: 'unknown', resources: complete() },

  { name: 'route 1 alone: newly diagnosed thymoma', criterion: 'timing', expect: 'met', indicationStatus: 'eligible', resources: complete() },
  { name: 'route 2 alone: carcinoma diagnosed 2024, systemic treatment considered', criterion: 'timing', expect: 'met', indicationStatus: 'eligible', resources: complete({ tumour: carcinoma({ onsetDateTime: '2024-03-01', clinicalStatus: status('remission') }), add: [attestation('systemic-treatment-considered')] }) },
  { name: 'route 3 alone: thymoma diagnosed 2024, now in recurrence', criterion: 'timing', expect: 'met', indicationStatus: 'eligible', resources: complete({ tumour: oldThymoma({ clinicalStatus: status('recurrence') }) }) },
  { name: 'thymoma diagnosed 2024, in remission, no systemic-treatment route', criterion: 'timing', expect: 'not-met', indicationStatus: 'not-eligible', resources: complete({ tumour: oldThymoma({ clinicalStatus: status('remission') }) }) },
  { name: 'undated diagnosis, no type, no course documented', criterion: 'timing', expect: 'unknown', indicationStatus: 'incomplete', resources: complete({ tumour: undated() }) },
  { name: 'thymoma diagnosed 2024, still active, nothing documented about the course', criterion: 'timing', expect: 'unknown', indicationStatus: 'incomplete', resources: complete({ tumour: oldThymoma() }) },

  { name: 'tumour accessible, fresh tissue attested', criterion: 'fresh-tissue-accessible', expect: 'met', resources: complete() },
  // Review §7 (all Group C): «bør vurderes» is a consideration shown on the card, not a requirement.
  { name: 'attested not accessible: shown, but does not refuse the patient', criterion: 'fresh-tissue-accessible', expect: 'not-met', indicationStatus: 'eligible', resources: complete({ without: ['tissue'], add: [attestation('tumour-accessible-for-biopsy', false)] }) },
  { name: 'not documented: does not make the order incomplete', criterion: 'fresh-tissue-accessible', expect: 'unknown', indicationStatus: 'eligible', resources: complete({ without: ['tissue'] }) },
  { name: 'fresh tissue secured at the operation', criterion: 'fresh-tissue-accessible', expect: 'met', resources: complete({ without: ['tissue'], add: [attestation('fresh-tumour-tissue-secured')] }) },

  { name: 'ordered by an oncologist', criterion: 'oncologist-assessment', expect: 'met', resources: complete() },
  { name: 'ordered by a non-oncologist with the oncologist assessment attested', criterion: 'oncologist-assessment', expect: 'met', resources: complete({ without: ['role'], add: [...orderingRole('Hæmatologisk Afdeling, Rigshospitalet'), attestation('oncologist-assessment')] }) },
  { name: 'attested: no oncologist assessment', criterion: 'oncologist-assessment', expect: 'not-met', indicationStatus: 'not-eligible', resources: complete({ add: [attestation('oncologist-assessment', false)] }) },
  { name: 'non-oncologist orders, assessment not documented', criterion: 'oncologist-assessment', expect: 'unknown', resources: complete({ without: ['role'], add: orderingRole('Hæmatologisk Afdeling, Rigshospitalet') }) },
  { name: 'no PractitionerRole prefetched', criterion: 'oncologist-assessment', expect: 'unknown', resources: complete(), request: { omit: ['practitionerRoles'] } },
// Morphology wherever the record carries it (issue 13 §2, review F/§10): pathology report, SKS/Patobank M-codes.
  { name: 'C37 without morphology; the pathology report (category SP) concludes squamous cell carcinoma 8070/3', criterion: 'thymic-carcinoma', expect: 'met', resources: complete({ tumour: tumour({}, null), add: [pathologyReport(icdo3('8070/3'), '2026-10-18')] }) },
  { name: 'thymoma B2 registered as SKS DD150, its Patobank M-code (M85843) in the pathology report', criterion: 'diagnosis', expect: 'met', indicationStatus: 'eligible', resources: complete({ tumour: condition('DD150', { onsetDateTime: '2026-10-20' }), without: ['histopathology'], add: [pathologyReport(sksM('M85843'), '2026-10-18')] }) },
  { name: 'thymic carcinoma as SKS diagnosis with its additional code (DC379+ZM85863)', criterion: 'thymic-carcinoma', expect: 'met', resources: complete({ tumour: condition('x', { code: { coding: [{ system: SYSTEMS.sks, code: 'DC379+ZM85863' }] }, onsetDateTime: '2026-10-20' }) }) },
  // C38.1 'Malignant neoplasm of anterior mediastinum' (ICD-10-CM code list, codelle.io C38 child codes; search tool).
  { name: 'an ectopic thymoma coded by its site (anterior mediastinum C38.1) with thymoma morphology 8585/3', criterion: 'diagnosis', expect: 'met', indicationStatus: 'eligible', resources: complete({ tumour: condition('C38.1', { onsetDateTime: '2026-10-20', extension: morphology('8585/3') }) }) },
  // Evidence has an age (issue 13 §1, review E).
  { name: 'relapse attested in 2024 is too old', criterion: 'relapse', expect: 'unknown', resources: complete({ tumour: oldThymoma(), add: [attestation('disease-relapse', true, '2024-05-01')] }) },
  { name: '"newly diagnosed" attested in 2024 is too old', criterion: 'newly-diagnosed', expect: 'unknown', resources: complete({ tumour: oldThymoma(), add: [attestation('newly-diagnosed', true, '2024-03-15')] }) },
  { name: 'ordered by a medical oncologist (SNOMED 394593009; review §7, A)', criterion: 'oncologist-assessment', expect: 'met', indicationStatus: 'eligible', resources: complete({ without: ['role'], add: orderingRole('Onkologisk Afdeling, Herlev og Gentofte Hospital', '394593009') }) }
]

const impossible = {}

void t.test(ID, async (t) => {
  // A long scenario table drives the event loop near 100 % utilisation; under-pressure would
  // then answer 503, which is load shedding, not a rule outcome: switch it off for this suite.
  const app = await buildTestApp(t, { UNDER_PRESSURE_MAX_EVENT_LOOP_UTILIZATION: '0', UNDER_PRESSURE_MAX_EVENT_LOOP_DELAY_MS: '0' })
  assertCoverage(t, ID, scenarios, impossible)
  await runScenarios(t, app, ID, scenarios)

  await t.test('a lung squamous cell carcinoma (C34 + 8070/3) gives no thymic card', async (tt) => {
    const res = await postHook(app, hookRequest(patient(), [condition('C34.1', { extension: morphology('8070/3') })]))
    tt.equal(resultFor(res.body, ID), undefined)
  })

  await t.test('no age criterion: a 15-year-old is evaluated, not redirected, with the paediatric overlap advice', async (tt) => {
    const res = await postHook(app, hookRequest(patient({ birthDate: '2011-02-01' }), complete()))
    const result = resultFor(res.body, ID)
    tt.equal(result?.status, 'eligible')
    tt.notOk(result?.paediatricRedirect, 'no paediatric redirect')
    tt.match(JSON.stringify(cardFor(res.body, ID)), /børn og unge med kræft|children and young people with cancer/, 'overlap advice shown')
  })
})
