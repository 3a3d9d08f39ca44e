/**
 * Limits on the shape of a JSON body, checked on its bytes before it is
 * parsed. Nesting is the one that matters: JSON.parse copes with any depth,
 * but everything after it recurses — ajv, structuredClone to an evaluation
 * thread, the FHIRPath engine, and JSON.stringify of the answer (a draft
 * order is copied into the card's suggestion), which overflowed the stack
 * from about 5,000 levels (≈ 14 KB of `[[[[…`). A FHIR R4 resource nests a
 * dozen levels (Bundle → entry → resource → extension → extension →
 * valueCodeableConcept → coding), a CDS Hooks request three more.
 */

import { CODE_MATCH, MAX_FINITE_DIGITS, needleMatch, PROTO_MATCH, strictShape, type Needles, type StrictShape } from './json-outline.js'

/** Deepest nesting of objects and arrays accepted in a request body. */
export const MAX_JSON_DEPTH = 64

const QUOTE = 0x22
const BACKSLASH = 0x5c
const OPEN_OBJECT = 0x7b
const OPEN_ARRAY = 0x5b
const CLOSE_OBJECT = 0x7d
const CLOSE_ARRAY = 0x5d

/** What a look at a body's bytes found (the fields: json-outline.ts StrictShape). */
export interface JsonShape extends StrictShape {
  /** Codes were looked for: only then does `codeFound: false` say that none is there. */
  codesSought: boolean
}

const PROTO = Buffer.from('__proto__')
const CONSTRUCTOR = Buffer.from('constructor')

const needleCache = new WeakMap<readonly Uint8Array[], Needles>()
function needlesFor (codes: readonly Uint8Array[]): Needles {
  let table = needleCache.get(codes)
  if (table) return table
  table = []
  for (const [bytes, proto] of [[PROTO, true], [CONSTRUCTOR, true], ...codes.map((c) => [c, false] as const)] as const) {
    (table[bytes.length] ??= []).push({ bytes, proto })
  }
  needleCache.set(codes, table)
  return table
}
const NO_CODES: readonly Uint8Array[] = []

/**
 * One pass over `bytes` (JSON text, possibly invalid), before it is parsed: nesting of objects and
 * arrays beyond `limit` (brackets inside strings do not count), number literals that may not fit a
 * double, and the strings that matter before parsing — one of `codes` (the WGS order codes:
 * hooks/orders.ts), `__proto__` or `constructor` (so the parse can skip secure-json-parse's own scan
 * of the text when neither is there), and `\u00XX` escapes that could spell any of them. The
 * string contents are walked by a plain loop: measured on the 77 KB bench body, that is as fast as
 * hopping to the closing quote with Buffer#indexOf (a native call per string, ~5,700 strings), and it
 * sees the escapes on the way. Invalid JSON is left for the parser to refuse.
 *
 * The pass is json-outline.ts's strict one, which also checks the text is JSON and finds its
 * prefetch (`outline`: what a call without a WGS order needs to leave the prefetch unparsed); at the
 * first byte that is not JSON, the lenient pass below gives the shape instead — the same fields with
 * the same values, as test/security/json-outline.test.ts checks on generated texts.
 */
export function inspectJson (bytes: Uint8Array, limit: number = MAX_JSON_DEPTH, codes: readonly Uint8Array[] = NO_CODES): JsonShape {
  const strict = strictShape(bytes, limit, needlesFor(codes))
  return strict ? { ...strict, codesSought: codes.length > 0 } : lenientShape(bytes, limit, codes)
}

