/**
 * Domain functions added to FHIRPath (fhirpath.js `userInvocationTable`), so
 * criteria read like the seeds ("the most recent", "within the reference
 * interval", "attested") instead of re-implementing date and unit logic in
 * every expression. All are pure: the evaluation time comes from `%now`.
 *
 * | function | on | yields |
 * |---|---|---|
 * | `inValueSet(url)` | Coding / CodeableConcept | true if any coding is in the ValueSet, false if none, empty if no codings |
 * | `clinicalDate()` | resources | the date each fact refers to (DateTime) |
 * | `latest()` | resources | the one with the latest clinical date (undated ones last) |
 * | `since(days)` | resources | those dated within `days` before `%now` |
 * | `numericValue()` | Observation | valueInteger / valueDecimal / valueQuantity.value, or a coded performance status (LOINC LA answer, SNOMED ECOG/WHO grade finding) as its score |
 * | `normality()` | Observation | 'low' / 'normal' / 'high' (interpretation, else referenceRange, else default interval) |
 * | `attestation(code [, since])` | Observations | latest final attestation with that code (dated on or after `since`, or referenced by the draft order), an answer of a requisition form included (questionnaire.ts): its valueBoolean; empty if none |
 * | `recentAs(since)` | resources | those dated on or after `since` (a date expression), or referenced by the draft order |
 * | `ageAtOnset()` | Condition | patient's age in years when the condition began; empty if unknown |
 * | `morphology()` | Conditions, DiagnosticReports | tumour morphology codings from every place a Danish record carries them |
 */
import fhirpath from 'fhirpath'
import type { AnyResource, Coding, ObservationDefinition } from './fhir.js'
import { ageInYears, clinicalDate } from './clinical-time.js'
import { codingKey, codingsOf, sksMorphology, type CompiledValueSet } from './terminology.js'
import { FP_DateTime } from './fhirpath-values.js'
import { earliest, isCurrent, isoArgument, recordStale, staleSinkOf } from './evidence-age.js'
import { ANSWER_SOURCE } from './questionnaire.js'

/** The attestation CodeSystem of this project (fhir-profiles/CodeSystem-wgs-attestation.json). */
export const ATTESTATION_SYSTEM = 'https://ngc-wgs-cds.dk/fhir/CodeSystem/wgs-attestation'
const INTERPRETATION_SYSTEM = 'http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation'

const { valData } = fhirpath.util

export interface FunctionContext {
  valueSets: ReadonlyMap<string, CompiledValueSet>
  /** Default reference intervals by normalised `system|code` (from ObservationDefinitions). */
  defaultIntervals: ReadonlyMap<string, Interval[]>
}

export interface Interval { low?: number, high?: number, unit: string, source: string, gender?: string }

const data = (node: unknown): any => valData(node)

// No WeakMap memos here on purpose. WeakMaps keyed by each request's resources made every
// young-generation GC walk their ephemeron tables: scavenges took 2.4 ms instead of 1.0 ms and the
// p99 of an evaluation doubled (bench, 2026-11-22), while recomputing a date costs less than the
// lookup saved. What is worth keeping (normality, morphology) is kept on the resource, under a symbol.
function datedOf (r: AnyResource): string | undefined {
  return typeof r === 'object' && r !== null ? clinicalDate(r) : undefined
}

type Normality = 'low' | 'normal' | 'high'
const NORMALITY_RESULT: Record<Normality, readonly string[]> = {
  low: Object.freeze(['low']), normal: Object.freeze(['normal']), high: Object.freeze(['high'])
}

// inValueSet() answers with shared, frozen collections (as normality() does): it runs for every
// coded item a where() looks at.
const IN_VALUE_SET: readonly boolean[] = Object.freeze([true])
const NOT_IN_VALUE_SET: readonly boolean[] = Object.freeze([false])

interface NormalityMemo { defaults: ReadonlyMap<string, Interval[]>, gender: string | undefined, value: Normality | undefined }
const NORMALITY = Symbol('normality')

