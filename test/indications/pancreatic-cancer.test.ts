/**
 * pancreatic-cancer (seed 003, "Pancreas cancer"): every criterion driven to met,
 * not-met and unknown over HTTP, and each route (incurable/metastatic, young,
 * familial) shown to make the indication eligible on its own.
 */
import t from 'tap'
import { buildTestApp, postHook, resultFor } from '../helpers/app.js'
import { runScenarios, assertCoverage, assemble, type Scenario } from '../helpers/scenarios.js'
import { attestation, condition, ecog, familyMember, hookRequest, orderingRole, patient, procedure, SYSTEMS, icdo3, pathologyReport, sksM, type Json } from '../helpers/fhir-builders.js'

const ID = 'pancreatic-cancer'
/** Load shedding (503 under event-loop pressure) is not under test here; on a busy CI box it would make scenarios flaky. */
const NO_LOAD_SHEDDING = { UNDER_PRESSURE_MAX_EVENT_LOOP_UTILIZATION: '0', UNDER_PRESSURE_MAX_EVENT_LOOP_DELAY_MS: '0' }
const ONCOLOGY = '394592004'
const status = (code: string): Json => ({ clinicalStatus: { coding: [{ system: SYSTEMS.conditionClinical, code }] } })
const provisional = { verificationStatus: { coding: [{ system: SYSTEMS.conditionVerification, code: 'provisional' }] } }
/** Born 1960: 66 at the diagnosis in 2026, so not "young". */
const older = (): Json => patient({ birthDate: '1960-04-01' })
/** Born 1985: 41 at the diagnosis in 2026. */
const young = (): Json => patient({ birthDate: '1985-04-01' })
const pancreas = (over: Json = {}): Json => condition('C25.0', { onsetDateTime: '2026-09-01', ...over })


/** Metastatic pancreatic cancer in a 66-year-old, everything documented; each scenario changes one thing. */
function complete (over: { without?: string[], add?: Json[], primary?: Json[] } = {}): Json[] {
  const parts: Record<string, Json[]> = {
    primary: over.primary ?? [pancreas()],
    metastases: [condition('C78.7', { recordedDate: '2026-09-01' })],
    histology: [procedure(SYSTEMS.snomed, '252416005', '2026-09-05')],
    ecog: [ecog(1, '2026-11-01')],
    tissue: [attestation('tumour-accessible-for-biopsy')],
    role: orderingRole('Onkologisk Afdeling, Odense Universitetshospital', ONCOLOGY)
  }
  return assemble(parts, over)
}
/** Operated, curable pancreatic cancer: no metastases, attested curable. */
const curable = (add: Json[] = [], without: string[] = []): Json[] => complete({ without: ['metastases', ...without], add: [attestation('incurable-disease', false), ...add] })
const noCancerFamily = (): Json => familyMember('MTH', 'C50.9', 62)

