/**
 * One evaluation, many indications: the same rule expression (the record's observations filtered
 * by a ValueSet, `%now - 365 days`, …) is declared by several indications and would be run again by
 * each. Expressions are pure functions of the %variables they name and of the evaluation's
 * built-ins (clock, patient, order, organisations: the same for every indication of one evaluation),
 * so a run is reused when the expression text is the same and every %variable it names holds the very
 * same value (by identity: data retrievals are memoised per record, so two indications' `%conditions`
 * of the same requirement are one array). What the run reported to the stale sink (windows'
 * rejected resources, warnings) is replayed on every reuse, so each criterion's card reads the same.
 * The memo lives on the evaluation's base environment: nothing outlives one evaluate() call.
 */
import { recordStale, recordWarning, STALE, type StaleSink } from './evidence-age.js'
import { ROOT_RESOURCE } from './fhirpath-compiler/expression.js'

type Expression = (resource: unknown, env: Record<string, unknown>) => unknown[]

/** Environment key (a symbol: invisible to FHIRPath) of the evaluation's memo. */
export const EXPRESSION_MEMO = Symbol('expression results of this evaluation')

interface Entry { deps: unknown[], out: unknown[], sink: StaleSink }
export type ExpressionMemo = Map<object, Entry[]>

/** A fresh memo for one evaluation (evaluate.ts puts it on the base environment). */
export function expressionMemo (): ExpressionMemo { return new Map() }

// One key object per expression text, shared by every declaration of it: the memo is looked up by
// identity instead of hashing and comparing the (long) text on every run.
const KEYS = new Map<string, object>()

/** `run`, reusing its result within one evaluation; `text` is the expression as compiled. */
export function memoised (text: string, run: Expression): Expression {
  const names = [...new Set([...text.matchAll(/%([A-Za-z][A-Za-z0-9_]*)/g)].map((m) => m[1]!))]
  let key = KEYS.get(text)
  if (key === undefined) KEYS.set(text, key = Object.freeze({ text }))
  const memoKey = key
  return (resource, env) => {
    const vars = env as Record<string | symbol, unknown>
    const memo = vars[EXPRESSION_MEMO] as ExpressionMemo | undefined
    if (memo === undefined || resource !== ROOT_RESOURCE) return run(resource, env)
    let entries = memo.get(memoKey)
    if (entries) {
      // Compared in place: the values are collected into an array only for a run that is kept.
      for (const e of entries) {
        if (sameDeps(e.deps, names, vars)) {
          replay(e.sink, vars)
          return e.out
        }
      }
    } else memo.set(memoKey, entries = [])
    const deps = names.map((n) => vars[n])
    // Run with a sink of its own, to learn what this expression reports, then pass that on.
    const outer = vars[STALE]
    const local: StaleSink = { items: undefined, warnings: undefined }
    vars[STALE] = local
    let out: unknown[]
    try {
      out = run(resource, env)
    } finally {
      vars[STALE] = outer
      replay(local, vars)
    }
    entries.push({ deps, out, sink: local })
    return out
  }
}

function sameDeps (deps: unknown[], names: string[], vars: Record<string, unknown>): boolean {
  for (let i = 0; i < names.length; i++) if (deps[i] !== vars[names[i]!]) return false
  return true
}

function replay (from: StaleSink, vars: Record<string | symbol, unknown>): void {
  const sink = vars[STALE] as StaleSink | undefined
  if (!sink) return
  if (from.items) for (const [r, show] of from.items) recordStale(sink, r, show)
  if (from.warnings) for (const w of from.warnings) recordWarning(vars, w)
}
