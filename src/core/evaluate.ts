/**
 * evaluate(catalogue, record, now) → one result per matching indication, with
 * every criterion `met`, `not-met`, `unknown` or `not-applicable` and the
 * evidence that decided it. Pure: no I/O, no clock; the same inputs give the same output.
 */
import fhirpath from 'fhirpath'
import type { AnyResource } from './fhir.js'
import type { CriterionResult, CriterionStatus, Composition, IndicationResult, IndicationStatus, Evidence, LocalizedText } from './types.js'
import type { CompiledCatalogue, CompiledCriterion, CompiledExpression, CompiledIndication } from './compile.js'
import { compositionParts } from './compile.js'
import { retrieve, type PatientRecord } from './record.js'
import { ageInYears, ageRange, daysBefore } from './clinical-time.js'
import { AGE_RANGE } from './fhirpath-functions.js'
import { NON_FINITE_EVIDENCE, summarise, type CodeDisplayLookup } from './evidence.js'
import { orderEvidence, STALE, type StaleSink } from './evidence-age.js'
import { ORGANIZATION_INDEX, organizationIndex } from './organizations.js'
import { ROOT_RESOURCE } from './fhirpath-compiler/expression.js'
import { toFhirDateTime } from './fhirpath-values.js'
import { EXPRESSION_MEMO, expressionMemo } from './expression-memo.js'

const { valData } = fhirpath.util

export interface EvaluateOptions {
  /** The draft order being evaluated, available to expressions as `%order`. */
  order?: AnyResource
}

const STATUS_RANK: Record<IndicationStatus, number> = { eligible: 0, incomplete: 1, 'not-eligible': 2 }

/** Evaluate every indication of the catalogue that matches the record, best outcome first. */
export function evaluate (catalogue: CompiledCatalogue, record: PatientRecord, now: string, options: EvaluateOptions = {}): IndicationResult[] {
  const base = baseEnvironment(catalogue, record, now, options)
  const results: IndicationResult[] = []
  for (const indication of catalogue.indications) {
    const result = evaluateIndication(indication, record, base, catalogue.displays)
    if (result) results.push(result)
  }
  return results.sort((a, b) => STATUS_RANK[a.status] - STATUS_RANK[b.status] || openCount(a) - openCount(b))
}

/** Within the same status, the indication closer to eligible (fewer required criteria open) comes first. */
function openCount (r: IndicationResult): number {
  // Counted, not filtered: the sort asks it O(n log n) times (a filtered copy each time was ~2 % of an evaluation's allocation).
  let n = 0
  for (const c of r.criteria) if (c.required && (c.status === 'not-met' || c.status === 'unknown')) n++
  return n
}

function baseEnvironment (catalogue: CompiledCatalogue, record: PatientRecord, now: string, options: EvaluateOptions): Record<string, unknown> {
  if (Number.isNaN(Date.parse(now))) throw new RangeError(`evaluation time is not an ISO instant: ${now}`)
  const instant = new Date(now).toISOString()
  const today = instant.slice(0, 10)
  const roles = record.byType.get('PractitionerRole') ?? []
  const orgs = record.byType.get('Organization') ?? []
  const orgRefs = new Set(roles.map((r) => (r.organization as { reference?: string } | undefined)?.reference).filter(Boolean))
  const age = ageInYears(record.patient?.birthDate, today)
  const range = ageRange(record.patient?.birthDate, today)
  return {
    ...(range ? { [AGE_RANGE]: range } : {}),
    patient: record.patient ? [record.patient] : [],
    now: toFhirDateTime(instant),
    today: toFhirDateTime(today),
    ageYears: age === undefined ? [] : [age],
    performanceStatusSince: toFhirDateTime(daysBefore(instant, catalogue.settings.performanceStatusLookbackDays)),
    practitionerRoles: roles,
    // Only the organisations the ordering user's roles belong to count for competence.
    organizations: orgs.filter((o) => orgRefs.has(`Organization/${o.id}`)),
    // Every Organization of the record, for the partOf chains of onList() (organizations.ts).
    ...(orgs.length ? { [ORGANIZATION_INDEX]: organizationIndex(orgs) } : {}),
    order: options.order ? [options.order] : [],
    orderEvidence: orderEvidence(options.order, record.byType),
    // Shared by every indication of this evaluation (expression-memo.ts).
    [EXPRESSION_MEMO]: expressionMemo()
  }
}