/** Build the invocation table over the compiled terminology; created once per catalogue. */
export function domainFunctions (ctx: FunctionContext): Record<string, unknown> {
  const classifyOne = (node: unknown, gender: string | undefined): Normality | undefined => {
    const o = data(node)
    if (typeof o !== 'object' || o === null) return undefined
    // Many rules ask the same Observation (the platelet history): classified once per resource, kept on
    // it under a non-enumerable symbol (not a WeakMap, see above), for this catalogue's intervals and sex.
    const held = o as Record<symbol, NormalityMemo | undefined>
    const known = held[NORMALITY]
    if (known !== undefined && known.defaults === ctx.defaultIntervals && known.gender === gender) return known.value
    const value = normality(o, ctx.defaultIntervals, gender)
    if (known === undefined && Object.isExtensible(o)) Object.defineProperty(o, NORMALITY, { value: { defaults: ctx.defaultIntervals, gender, value } })
    return value
  }
  return {
    inValueSet: {
      fn: (inputs: unknown[], url: string) => {
        const vs = ctx.valueSets.get(url)
        if (!vs) throw new Error(`inValueSet: unknown ValueSet ${url}`)
        let seen = false
        // Indexed loops: iterators allocated a result object per item here (heap sampling, 150 resources).
        for (let i = 0; i < inputs.length; i++) {
          const item = data(inputs[i])
          // A Coding (`coding.where(inValueSet(…))`) is matched as itself: what codingsOf() would wrap in an array.
          if (typeof item === 'object' && item !== null && !('coding' in item && Array.isArray(item.coding)) && 'code' in item) {
            if (vs.match(item as Coding) !== undefined) return IN_VALUE_SET
            seen = true
            continue
          }
          const codings = codingsOf(item)
          for (let j = 0; j < codings.length; j++) {
            if (vs.match(codings[j]!) !== undefined) return IN_VALUE_SET
            seen = true
          }
        }
        return seen ? NOT_IN_VALUE_SET : EMPTY
      },
      arity: { 1: ['String'] },
      internalStructures: true
    },
    clinicalDate: {
      fn: function (this: unknown, inputs: unknown[]) {
        return inputs.flatMap((i) => {
          const d = datedOf(data(i))
          return d ? [new FP_DateTime(this, d)] : []
        })
      },
      arity: { 0: [] },
      internalStructures: true
    },
    latest: {
      fn: (inputs: unknown[]) => {
        // The first of the latest-dated (undated count as ''): what a stable descending sort puts first.
        let best: unknown
        let bestDate = ''
        for (let i = 0; i < inputs.length; i++) {
          const date = datedOf(data(inputs[i])) ?? ''
          if (i === 0 || compareIso(date, bestDate) > 0) { best = inputs[i]; bestDate = date }
        }
        return inputs.length ? [best] : []
      },
      arity: { 0: [] },
      internalStructures: true
    },
    since: {
      fn: function (this: { vars: Record<string, unknown> }, inputs: unknown[], days: number) {
        const now = String(valData(asArray(this.vars.now)[0]) ?? '')
        const from = Date.parse(now) - days * 86_400_000
        return inputs.filter((i) => {
          const d = datedOf(data(i))
          return d !== undefined && Date.parse(d.length === 4 ? `${d}-12-31` : d.length === 7 ? `${d}-28` : d) >= from
        })
      },
      arity: { 1: ['Integer'] },
      internalStructures: true
    },
    numericValue: {
      fn: (inputs: unknown[]) => inputs.flatMap((i) => {
        const v = numericValue(data(i))
        return v === undefined ? [] : [v]
      }),
      arity: { 0: [] },
      internalStructures: true
    },
    normality: {
      fn: function (this: { vars: Record<string, unknown> }, inputs: unknown[]) {
        const patient = data(asArray(this.vars.patient)[0]) as AnyResource | undefined
        const gender = patient?.gender as string | undefined
        // One Observation per call is the common case (`where(normality() = 'low')`): shared results.
        if (inputs.length === 1) {
          const n = classifyOne(inputs[0], gender)
          return n ? NORMALITY_RESULT[n] : []
        }
        const out: string[] = []
        for (const i of inputs) {
          const n = classifyOne(i, gender)
          if (n) out.push(n)
        }
        return out
      },
      arity: { 0: [] },
      internalStructures: true
    },
    attestation: {
      fn: function (this: { vars: Record<string | symbol, unknown> }, inputs: unknown[], code: string, since?: unknown) {
        // The latest final attestation with this code (first of equally dated ones), in one pass.
        // With `since`: only those dated on or after it, or referenced by the draft order, count;
        // the latest rejected one is kept for the card ("too old").
        const sinceIso = since === undefined ? undefined : isoArgument(since)
        const sinceMs = sinceIso === undefined ? NaN : earliest(sinceIso)
        const windowed = !Number.isNaN(sinceMs)
        const attached = windowed ? asArray(this.vars.orderEvidence) : EMPTY
        let best: AnyResource | undefined
        let bestDate = ''
        let stale: AnyResource | undefined
        let staleDate = ''
        for (const i of inputs) {
          const o = data(i) as AnyResource
          if (o?.resourceType !== 'Observation' || typeof o.valueBoolean !== 'boolean') continue
          if (!hasCoding(o.code as Coding, ATTESTATION_SYSTEM, code)) continue
          const date = datedOf(o) ?? ''
          if (windowed && !attachedToOrder(attached, o) && !isCurrent(date, sinceMs)) {
            recordStale(staleSinkOf(this.vars), o, false)
            if (stale === undefined || compareIso(date, staleDate) > 0) { stale = o; staleDate = date }
            continue
          }
          if (best === undefined || compareIso(date, bestDate) > 0) { best = o; bestDate = date }
        }
        if (best === undefined && stale !== undefined) recordStale(staleSinkOf(this.vars), stale, true)
        return best === undefined ? [] : [best.valueBoolean]
      },
      arity: { 1: ['String'], 2: ['String', 'Any'] },
      internalStructures: true
    },
    recentAs: {
      fn: function (this: { vars: Record<string | symbol, unknown> }, inputs: unknown[], since: unknown) {
        // Resources dated on or after `since` (or referenced by the draft order); an empty `since`
        // applies no window. The latest rejected one is kept for the card ("too old").
        const sinceIso = isoArgument(since)
        const sinceMs = sinceIso === undefined ? NaN : earliest(sinceIso)
        if (Number.isNaN(sinceMs)) return inputs
        const attached = asArray(this.vars.orderEvidence)
        const kept: unknown[] = []
        let stale: AnyResource | undefined
        let staleDate = ''
        for (const i of inputs) {
          const r = data(i)
          if (typeof r !== 'object' || r === null || typeof (r as AnyResource).resourceType !== 'string') continue
          const date = datedOf(r as AnyResource)
          if (attachedToOrder(attached, r) || isCurrent(date, sinceMs)) { kept.push(i); continue }
          recordStale(staleSinkOf(this.vars), r, false)
          if (stale === undefined || compareIso(date ?? '', staleDate) > 0) { stale = r as AnyResource; staleDate = date ?? '' }
        }
        if (kept.length === 0 && stale !== undefined) recordStale(staleSinkOf(this.vars), stale, true)
        return kept.length === inputs.length ? inputs : kept
      },
      arity: { 1: ['Any'] },
      internalStructures: true
    },
    morphology: {
      // The tumour morphology codings wherever a Danish record carries them (interface 7).
      fn: (inputs: unknown[]) => {
        // One resource (`where(morphology()…)`): its own frozen codings, no copy.
        if (inputs.length === 1) return morphologyOf(data(inputs[0]))
        const out: unknown[] = []
        for (let i = 0; i < inputs.length; i++) {
          const codings = morphologyOf(data(inputs[i]))
          for (let j = 0; j < codings.length; j++) out.push(codings[j])
        }
        return out
      },
      arity: { 0: [] },
      internalStructures: true
    },
    ageIs: {
      // `%ageYears <op> n`, rewritten by compile.ts: settled when the youngest and the oldest the
      // patient can be (a year-only birthDate) give the same answer; empty otherwise.
      fn: function (this: { vars: Record<string | symbol, unknown> }, _inputs: unknown[], op: string, limit: unknown) {
        const range = this.vars[AGE_RANGE] as [number, number] | undefined
        // fhirpath.js passes a literal as its own number class (`value`), the compiled path as a number.
        const raw = valData(asArray(limit)[0]) as unknown
        const n = typeof raw === 'number' ? raw : typeof (raw as { value?: unknown } | null)?.value === 'number' ? (raw as { value: number }).value : undefined
        if (!range || n === undefined) return EMPTY
        const [a, b] = [compareAge(op, range[0], n), compareAge(op, range[1], n)]
        return a === b ? [a] : EMPTY
      },
      arity: { 2: ['String', 'Any'] },
      internalStructures: true
    },
    ageAtOnset: {
      fn: function (this: { vars: Record<string, unknown> }, inputs: unknown[]) {
        const patient = data(asArray(this.vars.patient)[0]) as AnyResource | undefined
        const birthDate = patient?.birthDate as string | undefined
        // A loop, not flatMap(): no array per condition (`%conditions.where(ageAtOnset() < 50)` asks one at a time).
        const out: number[] = []
        for (let i = 0; i < inputs.length; i++) {
          const age = ageAtOnset(data(inputs[i]), birthDate)
          if (age !== undefined) out.push(age)
        }
        return out
      },
      arity: { 0: [] },
      internalStructures: true
    }
  }
}