/** The shape of any text, JSON or not (see {@link inspectJson}). */
export function lenientShape (bytes: Uint8Array, limit: number = MAX_JSON_DEPTH, codes: readonly Uint8Array[] = NO_CODES): JsonShape {
  const needles = needlesFor(codes)
  const codesSought = codes.length > 0
  const n = bytes.length
  let depth = 0
  let digits = 0
  let mayOverflow = false
  let codeFound = false
  let asciiEscape = false
  let protoKey = false
  for (let i = 0; i < n; i++) {
    const b = bytes[i]!
    if (b === QUOTE) {
      const start = i + 1
      let j = start
      // The closing quote: the next one not escaped (a backslash escapes the byte after it).
      while (j < n) {
        const c = bytes[j]!
        if (c === QUOTE) break
        if (c === BACKSLASH) {
          // `\u0038` is "8": an escape of a printable ASCII character (0x20–0x7f).
          if (bytes[j + 1] === 0x75 && bytes[j + 2] === 0x30 && bytes[j + 3] === 0x30) {
            const d = bytes[j + 4]
            if (d !== undefined && d >= 0x32 && d <= 0x37) asciiEscape = true
          }
          j++
        }
        j++
      }
      if (j >= n) break
      const found = needleMatch(bytes, start, j, needles)
      if (found & CODE_MATCH) codeFound = true
      if (found & PROTO_MATCH) protoKey = true
      i = j
      digits = 0
      continue
    }
    if (b >= 0x30 && b <= 0x39) {
      if (++digits >= MAX_FINITE_DIGITS) mayOverflow = true
      continue
    }
    // `e` after a digit or a point is an exponent (the e of true and false follows a letter).
    if ((b === 0x65 || b === 0x45) && (digits > 0 || bytes[i - 1] === 0x2e)) mayOverflow = true
    digits = 0
    if (b === OPEN_OBJECT || b === OPEN_ARRAY) {
      if (++depth > limit) return { tooDeep: true, mayOverflow, codeFound, asciiEscape, protoKey, codesSought }
    } else if (b === CLOSE_OBJECT || b === CLOSE_ARRAY) {
      depth--
    }
  }
  return { tooDeep: false, mayOverflow, codeFound, asciiEscape, protoKey, codesSought }
}

/** Whether `bytes` nests objects and arrays deeper than `limit` (see {@link inspectJson}). */
export function nestsDeeperThan (bytes: Uint8Array, limit: number = MAX_JSON_DEPTH): boolean {
  return lenientShape(bytes, limit).tooDeep
}

/** FHIR's own codes for a value a double cannot hold (verified: fhir-reference.com/codesystems/data-absent-reason). */
const DATA_ABSENT_REASON = 'http://terminology.hl7.org/CodeSystem/data-absent-reason'
const ABSENT: Record<'positive' | 'negative' | 'nan', { system: string, code: string, display: string }> = {
  positive: { system: DATA_ABSENT_REASON, code: 'positive-infinity', display: 'Positive Infinity (PINF)' },
  negative: { system: DATA_ABSENT_REASON, code: 'negative-infinity', display: 'Negative Infinity (NINF)' },
  nan: { system: DATA_ABSENT_REASON, code: 'not-a-number', display: 'Not a Number (NaN)' }
}
const VALUE_X = /^value[A-Z]/
const nonFinite = (v: unknown): v is number => typeof v === 'number' && !Number.isFinite(v)
const absentFor = (v: number): (typeof ABSENT)[keyof typeof ABSENT] => Number.isNaN(v) ? ABSENT.nan : v > 0 ? ABSENT.positive : ABSENT.negative

/**
 * Remove every non-finite number from a parsed body (issue 14 §8: invalid data, never a verdict).
 * A `value[x]` holding one (an Observation's or a component's valueQuantity.value, valueInteger,
 * valueDecimal) is replaced by `dataAbsentReason` (FHIR obs-6: one or the other), so the criteria
 * that read it are unknown and the evidence says why; any other such number is removed.
 * Returns how many were found. Only run when {@link inspectJson} saw a number that may overflow.
 */
export function removeNonFiniteNumbers (node: unknown): number {
  if (node === null || typeof node !== 'object') return 0
  let found = 0
  if (Array.isArray(node)) {
    for (let i = 0; i < node.length; i++) {
      if (nonFinite(node[i])) { node[i] = null; found++ } else found += removeNonFiniteNumbers(node[i])
    }
    return found
  }
  const o = node as Record<string, unknown>
  for (const key of Object.keys(o)) {
    const v = o[key]
    const inner = v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>).value : undefined
    if (VALUE_X.test(key) && (nonFinite(v) || nonFinite(inner))) {
      const absent = absentFor(nonFinite(v) ? v : inner as number)
      Reflect.deleteProperty(o, key)
      o.dataAbsentReason ??= { coding: [absent], text: absent.display }
      found++
    } else if (nonFinite(v)) {
      Reflect.deleteProperty(o, key)
      found++
    } else {
      found += removeNonFiniteNumbers(v)
    }
  }
  return found
}

/** The message of the 400 for a body nested too deeply. */
export const NESTING_MESSAGE = `The request body is nested deeper than ${MAX_JSON_DEPTH} levels (objects and arrays); it is refused`