function run (expr: CompiledExpression, env: Record<string, unknown>): unknown[] {
  return expr(ROOT_RESOURCE, env)
}

function evaluateIndication (ind: CompiledIndication, record: PatientRecord, base: Record<string, unknown>, displays: CodeDisplayLookup): IndicationResult | undefined {
  const env: Record<string | symbol, unknown> = { ...ind.envTemplate, ...base }
  // What windows (attestation/recentAs `since`) reject while an expression runs, for the card.
  const sink: StaleSink = { items: undefined }
  env[STALE] = sink
  let staleOfVariables: Map<string, Map<object, boolean>> | undefined
  // Most indications do not match a given patient: retrieve only what `matches` reads, the rest after.
  for (const d of ind.matchData) env[d.name] = retrieve(record, d.req, d.valueSet, d.key)
  let matched: unknown[]
  try { matched = run(ind.matches, env) } catch { return undefined }
  if (!(matched.length === 1 && valData(matched[0]) === true)) return undefined
  for (const d of ind.otherData) env[d.name] = retrieve(record, d.req, d.valueSet, d.key)
  let warningsOfVariables: Map<string, LocalizedText[]> | undefined
  for (const v of ind.variables) {
    sink.items = undefined
    sink.warnings = undefined
    try { env[v.name] = run(v.run, env) } catch { env[v.name] = [] }
    if (sink.items) (staleOfVariables ??= new Map()).set(v.name, sink.items)
    if (sink.warnings) (warningsOfVariables ??= new Map()).set(v.name, sink.warnings)
  }
  const resolver = new IndicationRun(ind, record, env, sink, displays, staleOfVariables, warningsOfVariables)
  const criteria = ind.def.criteria.map((c) => resolver.resolve(c.id))
  let notMet = false
  let unknown = false
  for (const c of criteria) {
    if (!c.required) continue
    if (c.status === 'not-met') notMet = true
    else if (c.status === 'unknown') unknown = true
  }
  const status: IndicationStatus = notMet ? 'not-eligible' : unknown ? 'incomplete' : 'eligible'
  const range = (base as Record<symbol, [number, number] | undefined>)[AGE_RANGE]
  return {
    indication: ind.def.id,
    title: ind.def.title,
    group: ind.def.group,
    url: ind.def.url,
    status,
    criteria,
    matchEvidence: ind.matchEvidence ? evidenceOf(ind.matchEvidence, env, record, displays) : [],
    advice: adviceThatHolds(ind, env),
    related: relatedThatHolds(ind, env),
    // Under 18 for certain (a year-only birthDate counts when even the oldest possible age is under 18).
    paediatricRedirect: ind.def.population === 'adults' && range !== undefined && range[1] < 18
  }
}

function adviceThatHolds (ind: CompiledIndication, env: Record<string, unknown>): IndicationResult['advice'] {
  const out: IndicationResult['advice'] = []
  for (const a of ind.advice) if (holds(a.when, env)) out.push({ id: a.def.id, text: a.def.text })
  return out
}

function relatedThatHolds (ind: CompiledIndication, env: Record<string, unknown>): IndicationResult['related'] {
  const out: IndicationResult['related'] = []
  for (const r of ind.related) if (holds(r.when, env)) out.push({ indication: r.def.indication, text: r.def.text })
  return out
}

