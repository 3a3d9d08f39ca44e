/**
 * Benchmark 1 — core evaluation: index the record (buildRecord) and evaluate
 * every indication (evaluate) for synthetic patients of several sizes, in this
 * process, one evaluation at a time (one core); and a CPU profile of it.
 *
 * Every evaluation is followed by one run of a fixed reference workload (REFERENCE_WORKLOAD:
 * JSON.parse of a fixed 150-resource hook request body), so each size also reports its median and
 * p99 as a ratio to the reference's median measured in the same run, between the same evaluations:
 * a figure that does not depend on the CPU model (issue 18), beside the absolute milliseconds.
 */
import { Session } from 'node:inspector/promises'
import { writeFileSync } from 'node:fs'
import * as srcConfig from '../src/config/config.js'
import * as srcBuild from '../src/definitions/rules-for-config.js'
import * as srcRecord from '../src/core/record.js'
import * as srcEvaluate from '../src/core/evaluate.js'
import type { ServerBuild } from './processes.js'
import type { LoadedRules } from '../src/definitions/load.js'
import type { CompiledExpression, CompiledIndication } from '../src/core/compile.js'
import type { Patient } from '../src/core/fhir.js'
import { BENCH_NOW, generatePatient, matchingDiagnoses, realisticDiagnoses, wgsDraftOrder } from './synthetic-patient.js'
import { quantile, round } from './stats.js'
import { summariseProfile, type CpuProfile, type ProfileSummary } from './profile-summary.js'

export interface CoreSizeResult {
  /** Resources in the record besides the Patient. */
  resources: number
  iterations: number
  /** Indications that matched (and were evaluated in full) / indications in the catalogue. */
  matched: number
  indications: number
  /** Whole evaluation: buildRecord + evaluate, ms. */
  medianMs: number
  p99Ms: number
  maxMs: number
  /** Median of the record index (buildRecord) alone, ms. */
  indexMedianMs: number
  /** medianMs / resources, µs. */
  usPerResource: number
  /** CPU time of the process per evaluation (process.cpuUsage: user + system, V8's GC helper threads included), ms. */
  cpuMedianMs: number
  cpuP99Ms: number
  /** The reference workload, timed once after each evaluation of this size: median and p99, ms. */
  referenceMedianMs: number
  referenceP99Ms: number
  /** medianMs / referenceMedianMs and p99Ms / referenceMedianMs: the evaluation in reference units. */
  medianRatio: number
  p99Ratio: number
}

/** What the reference workload is, as the report states it. */
export const REFERENCE_WORKLOAD = 'one `JSON.parse` of a fixed 150-resource order-select request body (the realistic patient of synthetic-patient.ts, seed 42; about 77 KB)'

let referenceBody: string | undefined
/**
 * The reference body: fixed by the synthetic-patient generator alone (realisticDiagnoses() is a fixed
 * list, not read from the rules), so a rule change does not change the unit the core is measured in.
 */
function referenceText (): string {
  if (referenceBody === undefined) {
    const p = generatePatient(150, realisticDiagnoses(), 42)
    referenceBody = JSON.stringify({
      hook: 'order-select',
      hookInstance: '00000000-0000-4000-8000-000000000000',
      context: { userId: 'Practitioner/bench', patientId: String(p.patient.id), selections: ['ServiceRequest/bench-wgs-order-1'], draftOrders: { resourceType: 'Bundle', type: 'collection', entry: [{ resource: wgsDraftOrder() }] } },
      prefetch: { patient: p.patient, records: { resourceType: 'Bundle', type: 'searchset', entry: p.resources.map((resource) => ({ resource })) } }
    })
  }
  return referenceBody
}

/** One run of the reference workload, ms. */
export function referenceOnce (): number {
  const text = referenceText()
  const t0 = performance.now()
  const parsed = JSON.parse(text) as { hook?: unknown }
  const ms = performance.now() - t0
  if (parsed.hook !== 'order-select') throw new Error('reference workload: unexpected parse result')
  return ms
}

export interface CoreOptions {
  sizes: number[]
  /** Time budget per size (ms), after warm-up; at least minIterations are run. */
  budgetMs: number
  minIterations: number
  maxIterations: number
}

