/**
 * Compile the criteria catalogue once at start-up: every FHIRPath expression
 * is parsed with the R4 model, every ValueSet is compiled into sets, and every
 * expression's data dependencies are resolved so that a criterion reading a
 * resource type the record could not obtain is reported `unknown` without
 * being run. Nothing here is repeated per request.
 */
import fhirpath from 'fhirpath'
import r4 from 'fhirpath/fhir-context/r4'
import type { CodeSystem, ObservationDefinition, ValueSet } from './fhir.js'
import type { Composition, CriterionDefinition, DataRequirement, IndicationDefinition } from './types.js'
import { codingKey, compileValueSets, type CompiledValueSet } from './terminology.js'
import { AGE_RANGE, domainFunctions, intervalsFrom, performanceAnswerDisplays, rewriteAgeComparisons, type Interval } from './fhirpath-functions.js'
import { ORGANIZATION_INDEX, organizationFunctions, type OrganizationList } from './organizations.js'
import { retrievalKey } from './record.js'
import { compileFast, type DomainFunction } from './fhirpath-compiler/compile.js'
import { FRAME, runnable, type ExpressionEngine, type Mismatch } from './fhirpath-compiler/expression.js'
import { EXPRESSION_MEMO, memoised } from './expression-memo.js'
import { STALE } from './evidence-age.js'
import { ANY, BOOLEAN, DATE_TIME, DECIMAL, INTEGER, STRING, types, type TypeSet } from './fhirpath-compiler/static-types.js'

export type CompiledExpression = (resource: unknown, env: Record<string, unknown>) => unknown[]
interface TypedExpression { run: CompiledExpression, type: TypeSet }
type ExpressionCompiler = (indication: string, path: string, expr: string, variables: ReadonlyMap<string, TypeSet>) => TypedExpression

export interface CatalogueSettings {
  /** criteria.md: performance status uses the most recent observation within this window. */
  performanceStatusLookbackDays: number
}

export interface CatalogueInput {
  indications: IndicationDefinition[]
  valueSets: ValueSet[]
  /** CodeSystems of fhir-profiles/ (the attestation CodeSystem …): their displays name evidence codes. */
  codeSystems?: CodeSystem[]
  observationDefinitions: ObservationDefinition[]
  organizationLists: OrganizationList[]
  settings: CatalogueSettings
  /**
   * How rule expressions run: `compiled` (default: the closure compiler, fhirpath.js for what it
   * declines), `reference` (fhirpath.js only) or `verify` (both, differences reported to onMismatch).
   */
  engine?: ExpressionEngine
  onMismatch?: (m: Mismatch & { indication: string, path: string }) => void
  /**
   * fhirpath.parse, or a cached equivalent (src/definitions/load.ts keeps the syntax trees in the
   * start-up cache: the ANTLR parser costs ~0.7 ms per expression, a quarter-second for the catalogue).
   */
  parseFhirPath?: (expression: string) => unknown
}

/** An expression the compiler declined: it runs on fhirpath.js. Listed so tests and reviewers see them. */
export interface ReferenceOnly { indication: string, path: string, reason: string }

export interface CompiledCriterion {
  def: CriterionDefinition
  /** `applies`: false → not-applicable (evaluate.ts). */
  applies?: CompiledExpression
  run?: CompiledExpression
  evidence?: CompiledExpression
  /** Resource types this criterion reads, directly or through variables. */
  reads: string[]
  /** Variables this criterion reads, directly or through other variables: their "too old" evidence is its own. */
  variables: string[]
  /** A composite's parts (compositionParts of its composition), computed once. */
  parts?: readonly string[]
}