/** An indication's criteria by position (ind.criteria order), for the per-evaluation results array. */
interface CriterionIndex { positions: Map<string, number>, criteria: CompiledCriterion[] }
// Keyed by the catalogue's own (long-lived) criteria maps, never by a request's objects.
const CRITERION_INDEX = new WeakMap<ReadonlyMap<string, CompiledCriterion>, CriterionIndex>()
function criterionIndex (criteria: ReadonlyMap<string, CompiledCriterion>): CriterionIndex {
  let index = CRITERION_INDEX.get(criteria)
  if (index === undefined) {
    index = { positions: new Map([...criteria.keys()].map((id, i) => [id, i])), criteria: [...criteria.values()] }
    CRITERION_INDEX.set(criteria, index)
  }
  return index
}

/**
 * One indication's criteria being resolved, each once (a composite resolves its parts on demand).
 * An object with a method rather than a closure per indication, and an array by position rather
 * than a Map grown per evaluation.
 */
class IndicationRun implements Resolver {
  private readonly index: CriterionIndex
  private readonly results: Array<CriterionResult | undefined>
  constructor (
    ind: CompiledIndication,
    private readonly record: PatientRecord,
    private readonly env: Record<string, unknown>,
    private readonly sink: StaleSink,
    private readonly displays: CodeDisplayLookup,
    private readonly staleOfVariables: Map<string, Map<object, boolean>> | undefined,
    private readonly warningsOfVariables: Map<string, LocalizedText[]> | undefined
  ) {
    this.index = criterionIndex(ind.criteria)
    this.results = new Array<CriterionResult | undefined>(this.index.criteria.length)
  }

  resolve (id: string): CriterionResult {
    const at = this.index.positions.get(id)!
    const cached = this.results[at]
    if (cached) return cached
    const c = this.index.criteria[at]!
    const r = c.applies && yieldsFalse(c.applies, this.env)
      ? criterionResult(c, 'not-applicable', [])
      : c.def.composition ? evaluateComposite(c, this) : evaluateLeaf(c, this.record, this.env, this.sink, this.displays, this.staleOfVariables, this.warningsOfVariables)
    this.results[at] = r
    return r
  }
}

interface Resolver { resolve: (id: string) => CriterionResult }

/** `applies`: only an explicit `false` makes a criterion not applicable; empty, true or an error evaluate it. */
function yieldsFalse (expr: CompiledExpression, env: Record<string, unknown>): boolean {
  try {
    const r = run(expr, env)
    return r.length === 1 && valData(r[0]) === false
  } catch { return false }
}

function holds (when: CompiledExpression | undefined, env: Record<string, unknown>): boolean {
  if (!when) return true
  try {
    const r = run(when, env)
    return r.length === 1 && valData(r[0]) === true
  } catch { return false }
}

function criterionResult (c: CompiledCriterion, status: CriterionStatus, evidence: Evidence[], reason?: string): CriterionResult {
  const r: CriterionResult = c.def.document
    ? { id: c.def.id, required: c.def.required, text: c.def.text, evidence, document: c.def.document, status }
    : { id: c.def.id, required: c.def.required, text: c.def.text, evidence, status }
  if (reason) r.reason = reason
  return r
}

const NONE_MISSING: readonly string[] = Object.freeze([])

