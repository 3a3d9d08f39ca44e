/**
 * inherited-myeloid-or-unexplained-cytopenia (seed 002, indication 1): every
 * criterion driven to met, not-met and unknown over HTTP, every family-history
 * pattern, a child patient, and SKS-coded diagnoses.
 */
import t from 'tap'
import { buildTestApp } from '../helpers/app.js'
import { runScenarios, assertCoverage, assemble, type Scenario } from '../helpers/scenarios.js'
import { attestation, condition, familyMember, patient, plateletCount, procedure, quantityObservation, SYSTEMS, type Json } from '../helpers/fhir-builders.js'

const ID = 'inherited-myeloid-or-unexplained-cytopenia'

/** A lab result with the laboratory's reference range (same unit). */
function lab (code: string, value: number, unit: string, date: string, low: number, high: number): Json {
  return quantityObservation(SYSTEMS.loinc, code, value, unit, date, {
    referenceRange: [{ low: { value: low, system: SYSTEMS.ucum, code: unit }, high: { value: high, system: SYSTEMS.ucum, code: unit } }]
  })
}
const neutrophils = (v: number, date: string): Json => lab('751-8', v, '10*9/L', date, 1.5, 7.5)
const haemoglobin = (v: number, date: string): Json => lab('718-7', v, 'g/dL', date, 12, 16)
const monocytes = (v: number, date: string): Json => lab('742-7', v, '10*9/L', date, 0.2, 0.8)
const vitaminB12 = (v: number, date: string): Json => lab('2132-9', v, 'pg/mL', date, 200, 900)
/** All four cell lines normal at the latest measurement. */
const normalCounts = (): Json[] => [plateletCount(250, '2026-10-01'), neutrophils(3.2, '2026-10-01'), haemoglobin(13.5, '2026-10-01'), monocytes(0.5, '2026-10-01')]
/** Isolated monocytopenia: monocytes low twice, the other lines normal. */
const isolatedMonocytopenia = (): Json[] => [monocytes(0.05, '2026-05-01'), monocytes(0.04, '2026-10-01'), plateletCount(250, '2026-10-01'), neutrophils(3.2, '2026-10-01'), haemoglobin(13.5, '2026-10-01')]
const mpv = (): Json => quantityObservation(SYSTEMS.loinc, '32623-1', 13.0, 'fL', '2026-02-01')

const born1966 = (): Json => patient({ birthDate: '1966-01-01' })
const child = (): Json => patient({ birthDate: '2015-04-01' })
/** MDS (SKS DD461) recorded 2025-06-01: onset at 45 for the default patient born 1980. */
const mds = (over: Json = {}): Json => condition('DD461', over)
const aplastic = (over: Json = {}): Json => condition('DD619', over)
const familyCode = (): Json => condition('DZ806')

/** The work-up and information every scenario needs unless it tests them. */
function workUp (without: string[] = []): Json[] {
  const parts: Record<string, Json[]> = {
    marrow: [procedure(SYSTEMS.snomed, '234326005', '2025-07-01')],
    cyto: [procedure(SYSTEMS.snomed, '312948004', '2025-07-01')],
    panel: [attestation('somatic-myeloid-panel-done')],
    informed: [attestation('patient-informed')]
  }
  for (const key of without) delete parts[key]
  return Object.values(parts).flat()
}

/** MDS before 50 with predisposing features: every criterion met through the clinical route. */
function complete (over: { without?: string[], add?: Json[] } = {}): Json[] {
  const parts: Record<string, Json[]> = {
    mds: [mds()],
    features: [attestation('myeloid-predisposition-features')]
  }
  return assemble(parts, over, workUp(over.without))
}

/** Unexplained aplastic anaemia (no MDS/AML) in a 46-year-old, differentials excluded. */
function cytopenia (over: { without?: string[], add?: Json[] } = {}): Json[] {
  const parts: Record<string, Json[]> = {
    aplastic: [aplastic()],
    differentials: [attestation('cytopenia-differentials-excluded')]
  }
  return assemble(parts, over, workUp(over.without))
}

