/**
 * The pure core on a small inline catalogue: three-valued criteria,
 * compositions (Kleene logic), unavailable data, rule errors, domain
 * functions, determinism, and the compile-time checks.
 */
import t from 'tap'
import { compileCatalogue, CatalogueError, type CatalogueInput } from '../../src/core/compile.js'
import { evaluate } from '../../src/core/evaluate.js'
import { buildRecord } from '../../src/core/record.js'
import type { IndicationDefinition } from '../../src/core/types.js'
import type { ValueSet } from '../../src/core/fhir.js'
import { attestation, condition, ecog, karnofsky, patient, plateletCount, quantityObservation, SYSTEMS } from '../helpers/fhir-builders.js'

const NOW = '2026-11-22T10:00:00Z'
const seed = { file: '000_6087517ef50949d1.txt', heading: 'test' }
const text = { da: 'x', en: 'x' }
const valueSets: ValueSet[] = [
  { resourceType: 'ValueSet', status: 'active', url: 'vs:dx', compose: { include: [{ system: SYSTEMS.icd10, concept: [{ code: 'C92.0' }] }] } },
  { resourceType: 'ValueSet', status: 'active', url: 'vs:plt', compose: { include: [{ system: SYSTEMS.npu, concept: [{ code: 'NPU03568' }] }, { system: SYSTEMS.loinc, concept: [{ code: '777-3' }] }] } },
  { resourceType: 'ValueSet', status: 'active', url: 'vs:ecog', compose: { include: [{ system: SYSTEMS.loinc, concept: [{ code: '89247-1' }] }] } },
  { resourceType: 'ValueSet', status: 'active', url: 'vs:karn', compose: { include: [{ system: SYSTEMS.loinc, concept: [{ code: '89243-0' }] }] } },
  { resourceType: 'ValueSet', status: 'active', url: 'vs:att', compose: { include: [{ system: SYSTEMS.attestation }] } }
]

const criterion = (id: string, expression: string, over: Record<string, unknown> = {}): IndicationDefinition['criteria'][number] => ({ id, text, seed, required: true, expression, ...over })

function indication (criteria: IndicationDefinition['criteria'], over: Partial<IndicationDefinition> = {}): IndicationDefinition {
  return {
    id: 'test-indication',
    title: text,
    group: 'hematologic-cancer',
    seed,
    url: 'https://ngc.dk/x',
    population: 'adults',
    data: {
      dx: { resourceType: 'Condition', valueSet: 'vs:dx' },
      plt: { resourceType: 'Observation', valueSet: 'vs:plt' },
      ecog: { resourceType: 'Observation', valueSet: 'vs:ecog' },
      karn: { resourceType: 'Observation', valueSet: 'vs:karn' },
      att: { resourceType: 'Observation', valueSet: 'vs:att' }
    },
    matches: '%dx.exists()',
    criteria,
    ...over
  }
}

function catalogue (ind: IndicationDefinition, over: Partial<CatalogueInput> = {}) {
  return compileCatalogue({ indications: [ind], valueSets, observationDefinitions: [], organizationLists: [], settings: { performanceStatusLookbackDays: 90 }, ...over })
}

function run (ind: IndicationDefinition, resources: any[], pt: any = patient(), unavailable?: Array<{ resourceTypes: string[], reason: string }>) {
  return evaluate(catalogue(ind), buildRecord({ patient: pt, resources, unavailable }), NOW)
}

const status = (results: ReturnType<typeof run>, id: string) => results[0]?.criteria.find((c) => c.id === id)?.status

void t.test('true / false / empty map to met / not-met / unknown', async (t) => {
  const ind = indication([criterion('age', '%ageYears >= 18', { evidence: '%patient' })])
  t.equal(status(run(ind, [condition('C92.0')]), 'age'), 'met')
  t.equal(status(run(ind, [condition('C92.0')], patient({ birthDate: '2015-01-01' })), 'age'), 'not-met')
  t.equal(status(run(ind, [condition('C92.0')], patient({ birthDate: undefined })), 'age'), 'unknown')
  t.same(run(ind, []), [], 'no match, no result')
})

