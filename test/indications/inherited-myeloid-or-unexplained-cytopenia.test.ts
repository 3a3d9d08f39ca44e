/**
 * inherited-myeloid-or-unexplained-cytopenia (seed 002, indication 1): every
 * criterion driven to met, not-met and unknown over HTTP, every family-history
 * pattern, a child patient, and SKS-coded diagnoses.
 */
import t from 'tap'
import { buildTestApp, cardFor, postHook, resultFor } from '../helpers/app.js'
import { runScenarios, assertCoverage, assemble, type Scenario } from '../helpers/scenarios.js'
import { attestation, condition, familyMember, hookRequest, patient, plateletCount, procedure, quantityObservation, SYSTEMS, type Json } from '../helpers/fhir-builders.js'

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
/** Neutrophils as Danish laboratories send them (NPU02902), with the laboratory's range. */
const neutrophilsNpu = (v: number, date: string): Json => quantityObservation(SYSTEMS.npu, 'NPU02902', v, '10*9/L', date, { referenceRange: [{ low: { value: 1.5, system: SYSTEMS.ucum, code: '10*9/L' }, high: { value: 7.5, system: SYSTEMS.ucum, code: '10*9/L' } }] })
const mpvNpu = (): Json => quantityObservation(SYSTEMS.npu, 'NPU03562', 12.8, 'fL', '2026-02-01')
/** A relative's condition coded in SNOMED CT, as a SNOMED-coding EHR records the family history. */
const snomedRelative = (relationship: string, code: string, display: string, onsetAge?: number): Json =>
  familyMember(relationship, 'x', onsetAge, { condition: [{ code: { coding: [{ system: SYSTEMS.snomed, code, display }] }, ...(onsetAge === undefined ? {} : { onsetAge: { value: onsetAge, unit: 'år', system: SYSTEMS.ucum, code: 'a' } }) }] })
/** A documented negative family history: SNOMED CT 160266009 'No family history of clinical finding'. */
const negativeFamilyHistory = (): Json => familyMember('FAMMEMB', 'x', undefined, { condition: [{ code: { coding: [{ system: SYSTEMS.snomed, code: '160266009', display: 'No family history of clinical finding' }] } }] })

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

/** One FamilyMemberHistory: a mother with type 2 diabetes. Not a complete family history by itself. */
const unaffectedMother = (): Json => familyMember('MTH', 'E11.9', 60)
/** A family history documented as taken, with one unaffected relative recorded. */
const historyTaken = (): Json[] => [unaffectedMother(), attestation('family-history-taken')]

