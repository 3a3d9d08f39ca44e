/**
 * Synthetic patients for the benchmark: a deterministic (seeded) record of
 * any size with a realistic mix — a long laboratory history (platelet counts
 * over years, blood counts, coagulation, chemistry), comorbidities in ICD-10
 * and SKS, procedures, medications, family history, attestations and the
 * ordering user's role. All data is synthetic; no real person is described.
 *
 * The diagnoses are taken from the rules themselves (one code from a Condition
 * ValueSet each indication's `matches` reads), so every indication in
 * cds-services/indications/ — however many there are — matches and is
 * evaluated in full: the benchmark measures the expensive case.
 */
import type { AnyResource, ValueSet } from '../src/core/fhir.js'
import type { LoadedRules, ServiceDefinition } from '../src/definitions/load.js'
import { SYSTEMS } from '../test/helpers/fhir-builders.js'

export const PATIENT_ID = 'bench-pt-1'
const subject = { reference: `Patient/${PATIENT_ID}` }
const S = { ...SYSTEMS, clinical: SYSTEMS.conditionClinical, verification: SYSTEMS.conditionVerification } as const

/** The evaluation time every benchmark uses (a fixed instant: results are reproducible). */
export const BENCH_NOW = '2026-11-22T10:00:00.000Z'
const NOW_MS = Date.parse(BENCH_NOW)
const YEAR_MS = 365.25 * 86_400_000

