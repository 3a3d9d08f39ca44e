/**
 * A small inline catalogue for the core's unit tests: one indication whose
 * criteria each test states, over a handful of ValueSets, evaluated at a
 * fixed instant. Not a test file itself (tap runs only *.test.ts).
 */
import { compileCatalogue, type CatalogueInput } from '../../src/core/compile.js'
import { evaluate, type EvaluateOptions } from '../../src/core/evaluate.js'
import { buildRecord } from '../../src/core/record.js'
import type { CriterionResult, IndicationDefinition } from '../../src/core/types.js'
import type { ValueSet } from '../../src/core/fhir.js'
import { patient, SYSTEMS } from '../helpers/fhir-builders.js'

export const NOW = '2026-11-22T10:00:00Z'
export const seed = { file: '000_6087517ef50949d1.txt', heading: 'test' }
export const text = { da: 'x', en: 'x' }

export const VALUE_SETS: ValueSet[] = [
  { resourceType: 'ValueSet', status: 'active', url: 'vs:dx', compose: { include: [{ system: SYSTEMS.icd10, concept: [{ code: 'C92.0' }] }] } },
  { resourceType: 'ValueSet', status: 'active', url: 'vs:plt', compose: { include: [{ system: SYSTEMS.npu, concept: [{ code: 'NPU03568', display: 'Trombocytter;B' }] }, { system: SYSTEMS.loinc, concept: [{ code: '777-3' }] }] } },
  { resourceType: 'ValueSet', status: 'active', url: 'vs:att', compose: { include: [{ system: SYSTEMS.attestation }] } },
  { resourceType: 'ValueSet', status: 'active', url: 'vs:mdt', compose: { include: [{ system: SYSTEMS.snomed, concept: [{ code: '305732004', display: 'MDT' }] }] } }
]

type Criterion = IndicationDefinition['criteria'][number]

export const criterion = (id: string, expression: string, over: Partial<Criterion> = {}): Criterion =>
  ({ id, text, seed, required: true, expression, ...over })

export function indication (criteria: Criterion[], over: Partial<IndicationDefinition> = {}): IndicationDefinition {
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
      att: { resourceType: 'Observation', valueSet: 'vs:att' },
      mdt: { resourceType: 'Procedure', valueSet: 'vs:mdt' }
    },
    matches: '%dx.exists()',
    criteria,
    ...over
  }
}

export function catalogue (ind: IndicationDefinition, over: Partial<CatalogueInput> = {}): ReturnType<typeof compileCatalogue> {
  return compileCatalogue({ indications: [ind], valueSets: VALUE_SETS, observationDefinitions: [], organizationLists: [], settings: { performanceStatusLookbackDays: 90 }, ...over })
}

export interface RunOptions {
  order?: unknown
  catalogue?: Partial<CatalogueInput>
  unavailable?: Array<{ resourceTypes: string[], reason: string }>
}

export function run (ind: IndicationDefinition, resources: unknown[], pt: unknown = patient(), options: RunOptions = {}): ReturnType<typeof evaluate> {
  const evaluateOptions: EvaluateOptions = options.order ? { order: options.order as EvaluateOptions['order'] } : {}
  return evaluate(catalogue(ind, options.catalogue), buildRecord({ patient: pt as any, resources: resources as any, unavailable: options.unavailable }), NOW, evaluateOptions)
}

export function result (results: ReturnType<typeof evaluate>, id: string): CriterionResult | undefined {
  return results[0]?.criteria.find((c) => c.id === id)
}
