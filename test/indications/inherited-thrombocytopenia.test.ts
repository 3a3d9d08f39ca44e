/**
 * inherited-thrombocytopenia (seed 002, 2a): every criterion driven to met,
 * not-met and unknown over HTTP.
 */
import t from 'tap'
import { buildTestApp } from '../helpers/app.js'
import { runScenarios, assertCoverage, assemble, type Scenario } from '../helpers/scenarios.js'
import { attestation, condition, orderingRole, patient, plateletCount, procedure, quantityObservation, SYSTEMS, type Json } from '../helpers/fhir-builders.js'

const ID = 'inherited-thrombocytopenia'
const expertRole = (): Json[] => orderingRole('Afdeling for Blodsygdomme, Rigshospitalet')
const b12 = (value: number, date: string): Json => quantityObservation(SYSTEMS.loinc, '2132-9', value, 'pmol/L', date, { referenceRange: [{ low: { value: 200, system: SYSTEMS.ucum, code: 'pmol/L' }, high: { value: 600, system: SYSTEMS.ucum, code: 'pmol/L' } }] })
const lowCounts = (): Json[] => [plateletCount(88, '2015-05-01'), plateletCount(95, '2021-03-01'), plateletCount(91, '2026-01-10')]
/** A count taken at 11 (the default patient is born 1980-03-01), flagged L by the laboratory as Danish labs send it (NPU under the MedCom OID). */
const childhoodCount = (): Json => plateletCount(70, '1991-06-01', { code: { coding: [{ system: 'urn:oid:1.2.208.176.2.1', code: 'NPU03568' }] }, interpretation: [{ coding: [{ system: SYSTEMS.interpretation, code: 'L' }] }] })
/** A qualitative serology as Danish laboratories answer it: text 'Negativ' with interpretation NEG. */
const serology = (loinc: string, text = 'Negativ', flag = 'NEG'): Json => ({ resourceType: 'Observation', id: `ser-${loinc}-${text}`, status: 'final', subject: { reference: 'Patient/pt-1' }, code: { coding: [{ system: SYSTEMS.loinc, code: loinc }] }, effectiveDateTime: '2026-10-12', valueString: text, interpretation: [{ coding: [{ system: SYSTEMS.interpretation, code: flag }] }] })
const folateNpu = (value: number): Json => quantityObservation(SYSTEMS.npu, 'NPU02070', value, 'nmol/L', '2026-10-12', { referenceRange: [{ low: { value: 7, system: SYSTEMS.ucum, code: 'nmol/L' } }] })
/** The acquired-cause work-up as recorded data: hepatitis B and C, CMV and EBV serology negative, B12 and folate normal. */
const workUpData = (): Json[] => [serology('5195-3'), serology('16128-1'), serology('24119-0'), serology('30340-4'), b12(410, '2026-10-12'), folateNpu(21)]

/** A patient meeting every criterion; each scenario changes one thing. */
function complete (over: { without?: string[], add?: Json[], counts?: Json[] } = {}): Json[] {
  const parts: Record<string, Json[]> = {
    diagnosis: [condition('DD694', { verificationStatus: { coding: [{ code: 'provisional' }] } })],
    counts: over.counts ?? lowCounts(),
    lifelong: [attestation('lifelong-course')],
    acquired: [attestation('acquired-causes-excluded')],
    informed: [attestation('patient-informed')],
    role: expertRole()
  }
  return assemble(parts, over)
}