export interface CompiledIndication {
  def: IndicationDefinition
  data: Array<{ name: string, req: DataRequirement, valueSet?: CompiledValueSet, key: string }>
  variables: Array<{ name: string, run: CompiledExpression }>
  matches: CompiledExpression
  /** The data requirements `matches` reads (only these are retrieved for an indication that does not match), and the rest. */
  matchData: CompiledIndication['data']
  otherData: CompiledIndication['data']
  /**
   * Every name an expression of this indication may read (built-ins, data, variables), in order,
   * each undefined: an evaluation's environment starts as a copy, so filling it in stores to
   * existing properties instead of growing a dictionary-mode object one name at a time. The
   * engine's own keys (symbols: the stale sink, the compiled path's frame, the evaluation's memo,
   * age range and organisation index) are there too, so that setting them does not grow the copy.
   */
  envTemplate: Readonly<Record<string | symbol, undefined>>
  matchEvidence?: CompiledExpression
  criteria: Map<string, CompiledCriterion>
  advice: Array<{ def: NonNullable<IndicationDefinition['advice']>[number], when?: CompiledExpression }>
  related: Array<{ def: NonNullable<IndicationDefinition['related']>[number], when?: CompiledExpression }>
}

export interface CompiledCatalogue {
  indications: CompiledIndication[]
  valueSets: ReadonlyMap<string, CompiledValueSet>
  defaultIntervals: ReadonlyMap<string, Interval[]>
  /** Display of every code the catalogue names, by normalised `system|code`: evidence shows names, not bare codes. */
  displays: ReadonlyMap<string, string>
  settings: CatalogueSettings
  /** Expressions left to fhirpath.js by the compiler (empty for the shipped catalogue: a test says so). */
  referenceOnly: ReferenceOnly[]
  /** How many expressions the compiler turned into closures. */
  compiledExpressions: number
}

/** Result type of each domain function on the compiled path; 'input' = a filter of its input. */
const FUNCTION_TYPES: Record<string, TypeSet | 'input'> = {
  inValueSet: BOOLEAN,
  clinicalDate: DATE_TIME,
  latest: 'input',
  since: 'input',
  numericValue: DECIMAL,
  normality: STRING,
  attestation: BOOLEAN,
  recentAs: 'input',
  ageAtOnset: INTEGER,
  inOrganizationList: BOOLEAN,
  onList: BOOLEAN,
  ageIs: BOOLEAN,
  morphology: types('Coding')
}

/**
 * Variables every expression may use (see evaluate.ts baseEnvironment): the resource types each
 * reads, and its static FHIRPath type for the compiled path.
 */
export const BUILTIN_VARIABLES: Record<string, { reads: string[], type: TypeSet }> = {
  patient: { reads: ['Patient'], type: types('Patient') },
  now: { reads: [], type: DATE_TIME },
  today: { reads: [], type: DATE_TIME },
  ageYears: { reads: ['Patient'], type: INTEGER },
  performanceStatusSince: { reads: [], type: DATE_TIME },
  practitionerRoles: { reads: ['PractitionerRole'], type: types('PractitionerRole') },
  organizations: { reads: ['Organization', 'PractitionerRole'], type: types('Organization') },
  order: { reads: [], type: ANY },
  // The resources the draft order's supportingInfo references (evidence-age.ts): always current.
  orderEvidence: { reads: [], type: types('Observation', 'Procedure', 'DiagnosticReport', 'Condition') }
}

/** Keys evaluate.ts and the compiled path set on an indication's environment besides the %names (envTemplate). */
const ENGINE_KEYS: readonly symbol[] = [AGE_RANGE, ORGANIZATION_INDEX, EXPRESSION_MEMO, STALE, FRAME]

/** A definition problem found while compiling: which indication, where, what. */
export class CatalogueError extends Error {
  constructor (readonly indication: string, readonly path: string, message: string) {
    super(`${indication}: ${path}: ${message}`)
    this.name = 'CatalogueError'
  }
}

