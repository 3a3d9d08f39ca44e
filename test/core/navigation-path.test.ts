/**
 * Member navigation compiled as one step (`%c.code.coding.code` → operations.ts navigatePath):
 * the same items, in the same order, as fhirpath.js's name-by-name navigation, and a record the
 * compiled path cannot read exactly (a primitive extension or a null at any depth) still handed to
 * fhirpath.js. Navigation interrupted by a function (`where()`, `exists()`) or a choice element is
 * not fused across it.
 */
import t from 'tap'
import { verifiedRunner } from '../helpers/compiled-vs-reference.js'
import { compiledPathCounters, type Mismatch } from '../../src/core/fhirpath-compiler/expression.js'
import { navigatePath } from '../../src/core/fhirpath-compiler/operations.js'
import { INTEGER, types } from '../../src/core/fhirpath-compiler/static-types.js'

const variables = new Map(Object.entries({ c: types('Condition'), n: INTEGER }))

const both = verifiedRunner(variables)

const condition = (id: string, over: Record<string, unknown>): Record<string, unknown> => ({ resourceType: 'Condition', id, ...over })
const codings = (...codes: string[]): Record<string, unknown> => ({ coding: codes.map((code) => ({ system: 'http://snomed.info/sct', code })) })

void t.test('a path gives the step-by-step navigation, in its order', async (t) => {
  const records: Record<string, unknown[]> = {
    'one condition, one coding': [condition('a', { code: codings('1') })],
    'one condition, several codings': [condition('a', { code: codings('1', '2', '3') })],
    'several conditions, several codings each (depth-first order)': [condition('a', { code: codings('1', '2') }), condition('b', { code: codings('3') }), condition('c', { code: codings('4', '5') })],
    'no code': [condition('a', {})],
    'an empty coding list': [condition('a', { code: { coding: [] } })],
    'a coding without a code': [condition('a', { code: { coding: [{ system: 'x' }] } })],
    'mixed: with and without': [condition('a', {}), condition('b', { code: codings('9') }), condition('c', { code: { coding: [] } })],
    'no conditions': []
  }
  const paths = [
    '%c.code.coding.code',
    '%c.code.coding',
    '%c.code.coding.system',
    '%c.clinicalStatus.coding.code',
    '(%c.code).coding.code', // parentheses do not change a navigation
    "%c.where(code.coding.where(code = '3').exists()).code.coding.code", // a path from $this inside where(), and after it
    "%c.code.coding.where(code != '2').code", // where() interrupts the path: two paths, not one
    '%c.code.coding.code.count()'
  ]
  for (const [what, c] of Object.entries(records)) {
    for (const expr of paths) {
      const { result, mismatches, declined } = both(expr, { c, n: [1] })
      t.same(mismatches, [], `${what}: ${expr} is what fhirpath.js gives`)
      t.equal(declined, 0, `${what}: ${expr} ran on the compiled path`)
      if (expr === '%c.code.coding.code') {
        const expected = c.flatMap((r: any) => (r.code?.coding ?? []).map((x: any) => x.code).filter((x: unknown) => x !== undefined))
        t.same(result, expected, `${what}: the codes in record order`)
      }
    }
  }
})

void t.test('what a step of the path would hand to fhirpath.js, the whole path does', async (t) => {
  const damaged: Record<string, unknown[]> = {
    'a primitive extension on the last step': [condition('a', { code: { coding: [{ _code: { extension: [] } }] } })],
    'a primitive extension on the last step, second resource': [condition('a', { code: codings('1') }), condition('b', { code: { coding: [{ code: '2', _code: { extension: [] } }] } })],
    'a null inside an array on the way': [condition('a', { code: { coding: [null] } })],
    'a null inside an array, several resources': [condition('a', { code: codings('1') }), condition('b', { code: { coding: [{ code: '2' }, null] } })]
  }
  for (const [what, c] of Object.entries(damaged)) {
    const { mismatches, declined } = both('%c.code.coding.code', { c, n: [1] })
    t.same(mismatches, [], `${what}: the same answer as fhirpath.js`)
    t.equal(declined, 1, `${what}: handed to fhirpath.js`)
  }
})

