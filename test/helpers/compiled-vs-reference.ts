/**
 * One FHIRPath expression run by the compiled path in 'verify' mode, which runs fhirpath.js beside it:
 * the result, the differences verify found, and whether the compiled path handed the expression to
 * fhirpath.js (declined). For the compiler's unit tests (test/core/).
 */
import fhirpath from 'fhirpath'
import r4 from 'fhirpath/fhir-context/r4'
import { compileFast } from '../../src/core/fhirpath-compiler/compile.js'
import { runnable, compiledPathCounters, ROOT_RESOURCE, type Mismatch } from '../../src/core/fhirpath-compiler/expression.js'
import type { TypeSet } from '../../src/core/fhirpath-compiler/static-types.js'

export interface VerifiedRun { result: unknown[], mismatches: Mismatch[], declined: number }

export function verifiedRunner (variables: ReadonlyMap<string, TypeSet>): (expr: string, env: Record<string, unknown>) => VerifiedRun {
  return (expr, env) => {
    const fast = compileFast(expr, { variables, functions: {}, functionTypes: {} })
    if ('unsupported' in fast) throw new Error(`not compiled: ${fast.unsupported}`)
    const reference = fhirpath.compile(expr, r4 as any, { resolveInternalTypes: false } as any) as unknown as (r: unknown, e: Record<string, unknown>) => unknown[]
    const mismatches: Mismatch[] = []
    const before = compiledPathCounters.declined
    const result = runnable(expr, fast, reference, 'verify', (m) => mismatches.push(m))(ROOT_RESOURCE, env)
    return { result, mismatches, declined: compiledPathCounters.declined - before }
  }
}