function evaluateLeaf (
  c: CompiledCriterion, record: PatientRecord, env: Record<string, unknown>, sink: StaleSink, displays: CodeDisplayLookup,
  staleOfVariables: Map<string, Map<object, boolean>> | undefined, warningsOfVariables: Map<string, LocalizedText[]> | undefined
): CriterionResult {
  const missing = record.unavailable.size === 0 ? NONE_MISSING : c.reads.filter((t) => record.unavailable.has(t))
  if (missing.length > 0) {
    return criterionResult(c, 'unknown', [], missing.map((t) => record.unavailable.get(t)).join('; '))
  }
  let status: CriterionStatus
  let reason: string | undefined
  sink.items = undefined
  sink.warnings = undefined
  try {
    const out = run(c.run!, env)
    const v = out.length === 1 ? valData(out[0]) : undefined
    if (out.length === 0) status = 'unknown'
    else if (v === true) status = 'met'
    else if (v === false) status = 'not-met'
    else { status = 'unknown'; reason = 'rule error: expression did not yield a single boolean' }
  } catch {
    // G6: a runtime error in one criterion is reported on that criterion, never fails the hook.
    status = 'unknown'
    reason = 'rule error: expression failed on this record'
  }
  let evidence = c.evidence ? evidenceOf(c.evidence, env, record, displays) : []
  const stale = staleOf(c, sink, staleOfVariables)
  if (stale) evidence = withStale(evidence, stale, record, displays)
  // Issue 13 §1: `not-met` only from positive evidence. A failure nothing in the record shows is unknown.
  if (status === 'not-met' && evidence.length === 0) { status = 'unknown'; reason = UNFOUNDED }
  // Issue 14 item 8: a value that was a non-finite number is unreadable data; the card says so.
  if (status === 'unknown' && !reason && evidence.some((e) => NON_FINITE_EVIDENCE.has(e))) reason = NON_FINITE
  const r = criterionResult(c, status, evidence, reason)
  if (status === 'unknown') {
    const warnings = warningsOf(c, sink, warningsOfVariables)
    if (warnings) r.warnings = warnings
  }
  return r
}

function warningsOf (c: CompiledCriterion, sink: StaleSink, ofVariables: Map<string, LocalizedText[]> | undefined): LocalizedText[] | undefined {
  let out = sink.warnings
  if (ofVariables) {
    for (const name of c.variables) {
      const more = ofVariables.get(name)
      if (more) out = [...new Set([...(out ?? []), ...more])]
    }
  }
  return out
}

/** Reason of a `not-met` turned `unknown` because no evidence shows the failure (shown on the card). */
export const UNFOUNDED = 'not met by the rule, but no recorded data shows it: treated as not documented'
/** Reason of an unknown resting on a value that was a non-finite number (evidence.ts NON_FINITE_EVIDENCE). */
export const NON_FINITE = 'value could not be read: infinite'

/** The resources windows rejected for this criterion: in its expression, or in the variables it reads. */
function staleOf (c: CompiledCriterion, sink: StaleSink, staleOfVariables: Map<string, Map<object, boolean>> | undefined): Map<object, boolean> | undefined {
  let out = sink.items
  if (staleOfVariables) {
    for (const name of c.variables) {
      const more = staleOfVariables.get(name)
      if (!more) continue
      out = new Map(out)
      for (const [r, show] of more) out.set(r, show || (out.get(r) ?? false))
    }
  }
  return out
}

/**
 * Mark evidence a window rejected as too old, and add the latest rejected value where nothing
 * current was found (so the card shows the last value and its date, not "no data").
 */
function withStale (evidence: Evidence[], stale: Map<object, boolean>, record: PatientRecord, displays: CodeDisplayLookup): Evidence[] {
  const out = evidence.slice()
  const marked = new Set<string>()
  for (const [resource] of stale) {
    const e = summarise(resource, record.evidence, displays)
    if (e?.reference) marked.add(e.reference)
  }
  for (let i = 0; i < out.length; i++) {
    const e = out[i]!
    if (e.reference && marked.has(e.reference)) out[i] = { ...e, tooOld: true }
  }
  for (const [resource, show] of stale) {
    if (!show) continue
    const e = summarise(resource, record.evidence, displays)
    if (!e || (e.reference && hasReference(out, e.reference))) continue
    out.push({ ...e, tooOld: true })
  }
  return out
}