/** mulberry32: a small, fast, seeded PRNG. */
export function prng (seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export interface Code { system: string, code: string }

/**
 * One diagnosis code per indication, read from the rules: the first Condition
 * data requirement named in the indication's `matches` expression, and the
 * first code (or is-a filter value) of its ValueSet.
 */
export function matchingDiagnoses (rules: Pick<LoadedRules, 'indications' | 'valueSets'>): Code[] {
  const byUrl = new Map(rules.valueSets.map((vs) => [vs.url ?? '', vs]))
  const out = new Map<string, Code>()
  for (const ind of rules.indications) {
    for (const m of ind.matches.matchAll(/%([A-Za-z][A-Za-z0-9_]*)/g)) {
      const req = ind.data[m[1]!]
      if (req?.resourceType !== 'Condition' || !req.valueSet) continue
      const code = firstCode(byUrl, req.valueSet, new Set())
      if (code) { out.set(`${code.system}|${code.code}`, code); break }
    }
  }
  return [...out.values()]
}

/**
 * A realistic WGS candidate: suspected inherited thrombocytopenia (D69.4) and
 * nothing else on the diagnosis list — it matches the indications a real
 * patient of this kind matches (2a, and unexplained cytopenia under 50), not all 11.
 */
export function realisticDiagnoses (): Code[] {
  return [{ system: 'http://hl7.org/fhir/sid/icd-10', code: 'D69.4' }]
}

function firstCode (byUrl: Map<string, ValueSet>, url: string, seen: Set<string>): Code | undefined {
  const vs = byUrl.get(url)
  if (!vs || seen.has(url)) return undefined
  seen.add(url)
  for (const inc of vs.compose?.include ?? []) {
    if (inc.system && inc.concept?.[0]) return { system: inc.system, code: inc.concept[0].code }
    if (inc.system && inc.filter?.[0]) return { system: inc.system, code: inc.filter[0].value }
    for (const nested of inc.valueSet ?? []) {
      const c = firstCode(byUrl, nested, seen)
      if (c) return c
    }
  }
  return undefined
}

interface Lab { system: string, code: string, unit: string, low: number, high: number, refLow: number, refHigh: number, weight: number }

// Weights: platelet counts dominate (the long history the thrombocytopenia criteria read).
const LABS: Lab[] = [
  { system: S.npu, code: 'NPU03568', unit: '10*9/L', low: 40, high: 140, refLow: 145, refHigh: 390, weight: 18 },
  { system: S.loinc, code: '777-3', unit: '10*3/uL', low: 40, high: 140, refLow: 150, refHigh: 400, weight: 7 },
  { system: S.loinc, code: '718-7', unit: 'mmol/L', low: 5.5, high: 9.5, refLow: 7.3, refHigh: 9.5, weight: 10 },
  { system: S.loinc, code: '751-8', unit: '10*9/L', low: 0.8, high: 7, refLow: 1.5, refHigh: 7.5, weight: 8 },
  { system: S.loinc, code: '742-7', unit: '10*9/L', low: 0.1, high: 1.2, refLow: 0.2, refHigh: 0.8, weight: 4 },
  { system: S.loinc, code: '32623-1', unit: 'fL', low: 8, high: 14, refLow: 9, refHigh: 12.5, weight: 4 },
  { system: S.loinc, code: '2532-0', unit: 'U/L', low: 120, high: 600, refLow: 105, refHigh: 205, weight: 3 },
  { system: S.loinc, code: '6301-6', unit: '1', low: 0.9, high: 1.4, refLow: 0.8, refHigh: 1.2, weight: 3 },
  { system: S.loinc, code: '3173-2', unit: 's', low: 25, high: 40, refLow: 25, refHigh: 37, weight: 2 },
  { system: S.loinc, code: '2132-9', unit: 'pmol/L', low: 150, high: 600, refLow: 200, refHigh: 600, weight: 1 },
  { system: S.loinc, code: '2284-8', unit: 'nmol/L', low: 5, high: 40, refLow: 8, refHigh: 45, weight: 1 },
  // Chemistry no rule reads: the bulk of a real lab history.
  { system: S.loinc, code: '2160-0', unit: 'umol/L', low: 50, high: 130, refLow: 45, refHigh: 105, weight: 10 },
  { system: S.loinc, code: '2951-2', unit: 'mmol/L', low: 132, high: 146, refLow: 137, refHigh: 145, weight: 8 },
  { system: S.loinc, code: '2823-3', unit: 'mmol/L', low: 3.2, high: 5.2, refLow: 3.5, refHigh: 4.4, weight: 7 },
  { system: S.loinc, code: '1988-5', unit: 'mg/L', low: 0.5, high: 80, refLow: 0, refHigh: 8, weight: 8 },
  { system: S.loinc, code: '1742-6', unit: 'U/L', low: 10, high: 90, refLow: 10, refHigh: 70, weight: 4 },
  { system: S.loinc, code: '4548-4', unit: '%', low: 4.5, high: 9, refLow: 4, refHigh: 6, weight: 2 }
]
const COMORBIDITIES = ['I10', 'E11.9', 'J45.9', 'K21.9', 'M54.5', 'E78.0', 'F32.9', 'N18.3', 'I48.9', 'E03.9', 'M17.1', 'G47.3']
const PROCEDURES = [
  { code: '77477000', weight: 4 }, // CT (imaging ValueSet)
  { code: '116859006', weight: 3 }, // transfusion of blood product
  { code: '80146002', weight: 1 }, // appendectomy
  { code: '49401003', weight: 1 }, // bone marrow biopsy
  { code: '73761001', weight: 2 }, // colonoscopy
  { code: '252416005', weight: 1 } // histopathology
]
const MEDICATIONS = ['C09AA05', 'A10BA02', 'C10AA01', 'B01AC06', 'N02BE01', 'A02BC01', 'L01BC01', 'H03AA01', 'R03AC02', 'M01AE01']
const FAMILY = [{ rel: 'MTH', code: 'C92.0' }, { rel: 'FTH', code: 'I21.9' }, { rel: 'SIS', code: 'C50.9' }, { rel: 'BRO', code: 'D69.4' }, { rel: 'MGRMTH', code: 'E11.9' }]
const ATTESTATIONS = ['lifelong-course', 'acquired-causes-excluded', 'mdt-assessment', 'patient-informed', 'family-history-taken']

function pickWeighted<T extends { weight: number }> (items: T[], r: number): T {
  const total = items.reduce((s, i) => s + i.weight, 0)
  let x = r * total
  for (const i of items) { x -= i.weight; if (x < 0) return i }
  return items[items.length - 1]!
}

export interface SyntheticPatient { patient: AnyResource, resources: AnyResource[] }

/**
 * A record of exactly `size` resources besides the Patient.
 * @param diagnoses - codes that make indications match (matchingDiagnoses); recorded first, in ICD-10 or SKS form
 */
export function generatePatient (size: number, diagnoses: Code[], seed = 42): SyntheticPatient {
  const rnd = prng(seed)
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!
  const date = (maxYears = 8): string => new Date(NOW_MS - rnd() * maxYears * YEAR_MS).toISOString().slice(0, 10)
  let n = 0
  const id = (p: string): string => `${p}-${++n}`
  const out: AnyResource[] = []
  const patient: AnyResource = { resourceType: 'Patient', id: PATIENT_ID, birthDate: '1972-04-17', gender: 'female', name: [{ family: 'Benchmark', given: ['Synthetic'] }] }
  const orgId = id('org')
  // The clinical core: the ordering user's role, the diagnoses, attestations, performance status.
  const core: AnyResource[] = [
    { resourceType: 'PractitionerRole', id: id('role'), practitioner: { reference: 'Practitioner/dr-1' }, organization: { reference: `Organization/${orgId}` }, specialty: [{ coding: [{ system: S.snomed, code: '394803006' }] }] },
    { resourceType: 'Organization', id: orgId, name: 'Afdeling for Blodsygdomme, Rigshospitalet' },
    ...diagnoses.map((d, i) => condition(id('cond'), d.system === S.icd10 && i % 2 === 1 ? toSks(d.code) : d, date(3), 'active')),
    ...ATTESTATIONS.map((code) => ({ resourceType: 'Observation', id: id('att'), status: 'final', subject, code: { coding: [{ system: S.attestation, code }] }, effectiveDateTime: date(0.5), valueBoolean: true })),
    { resourceType: 'Observation', id: id('obs'), status: 'final', subject, code: { coding: [{ system: S.loinc, code: '89247-1' }] }, effectiveDateTime: date(0.1), valueInteger: 1 }
  ]
  out.push(...core.slice(0, size))
  while (out.length < size) {
    const r = rnd()
    if (r < 0.72) out.push(observation(id('obs'), pickWeighted(LABS, rnd()), rnd, date()))
    else if (r < 0.82) out.push(condition(id('cond'), rnd() < 0.5 ? { system: S.icd10, code: pick(COMORBIDITIES) } : toSks(pick(COMORBIDITIES)), date(15), rnd() < 0.7 ? 'active' : 'resolved'))
    else if (r < 0.89) out.push({ resourceType: 'Procedure', id: id('proc'), status: rnd() < 0.95 ? 'completed' : 'not-done', subject, code: { coding: [{ system: S.snomed, code: pickWeighted(PROCEDURES, rnd()).code }] }, performedDateTime: date(10) })
    else if (r < 0.95) out.push(medication('MedicationStatement', id('ms'), pick(MEDICATIONS), rnd() < 0.6 ? 'active' : 'completed', date(5)))
    else if (r < 0.98) out.push(medication('MedicationRequest', id('mr'), pick(MEDICATIONS), rnd() < 0.6 ? 'active' : 'completed', date(5)))
    else {
      const f = pick(FAMILY)
      out.push({ resourceType: 'FamilyMemberHistory', id: id('fmh'), status: 'completed', patient: subject, relationship: { coding: [{ system: S.roleCode, code: f.rel }] }, condition: [{ code: { coding: [{ system: S.icd10, code: f.code }] }, onsetAge: { value: 30 + Math.floor(rnd() * 40), unit: 'a', system: S.ucum, code: 'a' } }] })
    }
  }
  return { patient, resources: out }
}

function toSks (code: string): Code { return { system: S.sks, code: `D${code.replace('.', '')}` } }

function condition (id: string, code: Code, recorded: string, clinical: string): AnyResource {
  return {
    resourceType: 'Condition',
    id,
    subject,
    clinicalStatus: { coding: [{ system: S.clinical, code: clinical }] },
    verificationStatus: { coding: [{ system: S.verification, code: 'confirmed' }] },
    code: { coding: [code] },
    recordedDate: recorded
  }
}

function observation (id: string, lab: Lab, rnd: () => number, date: string): AnyResource {
  const value = Math.round((lab.low + rnd() * (lab.high - lab.low)) * 10) / 10
  const r = rnd()
  const status = r < 0.94 ? 'final' : r < 0.97 ? 'amended' : r < 0.99 ? 'preliminary' : 'entered-in-error'
  // Laboratories differ: most send a reference range, some an interpretation flag, some neither.
  const flavour = rnd()
  return {
    resourceType: 'Observation',
    id,
    status,
    subject,
    category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory' }] }],
    code: { coding: [{ system: lab.system, code: lab.code }] },
    effectiveDateTime: `${date}T${String(6 + Math.floor(rnd() * 12)).padStart(2, '0')}:15:00+01:00`,
    valueQuantity: { value, unit: lab.unit, system: S.ucum, code: lab.unit },
    ...(flavour < 0.6 ? { referenceRange: [{ low: { value: lab.refLow, unit: lab.unit, system: S.ucum, code: lab.unit }, high: { value: lab.refHigh, unit: lab.unit, system: S.ucum, code: lab.unit } }] } : {}),
    ...(flavour >= 0.6 && flavour < 0.8 ? { interpretation: [{ coding: [{ system: S.interpretation, code: value < lab.refLow ? 'L' : value > lab.refHigh ? 'H' : 'N' }] }] } : {})
  }
}

function medication (resourceType: string, id: string, atc: string, status: string, date: string): AnyResource {
  return {
    resourceType,
    id,
    status,
    subject,
    medicationCodeableConcept: { coding: [{ system: S.atc, code: atc }] },
    ...(resourceType === 'MedicationRequest' ? { intent: 'order', authoredOn: date } : { effectiveDateTime: date })
  }
}

/** The draft WGS order (LOINC 86206-0). */
export function wgsDraftOrder (id = 'bench-wgs-order-1'): AnyResource {
  return {
    resourceType: 'ServiceRequest',
    id,
    status: 'draft',
    intent: 'order',
    subject,
    code: { coding: [{ system: S.loinc, code: '86206-0', display: 'Whole genome sequence analysis in Blood or Tissue by Molecular genetics method' }] }
  }
}

/**
 * An order-select request carrying the record as prefetch: each resource goes
 * under the service's prefetch key that declares its type (every key present,
 * an empty searchset when there is nothing). Without prefetch when `prefetch`
 * is false (the FHIR fallback benchmark).
 */
export function orderSelectRequest (service: ServiceDefinition, p: SyntheticPatient, opts: { prefetch?: boolean, hookInstance?: string } = {}): Record<string, any> {
  const order = wgsDraftOrder()
  const request: Record<string, any> = {
    hook: 'order-select',
    hookInstance: opts.hookInstance ?? '5b4e1a52-0c5e-4b8e-9d1a-6a3f4f1d2c10',
    context: {
      userId: 'Practitioner/dr-1',
      patientId: PATIENT_ID,
      selections: [`ServiceRequest/${String(order.id)}`],
      draftOrders: { resourceType: 'Bundle', type: 'collection', entry: [{ resource: order }] }
    }
  }
  if (opts.prefetch === false) return request
  const prefetch: Record<string, unknown> = {}
  for (const [key, def] of Object.entries(service.prefetch)) {
    if (def.resourceTypes.includes('Patient')) { prefetch[key] = p.patient; continue }
    const entries = p.resources.filter((r) => def.resourceTypes.includes(r.resourceType)).map((resource) => ({ resource }))
    prefetch[key] = { resourceType: 'Bundle', type: 'searchset', total: entries.length, entry: entries }
  }
  request.prefetch = prefetch
  return request
}

/**
 * The same request with its draft order for something else than WGS: a blood count, LOINC 58410-2
 * "CBC panel - Blood by Automated count" (verified: loinc.org/58410-2). The service answers it
 * `{"cards":[]}`: an EHR may call on every order a clinician selects.
 */
export function withoutWgsOrder (request: Record<string, any>): Record<string, any> {
  const copy = structuredClone(request)
  const order = copy.context.draftOrders.entry[0].resource as Record<string, unknown>
  order.id = 'bench-blood-count-1'
  order.code = { coding: [{ system: 'http://loinc.org', code: '58410-2', display: 'CBC panel - Blood by Automated count' }] }
  copy.context.selections = ['ServiceRequest/bench-blood-count-1']
  return copy
}