// now() / today() / timeOfDay() read the clock; evaluation must be a pure function of its inputs.
const CLOCK_FUNCTIONS = /\b(now|today|timeOfDay)\s*\(/

export function compileCatalogue (input: CatalogueInput): CompiledCatalogue {
  const valueSets = compileValueSets(input.valueSets)
  const defaultIntervals = intervalsFrom(input.observationDefinitions)
  const userInvocationTable = {
    ...domainFunctions({ valueSets, defaultIntervals }),
    ...organizationFunctions(input.organizationLists, valueSets)
  }
  const engine = input.engine ?? 'compiled'
  const parse = input.parseFhirPath ?? ((e: string): unknown => fhirpath.parse(e))
  const referenceOnly: ReferenceOnly[] = []
  let compiledExpressions = 0
  // Only an expression declared more than once can be reused within an evaluation: the others run unwrapped.
  const declared = declaredExpressions(input.indications)
  const compileExpr = (indication: string, path: string, text: string, variables: ReadonlyMap<string, TypeSet>): TypedExpression => {
    // `%ageYears >= 18` is settled by a year-only birthDate when both possible ages agree.
    const expr = rewriteAgeComparisons(text)
    if (CLOCK_FUNCTIONS.test(expr)) throw new CatalogueError(indication, path, 'use %now / %today, not now() / today(): evaluation must not read the clock')
    for (const url of expr.matchAll(/inValueSet\('([^']+)'\)/g)) {
      if (!valueSets.has(url[1]!)) throw new CatalogueError(indication, path, `unknown ValueSet ${url[1]}`)
    }
    const compileReference = (): CompiledExpression => {
      try {
        return fhirpath.compile(expr, r4, { userInvocationTable, resolveInternalTypes: false } as any) as unknown as CompiledExpression
      } catch (err) {
        throw new CatalogueError(indication, path, `FHIRPath does not compile: ${(err as Error).message}`)
      }
    }
    let fast: ReturnType<typeof compileFast>
    try {
      fast = compileFast(expr, { variables, functions: userInvocationTable as Record<string, DomainFunction>, functionTypes: FUNCTION_TYPES }, parse(expr))
    } catch (err) {
      throw new CatalogueError(indication, path, `FHIRPath does not compile: ${(err as Error).message}`)
    }
    // fhirpath.js is needed up front only where the compiler declined (or to verify); otherwise it is
    // compiled on first use — a record the closures hand over — which keeps its parse out of start-up.
    let reference: CompiledExpression
    if ('unsupported' in fast || engine !== 'compiled') reference = compileReference()
    else {
      let compiledReference: CompiledExpression | undefined
      reference = (r, e) => (compiledReference ??= compileReference())(r, e)
    }
    if ('unsupported' in fast) referenceOnly.push({ indication, path, reason: fast.unsupported })
    else compiledExpressions++
    const onMismatch = input.onMismatch ? (m: Mismatch) => input.onMismatch!({ ...m, indication, path }) : undefined
    const compiled = 'unsupported' in fast ? undefined : fast
    // Reused within one evaluation where another indication runs the same expression on the same values.
    const run = runnable(expr, compiled, reference, engine, onMismatch)
    return { run: (declared.get(text) ?? 0) > 1 ? memoised(expr, run) : run, type: compiled?.type ?? ANY }
  }
  const ids = new Set<string>()
  const indications = input.indications.map((def) => {
    if (ids.has(def.id)) throw new CatalogueError(def.id, 'id', 'duplicate indication id')
    ids.add(def.id)
    return compileIndication(def, valueSets, compileExpr)
  })
  return { indications, valueSets, defaultIntervals, displays: codeDisplays(input), settings: input.settings, referenceOnly, compiledExpressions }
}

/** How often each expression text is declared across the catalogue's indications. */
function declaredExpressions (indications: IndicationDefinition[]): Map<string, number> {
  const out = new Map<string, number>()
  const add = (e: string | undefined): void => { if (e) out.set(e, (out.get(e) ?? 0) + 1) }
  for (const d of indications) {
    add(d.matches)
    add(d.matchEvidence)
    for (const e of Object.values(d.variables ?? {})) add(e)
    for (const c of d.criteria) { add(c.applies); add(c.expression); add(c.evidence) }
    for (const a of d.advice ?? []) add(a.when)
    for (const r of d.related ?? []) add(r.when)
  }
  return out
}

/** CodeSystem concepts first (the project's own names), then ValueSet concepts, then performance-status answers. */
function codeDisplays (input: CatalogueInput): Map<string, string> {
  const out = new Map<string, string>()
  const add = (system: string | undefined, code: string | undefined, display: string | undefined): void => {
    const key = codingKey(system, code)
    if (key && display && !out.has(key)) out.set(key, display)
  }
  for (const cs of input.codeSystems ?? []) for (const c of cs.concept ?? []) add(cs.url, c.code, c.display)
  for (const vs of input.valueSets) {
    for (const inc of vs.compose?.include ?? []) for (const c of inc.concept ?? []) add(inc.system, c.code, c.display)
  }
  for (const [key, display] of performanceAnswerDisplays()) if (!out.has(key)) out.set(key, display)
  return out
}

function compileIndication (
  def: IndicationDefinition,
  valueSets: ReadonlyMap<string, CompiledValueSet>,
  compileExprTyped: ExpressionCompiler
): CompiledIndication {
  // Static types of every %name, built up as data and variables are declared (for the compiled path).
  const typesOf = new Map<string, TypeSet>(Object.entries(BUILTIN_VARIABLES).map(([n, v]) => [n, v.type]))
  for (const [name, req] of Object.entries(def.data)) typesOf.set(name, types(req.resourceType))
  const compileExpr = (indication: string, path: string, expr: string): CompiledExpression => compileExprTyped(indication, path, expr, typesOf).run
  const data = Object.entries(def.data).map(([name, req]) => {
    if (name in BUILTIN_VARIABLES) throw new CatalogueError(def.id, `data.${name}`, 'shadows a built-in variable')
    const valueSet = req.valueSet ? valueSets.get(req.valueSet) : undefined
    if (req.valueSet && !valueSet) throw new CatalogueError(def.id, `data.${name}.valueSet`, `unknown ValueSet ${req.valueSet}`)
    return { name, req, valueSet, key: retrievalKey(req) }
  })
  // Which resource types each name reads, built up as variables are declared.
  const reads = new Map<string, string[]>(Object.entries(BUILTIN_VARIABLES).map(([n, v]) => [n, v.reads]))
  for (const d of data) reads.set(d.name, [d.req.resourceType])
  const readsOf = (path: string, expr: string): string[] => {
    const out = new Set<string>()
    for (const m of expr.matchAll(/%([A-Za-z][A-Za-z0-9_]*)/g)) {
      const types = reads.get(m[1]!)
      if (!types) throw new CatalogueError(def.id, path, `unknown variable %${m[1]}`)
      types.forEach((t) => out.add(t))
    }
    return [...out]
  }
  // `matches` runs before the variables are computed (it decides whether they are needed at all),
  // so it may only read data requirements and built-ins: checked here, not discovered at request time.
  readsOf('matches', def.matches)
  const readByMatches = (name: string): boolean => new RegExp(`%${name}\\b`).test(def.matches)
  // Which variables each variable reads, transitively (for the "too old" evidence of windows in variables).
  const variableDeps = new Map<string, string[]>()
  const variablesOf = (expr: string): string[] => {
    const out = new Set<string>()
    for (const m of expr.matchAll(/%([A-Za-z][A-Za-z0-9_]*)/g)) {
      const deps = variableDeps.get(m[1]!)
      if (deps) { out.add(m[1]!); deps.forEach((d) => out.add(d)) }
    }
    return [...out]
  }
  const variables = Object.entries(def.variables ?? {}).map(([name, expr]) => {
    const path = `variables.${name}`
    if (reads.has(name)) throw new CatalogueError(def.id, path, 'name already used')
    variableDeps.set(name, variablesOf(expr))
    const readTypes = readsOf(path, expr)
    const { run, type } = compileExprTyped(def.id, path, expr, typesOf)
    typesOf.set(name, type)
    reads.set(name, readTypes)
    return { name, run }
  })
  const criteria = new Map<string, CompiledCriterion>()
  def.criteria.forEach((c, i) => {
    const path = `criteria[${i}]`
    if (criteria.has(c.id)) throw new CatalogueError(def.id, `${path}.id`, `duplicate criterion id ${c.id}`)
    if (Boolean(c.expression) === Boolean(c.composition)) throw new CatalogueError(def.id, path, 'needs exactly one of expression or composition')
    if (c.applies) readsOf(`${path}.applies`, c.applies)
    criteria.set(c.id, {
      def: c,
      applies: c.applies ? compileExpr(def.id, `${path}.applies`, c.applies) : undefined,
      run: c.expression ? compileExpr(def.id, `${path}.expression`, c.expression) : undefined,
      evidence: c.evidence ? compileExpr(def.id, `${path}.evidence`, c.evidence) : undefined,
      reads: [...(c.expression ? readsOf(`${path}.expression`, c.expression) : [])],
      variables: c.expression ? variablesOf(c.expression) : [],
      ...(c.composition ? { parts: Object.freeze(compositionParts(c.composition)) } : {})
    })
    if (c.evidence) readsOf(`${path}.evidence`, c.evidence)
  })
  def.criteria.forEach((c, i) => {
    if (c.composition) checkComposition(def.id, `criteria[${i}].composition`, c.composition, criteria, new Set([c.id]))
  })
  for (const [i, r] of (def.related ?? []).entries()) if (r.when) readsOf(`related[${i}].when`, r.when)
  for (const [i, a] of (def.advice ?? []).entries()) if (a.when) readsOf(`advice[${i}].when`, a.when)
  return {
    def,
    data,
    variables,
    matches: compileExpr(def.id, 'matches', def.matches),
    envTemplate: Object.fromEntries([...Object.keys(BUILTIN_VARIABLES), ...data.map((d) => d.name), ...variables.map((v) => v.name), ...ENGINE_KEYS].map((n) => [n, undefined])),
    matchData: data.filter((d) => readByMatches(d.name)),
    otherData: data.filter((d) => !readByMatches(d.name)),
    matchEvidence: def.matchEvidence ? compileExpr(def.id, 'matchEvidence', def.matchEvidence) : undefined,
    criteria,
    advice: (def.advice ?? []).map((a, i) => ({ def: a, when: a.when ? compileExpr(def.id, `advice[${i}].when`, a.when) : undefined })),
    related: (def.related ?? []).map((r, i) => ({ def: r, when: r.when ? compileExpr(def.id, `related[${i}].when`, r.when) : undefined }))
  }
}

/** Composition parts must exist and must not (transitively) contain the composite itself. */
function checkComposition (indication: string, path: string, node: Composition | string, criteria: Map<string, CompiledCriterion>, seen: Set<string>): void {
  if (typeof node === 'string') {
    const part = criteria.get(node)
    if (!part) throw new CatalogueError(indication, path, `unknown criterion ${node}`)
    if (seen.has(node)) throw new CatalogueError(indication, path, `composition cycle through ${node}`)
    if (part.def.composition) checkComposition(indication, path, part.def.composition, criteria, new Set([...seen, node]))
    return
  }
  const parts = 'all' in node ? node.all : 'any' in node ? node.any : [node.not]
  parts.forEach((p, i) => checkComposition(indication, `${path}[${i}]`, p, criteria, seen))
}

/** The criterion ids a composition refers to, depth first. */
export function compositionParts (node: Composition | string): string[] {
  if (typeof node === 'string') return [node]
  const parts = 'all' in node ? node.all : 'any' in node ? node.any : [node.not]
  return parts.flatMap(compositionParts)
}