/**
 * The engine under test: the production build (`dist/`, what `npm start` and the container run,
 * compiled by tsc) or the TypeScript sources through tsx. tsx's transform wraps every function
 * created at run time in a naming helper (`__name`), which alone cost ~8 % of core time in a
 * profile: the figures that matter are the production build's.
 */
let engine = { loadConfig: srcConfig.loadConfig, loadRulesFor: srcBuild.loadRulesFor, buildRecord: srcRecord.buildRecord, evaluate: srcEvaluate.evaluate }

export async function useBuild (build: ServerBuild): Promise<void> {
  if (build !== 'dist') return
  const dist = '../dist'
  engine = {
    loadConfig: (await import(`${dist}/config/config.js`) as typeof srcConfig).loadConfig,
    loadRulesFor: (await import(`${dist}/definitions/rules-for-config.js`) as typeof srcBuild).loadRulesFor,
    buildRecord: (await import(`${dist}/core/record.js`) as typeof srcRecord).buildRecord,
    evaluate: (await import(`${dist}/core/evaluate.js`) as typeof srcEvaluate).evaluate
  }
}

/** The rules as the service runs them, or with every expression on fhirpath.js (`reference`, for the same-run comparison). */
export function loadBenchRules (fhirpathEngine: 'compiled' | 'reference' = 'compiled'): LoadedRules {
  return engine.loadRulesFor(engine.loadConfig({ FHIRPATH_ENGINE: fhirpathEngine }))
}

/** One timed evaluation, as the hook handler does it: index the record, evaluate for the order. */
function evaluateOnce (rules: LoadedRules, template: ReturnType<typeof generatePatient>, order: ReturnType<typeof wgsDraftOrder>): { totalMs: number, indexMs: number, cpuMs: number, matched: number } {
  // A fresh copy per evaluation, made before the clock starts: a request's record is new objects
  // (JSON.parse), so the engine's per-resource memos must not carry over from the previous run.
  const p = { patient: structuredClone(template.patient), resources: structuredClone(template.resources) }
  const cpu0 = process.cpuUsage()
  const t0 = performance.now()
  const record = engine.buildRecord({ patient: p.patient as unknown as Patient, resources: p.resources })
  const t1 = performance.now()
  const results = engine.evaluate(rules.catalogue, record, BENCH_NOW, { order })
  const t2 = performance.now()
  const cpu = process.cpuUsage(cpu0)
  return { totalMs: t2 - t0, indexMs: t1 - t0, cpuMs: (cpu.user + cpu.system) / 1000, matched: results.length }
}

/**
 * @param diagnoses - which indications the patient matches: by default one
 *   diagnosis per indication (every indication evaluated in full, the worst case).
 */
export function runCore (rules: LoadedRules, opts: CoreOptions, diagnoses = matchingDiagnoses(rules)): CoreSizeResult[] {
  const order = wgsDraftOrder()
  return opts.sizes.map((size) => {
    const patient = generatePatient(size, diagnoses)
    // Warm-up: let V8 optimise the paths for this record shape.
    const warmUntil = performance.now() + Math.min(opts.budgetMs / 4, 1000)
    let warm = 0
    while (warm < 3 || (performance.now() < warmUntil && warm < opts.maxIterations)) { evaluateOnce(rules, patient, order); referenceOnce(); warm++ }
    const totals: number[] = []
    const indexes: number[] = []
    const cpus: number[] = []
    const references: number[] = []
    let matched = 0
    const until = performance.now() + opts.budgetMs
    while (totals.length < opts.minIterations || (performance.now() < until && totals.length < opts.maxIterations)) {
      const r = evaluateOnce(rules, patient, order)
      totals.push(r.totalMs)
      indexes.push(r.indexMs)
      cpus.push(r.cpuMs)
      matched = r.matched
      references.push(referenceOnce())
    }
    const median = quantile(totals, 0.5)
    const reference = quantile(references, 0.5)
    return {
      resources: size,
      iterations: totals.length,
      matched,
      indications: rules.catalogue.indications.length,
      medianMs: round(median, 3),
      p99Ms: round(quantile(totals, 0.99), 3),
      maxMs: round(Math.max(...totals), 3),
      indexMedianMs: round(quantile(indexes, 0.5), 3),
      usPerResource: round((median / size) * 1000, 2),
      cpuMedianMs: round(quantile(cpus, 0.5), 3),
      cpuP99Ms: round(quantile(cpus, 0.99), 3),
      referenceMedianMs: round(reference, 3),
      referenceP99Ms: round(quantile(references, 0.99), 3),
      medianRatio: round(median / reference, 2),
      p99Ratio: round(quantile(totals, 0.99) / reference, 2)
    }
  })
}