const scenarios: Scenario[] = [
  // the three routes
  { name: 'metastatic route', criterion: 'pancreatic-route', expect: 'met', indicationStatus: 'eligible', patient: older(), resources: complete() },
  { name: 'young route only (41, operated, curable)', criterion: 'pancreatic-route', expect: 'met', indicationStatus: 'eligible', patient: young(), resources: curable() },
  { name: 'familial route only (66, curable, mother with pancreatic cancer)', criterion: 'pancreatic-route', expect: 'met', indicationStatus: 'eligible', patient: older(), resources: curable([familyMember('MTH', 'C25.9', 70)]) },
  { name: 'none: 66, curable, attested no familial disposition, not at the post-operative start of treatment', criterion: 'pancreatic-route', expect: 'not-met', indicationStatus: 'not-eligible', patient: older(), resources: curable([noCancerFamily(), attestation('familial-pancreatic-cancer-disposition', false), attestation('operated-pancreatic-cancer', false)]) },
  { name: 'one relative without pancreatic cancer is not a complete family history (review G)', criterion: 'pancreatic-route', expect: 'unknown', indicationStatus: 'incomplete', patient: older(), resources: curable([noCancerFamily()]) },
  // Review §9: the resected-patient route («Endvidere kan patienter, opereret for pancreascancer, få lavet helgenomsekventering …»).
  { name: 'operated route only (66, resected, curable, first consultation at start of adjuvant treatment)', criterion: 'pancreatic-route', expect: 'met', indicationStatus: 'eligible', patient: older(), resources: curable([attestation('operated-pancreatic-cancer')]) },
  { name: 'undecided: 66, stage unknown, no family history', criterion: 'pancreatic-route', expect: 'unknown', indicationStatus: 'incomplete', patient: older(), resources: complete({ without: ['metastases'] }) },

  { name: 'liver metastases (C78.7)', criterion: 'route-incurable-metastatic', expect: 'met', patient: older(), resources: complete() },
  { name: 'peritoneal metastases, SKS DC786', criterion: 'route-incurable-metastatic', expect: 'met', patient: older(), resources: complete({ without: ['metastases'], add: [condition('DC786')] }) },
  { name: 'local recurrence after Whipple (clinicalStatus recurrence)', criterion: 'route-incurable-metastatic', expect: 'met', patient: older(), resources: complete({ primary: [pancreas(status('recurrence'))], without: ['metastases'] }) },
  { name: 'locally advanced, attested incurable', criterion: 'route-incurable-metastatic', expect: 'met', patient: older(), resources: complete({ without: ['metastases'], add: [attestation('incurable-disease'), attestation('metastatic-or-recurrent-disease', false)] }) },
  { name: 'attested curable, no metastasis recorded', criterion: 'route-incurable-metastatic', expect: 'not-met', patient: older(), resources: curable() },
  { name: 'no metastasis recorded, nothing attested', criterion: 'route-incurable-metastatic', expect: 'unknown', patient: older(), resources: complete({ without: ['metastases'] }) },
  { name: 'attested not metastatic, curability not assessed', criterion: 'route-incurable-metastatic', expect: 'unknown', patient: older(), resources: complete({ add: [attestation('metastatic-or-recurrent-disease', false)] }) },

  { name: '41 at diagnosis', criterion: 'route-young', expect: 'met', patient: young(), resources: complete() },
  { name: '47 at diagnosis in 2021, now 52', criterion: 'route-young', expect: 'met', patient: patient({ birthDate: '1974-01-15' }), resources: complete({ primary: [pancreas({ onsetDateTime: '2021-05-01' })] }) },
  { name: 'age at onset recorded without a birth date', criterion: 'route-young', expect: 'met', patient: patient({ birthDate: undefined }), resources: complete({ primary: [pancreas({ onsetDateTime: undefined, onsetAge: { value: 38, unit: 'a', system: SYSTEMS.ucum, code: 'a' } })] }) },
  { name: '66 at diagnosis', criterion: 'route-young', expect: 'not-met', patient: older(), resources: complete() },
  { name: 'exactly 50 at diagnosis (threshold is < 50)', criterion: 'route-young', expect: 'not-met', patient: patient({ birthDate: '1976-08-01' }), resources: complete() },
  { name: 'no birth date, no onset age', criterion: 'route-young', expect: 'unknown', patient: patient({ birthDate: undefined }), resources: complete() },

  { name: 'mother with pancreatic cancer', criterion: 'route-familial', expect: 'met', patient: older(), resources: complete({ add: [familyMember('MTH', 'C25.9', 70)] }) },
  { name: 'brother with pancreatic cancer in a partial family history', criterion: 'route-familial', expect: 'met', patient: older(), resources: complete({ add: [familyMember('BRO', 'C25.0', 55, { status: 'partial' })] }) },
  { name: 'completed entry for one relative without pancreatic cancer: unknown, not refused', criterion: 'route-familial', expect: 'unknown', patient: older(), resources: complete({ add: [noCancerFamily()] }) },
  { name: 'family history taken, attested no familial disposition', criterion: 'route-familial', expect: 'not-met', patient: older(), resources: complete({ add: [noCancerFamily(), attestation('familial-pancreatic-cancer-disposition', false)] }) },
  { name: 'a cousin with pancreatic cancer at 70 is not a first/second-degree relative', criterion: 'route-familial', expect: 'unknown', patient: older(), resources: complete({ add: [familyMember('COUSN', 'C25.0', 70)] }) },
  { name: 'paternal uncle with pancreatic cancer coded in SNOMED (363418001)', criterion: 'route-familial', expect: 'met', patient: older(), resources: complete({ add: [familyMember('PUNCLE', 'x', 64, { condition: [{ code: { coding: [{ system: SYSTEMS.snomed, code: '363418001' }] } }] })] }) },
  { name: 'clinician attests familial disposition (e.g. known BRCA2 family)', criterion: 'route-familial', expect: 'met', patient: older(), resources: complete({ add: [attestation('familial-pancreatic-cancer-disposition')] }) },
  { name: 'only a partial family history without pancreatic cancer', criterion: 'route-familial', expect: 'unknown', patient: older(), resources: complete({ add: [familyMember('FTH', 'I21.9', 60, { status: 'partial' })] }) },
  { name: 'no family history recorded', criterion: 'route-familial', expect: 'unknown', patient: older(), resources: complete() },
  { name: 'familyHistory prefetch not sent', criterion: 'route-familial', expect: 'unknown', patient: older(), resources: complete({ add: [familyMember('MTH', 'C25.9', 70)] }), request: { omit: ['familyHistory'] } },

  { name: 'operated, first consultation at start of treatment, attested', criterion: 'route-operated', expect: 'met', patient: older(), resources: curable([attestation('operated-pancreatic-cancer')]) },
  { name: 'attested not operated', criterion: 'route-operated', expect: 'not-met', patient: older(), resources: complete({ add: [attestation('operated-pancreatic-cancer', false)] }) },
  { name: 'not documented', criterion: 'route-operated', expect: 'unknown', patient: older(), resources: complete() },

  // PS only with a treatment purpose
  { name: 'metastatic, ECOG 1', criterion: 'performance-status', expect: 'met', patient: older(), resources: complete() },
  { name: 'metastatic (treatment purpose), ECOG 3', criterion: 'performance-status', expect: 'not-met', indicationStatus: 'not-eligible', patient: older(), resources: complete({ without: ['ecog'], add: [ecog(3, '2026-11-10')] }) },
  { name: 'young, curable, treatment purpose attested, ECOG 3', criterion: 'performance-status', expect: 'not-met', patient: young(), resources: curable([ecog(3, '2026-11-10'), attestation('wgs-treatment-purpose')], ['ecog']) },
  { name: 'young, curable (no treatment purpose), no ECOG: not applicable', criterion: 'performance-status', expect: 'not-applicable', indicationStatus: 'eligible', patient: young(), resources: curable([], ['ecog']) },
  { name: 'metastatic but attested predisposition work-up only, ECOG 3: not applicable', criterion: 'performance-status', expect: 'not-applicable', indicationStatus: 'eligible', patient: young(), resources: complete({ without: ['ecog'], add: [ecog(3, '2026-11-10'), attestation('wgs-treatment-purpose', false)] }) },
  { name: 'metastatic, no ECOG in the window', criterion: 'performance-status', expect: 'unknown', indicationStatus: 'incomplete', patient: older(), resources: complete({ without: ['ecog'], add: [ecog(1, '2026-03-01')] }) },
  { name: 'purpose undecided (stage unknown), ECOG 3', criterion: 'performance-status', expect: 'unknown', patient: young(), resources: complete({ without: ['metastases', 'ecog'], add: [ecog(3, '2026-11-10')] }) },

  { name: 'confirmed diagnosis with histopathology', criterion: 'histopathology-diagnosis', expect: 'met', patient: older(), resources: complete() },
  { name: 'attested (e.g. cytology-only record, pathology report on paper)', criterion: 'histopathology-diagnosis', expect: 'met', patient: older(), resources: complete({ without: ['histology'], add: [attestation('histopathology-diagnosis')] }) },
  { name: 'attested not histopathological', criterion: 'histopathology-diagnosis', expect: 'not-met', indicationStatus: 'not-eligible', patient: older(), resources: complete({ add: [attestation('histopathology-diagnosis', false)] }) },
  { name: 'diagnosis provisional', criterion: 'histopathology-diagnosis', expect: 'unknown', patient: older(), resources: complete({ primary: [pancreas(provisional)] }) },
  { name: 'procedures prefetch not sent', criterion: 'histopathology-diagnosis', expect: 'unknown', patient: older(), resources: complete(), request: { omit: ['procedures'] } },

  { name: 'tumour accessible for biopsy', criterion: 'fresh-tissue', expect: 'met', patient: older(), resources: complete() },
  // «bør vurderes» (and the germline routes need no tumour biopsy): a consideration, not a requirement.
  { name: 'attested not accessible: shown, not a refusal', criterion: 'fresh-tissue', expect: 'not-met', indicationStatus: 'eligible', patient: older(), resources: complete({ without: ['tissue'], add: [attestation('tumour-accessible-for-biopsy', false)] }) },
  { name: 'not documented: does not leave the order incomplete', criterion: 'fresh-tissue', expect: 'unknown', indicationStatus: 'eligible', patient: older(), resources: complete({ without: ['tissue'] }) },

  { name: 'ordered by an oncologist', criterion: 'oncologist-assessment', expect: 'met', patient: older(), resources: complete() },
  { name: 'surgeon at first consultation after resection, oncologist attested', criterion: 'oncologist-assessment', expect: 'met', patient: young(), resources: curable([...orderingRole('Kirurgisk Afdeling, Odense Universitetshospital'), attestation('oncologist-assessment')], ['role']) },
  { name: 'surgeon, attested not assessed by an oncologist', criterion: 'oncologist-assessment', expect: 'not-met', patient: older(), resources: complete({ without: ['role'], add: [...orderingRole('Kirurgisk Afdeling, Odense Universitetshospital'), attestation('oncologist-assessment', false)] }) },
  { name: 'no PractitionerRole prefetched', criterion: 'oncologist-assessment', expect: 'unknown', patient: older(), resources: complete(), request: { omit: ['practitionerRoles'] } },
// Morphology wherever the record carries it (issue 13 §2, review F).
  { name: 'no histopathology procedure: the pathology report (category SP) concludes adenocarcinoma (M81403)', criterion: 'histopathology-diagnosis', expect: 'met', indicationStatus: 'eligible', patient: older(), resources: complete({ without: ['histology'], add: [pathologyReport(sksM('M81403'), '2026-09-05')] }) },
  { name: 'no histopathology procedure: the adenocarcinoma morphology (8140/3) on the confirmed diagnosis', criterion: 'histopathology-diagnosis', expect: 'met', patient: older(), resources: complete({ primary: [pancreas({ extension: [{ url: 'http://hl7.org/fhir/us/mcode/StructureDefinition/mcode-histology-morphology-behavior', valueCodeableConcept: { coding: [icdo3('8140/3')] } }] })], without: ['histology'] }) },
  // Evidence has an age (issue 13 §1, review E).
  { name: 'incurability attested two years ago is too old (localised disease)', criterion: 'route-incurable-metastatic', expect: 'unknown', patient: older(), resources: complete({ without: ['metastases'], add: [attestation('incurable-disease', true, '2024-10-01')] }) },
  { name: 'ordered by a medical oncologist (SNOMED 394593009; review §7, A)', criterion: 'oncologist-assessment', expect: 'met', indicationStatus: 'eligible', patient: older(), resources: complete({ without: ['role'], add: orderingRole('Onkologisk Afdeling, Herlev og Gentofte Hospital', '394593009') }) }
]