const scenarios: Scenario[] = [
  // ---------------------------------------------------------------- route (composites)
  { name: 'MDS before 50 with predisposing features', criterion: 'eligibility-route', expect: 'met', indicationStatus: 'eligible', resources: complete() },
  {
    name: 'no family pattern, no MDS/AML, cytopenia explained by B12 deficiency (SKS DD519)',
    criterion: 'eligibility-route',
    expect: 'not-met',
    indicationStatus: 'not-eligible',
    resources: cytopenia({ without: ['differentials'], add: [condition('DD519'), attestation('cytopenia-differentials-excluded', false), ...historyTaken()] })
  },
  { name: 'aplastic anaemia, differentials not documented, no family history', criterion: 'eligibility-route', expect: 'unknown', indicationStatus: 'incomplete', resources: cytopenia({ without: ['differentials'] }) },

  { name: 'patient with MDS before 50 and a mother with AML', criterion: 'family-history-pattern', expect: 'met', resources: [mds(), familyMember('MTH', 'C92.0', 70), ...workUp()] },
  { name: 'family history taken, only the patient affected', criterion: 'family-history-pattern', expect: 'not-met', resources: cytopenia({ add: historyTaken() }) },
  { name: 'one FamilyMemberHistory (mother with diabetes) is not a complete family history', criterion: 'family-history-pattern', expect: 'unknown', resources: cytopenia({ add: [unaffectedMother()] }) },
  { name: 'no family history taken', criterion: 'family-history-pattern', expect: 'unknown', resources: cytopenia() },

  { name: 'MDS before 50 with predisposing features', criterion: 'clinical-pattern', expect: 'met', resources: complete() },
  { name: 'no MDS/AML and the cytopenia is explained (B12 deficiency, assessed)', criterion: 'clinical-pattern', expect: 'not-met', resources: cytopenia({ without: ['differentials'], add: [condition('D51.0'), attestation('cytopenia-differentials-excluded', false)] }) },
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
  { name: 'family history taken, only the patient affected', criterion: 'family-two-individuals-one-under-50', expect: 'not-met', resources: [mds(), ...historyTaken(), ...workUp()] },
  { name: 'one unrelated FamilyMemberHistory only: unknown, not a refusal', criterion: 'family-two-individuals-one-under-50', expect: 'unknown', resources: [mds(), unaffectedMother(), ...workUp()] },
  { name: 'mother and father recorded healthy (FamilyMemberHistory without conditions)', criterion: 'family-two-individuals-one-under-50', expect: 'not-met', resources: [mds(), familyMember('MTH', 'x', undefined, { condition: undefined, note: [{ text: 'Rask' }] }), familyMember('FTH', 'x', undefined, { condition: undefined, note: [{ text: 'Rask' }] }), ...workUp()] },
  { name: 'documented negative family history (SNOMED CT 160266009)', criterion: 'family-two-individuals-one-under-50', expect: 'not-met', resources: [mds(), negativeFamilyHistory(), ...workUp()] },
  { name: 'history documented, but the patient\'s own Z80.6 (SKS DZ806) points to a relative not yet recorded', criterion: 'family-two-individuals-one-under-50', expect: 'unknown', resources: [mds(), familyCode(), attestation('family-history-taken'), ...workUp()] },
  { name: 'an affected stepmother is not a blood relative', criterion: 'family-two-individuals-one-under-50', expect: 'not-met', resources: [mds(), familyMember('STPMTH', 'C92.0', 40), attestation('family-history-taken'), ...workUp()] },
  { name: 'mother with AML coded in SKS (DC920) at 70', criterion: 'family-two-individuals-one-under-50', expect: 'met', indicationStatus: 'eligible', resources: [mds(), familyMember('MTH', 'x', 70, { condition: [{ code: { coding: [{ system: SYSTEMS.sks, code: 'DC920' }] }, onsetAge: { value: 70, unit: 'år', system: SYSTEMS.ucum, code: 'a' } }] }), ...workUp()] },
  { name: 'a first cousin (v3-RoleCode COUSN) with AML is not a first- or second-degree relative', criterion: 'family-two-individuals-one-under-50', expect: 'not-met', resources: [mds(), familyMember('COUSN', 'C92.0', 40), attestation('family-history-taken'), ...workUp()] },
  { name: 'mother with AML coded in SNOMED CT (91861009) at 70', criterion: 'family-two-individuals-one-under-50', expect: 'met', indicationStatus: 'eligible', resources: [mds(), snomedRelative('MTH', '91861009', 'Acute myeloid leukemia', 70), ...workUp()] },
  { name: 'sister with thrombocytopenia coded in SNOMED CT (302215000) at 20, patient MDS at 59', criterion: 'family-two-individuals-one-under-50', expect: 'met', patient: born1966(), resources: [mds(), snomedRelative('SIS', '302215000', 'Thrombocytopenic disorder', 20), ...workUp()] },
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
  { name: 'skin cancer (C44) is not counted as a solid tumour', criterion: 'family-mds-aml-and-two-solid-tumours', expect: 'not-met', resources: [mds(), familyMember('MAUNT', 'C44.3', 40), familyMember('GRFTH', 'C61', 75), attestation('family-history-taken'), ...workUp()] },
  { name: 'SNOMED-coded relatives: aunt breast cancer (254837009) at 44, grandfather colon cancer (363406005) at 70', criterion: 'family-mds-aml-and-two-solid-tumours', expect: 'met', resources: [mds(), snomedRelative('MAUNT', '254837009', 'Malignant neoplasm of breast', 44), snomedRelative('PGRFTH', '363406005', 'Malignant tumor of colon', 70), ...workUp()] },
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
  { name: 'two individuals only, history documented', criterion: 'family-three-individuals', expect: 'not-met', resources: [mds(), familyMember('MTH', 'C92.0', 70), attestation('family-history-taken'), ...workUp()] },
  { name: 'two individuals recorded, history not documented as complete', criterion: 'family-three-individuals', expect: 'unknown', resources: [mds(), familyMember('MTH', 'C92.0', 70), ...workUp()] },
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
  { name: 'no MDS/AML on record: not applicable', criterion: 'mds-aml-with-predisposition-under-50', expect: 'not-applicable', resources: cytopenia() },
  { name: 'MDS diagnosed at 59', criterion: 'mds-aml-with-predisposition-under-50', expect: 'not-met', patient: born1966(), resources: complete() },
  { name: 'predisposing features attested absent', criterion: 'mds-aml-with-predisposition-under-50', expect: 'not-met', resources: complete({ without: ['features'], add: [attestation('myeloid-predisposition-features', false)] }) },
  { name: 'MDS at 45, features not documented', criterion: 'mds-aml-with-predisposition-under-50', expect: 'unknown', indicationStatus: 'incomplete', resources: complete({ without: ['features'] }) },
  { name: 'no birth date: age at diagnosis unknown', criterion: 'mds-aml-with-predisposition-under-50', expect: 'unknown', patient: patient({ birthDate: undefined }), resources: complete() },

  // ---------------------------------------------------------------- clinical pattern 2
  { name: 'aplastic anaemia at 46, differentials excluded', criterion: 'unexplained-cytopenia-pattern', expect: 'met', indicationStatus: 'eligible', resources: cytopenia() },
  { name: 'active chronic hepatitis C explains it (assessed)', criterion: 'unexplained-cytopenia-pattern', expect: 'not-met', resources: cytopenia({ without: ['differentials'], add: [condition('B18.2'), attestation('cytopenia-differentials-excluded', false)] }) },
  { name: 'differentials undocumented', criterion: 'unexplained-cytopenia-pattern', expect: 'unknown', resources: cytopenia({ without: ['differentials'] }) },

  { name: 'aplastic anaemia (SKS DD619) on record', criterion: 'persistent-cytopenia', expect: 'met', resources: cytopenia() },
  { name: 'neutrophils low twice, latest low', criterion: 'persistent-cytopenia', expect: 'met', resources: [familyCode(), neutrophils(0.9, '2026-03-01'), neutrophils(0.8, '2026-10-01'), ...workUp()] },
  { name: 'neutrophils NPU02902 low twice (Danish laboratory codes)', criterion: 'persistent-cytopenia', expect: 'met', resources: [familyCode(), neutrophilsNpu(0.9, '2026-03-01'), neutrophilsNpu(0.8, '2026-10-01'), ...workUp()] },
  { name: 'persistent cytopenia documented by the clinician (counts held elsewhere)', criterion: 'persistent-cytopenia', expect: 'met', resources: [familyCode(), attestation('persistent-cytopenia'), ...workUp()] },
  { name: 'clinician documents no persistent cytopenia', criterion: 'persistent-cytopenia', expect: 'not-met', resources: [familyCode(), attestation('persistent-cytopenia', false), ...workUp()] },
  { name: 'isolated monocytopenia by the counts', criterion: 'persistent-cytopenia', expect: 'met', resources: [familyCode(), ...isolatedMonocytopenia(), ...workUp()] },
  { name: 'latest counts of all four lines normal', criterion: 'persistent-cytopenia', expect: 'not-met', resources: [familyCode(), neutrophils(0.9, '2026-03-01'), ...normalCounts(), ...workUp()] },
  { name: 'resolved aplastic anaemia and normal counts', criterion: 'persistent-cytopenia', expect: 'not-met', resources: [aplastic({ clinicalStatus: { coding: [{ system: SYSTEMS.conditionClinical, code: 'resolved' }] } }), ...normalCounts(), ...workUp()] },
  { name: 'one low count only', criterion: 'persistent-cytopenia', expect: 'unknown', resources: [familyCode(), neutrophils(0.9, '2026-10-01'), ...workUp()] },
  { name: 'only the platelet count measured (normal)', criterion: 'persistent-cytopenia', expect: 'unknown', resources: [familyCode(), plateletCount(250, '2026-10-01'), ...workUp()] },
  { name: 'observations prefetch not sent', criterion: 'persistent-cytopenia', expect: 'unknown', resources: [familyCode(), ...normalCounts(), ...workUp()], request: { omit: ['observations'] } },

  { name: '46-year-old', criterion: 'cytopenia-before-50', expect: 'met', resources: cytopenia() },
  { name: 'child (11 years)', criterion: 'cytopenia-before-50', expect: 'met', indicationStatus: 'eligible', patient: child(), resources: cytopenia() },
  { name: '60-year-old whose aplastic anaemia began at 44: the seed reads \'patienter < 50 år\'', criterion: 'cytopenia-before-50', expect: 'not-met', patient: born1966(), resources: cytopenia({ without: ['aplastic'], add: [aplastic({ onsetDateTime: '2010-03-01' })] }) },
  { name: '60-year-old, aplastic anaemia recorded at 59 (no family history: route still open)', criterion: 'cytopenia-before-50', expect: 'not-met', indicationStatus: 'incomplete', patient: born1966(), resources: cytopenia() },
  { name: '60-year-old at 59, family history taken and negative', criterion: 'cytopenia-before-50', expect: 'not-met', indicationStatus: 'not-eligible', patient: born1966(), resources: cytopenia({ add: historyTaken() }) },
  { name: 'no birth date', criterion: 'cytopenia-before-50', expect: 'unknown', patient: patient({ birthDate: undefined }), resources: cytopenia() },

  { name: 'differentials attested excluded', criterion: 'cytopenia-differentials-excluded', expect: 'met', resources: cytopenia() },
  { name: 'resolved hepatitis C does not exclude', criterion: 'cytopenia-differentials-excluded', expect: 'met', resources: cytopenia({ add: [condition('B18.2', { clinicalStatus: { coding: [{ system: SYSTEMS.conditionClinical, code: 'resolved' }] } })] }) },
  { name: 'ITP (SKS DD693) recorded before the assessment: the assessment decides', criterion: 'cytopenia-differentials-excluded', expect: 'met', resources: cytopenia({ add: [condition('DD693')] }) },
  { name: 'active ITP (SKS DD693) diagnosed after the assessment', criterion: 'cytopenia-differentials-excluded', expect: 'not-met', resources: cytopenia({ add: [condition('DD693', { onsetDateTime: '2026-11-10' })] }) },
  { name: 'alcohol dependence (F10.2), no assessment: not met with the finding shown', criterion: 'cytopenia-differentials-excluded', expect: 'not-met', resources: cytopenia({ without: ['differentials'], add: [condition('F10.2')] }) },
  { name: 'systemic lupus (SKS DM329), judged not excluded', criterion: 'cytopenia-differentials-excluded', expect: 'not-met', resources: cytopenia({ without: ['differentials'], add: [condition('DM329'), attestation('cytopenia-differentials-excluded', false)] }) },
  { name: 'latest vitamin B12 below range after the assessment', criterion: 'cytopenia-differentials-excluded', expect: 'not-met', resources: cytopenia({ add: [vitaminB12(120, '2026-11-15')] }) },
  { name: 'earlier low B12, latest normal', criterion: 'cytopenia-differentials-excluded', expect: 'met', resources: cytopenia({ add: [vitaminB12(120, '2025-01-01'), vitaminB12(450, '2026-09-01')] }) },
  { name: 'low folate NPU02070 after the assessment', criterion: 'cytopenia-differentials-excluded', expect: 'not-met', resources: cytopenia({ add: [quantityObservation(SYSTEMS.npu, 'NPU02070', 4, 'nmol/L', '2026-11-15', { referenceRange: [{ low: { value: 7, system: SYSTEMS.ucum, code: 'nmol/L' } }] })] }) },
  { name: 'nothing documented', criterion: 'cytopenia-differentials-excluded', expect: 'unknown', resources: cytopenia({ without: ['differentials'] }) },

  // ---------------------------------------------------------------- clinical pattern 3
  { name: 'MDS at 45 with monosomy 7', criterion: 'mds-aml-monosomy-7-under-50', expect: 'met', resources: [mds(), attestation('monosomy-7-or-der-1-7'), ...workUp()] },
  { name: 'no MDS/AML: not applicable', criterion: 'mds-aml-monosomy-7-under-50', expect: 'not-applicable', resources: cytopenia() },
  { name: 'MDS at 59 with monosomy 7', criterion: 'mds-aml-monosomy-7-under-50', expect: 'not-met', patient: born1966(), resources: [mds(), attestation('monosomy-7-or-der-1-7'), ...workUp()] },
  { name: 'MDS at 45, cytogenetic finding not documented', criterion: 'mds-aml-monosomy-7-under-50', expect: 'unknown', resources: complete() },

  // ---------------------------------------------------------------- work-up
  { name: 'bone marrow sampling recorded', criterion: 'bone-marrow-examination', expect: 'met', resources: complete() },
  { name: 'bone marrow attested', criterion: 'bone-marrow-examination', expect: 'met', resources: complete({ without: ['marrow'], add: [attestation('bone-marrow-examination-done')] }) },
  { name: 'isolated monocytopenia: bone marrow only rarely indicated (not applicable)', criterion: 'bone-marrow-examination', expect: 'not-applicable', resources: [familyCode(), ...isolatedMonocytopenia(), ...workUp(['marrow'])] },
  { name: 'proband on family history alone (no own MDS/AML or cytopenia): not applicable', criterion: 'bone-marrow-examination', expect: 'not-applicable', indicationStatus: 'eligible', resources: [familyMember('MTH', 'C92.0', 45), familyMember('MGRMTH', 'D46.9', 70), ...normalCounts(), attestation('patient-informed')] },
  { name: 'attested not done', criterion: 'bone-marrow-examination', expect: 'not-met', indicationStatus: 'not-eligible', resources: complete({ without: ['marrow'], add: [attestation('bone-marrow-examination-done', false)] }) },
  { name: 'not documented', criterion: 'bone-marrow-examination', expect: 'unknown', resources: complete({ without: ['marrow'] }) },
  { name: 'MDS with low monocytes still needs bone marrow', criterion: 'bone-marrow-examination', expect: 'unknown', resources: complete({ without: ['marrow'], add: isolatedMonocytopenia() }) },

  { name: 'karyotyping recorded', criterion: 'cytogenetics', expect: 'met', resources: complete() },
  { name: 'cytogenetics attested', criterion: 'cytogenetics', expect: 'met', resources: complete({ without: ['cyto'], add: [attestation('cytogenetics-done')] }) },
  { name: 'attested not done', criterion: 'cytogenetics', expect: 'not-met', resources: complete({ without: ['cyto'], add: [attestation('cytogenetics-done', false)] }) },
  { name: 'not documented', criterion: 'cytogenetics', expect: 'unknown', resources: complete({ without: ['cyto'] }) },
  { name: 'procedures prefetch not sent', criterion: 'cytogenetics', expect: 'unknown', resources: complete(), request: { omit: ['procedures'] } },
  { name: 'proband on family history alone: not applicable', criterion: 'cytogenetics', expect: 'not-applicable', resources: [familyMember('MTH', 'C92.0', 45), familyMember('MGRMTH', 'D46.9', 70), ...normalCounts(), attestation('patient-informed')] },

  { name: 'panel attested', criterion: 'somatic-myeloid-panel', expect: 'met', resources: complete() },
  { name: 'a recorded molecular genetic test (SNOMED CT 405825005) in the MDS work-up counts', criterion: 'somatic-myeloid-panel', expect: 'met', resources: complete({ without: ['panel'], add: [procedure(SYSTEMS.snomed, '405825005', '2025-07-01')] }) },
  { name: 'not documented', criterion: 'somatic-myeloid-panel', expect: 'unknown', resources: complete({ without: ['panel'] }) },
  { name: 'proband on family history alone: not applicable', criterion: 'somatic-myeloid-panel', expect: 'not-applicable', resources: [familyMember('MTH', 'C92.0', 45), familyMember('MGRMTH', 'D46.9', 70), ...normalCounts(), attestation('patient-informed')] },
  { name: 'attested not done', criterion: 'somatic-myeloid-panel', expect: 'not-met', resources: complete({ without: ['panel'], add: [attestation('somatic-myeloid-panel-done', false)] }) },

  { name: 'no suspected inherited thrombocytopenia: not applicable', criterion: 'inherited-thrombocytopenia-work-up', expect: 'not-applicable', resources: complete() },
  { name: 'thrombocytopenia, counts low, MPV coded NPU03562', criterion: 'inherited-thrombocytopenia-work-up', expect: 'met', resources: [condition('DD694'), plateletCount(80, '2024-01-01'), plateletCount(75, '2026-01-01'), mpvNpu(), ...workUp()] },
  { name: 'thrombocytopenia, counts low, platelet volume documented (smear)', criterion: 'inherited-thrombocytopenia-work-up', expect: 'met', resources: [condition('DD694'), plateletCount(80, '2024-01-01'), attestation('platelet-volume-measured'), ...workUp()] },
  { name: 'thrombocytopenia (SKS DD694), every count low, MPV measured', criterion: 'inherited-thrombocytopenia-work-up', expect: 'met', resources: [condition('DD694'), plateletCount(80, '2024-01-01'), plateletCount(75, '2026-01-01'), mpv(), ...workUp()] },
  { name: 'thrombocytopenia with a normal count in 2019', criterion: 'inherited-thrombocytopenia-work-up', expect: 'not-met', indicationStatus: 'not-eligible', resources: [condition('DD694'), plateletCount(210, '2019-01-01'), plateletCount(75, '2026-01-01'), mpv(), ...workUp()] },
  { name: 'thrombocytopenia with MDS: not applicable', criterion: 'inherited-thrombocytopenia-work-up', expect: 'not-applicable', resources: complete({ add: [condition('DD694'), plateletCount(210, '2019-01-01')] }) },
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

  await t.test('cytopenias outside the seed\'s code list match only under 50 or with a family signal (review, H)', async (t) => {
    const old = patient({ birthDate: '1950-04-01' })
    for (const code of ['DD649', 'DD694', 'DD696', 'DD709']) {
      const res = await postHook(app, hookRequest(old, [condition(code)]))
      t.equal(resultFor(res.body, ID), undefined, `76-year-old with ${code} only: no card`)
    }
    const snomedAnaemia = condition('x', { code: { coding: [{ system: SYSTEMS.snomed, code: '271737000', display: 'Anemia' }] } })
    t.equal(resultFor((await postHook(app, hookRequest(old, [snomedAnaemia]))).body, ID), undefined, '76-year-old with SNOMED CT anaemia only: no card')
    t.ok(resultFor((await postHook(app, hookRequest(old, [condition('DD649'), familyCode()]))).body, ID), '76-year-old with anaemia and the family code DZ806: a card')
    t.ok(resultFor((await postHook(app, hookRequest(old, [condition('DD649'), familyMember('BRO', 'C92.0', 60)]))).body, ID), '76-year-old with anaemia and a brother with AML: a card')
    t.ok(resultFor((await postHook(app, hookRequest(patient(), [condition('DD649')]))).body, ID), '46-year-old with anaemia: a card')
    t.ok(resultFor((await postHook(app, hookRequest(old, [condition('DD619')]))).body, ID), '76-year-old with aplastic anaemia (D61): a card (specific diagnosis)')
    const snomedMds = condition('x', { code: { coding: [{ system: SYSTEMS.snomed, code: '109995007', display: 'Myelodysplastic syndrome' }] } })
    t.ok(resultFor((await postHook(app, hookRequest(patient(), [snomedMds]))).body, ID), 'MDS coded in SNOMED CT only: a card')
  })

  await t.test('the patient\'s own family-history code asks for the relatives', async (t) => {
    const res = await postHook(app, hookRequest(patient(), [familyCode(), condition('DD649'), ...workUp()]))
    t.match(cardFor(res.body, ID).detail, /Z80\.6\/Z80\.7\/Z83\.2/, 'the card asks to record the affected relatives')
  })
})