const scenarios: Scenario[] = [
  { name: 'all criteria documented', criterion: 'diagnosis', expect: 'met', indicationStatus: 'eligible', resources: complete() },

  { name: 'born 1980, evaluated 2026', criterion: 'adult', expect: 'met', resources: complete() },
  { name: '16 years old', criterion: 'adult', expect: 'not-met', indicationStatus: 'not-eligible', patient: patient({ birthDate: '2010-05-01' }), resources: complete() },
  { name: 'no birth date', criterion: 'adult', expect: 'unknown', indicationStatus: 'incomplete', patient: patient({ birthDate: undefined }), resources: complete() },

  { name: 'every count below the lower limit (NPU, default interval)', criterion: 'no-normal-platelet-count', expect: 'met', resources: complete() },
  { name: 'one normal count in 2018', criterion: 'no-normal-platelet-count', expect: 'not-met', indicationStatus: 'not-eligible', resources: complete({ counts: [...lowCounts(), plateletCount(210, '2018-01-01')] }) },
  {
    name: 'normal by the laboratory reference range, in 10*3/uL',
    criterion: 'no-normal-platelet-count',
    expect: 'not-met',
    resources: complete({ counts: [...lowCounts(), quantityObservation(SYSTEMS.loinc, '777-3', 160, '10*3/uL', '2019-01-01', { referenceRange: [{ low: { value: 150, system: SYSTEMS.ucum, code: '10*9/L' }, high: { value: 400, system: SYSTEMS.ucum, code: '10*9/L' } }] })] })
  },
  { name: 'flagged N by the laboratory despite the value', criterion: 'no-normal-platelet-count', expect: 'not-met', resources: complete({ counts: [...lowCounts(), plateletCount(140, '2019-01-01', { interpretation: [{ coding: [{ system: SYSTEMS.interpretation, code: 'N' }] }] })] }) },
  { name: 'only one count (persistence not shown)', criterion: 'no-normal-platelet-count', expect: 'unknown', indicationStatus: 'incomplete', resources: complete({ counts: [plateletCount(90, '2026-01-10')] }) },
  { name: 'no counts at all', criterion: 'no-normal-platelet-count', expect: 'unknown', resources: complete({ counts: [] }) },
  { name: 'observations prefetch not sent', criterion: 'no-normal-platelet-count', expect: 'unknown', resources: complete(), request: { omit: ['observations'] } },
  { name: 'a count in a non-UCUM unit cannot be classified', criterion: 'no-normal-platelet-count', expect: 'unknown', resources: complete({ counts: [...lowCounts(), plateletCount(100, '2019-01-01', { valueQuantity: { value: 100, unit: 'G/l' } })] }) },

  { name: 'one count on record, every earlier count documented low', criterion: 'no-normal-platelet-count', expect: 'met', resources: complete({ counts: [plateletCount(90, '2026-01-10')], add: [attestation('platelet-counts-all-low')] }) },
  { name: 'one count on record, a normal count documented as known', criterion: 'no-normal-platelet-count', expect: 'not-met', resources: complete({ counts: [plateletCount(90, '2026-01-10')], add: [attestation('platelet-counts-all-low', false)] }) },
  { name: 'no MPV measured: 2a has no MPV requirement (review: borrowed from indication 1)', criterion: 'diagnosis', expect: 'met', indicationStatus: 'eligible', resources: complete() },

  { name: 'lifelong attested', criterion: 'lifelong-course', expect: 'met', resources: complete() },
  { name: 'lifelong attested false', criterion: 'lifelong-course', expect: 'not-met', indicationStatus: 'not-eligible', resources: complete({ without: ['lifelong'], add: [attestation('lifelong-course', false)] }) },
  { name: 'lifelong not documented', criterion: 'lifelong-course', expect: 'unknown', resources: complete({ without: ['lifelong'] }) },
  { name: 'lifelong by the counts: low at 11, every count low since', criterion: 'lifelong-course', expect: 'met', resources: complete({ without: ['lifelong'], add: [childhoodCount()] }) },
  { name: 'a childhood low count but a normal count later is not lifelong', criterion: 'lifelong-course', expect: 'unknown', resources: complete({ without: ['lifelong'], add: [childhoodCount(), plateletCount(190, '2004-01-01')] }) },

  { name: 'acquired causes attested excluded', criterion: 'acquired-causes-excluded', expect: 'met', resources: complete() },
  { name: 'old ITP label (SKS DD693), no assessment: not met, the label shown (a later assessment can override)', criterion: 'acquired-causes-excluded', expect: 'not-met', indicationStatus: 'not-eligible', resources: complete({ without: ['acquired'], add: [condition('DD693', { onsetDateTime: '2012-03-01' })] }) },
  { name: 'old ITP label overridden by the clinician\'s later assessment', criterion: 'acquired-causes-excluded', expect: 'met', indicationStatus: 'eligible', resources: complete({ add: [condition('DD693', { onsetDateTime: '2012-03-01' })] }) },
  { name: 'assessment dated before the ITP diagnosis does not override it', criterion: 'acquired-causes-excluded', expect: 'not-met', resources: complete({ without: ['acquired'], add: [condition('DD693', { onsetDateTime: '2026-11-10' }), attestation('acquired-causes-excluded', true, '2026-06-01')] }) },
  { name: 'clinician documents acquired causes not excluded', criterion: 'acquired-causes-excluded', expect: 'not-met', indicationStatus: 'not-eligible', resources: complete({ without: ['acquired'], add: [attestation('acquired-causes-excluded', false)] }) },
  { name: 'active chronic hepatitis C (ICD-10 B18.2), no assessment', criterion: 'acquired-causes-excluded', expect: 'not-met', resources: complete({ without: ['acquired'], add: [condition('B18.2')] }) },
  { name: 'splenomegaly (SKS DR161) is an acquired cause on record', criterion: 'acquired-causes-excluded', expect: 'not-met', resources: complete({ without: ['acquired'], add: [condition('DR161')] }) },
  { name: 'latest B12 below the reference range is an acquired cause on record', criterion: 'acquired-causes-excluded', expect: 'not-met', resources: complete({ without: ['acquired'], add: [b12(120, '2026-09-01')] }) },
  { name: 'resolved hepatitis C does not exclude', criterion: 'acquired-causes-excluded', expect: 'met', resources: complete({ add: [condition('B18.2', { clinicalStatus: { coding: [{ code: 'resolved' }] } })] }) },
  { name: 'no exclusion codes and no attestation', criterion: 'acquired-causes-excluded', expect: 'unknown', resources: complete({ without: ['acquired'] }) },
  { name: 'recorded work-up: lifelong counts, negative hepatitis B/C, CMV, EBV serology, normal B12 and folate (NPU02070)', criterion: 'acquired-causes-excluded', expect: 'met', indicationStatus: 'eligible', resources: complete({ without: ['acquired', 'lifelong'], add: [childhoodCount(), ...workUpData()] }) },
  { name: 'recorded work-up with a positive CMV IgM: not met, the result shown', criterion: 'acquired-causes-excluded', expect: 'not-met', resources: complete({ without: ['acquired', 'lifelong'], add: [childhoodCount(), ...workUpData().filter((o) => o.code.coding[0].code !== '24119-0'), serology('24119-0', 'Positiv', 'POS')] }) },
  { name: 'recorded work-up without EBV serology: unknown', criterion: 'acquired-causes-excluded', expect: 'unknown', resources: complete({ without: ['acquired', 'lifelong'], add: [childhoodCount(), ...workUpData().filter((o) => o.code.coding[0].code !== '30340-4')] }) },

  { name: '46 years old: bone marrow not applicable', criterion: 'bone-marrow-over-50', expect: 'not-applicable', indicationStatus: 'eligible', resources: complete() },
  { name: 'exactly 50 years old: not over 50', criterion: 'bone-marrow-over-50', expect: 'not-applicable', patient: patient({ birthDate: '1976-01-01' }), resources: complete() },
  { name: '60 years old with bone marrow sampling', criterion: 'bone-marrow-over-50', expect: 'met', patient: patient({ birthDate: '1966-01-01' }), resources: complete({ add: [procedure(SYSTEMS.snomed, '234326005', '2025-09-01')] }) },
  { name: '60 years old without bone marrow examination', criterion: 'bone-marrow-over-50', expect: 'unknown', patient: patient({ birthDate: '1966-01-01' }), resources: complete() },
  { name: '60 years old, attested not done', criterion: 'bone-marrow-over-50', expect: 'not-met', indicationStatus: 'not-eligible', patient: patient({ birthDate: '1966-01-01' }), resources: complete({ add: [attestation('bone-marrow-examination-done', false)] }) },
  { name: 'age unknown', criterion: 'bone-marrow-over-50', expect: 'unknown', patient: patient({ birthDate: undefined }), resources: complete() },

  { name: 'ordered from Rigshospitalet haematology', criterion: 'platelet-expert', expect: 'met', resources: complete() },
  { name: 'Aarhus coagulation clinic, matched by name', criterion: 'platelet-expert', expect: 'met', resources: complete({ without: ['role'], add: orderingRole('Klinik for Koagulation, Aarhus Universitetshospital') }) },
  { name: 'ordered from a department not on the list, no assessment documented: unknown', criterion: 'platelet-expert', expect: 'unknown', indicationStatus: 'incomplete', resources: complete({ without: ['role'], add: orderingRole('Medicinsk Afdeling, Regionshospitalet Viborg') }) },
  { name: 'Viborg orders after the patient was assessed at Rigshospitalet (referral)', criterion: 'platelet-expert', expect: 'met', indicationStatus: 'eligible', resources: complete({ without: ['role'], add: [...orderingRole('Medicinsk Afdeling, Regionshospitalet Viborg'), attestation('platelet-expert-assessment')] }) },
  { name: 'documented: no expert assessment took place', criterion: 'platelet-expert', expect: 'not-met', indicationStatus: 'not-eligible', resources: complete({ without: ['role'], add: [...orderingRole('Medicinsk Afdeling, Regionshospitalet Viborg'), attestation('platelet-expert-assessment', false)] }) },
  { name: 'no PractitionerRole prefetched', criterion: 'platelet-expert', expect: 'unknown', resources: complete({ without: ['role'] }), request: { omit: ['practitionerRoles'] } },
  { name: 'empty PractitionerRole search', criterion: 'platelet-expert', expect: 'unknown', resources: complete({ without: ['role'] }) },

  { name: 'patient informed', criterion: 'patient-informed', expect: 'met', resources: complete() },
  { name: 'patient informed: attested false', criterion: 'patient-informed', expect: 'not-met', resources: complete({ without: ['informed'], add: [attestation('patient-informed', false)] }) },
  { name: 'not documented', criterion: 'patient-informed', expect: 'unknown', resources: complete({ without: ['informed'] }) },
  // Review E: no date limit for a lifelong condition (kept, see the criterion's interpretation); the latest documentation decides.
  { name: 'informed in 2019 (no date limit for a lifelong condition)', criterion: 'patient-informed', expect: 'met', indicationStatus: 'eligible', resources: complete({ without: ['informed'], add: [attestation('patient-informed', true, '2019-03-01')] }) },
  { name: 'informed in 2019, documented not informed in 2026: the latest decides', criterion: 'patient-informed', expect: 'not-met', resources: complete({ without: ['informed'], add: [attestation('patient-informed', true, '2019-03-01'), attestation('patient-informed', false, '2026-11-01')] }) }
]

const impossible = {
  diagnosis: [
    { outcome: 'not-met' as const, why: 'the indication only matches when the diagnosis is present' },
    { outcome: 'unknown' as const, why: 'without Conditions the indication does not match at all' }
  ]
}

void t.test(ID, async (t) => {
  const app = await buildTestApp(t)
  assertCoverage(t, ID, scenarios, impossible)
  await runScenarios(t, app, ID, scenarios)
})