/** The draft order references it, or the QuestionnaireResponse it answers in (questionnaire.ts ANSWER_SOURCE). */
function attachedToOrder (attached: readonly unknown[], r: object): boolean {
  if (attached.length === 0) return false
  return attached.includes(r) || attached.includes((r as Record<symbol, unknown>)[ANSWER_SOURCE])
}

function hasCoding (concept: Coding | undefined, system: string, code: string): boolean {
  for (const c of codingsOf(concept)) if (c.system === system && c.code === code) return true
  return false
}

const EMPTY: readonly unknown[] = Object.freeze([])

/** Environment key (a symbol) of the patient's possible ages today, [youngest, oldest] (evaluate.ts). */
export const AGE_RANGE = Symbol('age range')

function compareAge (op: string, age: number, n: number): boolean {
  switch (op) {
    case '<': return age < n
    case '<=': return age <= n
    case '>': return age > n
    case '>=': return age >= n
    default: throw new Error(`ageIs: operator ${op}`)
  }
}

/**
 * `%ageYears < 50` → `ageIs('<', 50)` (also with a %variable limit, and `50 > %ageYears`), so a
 * comparison a year-only birthDate settles gives its answer. Arithmetic next to the comparison is
 * left alone.
 */
export function rewriteAgeComparisons (expr: string): string {
  if (!expr.includes('%ageYears')) return expr
  const operand = String.raw`(\d+|%[A-Za-z][A-Za-z0-9_]*)`
  const flip: Record<string, string> = { '<': '>', '<=': '>=', '>': '<', '>=': '<=' }
  return expr
    .replace(new RegExp(String.raw`(?<![-+*/.]\s*)%ageYears\s*(<=|>=|<|>)\s*${operand}(?![\w.]|\s*[-+*/])`, 'g'), (_m, op: string, rhs: string) => `ageIs('${op}', ${rhs})`)
    .replace(new RegExp(String.raw`(?<![-+*/.\w]\s*)${operand}\s*(<=|>=|<|>)\s*%ageYears(?![\w.]|\s*[-+*/])`, 'g'), (_m, lhs: string, op: string) => `ageIs('${flip[op]!}', ${lhs})`)
}