void t.test('indication status: any required not-met → not-eligible; else any unknown → incomplete', async (t) => {
  const ind = indication([criterion('a', 'true'), criterion('b', '{}'), criterion('c', 'false', { required: false, evidence: '%dx' })])
  const [r] = run(ind, [condition('C92.0')])
  t.equal(r?.status, 'incomplete', 'a non-required not-met does not decide')
  const [r2] = run(indication([criterion('a', 'true'), criterion('b', 'false', { evidence: '%dx' })]), [condition('C92.0')])
  t.equal(r2?.status, 'not-eligible')
  const [r3] = run(indication([criterion('a', 'true')]), [condition('C92.0')])
  t.equal(r3?.status, 'eligible')
})

void t.test('compositions follow Kleene logic', async (t) => {
  const parts = [criterion('T', 'true', { required: false }), criterion('F', 'false', { required: false, evidence: '%dx' }), criterion('U', '{}', { required: false })]
  const cases: Array<[unknown, string]> = [
    [{ all: ['T', 'U'] }, 'unknown'], [{ all: ['F', 'U'] }, 'not-met'], [{ all: ['T', 'T'] }, 'met'],
    [{ any: ['F', 'U'] }, 'unknown'], [{ any: ['T', 'U'] }, 'met'], [{ any: ['F', 'F'] }, 'not-met'],
    [{ not: 'U' }, 'unknown'], [{ not: 'F' }, 'met'], [{ any: [{ all: ['T', 'T'] }, 'F'] }, 'met']
  ]
  for (const [composition, expected] of cases) {
    const ind = indication([...parts, { id: 'x', text, seed, required: true, composition: composition as any }])
    t.equal(status(run(ind, [condition('C92.0')]), 'x'), expected, JSON.stringify(composition))
  }
})

void t.test('a criterion reading unavailable data is unknown with the reason, without running', async (t) => {
  const ind = indication([criterion('plt', "%plt.exists()"), criterion('age', '%ageYears >= 18')])
  const [r] = run(ind, [condition('C92.0')], patient(), [{ resourceTypes: ['Observation'], reason: "prefetch 'observations' was not sent" }])
  const plt = r?.criteria.find((c) => c.id === 'plt')
  t.equal(plt?.status, 'unknown', 'not false, although no Observation is in the record')
  t.equal(plt?.reason, "prefetch 'observations' was not sent")
  t.equal(status([r!], 'age'), 'met')
})

void t.test('a rule that fails or yields a non-boolean is unknown, never a verdict, and never throws', async (t) => {
  const ind = indication([criterion('multi', '%plt.numericValue()'), criterion('str', "'yes'")])
  const [r] = run(ind, [condition('C92.0'), plateletCount(100, '2026-01-01'), plateletCount(90, '2026-02-01')])
  t.equal(status([r!], 'multi'), 'unknown')
  t.match(r?.criteria.find((c) => c.id === 'str')?.reason, /rule error/)
})

void t.test('performance status: most recent within the look-back; every documented scale must pass', async (t) => {
  const expr = `iif(%ecog.since(90).empty() and %karn.since(90).empty(), {},
    (%ecog.since(90).empty() or %ecog.since(90).latest().numericValue() <= 2) and
    (%karn.since(90).empty() or %karn.since(90).latest().numericValue() >= 60))`
  const ind = indication([criterion('ps', expr, { evidence: '%ecog.since(90) | %karn.since(90)' })])
  const dx = condition('C92.0')
  t.equal(status(run(ind, [dx, ecog(1, '2026-11-01')]), 'ps'), 'met', 'ECOG 1 recently')
  t.equal(status(run(ind, [dx, ecog(3, '2026-10-01'), ecog(2, '2026-11-10')]), 'ps'), 'met', 'latest wins')
  t.equal(status(run(ind, [dx, ecog(1, '2026-10-01'), ecog(3, '2026-11-10')]), 'ps'), 'not-met')
  t.equal(status(run(ind, [dx, ecog(1, '2026-01-01')]), 'ps'), 'unknown', 'outside the 90-day window')
  t.equal(status(run(ind, [dx, ecog(1, '2026-11-01'), karnofsky(50, '2026-11-02')]), 'ps'), 'not-met', 'Karnofsky 50 fails although ECOG passes')
  t.equal(status(run(ind, [dx]), 'ps'), 'unknown', 'nothing documented')
})

