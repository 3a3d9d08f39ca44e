/**
 * src/hooks/json-outline.ts judges JSON on its bytes so that a call without a
 * WGS order need not parse its prefetch. Its verdict must be JSON.parse's: a
 * text it calls valid that JSON.parse refuses would be answered 200 instead of
 * 400. Checked on hand-picked edge cases and on generated texts, valid ones
 * and the same texts with bytes removed, changed or inserted.
 */
import t from 'tap'
import fc from 'fast-check'
import { inspectJson, lenientShape } from '../../src/hooks/json-limits.js'

const DEPTH = 64
/** The strict pass's outline: present only when the text is one valid JSON value no deeper than the limit. */
const outlineJson = (bytes: Uint8Array, depth: number): ReturnType<typeof inspectJson>['outline'] => inspectJson(bytes, depth).outline
const parses = (bytes: Buffer): boolean => {
  try { JSON.parse(bytes.toString('utf8')); return true } catch { return false }
}
const agrees = (bytes: Buffer): boolean => (outlineJson(bytes, DEPTH) !== undefined) === parses(bytes)

void t.test('edge cases: the same verdict as JSON.parse', async (t) => {
  const cases = [
    '{}', '[]', '0', '-0', '1.5e+3', '1E-3', '"a"', 'true', 'false', 'null', ' {"a" : [1 , 2] } \n',
    '01', '1.', '.5', '-', '+1', '1e', '1e+', '0x10', 'NaN', 'Infinity', 'tru', 'nul', 'True',
    '{"a":1,}', '[1,]', '[,1]', '{,}', '{"a"}', '{"a":}', '{"a" 1}', '{a:1}', "{'a':1}", '{"a":1}}', '[[]', '[]]', '{}{}', '{} x',
    '"\\u00e6"', '"\\u00G0"', '"\\x41"', '"\\/"', '"a\tb"', '"a\\tb"', '"unterminated', '"\\"', '',  ' ', '\u00a0{}',
    '{"prefetch":{"a":{}},"prefetch":{}}', '[1]\u0000'
  ]
  for (const c of cases) t.ok(agrees(Buffer.from(c)), JSON.stringify(c))
  // Bytes that are not UTF-8: inside a string JSON.parse sees U+FFFD (valid), outside it a syntax error.
  t.ok(agrees(Buffer.from([0x22, 0xe2, 0x22])), 'a lone lead byte inside a string')
  t.ok(agrees(Buffer.from([0x22, 0xff, 0xfe, 0x22])), 'invalid bytes inside a string')
  t.ok(agrees(Buffer.from([0x5b, 0xe2, 0x5d])), 'a lone lead byte outside a string')
  t.ok(agrees(Buffer.from([0xef, 0xbb, 0xbf, 0x7b, 0x7d])), 'a byte order mark')
})

void t.test('generated texts and their damaged copies: the same verdict as JSON.parse', async (t) => {
  const damage = fc.array(fc.tuple(fc.constantFrom('delete', 'replace', 'insert'), fc.nat(), fc.constantFrom(...'{}[],:"\\ -.0123456789eEtfnu\t\n\u0000\u001fa'.split(''), '\u00e6')), { maxLength: 3 })
  fc.assert(fc.property(fc.json({ depthSize: 'small' }), damage, (text, ops) => {
    let bytes = Buffer.from(text)
    if (!agrees(bytes)) return false
    for (const [op, at, ch] of ops) {
      const i = bytes.length === 0 ? 0 : at % bytes.length
      const c = Buffer.from(ch)
      bytes = op === 'delete' ? Buffer.concat([bytes.subarray(0, i), bytes.subarray(i + 1)])
        : op === 'replace' ? Buffer.concat([bytes.subarray(0, i), c, bytes.subarray(i + 1)])
          : Buffer.concat([bytes.subarray(0, i), c, bytes.subarray(i)])
      if (!agrees(bytes)) return false
    }
    return true
  }), { numRuns: 3000 })
  t.pass('3,000 generated texts, each damaged up to three times')
})