function asArray (v: unknown): readonly unknown[] { return Array.isArray(v) ? v : v === undefined ? [] : [v] }

/** ISO strings of different precision compare correctly as text for ordering purposes. */
function compareIso (a: string, b: string): number { return a < b ? -1 : a > b ? 1 : 0 }

/**
 * Coded performance status (issue 13 §2, review D): answer codes and grade findings → the score.
 * Verified: LOINC ECOG answer list LL529-9, LA9622-7 … LA9627-6 = ECOG 0 … 5 (MII Onkologie
 * ValueSet mii-vs-onko-allgemeiner-leistungszustand-ecog-loinc; the oBDS → LOINC ConceptMaps of the
 * MII oncology IG); SNOMED CT ECOG grade findings 425389002, 422512005, 422894000, 423053003,
 * 423237006 (0 … 4; same ConceptMaps) and 423409001 (5; terminology.md §2.6); SNOMED CT WHO
 * performance status grade findings 373803006 … 373807007 (0 … 4; terminology.md §2.6 and three
 * further public sources); LOINC Karnofsky answer list LL4986-7, LA29175-9 … LA29184-1 = 100 … 10
 * and LA9627-6 = 0 (the MII oncology IG's oBDS Karnofsky → LOINC ConceptMap).
 */
const LOINC = 'http://loinc.org'
const SNOMED_CT = 'http://snomed.info/sct'
const PERFORMANCE_ANSWERS = new Map<string, number>([
  ...['LA9622-7', 'LA9623-5', 'LA9624-3', 'LA9625-0', 'LA9626-8', 'LA9627-6'].map((c, i) => [`${LOINC}|${c}`, i] as [string, number]),
  ...['425389002', '422512005', '422894000', '423053003', '423237006', '423409001'].map((c, i) => [`${SNOMED_CT}|${c}`, i] as [string, number]),
  ...['373803006', '373804000', '373805004', '373806003', '373807007'].map((c, i) => [`${SNOMED_CT}|${c}`, i] as [string, number]),
  ...['LA29175-9', 'LA29176-7', 'LA29177-5', 'LA29178-3', 'LA29179-1', 'LA29180-9', 'LA29181-7', 'LA29182-5', 'LA29183-3', 'LA29184-1'].map((c, i) => [`${LOINC}|${c}`, 100 - 10 * i] as [string, number])
])
/** Names for the performance-status answers, for evidence ("ECOG 1", "Karnofsky 60"). */
export function performanceAnswerDisplays (): Map<string, string> {
  const out = new Map<string, string>()
  for (const [key, score] of PERFORMANCE_ANSWERS) {
    const karnofsky = key.startsWith(`${LOINC}|LA291`)
    const who = /\|37380[3-7]\d{3}$/.test(key)
    out.set(key, karnofsky ? `Karnofsky ${score}` : who ? `WHO ${score}` : `ECOG ${score}`)
  }
  out.set(DEAD, 'ECOG 5 / Karnofsky 0')
  return out
}

