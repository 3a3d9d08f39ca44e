/**
 * One rule expression as the engine runs it: the compiled closure when the
 * compiler accepted it, fhirpath.js otherwise, and fhirpath.js again whenever
 * the compiled closure declines a particular record (`Bail`) or fails — so a
 * record the compiled path cannot promise to read exactly like fhirpath.js is
 * read by fhirpath.js. `verify` runs both on every call and reports any
 * difference: the differential tests run the catalogue that way.
 */
import fhirpath from 'fhirpath'
import type { FastExpression, Frame } from './compile.js'
import { markReferenceOutput } from './operations.js'
import { isTemporal } from '../fhirpath-values.js'

export type ExpressionEngine = 'compiled' | 'reference' | 'verify'

/** fhirpath.js compiled expression: `(resource, env) => collection`. */
export type ReferenceExpression = (resource: unknown, env: Record<string, unknown>) => unknown[]

export interface Mismatch { expression: string, compiled: unknown[], reference: unknown[] | string }

const { valData, valDataConverted } = fhirpath.util as typeof fhirpath.util & { valDataConverted: (v: unknown) => unknown }

/**
 * Process-wide counts of compiled-path runs and of runs it handed to fhirpath.js: the differential
 * tests check both engines agree *and* that the compiled path did the work (a compiler declining
 * every record would agree trivially).
 */
export const compiledPathCounters = { runs: 0, declined: 0 }

// One frame per environment (an indication's evaluation), kept on the environment itself under a
// symbol (invisible to fhirpath.js, which reads variables by name) instead of allocated per expression.
export const FRAME = Symbol('compiled FHIRPath frame')
function frameOf (env: Record<string | symbol, unknown>): Frame {
  let frame = env[FRAME] as Frame | undefined
  if (frame === undefined) {
    frame = { env: env as Record<string, unknown>, fnThis: { vars: env as Record<string, unknown> }, slots: undefined, slotsOf: undefined }
    env[FRAME] = frame
  }
  return frame
}

/**
 * Rule expressions read everything from %variables: their root resource is this empty object
 * (evaluate.ts passes it; fhirpath.js gets it as is). Any other root goes to fhirpath.js.
 */
export const ROOT_RESOURCE: Readonly<Record<string, never>> = Object.freeze({})
const ROOT: readonly unknown[] = Object.freeze([ROOT_RESOURCE])

export function runnable (
  text: string,
  fast: FastExpression | undefined,
  reference: ReferenceExpression,
  engine: ExpressionEngine,
  onMismatch?: (m: Mismatch) => void
): ReferenceExpression {
  if (engine === 'reference') return reference
  const marked: ReferenceExpression = (resource, env) => {
    const out = reference(resource, env)
    markReferenceOutput(out)
    return out
  }
  if (!fast) return marked
  const run = fast.run
  const compiled: ReferenceExpression = (resource, env) => {
    if (resource !== ROOT_RESOURCE) return marked(resource, env)
    compiledPathCounters.runs++
    try {
      return run(ROOT, frameOf(env)) as unknown[]
    } catch {
      compiledPathCounters.declined++
      // Bail (a record outside what the compiled path promises) or any failure: the reference decides,
      // including whether the expression fails on this record.
      return marked(resource, env)
    }
  }
  if (engine === 'compiled') return compiled
  return (resource, env) => {
    const mine = compiled(resource, env)
    let theirs: unknown[] | string
    try { theirs = reference(resource, env) } catch (err) { theirs = `error: ${(err as Error).message}` }
    if (typeof theirs === 'string' || !sameCollection(mine, theirs)) onMismatch?.({ expression: text, compiled: mine, reference: theirs })
    return mine
  }
}

function asNumber (v: unknown): number | undefined {
  if (typeof v === 'number') return v
  if (typeof v === 'object' && v !== null && /Decimal/.test(v.constructor.name)) return Number(String(v))
  return undefined
}

/** Same items in the same order: resources by identity, primitives by value, dates by their text. */
function sameCollection (a: unknown[], b: unknown[]): boolean {
  if (a.length !== b.length) return false
  return a.every((x, i) => {
    const mine = valData(x)
    // A FHIR date leaves the compiled path as the value fhirpath.js converts its date node to.
    return sameItem(mine, isTemporal(mine) ? valDataConverted(b[i]) : valData(b[i]))
  })
}

function sameItem (x: unknown, y: unknown): boolean {
  if (x === y) return true
  // fhirpath.js keeps number literals and sums as FP_Decimal objects; the compiled path as numbers.
  const [nx, ny] = [asNumber(x), asNumber(y)]
  if (nx !== undefined && ny !== undefined) return nx === ny
  if (typeof x === 'object' && x !== null && typeof y === 'object' && y !== null &&
    x.constructor === y.constructor && x.constructor !== Object && x.constructor !== Array) {
    return String(x) === String(y) // fhirpath.js value classes (FP_DateTime …) print their value
  }
  return false
}