/** A family history was taken and shows one unaffected relative. */
const unaffectedMother = (): Json => familyMember('MTH', 'E11.9', 60)

const scenarios: Scenario[] = [
  // ---------------------------------------------------------------- route (composites)
  { name: 'MDS before 50 with predisposing features', criterion: 'eligibility-route', expect: 'met', indicationStatus: 'eligible', resources: complete() },
  {
    name: 'no family pattern, no MDS/AML, cytopenia explained by B12 deficiency (SKS DD519)',
    criterion: 'eligibility-route',
    expect: 'not-met',
    indicationStatus: 'not-eligible',
    resources: cytopenia({ without: ['differentials'], add: [condition('DD519'), unaffectedMother()] })
  },
  { name: 'aplastic anaemia, differentials not documented, no family history', criterion: 'eligibility-route', expect: 'unknown', indicationStatus: 'incomplete', resources: cytopenia({ without: ['differentials'] }) },

  { name: 'patient with MDS before 50 and a mother with AML', criterion: 'family-history-pattern', expect: 'met', resources: [mds(), familyMember('MTH', 'C92.0', 70), ...workUp()] },
  { name: 'family history taken, only the patient affected', criterion: 'family-history-pattern', expect: 'not-met', resources: cytopenia({ add: [unaffectedMother()] }) },
  { name: 'no family history taken', criterion: 'family-history-pattern', expect: 'unknown', resources: cytopenia() },

  { name: 'MDS before 50 with predisposing features', criterion: 'clinical-pattern', expect: 'met', resources: complete() },
  { name: 'no MDS/AML and the cytopenia is explained', criterion: 'clinical-pattern', expect: 'not-met', resources: cytopenia({ without: ['differentials'], add: [condition('D51.0')] }) },
  { name: 'cytopenia with differentials undocumented', criterion: 'clinical-pattern', expect: 'unknown', resources: cytopenia({ without: ['differentials'] }) },

  // ---------------------------------------------------------------- family pattern 1
  { name: 'patient MDS at 45 + mother AML at 70', criterion: 'family-two-individuals-one-under-50', expect: 'met', indicationStatus: 'eligible', resources: [mds(), familyMember('MTH', 'C92.0', 70), ...workUp()] },
  {
    name: 'child with thrombocytopenia (SKS DD696) + father with thrombocytopenia at 30',
    criterion: 'family-two-individuals-one-under-50',
    expect: 'met',
    patient: child(),
    resources: [condition('DD696'), familyMember('FTH', 'D69.6', 30), ...workUp(), plateletCount(60, '2025-01-01'), plateletCount(70, '2026-01-01'), mpv()]
  },
  {
    name: 'two relatives (aunt AML, onset range 30-40 years) without an affected patient',
    criterion: 'family-two-individuals-one-under-50',
    expect: 'met',
    resources: [familyCode(), familyMember('PAUNT', 'C92.0', undefined, { condition: [{ code: { coding: [{ system: SYSTEMS.icd10, code: 'C92.0' }] }, onsetRange: { low: { value: 30, system: SYSTEMS.ucum, code: 'a' }, high: { value: 40, system: SYSTEMS.ucum, code: 'a' } } }] }), familyMember('GRMTH', 'D46.9', 75), ...workUp()]
  },
  { name: 'family history taken, only the patient affected', criterion: 'family-two-individuals-one-under-50', expect: 'not-met', resources: [mds(), unaffectedMother(), ...workUp()] },
  { name: 'an affected stepmother is not a blood relative', criterion: 'family-two-individuals-one-under-50', expect: 'not-met', resources: [mds(), familyMember('STPMTH', 'C92.0', 40), ...workUp()] },
  {
    name: '60-year-old, MDS at 59, brother AML at 65: nobody before 50',
    criterion: 'family-two-individuals-one-under-50',
    expect: 'not-met',
    patient: born1966(),
    resources: [mds(), familyMember('BRO', 'C92.0', 65), ...workUp()]
  },
  {
    name: '60-year-old, MDS at 59, brother AML with unknown onset',
    criterion: 'family-two-individuals-one-under-50',
    expect: 'unknown',
    patient: born1966(),
    resources: [mds(), familyMember('BRO', 'C92.0'), ...workUp()]
  },
  { name: 'family history prefetch not sent', criterion: 'family-two-individuals-one-under-50', expect: 'unknown', resources: [mds(), familyMember('MTH', 'C92.0', 70), ...workUp()], request: { omit: ['familyHistory'] } },
  { name: 'no family history taken', criterion: 'family-two-individuals-one-under-50', expect: 'unknown', resources: [mds(), ...workUp()] },
  { name: 'family history attested as taken, nobody else affected', criterion: 'family-two-individuals-one-under-50', expect: 'not-met', resources: [mds(), attestation('family-history-taken'), ...workUp()] },

  // ---------------------------------------------------------------- family pattern 2
  {
    name: 'patient MDS + maternal aunt breast cancer at 45 + grandfather prostate cancer at 75',
    criterion: 'family-mds-aml-and-two-solid-tumours',
    expect: 'met',
    resources: [mds(), familyMember('MAUNT', 'C50.9', 45), familyMember('GRFTH', 'C61', 75), ...workUp()]
  },
  {
    name: 'mother AML + two relatives with solid tumours, one before 50 (family code DZ807 on the patient)',
    criterion: 'family-mds-aml-and-two-solid-tumours',
    expect: 'met',
    resources: [condition('DZ807'), familyMember('MTH', 'C92.0', 70), familyMember('UNCLE', 'C18.7', 48), familyMember('NIECE', 'C71.9', 12), ...workUp()]
  },
  { name: 'both solid tumours after 50', criterion: 'family-mds-aml-and-two-solid-tumours', expect: 'not-met', resources: [mds(), familyMember('MAUNT', 'C50.9', 55), familyMember('GRFTH', 'C61', 75), ...workUp()] },
  { name: 'skin cancer (C44) is not counted as a solid tumour', criterion: 'family-mds-aml-and-two-solid-tumours', expect: 'not-met', resources: [mds(), familyMember('MAUNT', 'C44.3', 40), familyMember('GRFTH', 'C61', 75), ...workUp()] },
  { name: 'one solid tumour without onset, the other after 50', criterion: 'family-mds-aml-and-two-solid-tumours', expect: 'unknown', resources: [mds(), familyMember('MAUNT', 'C50.9'), familyMember('GRFTH', 'C61', 75), ...workUp()] },
  { name: 'no family history taken', criterion: 'family-mds-aml-and-two-solid-tumours', expect: 'unknown', resources: complete() },

  // ---------------------------------------------------------------- family pattern 3
  {
    name: '60-year-old with thrombocytopenia at 54, mother thrombocytopenia at 70, grandmother AML at 80 (any age)',
    criterion: 'family-three-individuals',
    expect: 'met',
    patient: born1966(),
    resources: [condition('DD696', { onsetDateTime: '2020-05-01' }), familyMember('MTH', 'D69.6', 70), familyMember('MGRMTH', 'C92.0', 80), ...workUp(), plateletCount(90, '2024-01-01'), plateletCount(85, '2026-01-01'), mpv()]
  },
  { name: 'two individuals only', criterion: 'family-three-individuals', expect: 'not-met', resources: [mds(), familyMember('MTH', 'C92.0', 70), ...workUp()] },
  { name: 'no family history taken', criterion: 'family-three-individuals', expect: 'unknown', resources: complete() },
  {
    name: 'pattern 1 fails (everyone after 50) while pattern 3 holds',
    criterion: 'family-two-individuals-one-under-50',
    expect: 'not-met',
    patient: born1966(),
    resources: [condition('DD696', { onsetDateTime: '2020-05-01' }), familyMember('MTH', 'D69.6', 70), familyMember('MGRMTH', 'C92.0', 80), ...workUp()]
  },

  // ---------------------------------------------------------------- clinical pattern 1
  { name: 'MDS at 45 with attested predisposing features', criterion: 'mds-aml-with-predisposition-under-50', expect: 'met', resources: complete() },
  { name: 'AML (ICD-10 C92.0) at 45 with constitutional aplastic anaemia (D61.0)', criterion: 'mds-aml-with-predisposition-under-50', expect: 'met', resources: [condition('C92.0'), condition('D61.0'), ...workUp()] },
  { name: 'no MDS/AML on record', criterion: 'mds-aml-with-predisposition-under-50', expect: 'not-met', resources: cytopenia() },
  { name: 'MDS diagnosed at 59', criterion: 'mds-aml-with-predisposition-under-50', expect: 'not-met', patient: born1966(), resources: complete() },
  { name: 'predisposing features attested absent', criterion: 'mds-aml-with-predisposition-under-50', expect: 'not-met', resources: complete({ without: ['features'], add: [attestation('myeloid-predisposition-features', false)] }) },
  { name: 'MDS at 45, features not documented', criterion: 'mds-aml-with-predisposition-under-50', expect: 'unknown', indicationStatus: 'incomplete', resources: complete({ without: ['features'] }) },
  { name: 'no birth date: age at diagnosis unknown', criterion: 'mds-aml-with-predisposition-under-50', expect: 'unknown', patient: patient({ birthDate: undefined }), resources: complete() },

  // ---------------------------------------------------------------- clinical pattern 2
  { name: 'aplastic anaemia at 46, differentials excluded', criterion: 'unexplained-cytopenia-pattern', expect: 'met', indicationStatus: 'eligible', resources: cytopenia() },
  { name: 'active chronic hepatitis C explains it', criterion: 'unexplained-cytopenia-pattern', expect: 'not-met', resources: cytopenia({ without: ['differentials'], add: [condition('B18.2')] }) },
  { name: 'differentials undocumented', criterion: 'unexplained-cytopenia-pattern', expect: 'unknown', resources: cytopenia({ without: ['differentials'] }) },

  { name: 'aplastic anaemia (SKS DD619) on record', criterion: 'persistent-cytopenia', expect: 'met', resources: cytopenia() },
  { name: 'neutrophils low twice, latest low', criterion: 'persistent-cytopenia', expect: 'met', resources: [familyCode(), neutrophils(0.9, '2026-03-01'), neutrophils(0.8, '2026-10-01'), ...workUp()] },
  { name: 'isolated monocytopenia by the counts', criterion: 'persistent-cytopenia', expect: 'met', resources: [familyCode(), ...isolatedMonocytopenia(), ...workUp()] },
  { name: 'latest counts of all four lines normal', criterion: 'persistent-cytopenia', expect: 'not-met', resources: [familyCode(), neutrophils(0.9, '2026-03-01'), ...normalCounts(), ...workUp()] },
  { name: 'resolved aplastic anaemia and normal counts', criterion: 'persistent-cytopenia', expect: 'not-met', resources: [aplastic({ clinicalStatus: { coding: [{ system: SYSTEMS.conditionClinical, code: 'resolved' }] } }), ...normalCounts(), ...workUp()] },
  { name: 'one low count only', criterion: 'persistent-cytopenia', expect: 'unknown', resources: [familyCode(), neutrophils(0.9, '2026-10-01'), ...workUp()] },
  { name: 'only the platelet count measured (normal)', criterion: 'persistent-cytopenia', expect: 'unknown', resources: [familyCode(), plateletCount(250, '2026-10-01'), ...workUp()] },
  { name: 'observations prefetch not sent', criterion: 'persistent-cytopenia', expect: 'unknown', resources: [familyCode(), ...normalCounts(), ...workUp()], request: { omit: ['observations'] } },

  { name: '46-year-old', criterion: 'cytopenia-before-50', expect: 'met', resources: cytopenia() },
  { name: 'child (11 years)', criterion: 'cytopenia-before-50', expect: 'met', indicationStatus: 'eligible', patient: child(), resources: cytopenia() },
  { name: '60-year-old whose aplastic anaemia began at 44', criterion: 'cytopenia-before-50', expect: 'met', patient: born1966(), resources: cytopenia({ without: ['aplastic'], add: [aplastic({ onsetDateTime: '2010-03-01' })] }) },
  { name: '60-year-old, aplastic anaemia recorded at 59 (no family history: route still open)', criterion: 'cytopenia-before-50', expect: 'not-met', indicationStatus: 'incomplete', patient: born1966(), resources: cytopenia() },
  { name: '60-year-old at 59, family history taken and negative', criterion: 'cytopenia-before-50', expect: 'not-met', indicationStatus: 'not-eligible', patient: born1966(), resources: cytopenia({ add: [unaffectedMother()] }) },
  { name: 'no birth date', criterion: 'cytopenia-before-50', expect: 'unknown', patient: patient({ birthDate: undefined }), resources: cytopenia() },

  { name: 'differentials attested excluded', criterion: 'cytopenia-differentials-excluded', expect: 'met', resources: cytopenia() },
  { name: 'resolved hepatitis C does not exclude', criterion: 'cytopenia-differentials-excluded', expect: 'met', resources: cytopenia({ add: [condition('B18.2', { clinicalStatus: { coding: [{ system: SYSTEMS.conditionClinical, code: 'resolved' }] } })] }) },
  { name: 'active ITP (SKS DD693)', criterion: 'cytopenia-differentials-excluded', expect: 'not-met', resources: cytopenia({ add: [condition('DD693')] }) },
  { name: 'alcohol dependence (F10.2)', criterion: 'cytopenia-differentials-excluded', expect: 'not-met', resources: cytopenia({ add: [condition('F10.2')] }) },
  { name: 'systemic lupus (SKS DM329)', criterion: 'cytopenia-differentials-excluded', expect: 'not-met', resources: cytopenia({ add: [condition('DM329')] }) },
  { name: 'latest vitamin B12 below range despite attestation', criterion: 'cytopenia-differentials-excluded', expect: 'not-met', resources: cytopenia({ add: [vitaminB12(120, '2026-09-01')] }) },
  { name: 'earlier low B12, latest normal', criterion: 'cytopenia-differentials-excluded', expect: 'met', resources: cytopenia({ add: [vitaminB12(120, '2025-01-01'), vitaminB12(450, '2026-09-01')] }) },
  { name: 'low folate (2284-8)', criterion: 'cytopenia-differentials-excluded', expect: 'not-met', resources: cytopenia({ add: [lab('2284-8', 1.5, 'ng/mL', '2026-09-01', 3, 17)] }) },
  { name: 'nothing documented', criterion: 'cytopenia-differentials-excluded', expect: 'unknown', resources: cytopenia({ without: ['differentials'] }) },

  // ---------------------------------------------------------------- clinical pattern 3
  { name: 'MDS at 45 with monosomy 7', criterion: 'mds-aml-monosomy-7-under-50', expect: 'met', resources: [mds(), attestation('monosomy-7-or-der-1-7'), ...workUp()] },
  { name: 'no MDS/AML', criterion: 'mds-aml-monosomy-7-under-50', expect: 'not-met', resources: cytopenia() },
  { name: 'MDS at 59 with monosomy 7', criterion: 'mds-aml-monosomy-7-under-50', expect: 'not-met', patient: born1966(), resources: [mds(), attestation('monosomy-7-or-der-1-7'), ...workUp()] },
  { name: 'MDS at 45, cytogenetic finding not documented', criterion: 'mds-aml-monosomy-7-under-50', expect: 'unknown', resources: complete() },

  // ---------------------------------------------------------------- work-up
  { name: 'bone marrow sampling recorded', criterion: 'bone-marrow-examination', expect: 'met', resources: complete() },
  { name: 'bone marrow attested', criterion: 'bone-marrow-examination', expect: 'met', resources: complete({ without: ['marrow'], add: [attestation('bone-marrow-examination-done')] }) },
  { name: 'isolated monocytopenia: bone marrow not required', criterion: 'bone-marrow-examination', expect: 'met', resources: [familyCode(), ...isolatedMonocytopenia(), ...workUp(['marrow'])] },
  { name: 'attested not done', criterion: 'bone-marrow-examination', expect: 'not-met', indicationStatus: 'not-eligible', resources: complete({ without: ['marrow'], add: [attestation('bone-marrow-examination-done', false)] }) },
  { name: 'not documented', criterion: 'bone-marrow-examination', expect: 'unknown', resources: complete({ without: ['marrow'] }) },
  { name: 'MDS with low monocytes still needs bone marrow', criterion: 'bone-marrow-examination', expect: 'unknown', resources: complete({ without: ['marrow'], add: isolatedMonocytopenia() }) },

  { name: 'karyotyping recorded', criterion: 'cytogenetics', expect: 'met', resources: complete() },
  { name: 'cytogenetics attested', criterion: 'cytogenetics', expect: 'met', resources: complete({ without: ['cyto'], add: [attestation('cytogenetics-done')] }) },
  { name: 'attested not done', criterion: 'cytogenetics', expect: 'not-met', resources: complete({ without: ['cyto'], add: [attestation('cytogenetics-done', false)] }) },
  { name: 'not documented', criterion: 'cytogenetics', expect: 'unknown', resources: complete({ without: ['cyto'] }) },
  { name: 'procedures prefetch not sent', criterion: 'cytogenetics', expect: 'unknown', resources: complete(), request: { omit: ['procedures'] } },

  { name: 'panel attested', criterion: 'somatic-myeloid-panel', expect: 'met', resources: complete() },
  { name: 'a generic molecular genetic test is not enough', criterion: 'somatic-myeloid-panel', expect: 'unknown', resources: complete({ without: ['panel'], add: [procedure(SYSTEMS.snomed, '405825005', '2025-07-01')] }) },
  { name: 'attested not done', criterion: 'somatic-myeloid-panel', expect: 'not-met', resources: complete({ without: ['panel'], add: [attestation('somatic-myeloid-panel-done', false)] }) },

  { name: 'no suspected inherited thrombocytopenia: not applicable', criterion: 'inherited-thrombocytopenia-work-up', expect: 'met', resources: complete() },
  { name: 'thrombocytopenia (SKS DD694), every count low, MPV measured', criterion: 'inherited-thrombocytopenia-work-up', expect: 'met', resources: [condition('DD694'), plateletCount(80, '2024-01-01'), plateletCount(75, '2026-01-01'), mpv(), ...workUp()] },
  { name: 'thrombocytopenia with a normal count in 2019', criterion: 'inherited-thrombocytopenia-work-up', expect: 'not-met', indicationStatus: 'not-eligible', resources: [condition('DD694'), plateletCount(210, '2019-01-01'), plateletCount(75, '2026-01-01'), mpv(), ...workUp()] },
  { name: 'thrombocytopenia with MDS: not applicable', criterion: 'inherited-thrombocytopenia-work-up', expect: 'met', resources: complete({ add: [condition('DD694'), plateletCount(210, '2019-01-01')] }) },
  { name: 'thrombocytopenia, counts low but no MPV', criterion: 'inherited-thrombocytopenia-work-up', expect: 'unknown', resources: [condition('DD694'), plateletCount(80, '2024-01-01'), ...workUp()] },

  { name: 'informed', criterion: 'patient-informed', expect: 'met', resources: complete() },
  { name: 'attested not informed', criterion: 'patient-informed', expect: 'not-met', resources: complete({ without: ['informed'], add: [attestation('patient-informed', false)] }) },
  { name: 'not documented', criterion: 'patient-informed', expect: 'unknown', resources: complete({ without: ['informed'] }) }
]

void t.test(ID, async (t) => {
  // Load shedding is not under test: many back-to-back requests can saturate the event loop and get 503.
  const app = await buildTestApp(t, { UNDER_PRESSURE_MAX_EVENT_LOOP_DELAY_MS: '0', UNDER_PRESSURE_MAX_EVENT_LOOP_UTILIZATION: '0' })
  assertCoverage(t, ID, scenarios)
  await runScenarios(t, app, ID, scenarios)
})