/** LA9627-6 "Dead" ends both answer lists: ECOG 5, Karnofsky 0 (decided by the Observation's code). */
const DEAD = `${LOINC}|LA9627-6`
const KARNOFSKY_CODES = new Set([`${LOINC}|89243-0`, `${SNOMED_CT}|761869008`])

function codedScore (concept: unknown, observationCode: unknown): number | undefined {
  for (const c of codingsOf(concept as Coding)) {
    const key = codingKey(c.system, c.code)
    if (key === undefined) continue
    if (key === DEAD) return codingsOf(observationCode as Coding).some((oc) => KARNOFSKY_CODES.has(codingKey(oc.system, oc.code) ?? '')) ? 0 : 5
    const score = PERFORMANCE_ANSWERS.get(key)
    if (score !== undefined) return score
  }
  return undefined
}

/**
 * `morphology()`: Condition.code codings (ICD-O-3, SNOMED CT disorders, SKS M-codes — also an SKS
 * additional code after `+`, `DC719+ZM94403`), every extension's valueCodeableConcept (the mCODE
 * histology-morphology-behavior extension among them), a DiagnosticReport's conclusionCode and an
 * Observation's valueCodeableConcept. SKS/Patobank M-codes are also given as ICD-O-3 codings, so a
 * ValueSet listing `9440/3` matches `ZM94403`.
 */