void t.test(ID, async (t) => {
  const app = await buildTestApp(t, NO_LOAD_SHEDDING)
  assertCoverage(t, ID, scenarios)
  await runScenarios(t, app, ID, scenarios)

  await t.test('no age criterion: a 16-year-old is evaluated, not redirected', async (tt) => {
    const res = await postHook(app, hookRequest(patient({ birthDate: '2010-02-01' }), curable()))
    const result = resultFor(res.body, ID)
    tt.equal(result?.status, 'eligible')
    tt.notOk(result?.paediatricRedirect)
  })
  await t.test('overlap: metastatic pancreatic cancer also matches metastatic-solid-tumour, as a first-line exception', async (tt) => {
    const body = (await postHook(app, hookRequest(older(), complete()))).body
    tt.ok(resultFor(body, ID)?.related?.some((r) => r.indication === 'metastatic-solid-tumour'), 'named as related')
    tt.equal(resultFor(body, 'metastatic-solid-tumour')?.criteria.find((c) => c.id === 'first-line-requirement')?.status, 'met')
  })
  await t.test('operated patients are a route, not only advice; germline note for young and familial patients only', async (tt) => {
    const old = resultFor((await postHook(app, hookRequest(older(), complete()))).body, ID)
    tt.ok(old?.criteria.some((c) => c.id === 'route-operated'))
    tt.notOk(old?.advice?.some((a) => a.id === 'germline-predisposition'))
    const yng = resultFor((await postHook(app, hookRequest(young(), curable()))).body, ID)
    tt.ok(yng?.advice?.some((a) => a.id === 'germline-predisposition'))
  })
})