function evidenceOf (expr: CompiledExpression, env: Record<string, unknown>, record: PatientRecord, displays: CodeDisplayLookup): Evidence[] {
  try {
    // One entry per resource, whatever the expression's unions and combines produced.
    const items = run(expr, env)
    const out: Evidence[] = []
    let seen: Set<string> | undefined // only for long lists; short ones are scanned
    for (const node of items) {
      const e = summarise(valData(node), record.evidence, displays)
      if (e === undefined) continue
      if (e.reference) {
        if (items.length > 16) {
          seen ??= new Set()
          if (seen.has(e.reference)) continue
          seen.add(e.reference)
        } else if (hasReference(out, e.reference)) continue
      }
      out.push(e)
    }
    return out
  } catch {
    return []
  }
}

function hasReference (list: Evidence[], reference: string): boolean {
  for (const x of list) if (x.reference === reference) return true
  return false
}

function evaluateComposite (c: CompiledCriterion, resolver: Resolver): CriterionResult {
  const composition = c.def.composition!
  const status = combine(composition, resolver)
  const parts = c.parts ?? compositionParts(composition)
  // Two parts citing the same resource share one evidence object (memoised per resource): list it once.
  let evidence = evidenceOfParts(parts, resolver, status)
  if (evidence.length === 0 && (status === 'met' || status === 'not-met')) {
    // Decided through `not`: the parts with the opposite status are the evidence.
    evidence = evidenceOfParts(parts, resolver, status === 'met' ? 'not-met' : 'met')
  }
  if (status === 'not-met' && evidence.length === 0) {
    const r = criterionResult(c, 'unknown', evidence, UNFOUNDED)
    r.parts = parts.slice()
    return r
  }
  let reason: string | undefined
  if (status === 'unknown') {
    const reasons: string[] = []
    for (const p of parts) {
      const why = resolver.resolve(p).reason
      if (why && !reasons.includes(why)) reasons.push(why)
    }
    if (reasons.length) reason = reasons.join('; ')
  }
  const r = criterionResult(c, status, evidence, reason)
  r.parts = parts.slice()
  if (status === 'unknown') {
    const warnings: LocalizedText[] = []
    for (const p of parts) {
      const part = resolver.resolve(p)
      if (part.status !== 'unknown' || !part.warnings) continue
      for (const w of part.warnings) if (!warnings.includes(w)) warnings.push(w)
    }
    if (warnings.length) r.warnings = warnings
  }
  return r
}

/** The evidence of the parts with this status, each evidence object once, in order of first appearance. */
function evidenceOfParts (parts: readonly string[], resolver: Resolver, status: CriterionStatus): Evidence[] {
  const out: Evidence[] = []
  let seen: Set<Evidence> | undefined // only for long lists; short ones are scanned
  for (const p of parts) {
    const part = resolver.resolve(p)
    if (part.status !== status) continue
    for (const e of part.evidence) {
      if (out.length > 16) {
        seen ??= new Set(out)
        if (seen.has(e)) continue
        seen.add(e)
      } else if (out.includes(e)) continue
      out.push(e)
    }
  }
  return out
}

/**
 * Kleene logic: any not-met makes `all` not-met; any met makes `any` met; otherwise unknown wins over
 * the rest. Not-applicable parts are left out; a composition of only not-applicable parts is itself
 * not applicable. Every part is resolved, in order, whatever the outcome.
 */
function combine (node: Composition | string, resolver: Resolver): CriterionStatus {
  if (typeof node === 'string') return resolver.resolve(node).status
  if ('not' in node) {
    const s = combine(node.not, resolver)
    return s === 'met' ? 'not-met' : s === 'not-met' ? 'met' : s
  }
  const all = 'all' in node
  const decisive: CriterionStatus = all ? 'not-met' : 'met'
  let counted = false
  let decided = false
  let unknown = false
  for (const p of all ? node.all : node.any) {
    const s = combine(p, resolver)
    if (s === 'not-applicable') continue
    counted = true
    if (s === decisive) decided = true
    else if (s === 'unknown') unknown = true
  }
  if (!counted) return 'not-applicable'
  if (decided) return decisive
  return unknown ? 'unknown' : all ? 'met' : 'not-met'
}