function morphologyOf (r: AnyResource): readonly unknown[] {
  if (typeof r !== 'object' || r === null) return EMPTY_MORPHOLOGY
  // Once per resource: the ICD-O-3 codings made from SKS M-codes are then the same objects on every
  // call (so the compiled path and fhirpath.js return identical items) and are not rebuilt per rule.
  // Kept on the resource under a non-enumerable symbol, not in a WeakMap (see the note at the top).
  const held = r as unknown as Record<symbol, unknown[] | undefined>
  let out = held[MORPHOLOGY]
  if (out === undefined) {
    out = []
    collectMorphology(r, out)
    // Frozen: morphology() of one resource answers with this very array (collections are never mutated).
    Object.freeze(out)
    if (Object.isExtensible(r)) Object.defineProperty(r, MORPHOLOGY, { value: out })
  }
  return out
}
const MORPHOLOGY = Symbol('morphology codings')
const EMPTY_MORPHOLOGY: readonly unknown[] = Object.freeze([])

function collectMorphology (r: AnyResource, out: unknown[]): void {
  const concepts: unknown[] = []
  if (r.resourceType === 'Condition') concepts.push(r.code)
  else if (r.resourceType === 'DiagnosticReport') { if (Array.isArray(r.conclusionCode)) concepts.push(...r.conclusionCode) } else if (r.resourceType === 'Observation') concepts.push(r.valueCodeableConcept)
  else return
  if (Array.isArray(r.extension)) for (const e of r.extension) concepts.push((e as { valueCodeableConcept?: unknown } | null)?.valueCodeableConcept)
  for (const concept of concepts) {
    for (const c of codingsOf(concept as Coding)) {
      out.push(c)
      if (typeof c.code !== 'string') continue
      for (const part of c.code.split('+').slice(c.code.includes('+') ? 1 : 0)) {
        const m = sksMorphology(part)
        if (m) out.push(m)
      }
    }
  }
}

export function numericValue (o: AnyResource): number | undefined {
  if (typeof o?.valueInteger === 'number') return o.valueInteger
  if (typeof o?.valueDecimal === 'number') return o.valueDecimal
  const q = o?.valueQuantity as { value?: unknown } | undefined
  if (typeof q?.value === 'number') return q.value
  if (o?.valueCodeableConcept !== undefined) return codedScore(o.valueCodeableConcept, o.code)
  // A grade finding as the Observation's own code (SNOMED CT "ECOG performance status - grade 1").
  if (o?.resourceType === 'Observation' && o.valueString === undefined && o.valueBoolean === undefined) return codedScore(o.code, undefined)
  return undefined
}

function ageAtOnset (c: AnyResource, birthDate: string | undefined): number | undefined {
  const onsetAge = c?.onsetAge as { value?: unknown, code?: unknown } | undefined
  if (typeof onsetAge?.value === 'number' && (onsetAge.code === 'a' || onsetAge.code === undefined)) return Math.floor(onsetAge.value)
  return ageInYears(birthDate, clinicalDate(c))
}

/**
 * Is a lab value low, normal or high? criteria.md: "Normal" means
 * interpretation = N, or the value within referenceRange, or, where neither is
 * present, within a documented default reference interval.
 */