void t.test('navigatePath: single objects are walked without a copy, arrays of the record are returned as they are', async (t) => {
  const coding = [{ code: '1' }, { code: '2' }]
  const r = { code: { coding } }
  t.equal(navigatePath([r], ['code', 'coding'], ['_code', '_coding']), coding, 'the JSON array itself')
  t.same(navigatePath([r], ['code', 'coding', 'code'], ['_code', '_coding', '_code']), ['1', '2'])
  t.same(navigatePath([r, { code: { coding: [{ code: '3' }] } }], ['code', 'coding', 'code'], ['_code', '_coding', '_code']), ['1', '2', '3'])
  t.same(navigatePath([{ code: { text: 'x' } }], ['code', 'text'], ['_code', '_text']), ['x'])
  t.same(navigatePath([{}], ['code', 'coding'], ['_code', '_coding']), [])
  t.throws(() => navigatePath([{ code: 'a string' }], ['code', 'coding'], ['_code', '_coding']), /primitive/, 'navigating into a primitive bails, as a step would')
})

void t.test('a path compared with a constant (navigatePathOne): its one item, nothing, or several', async (t) => {
  const records: Record<string, { c: unknown[], several: boolean }> = {
    'one code': { c: [condition('a', { code: codings('1') })], several: false },
    'no code': { c: [condition('a', {})], several: false },
    'empty coding': { c: [condition('a', { code: { coding: [] } })], several: false },
    'two codes: equality of a collection, left to fhirpath.js': { c: [condition('a', { code: codings('1', '3') })], several: true },
    'two conditions, one code each: a collection': { c: [condition('a', { code: codings('1') }), condition('b', { code: codings('3') })], several: true },
    'two conditions, one with a code': { c: [condition('a', {}), condition('b', { code: codings('3') })], several: false }
  }
  const exprs = ["%c.code.coding.code = '1'", "%c.code.coding.code != '1'", "%c.code.coding.code in ('1' | '2')", "%c.code.coding.code in ('3')"]
  for (const [what, { c, several }] of Object.entries(records)) {
    for (const expr of exprs) {
      const before = compiledPathCounters.declined
      let outcome: { mismatches: Mismatch[], declined: number }
      try {
        outcome = both(expr, { c, n: [1] })
      } catch (err) {
        // Only fhirpath.js fails here (`in` on a collection): the compiled path handed the record to it.
        t.ok(several, `${what}: ${expr}: fhirpath.js fails (${(err as Error).message})`)
        outcome = { mismatches: [], declined: compiledPathCounters.declined - before }
      }
      t.same(outcome.mismatches, [], `${what}: ${expr} is what fhirpath.js gives`)
      t.equal(outcome.declined, several ? 1 : 0, `${what}: ${expr} ${several ? 'handed to fhirpath.js' : 'on the compiled path'}`)
    }
  }
  // Per item inside where(): `code.coding.code = …` from $this.
  const c = [condition('a', { code: codings('1') }), condition('b', { code: codings('2') }), condition('c', {}), condition('d', { code: codings('1') })]
  for (const [expr, expected] of [["%c.where(code.coding.code = '1').count()", 2], ["%c.where(code.coding.code != '1').count()", 1], ["%c.where(code.coding.code in ('2' | '9')).count()", 1]] as const) {
    const { result, mismatches, declined } = both(expr, { c, n: [1] })
    t.same(mismatches, [], `${expr}: same as fhirpath.js`)
    t.equal(declined, 0, `${expr}: on the compiled path`)
    t.same(result, [expected], expr)
  }
  const damaged = [condition('a', { code: { coding: [{ code: '1', _code: { extension: [] } }] } })]
  t.equal(both("%c.code.coding.code = '1'", { c: damaged, n: [1] }).declined, 1, 'a primitive extension on the compared value: handed to fhirpath.js')
})
