/**
 * Operators compiled with one closure per operator, a constant right operand passed as it is
 * (fhirpath-compiler/compile.ts `specialised`), and exists(criterion) without a copy of what
 * where() keeps: fhirpath.js's answers, including where the right operand is not constant because
 * it depends on `$this` (so it must be evaluated per item) and where a later item hands the
 * expression to fhirpath.js after an earlier one already satisfied exists().
 */
import t from 'tap'
import { compileFast } from '../../src/core/fhirpath-compiler/compile.js'
import { verifiedRunner } from '../helpers/compiled-vs-reference.js'
import { runnable, ROOT_RESOURCE } from '../../src/core/fhirpath-compiler/expression.js'
import { BOOLEAN, INTEGER, STRING, types } from '../../src/core/fhirpath-compiler/static-types.js'

const variables = new Map(Object.entries({ c: types('Condition'), n: INTEGER, s: STRING, b: BOOLEAN }))

const both = verifiedRunner(variables)

const condition = (id: string, code: string, status: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  resourceType: 'Condition', id, code: { coding: [{ code }], text: status }, clinicalStatus: { coding: [{ code: status }] }, ...extra
})
const category = (n: number): Array<Record<string, unknown>> => Array.from({ length: n }, (_, i) => ({ coding: [{ code: `k${i}` }] }))
const c = [condition('a', 'active', 'active', { category: category(1) }), condition('b', 'x', 'resolved', { category: category(2) }), condition('c', 'relapse', 'relapse')]

void t.test('constant and per-item right operands', async (t) => {
  const cases: Array<[string, unknown[]]> = [
    ["%c.where(clinicalStatus.coding.code = 'active').count()", [1]],
    ["%c.where(clinicalStatus.coding.code != 'active').count()", [2]],
    ["%c.where(clinicalStatus.coding.code in ('relapse' | 'recurrence')).count()", [1]],
    // The right operand reads $this: a different value for every item, so it is not a constant.
    ['%c.where(code.coding.count() = category.count()).count()', [1]],
    ['%c.where(code.coding.count() != category.count()).count()', [2]],
    ['%c.where(code.coding.count() in (category.count() | 0)).count()', [1]],
    ['%c.where(code.coding.count() in (category.count() | 1)).count()', [3]],
    ['%c.where(code.coding.code = %s).count()', [1]],
    ["%c.exists(clinicalStatus.coding.code = 'relapse') and %b", [true]],
    ["%c.exists(clinicalStatus.coding.code = 'nothing') or %b", [true]],
    ['%n = 3 and (%n != 4 or %b)', [true]],
    ["%c.where(code.coding.code = 'nope').code.coding.code = 'x'", []], // an empty left side: empty
    ["%c.exists(code.coding.code = 'active')", [true]],
    ["%c.exists(code.coding.code = 'nope')", [false]],
    ["%c.where(code.coding.code = 'nope').exists(code.coding.code = 'x')", [false]]
  ]
  for (const [expr, expected] of cases) {
    const { result, mismatches, declined } = both(expr, { c, n: [3], s: ['x'], b: [true] })
    t.same(mismatches, [], `${expr}: same as fhirpath.js`)
    t.equal(declined, 0, `${expr}: ran on the compiled path`)
    t.same(result, expected, expr)
  }
})

void t.test('exists(criterion) still reads every item: a later one fhirpath.js must decide is handed to it', async (t) => {
  // The first condition satisfies the criterion; the second has two codings, which `=` on the compiled
  // path leaves to fhirpath.js (a collection where a singleton is expected).
  const later = [condition('a', 'active', 'active'), { ...condition('b', 'x', 'active'), code: { coding: [{ code: 'x' }, { code: 'y' }] } }]
  const { mismatches, declined } = both("%c.exists(code.coding.code = 'active')", { c: later })
  t.same(mismatches, [], 'the same answer as fhirpath.js (which fails on the second item)')
  t.equal(declined, 1, 'handed to fhirpath.js, although the first item already satisfied exists()')
})

void t.test('a %name read is kept per frame and per compiling context, and only once the name is set', async (t) => {
  // Two contexts naming the same variables in different orders: their slots differ.
  const a = new Map(Object.entries({ x: INTEGER, y: INTEGER }))
  const b = new Map(Object.entries({ y: INTEGER, x: INTEGER }))
  const compiled = (expr: string, variables: Map<string, ReturnType<typeof types>>): ((env: Record<string, unknown>) => unknown[]) => {
    const fast = compileFast(expr, { variables, functions: {}, functionTypes: {} })
    if ('unsupported' in fast) throw new Error(fast.unsupported)
    const run = runnable(expr, fast, () => ['fhirpath.js'], 'compiled')
    return (env) => run(ROOT_RESOURCE, env)
  }
  const env: Record<string, unknown> = { x: [1], y: [2] }
  const ax = compiled('%x', a)
  const bx = compiled('%x', b)
  const ay = compiled('%y', a)
  const by = compiled('%y', b)
  t.same([ax(env), bx(env), ay(env), by(env), ax(env), by(env)], [[1], [1], [2], [2], [1], [2]], 'each context reads its own names on one environment')
  // Read before it is set: handed to the reference, nothing kept; read again once set: the value.
  const later: Record<string, unknown> = { x: undefined, y: [2] }
  const plus = compiled('%x + %y', a)
  t.same(plus(later), ['fhirpath.js'], 'an unset name hands the expression to fhirpath.js')
  later.x = [5]
  t.same(plus(later), [7], 'once set, the compiled path reads it')
  t.same(plus({ x: [10], y: [20] }), [30], 'another environment (another frame) reads its own values')
})