export function normality (o: AnyResource, defaults: ReadonlyMap<string, Interval[]>, gender?: string): 'low' | 'normal' | 'high' | undefined {
  if (Array.isArray(o.interpretation)) {
    for (const concept of o.interpretation) {
      for (const c of codingsOf(concept)) {
        if (c.system !== undefined && c.system !== INTERPRETATION_SYSTEM) continue
        if (c.code === 'N') return 'normal'
        if (c.code === 'L' || c.code === 'LL' || c.code === 'LU') return 'low'
        if (c.code === 'H' || c.code === 'HH' || c.code === 'HU') return 'high'
      }
    }
  }
  const value = quantityOf(o)
  if (!value) return undefined
  const range = (Array.isArray(o.referenceRange) ? o.referenceRange : [])[0] as any
  if (range && (range.low || range.high)) {
    const low = convert(range.low, value.unit)
    const high = convert(range.high, value.unit)
    if (low === null || high === null) return undefined
    return classify(value.value, low, high)
  }
  for (const c of codingsOf(o.code as Coding)) {
    const key = codingKey(c.system, c.code)
    const all = key ? defaults.get(key) : undefined
    if (!all) continue
    // Sex-specific intervals: with the sex unknown, answer only where every interval agrees.
    const intervals = all.some((i) => i.gender === gender) ? all.filter((i) => i.gender === gender) : all
    const verdicts = new Set(intervals.map((i) => {
      const v = convertValue(value.value, value.unit, i.unit)
      return v === undefined ? undefined : classify(v, i.low, i.high)
    }))
    return verdicts.size === 1 ? [...verdicts][0] : undefined
  }
  return undefined
}

function classify (v: number, low: number | undefined, high: number | undefined): 'low' | 'normal' | 'high' {
  if (low !== undefined && v < low) return 'low'
  if (high !== undefined && v > high) return 'high'
  return 'normal'
}

function quantityOf (o: AnyResource): { value: number, unit: string } | undefined {
  if (typeof o.valueInteger === 'number') return { value: o.valueInteger, unit: '1' }
  const q = o.valueQuantity as { value?: unknown, code?: unknown, system?: unknown } | undefined
  if (typeof q?.value !== 'number') return undefined
  // Only UCUM-coded units can be converted; anything else stays as an opaque unit.
  const unit = q.system === 'http://unitsofmeasure.org' && typeof q.code === 'string' ? q.code : `?${String(q.code ?? '')}`
  return { value: q.value, unit }
}

/** A referenceRange bound in the value's unit; undefined if absent, null if not convertible. */
function convert (bound: any, toUnit: string): number | undefined | null {
  if (!bound || typeof bound.value !== 'number') return undefined
  const from = bound.system === 'http://unitsofmeasure.org' && typeof bound.code === 'string' ? bound.code : toUnit
  return convertValue(bound.value, from, toUnit) ?? null
}

/** UCUM conversion through fhirpath.js's bundled ucum-lhc (10*9/L ≡ 10*3/uL). */
export function convertValue (value: number, from: string, to: string): number | undefined {
  if (from === to) return value
  if (from.startsWith('?') || to.startsWith('?')) return undefined
  const r = fhirpath.ucumUtils.convertUnitTo(from, value, to)
  return r?.status === 'succeeded' && typeof r.toVal === 'number' ? r.toVal : undefined
}

/** Default intervals from ObservationDefinition.qualifiedInterval (category reference, no conditions). */
export function intervalsFrom (defs: ObservationDefinition[]): Map<string, Interval[]> {
  const out = new Map<string, Interval[]>()
  for (const def of defs) {
    const unit = def.quantitativeDetails?.unit?.coding?.[0]?.code
    if (!unit) continue
    const intervals: Interval[] = (def.qualifiedInterval ?? [])
      .filter((q) => q.category === 'reference' && q.range)
      .map((q) => ({ low: q.range?.low?.value, high: q.range?.high?.value, unit, gender: q.gender, source: `ObservationDefinition/${def.id ?? ''}` }))
    if (intervals.length === 0) continue
    for (const c of def.code.coding ?? []) {
      const key = codingKey(c.system, c.code)
      if (key) out.set(key, intervals)
    }
  }
  return out
}