void t.test('the prefetch member: where its value lies, and what the request schema asks of it', async (t) => {
  const body = '{"hook":"order-select","prefetch":{"patient":{"resourceType":"Patient"},"conditions":null},"context":{"a":[{"prefetch":1}]}}'
  const outline = outlineJson(Buffer.from(body), DEPTH)
  const p = outline?.prefetch
  if (!p) throw new Error('the prefetch member must be found')
  t.equal(body.slice(p.start, p.end), '{"patient":{"resourceType":"Patient"},"conditions":null}', 'its exact bytes (a nested "prefetch" key is not it)')
  t.same({ isObject: p.isObject, members: p.members, membersObjectsOrNull: p.membersObjectsOrNull }, { isObject: true, members: 2, membersObjectsOrNull: true })
  t.equal(outlineJson(Buffer.from('{"prefetch":{"a":1}}'), DEPTH)?.prefetch?.membersObjectsOrNull, false, 'a member that is neither an object nor null')
  t.equal(outlineJson(Buffer.from('{"prefetch":[]}'), DEPTH)?.prefetch?.isObject, false, 'a prefetch that is not an object')
  const scalar = outlineJson(Buffer.from('{"prefetch":"x"}'), DEPTH)?.prefetch
  t.equal(scalar && '{"prefetch":"x"}'.slice(scalar.start, scalar.end), '"x"', 'a scalar prefetch: its bytes')
  t.same(outlineJson(Buffer.from('{"prefetch":{},"prefetch":{}}'), DEPTH), {}, 'two prefetch members: none is named (the full parse decides)')
  t.same(outlineJson(Buffer.from('{"hook":"x"}'), DEPTH), {}, 'no prefetch')
  t.equal(outlineJson(Buffer.from('['.repeat(65) + ']'.repeat(65)), DEPTH), undefined, 'deeper than the limit: no outline')
})

void t.test('the one pre-parse pass: the same shape as the lenient pass on any text, JSON or not', async (t) => {
  const codes = [Buffer.from('86206-0'), Buffer.from('BOQM0')]
  const fields = (shape: ReturnType<typeof inspectJson>): unknown => ({ ...shape, outline: undefined })
  const same = (bytes: Buffer, depth = DEPTH): boolean => {
    const a = fields(inspectJson(bytes, depth, codes))
    const b = fields(lenientShape(bytes, depth, codes))
    return JSON.stringify(a) === JSON.stringify(b)
  }
  const cases = ['{"code":"86206-0"}', '{"code":"\\u00386206-0"}', '{"__proto__":1}', '["constructor"]', '[1e5]', `[${'9'.repeat(309)}]`, `[0.${'1'.repeat(309)}]`,
    '{"a":"BOQM0",}', '[[[[1]]]]', '{"x":"\\u00e6"}', '[-1.5E-3, "86206-0"]']
  for (const c of cases) t.ok(same(Buffer.from(c)) && same(Buffer.from(c), 3), c)
  const words = fc.constantFrom('86206-0', 'BOQM0', '__proto__', 'constructor', '\\u0038', '\\u00e6', '1e309', '1E5', '9'.repeat(310), 'x')
  const text = fc.oneof(fc.json({ depthSize: 'small' }), fc.array(words, { maxLength: 4 }).map((ws) => JSON.stringify({ code: ws.join(''), list: ws })))
  const damage = fc.array(fc.tuple(fc.nat(), fc.constantFrom('{', '[', ']', '}', '"', ',', '\\', 'e', '9')), { maxLength: 2 })
  fc.assert(fc.property(text, damage, fc.integer({ min: 1, max: 8 }), (json, ops, depth) => {
    let bytes = Buffer.from(json)
    if (!same(bytes, depth) || !same(bytes)) return false
    for (const [at, ch] of ops) {
      const i = bytes.length === 0 ? 0 : at % bytes.length
      bytes = Buffer.concat([bytes.subarray(0, i), Buffer.from(ch), bytes.subarray(i)])
      if (!same(bytes, depth) || !same(bytes)) return false
    }
    return true
  }), { numRuns: 3000 })
  t.pass('3,000 generated texts at depth limits from 1 to 8 and 64, each damaged up to twice')
  t.ok(inspectJson(Buffer.from('{"prefetch":{}}')).outline?.prefetch, 'a valid text is outlined')
  t.equal(inspectJson(Buffer.from('{"prefetch":{},}')).outline, undefined, 'an invalid one is not')
})