void t.test('normality: interpretation, then referenceRange (UCUM-converted), then default interval', async (t) => {
  const ind = indication([criterion('low', "%plt.all(normality() = 'low')", { evidence: '%plt' })], {})
  const dx = condition('C92.0')
  const withRange = (v: number, unit: string) => quantityObservation(SYSTEMS.loinc, '777-3', v, unit, '2026-01-01', { referenceRange: [{ low: { value: 150, system: SYSTEMS.ucum, code: '10*9/L' }, high: { value: 400, system: SYSTEMS.ucum, code: '10*9/L' } }] })
  t.equal(status(run(ind, [dx, withRange(120, '10*3/uL')]), 'low'), 'met', '120 10*3/uL is below 150 10*9/L')
  t.equal(status(run(ind, [dx, withRange(160, '10*3/uL')]), 'low'), 'not-met')
  const flagged = plateletCount(500, '2026-01-01', { interpretation: [{ coding: [{ system: SYSTEMS.interpretation, code: 'L' }] }] })
  t.equal(status(run(ind, [dx, flagged]), 'low'), 'met', 'the laboratory flag wins over the value')
})

void t.test('attestations: the latest one counts', async (t) => {
  const ind = indication([criterion('mdt', "%att.attestation('mdt-assessment')", { evidence: "%att.where(code.coding.code = 'mdt-assessment')" })])
  const dx = condition('C92.0')
  t.equal(status(run(ind, [dx, attestation('mdt-assessment', false, '2026-01-01'), attestation('mdt-assessment', true, '2026-02-01')]), 'mdt'), 'met')
  t.equal(status(run(ind, [dx, attestation('mdt-assessment', true, '2026-01-01'), attestation('mdt-assessment', false, '2026-02-01')]), 'mdt'), 'not-met')
  t.equal(status(run(ind, [dx, attestation('patient-informed')]), 'mdt'), 'unknown', 'another attestation does not count')
})

void t.test('evaluation is deterministic and does not read the clock', async (t) => {
  const ind = indication([criterion('age', '%ageYears >= 18', { evidence: '%patient' })])
  const a = run(ind, [condition('C92.0')])
  const b = run(ind, [condition('C92.0')])
  t.same(a, b)
  t.equal(a[0]?.criteria[0]?.evidence[0]?.reference, 'Patient/pt-1')
})

void t.test('compile-time checks name the indication and path', async (t) => {
  t.throws(() => catalogue(indication([criterion('x', 'now() > @2020-01-01')])), CatalogueError, 'clock functions are rejected')
  t.throws(() => catalogue(indication([criterion('x', "%dx.code.inValueSet('vs:none')")])), /unknown ValueSet vs:none/)
  t.throws(() => catalogue(indication([criterion('x', '%nope.exists()')])), /unknown variable %nope/)
  t.throws(() => catalogue(indication([criterion('x', 'this is not ( fhirpath')])), /does not compile/)
  t.throws(() => catalogue(indication([{ id: 'x', text, seed, required: true, composition: { all: ['missing'] } }])), /unknown criterion missing/)
  t.throws(() => catalogue(indication([{ id: 'x', text, seed, required: true, composition: { not: 'x' } }])), /cycle/)
  t.throws(() => catalogue(indication([criterion('x', 'true'), criterion('x', 'true')])), /duplicate criterion/)
  t.throws(() => catalogue(indication([criterion('x', 'true')], { data: { patient: { resourceType: 'Condition' } } })), /shadows a built-in/)
  t.throws(() => catalogue(indication([criterion('x', 'true')], { data: { dx: { resourceType: 'Condition', valueSet: 'vs:none' } } })), /unknown ValueSet/)
  t.throws(() => catalogue(indication([criterion('x', 'true')], { variables: { v: '%dx' }, matches: '%v.exists()' })), /matches: unknown variable %v/, 'matches may not read variables (they are computed after it)')
})