/**
 * Profile evaluation alone with the V8 sampling profiler (what --cpu-prof
 * records, started and stopped around the loop so that loading and compiling
 * the rules stay out of it). Writes the .cpuprofile (open it in Chrome
 * DevTools) and returns its summary.
 */
export async function profileCore (rules: LoadedRules, size: number, durationMs: number, file: string): Promise<ProfileSummary & { iterations: number, file: string }> {
  const patient = generatePatient(size, matchingDiagnoses(rules))
  const order = wgsDraftOrder()
  for (let i = 0; i < 20; i++) evaluateOnce(rules, patient, order)
  const session = new Session()
  session.connect()
  try {
    await session.post('Profiler.enable')
    await session.post('Profiler.setSamplingInterval', { interval: 100 })
    await session.post('Profiler.start')
    let iterations = 0
    const until = performance.now() + durationMs
    while (iterations < 5 || performance.now() < until) { evaluateOnce(rules, patient, order); iterations++ }
    const { profile } = await session.post('Profiler.stop')
    writeFileSync(file, JSON.stringify(profile))
    return { ...summariseProfile(profile as unknown as CpuProfile, 15), iterations, file }
  } finally {
    session.disconnect()
  }
}

export interface ExpressionCost { expression: string, msPerEvaluation: number, share: number }

/**
 * Time spent in each compiled FHIRPath expression (indication.matches,
 * variables, criteria and their evidence, advice/related conditions) per
 * evaluation, on an instrumented copy of the catalogue: which rules cost most.
 */
export function expressionCosts (rules: LoadedRules, size: number, iterations: number, top = 12): { evaluationMs: number, inExpressionsMs: number, top: ExpressionCost[] } {
  const times = new Map<string, number>()
  const wrap = (key: string, f: CompiledExpression | undefined): CompiledExpression | undefined => f && ((r, e) => {
    const t0 = performance.now()
    try { return f(r, e) } finally { times.set(key, (times.get(key) ?? 0) + performance.now() - t0) }
  })
  const indications: CompiledIndication[] = rules.catalogue.indications.map((ind) => {
    const id = ind.def.id
    return {
      ...ind,
      matches: wrap(`${id} matches`, ind.matches)!,
      matchEvidence: wrap(`${id} matchEvidence`, ind.matchEvidence),
      variables: ind.variables.map((v) => ({ ...v, run: wrap(`${id} variables.${v.name}`, v.run)! })),
      criteria: new Map([...ind.criteria].map(([k, c]) => [k, { ...c, run: wrap(`${id} ${k}`, c.run), evidence: wrap(`${id} ${k}.evidence`, c.evidence) }])),
      advice: ind.advice.map((a) => ({ ...a, when: wrap(`${id} advice.${a.def.id}`, a.when) })),
      related: ind.related.map((r) => ({ ...r, when: wrap(`${id} related.${r.def.indication}`, r.when) }))
    }
  })
  const instrumented: LoadedRules = { ...rules, catalogue: { ...rules.catalogue, indications } }
  const patient = generatePatient(size, matchingDiagnoses(rules))
  const order = wgsDraftOrder()
  for (let i = 0; i < 10; i++) evaluateOnce(instrumented, patient, order)
  times.clear()
  // The evaluations' own time (evaluateOnce's clock), not the fresh copies made between them.
  let total = 0
  for (let i = 0; i < iterations; i++) total += evaluateOnce(instrumented, patient, order).totalMs
  const evaluationMs = total / iterations
  const inExpressions = [...times.values()].reduce((a, b) => a + b, 0) / iterations
  return {
    evaluationMs: round(evaluationMs, 3),
    inExpressionsMs: round(inExpressions, 3),
    top: [...times].sort((a, b) => b[1] - a[1]).slice(0, top).map(([expression, ms]) => ({
      expression,
      msPerEvaluation: round(ms / iterations, 3),
      share: round(ms / iterations / evaluationMs, 3)
    }))
  }
}
