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

/** Deepest nesting of objects and arrays accepted in a request body. */
export const MAX_JSON_DEPTH = 64

const QUOTE = 0x22
const BACKSLASH = 0x5c
const OPEN_OBJECT = 0x7b
const OPEN_ARRAY = 0x5b
const CLOSE_OBJECT = 0x7d
const CLOSE_ARRAY = 0x5d

/** What a look at a body's bytes found. */
export interface JsonShape {
  /** Objects and arrays nest deeper than the limit. */
  tooDeep: boolean
  /** A number literal with an exponent or 309+ digits: it may not fit a double (`1e309` parses to Infinity). */
  mayOverflow: boolean
}

const isDigit = (b: number | undefined): boolean => b !== undefined && b >= 0x30 && b <= 0x39
/** Digits of the largest finite double (1.79…e308) before the decimal point. */
const MAX_FINITE_DIGITS = 309

/**
 * The shape of `bytes` (JSON text, possibly invalid): nesting of objects and
 * arrays beyond `limit` (brackets inside strings do not count) and number
 * literals that may not fit a double. Strings are skipped with the native
 * indexOf, so the cost is about one pass over the bytes outside strings.
 * Invalid JSON is left for the parser to refuse.
 */
export function inspectJson (bytes: Uint8Array, limit: number = MAX_JSON_DEPTH): JsonShape {
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  let depth = 0
  let digits = 0
  let mayOverflow = false
  for (let i = 0; i < buf.length; i++) {
    const b = buf[i]!
    if (isDigit(b)) {
      if (++digits >= MAX_FINITE_DIGITS) mayOverflow = true
      continue
    }
    // `e` after a digit or a point is an exponent (the e of true and false follows a letter).
    if ((b === 0x65 || b === 0x45) && (digits > 0 || buf[i - 1] === 0x2e)) mayOverflow = true
    digits = 0
    if (b === QUOTE) {
      // The closing quote: the next one not escaped by an odd run of backslashes.
      let end = buf.indexOf(QUOTE, i + 1)
      while (end > 0) {
        let slashes = 0
        while (buf[end - 1 - slashes] === BACKSLASH) slashes++
        if (slashes % 2 === 0) break
        end = buf.indexOf(QUOTE, end + 1)
      }
      if (end < 0) break
      i = end
    } else if (b === OPEN_OBJECT || b === OPEN_ARRAY) {
      if (++depth > limit) return { tooDeep: true, mayOverflow }
    } else if (b === CLOSE_OBJECT || b === CLOSE_ARRAY) {
      depth--
    }
  }
  return { tooDeep: false, mayOverflow }
}

/** Whether `bytes` nests objects and arrays deeper than `limit` (see {@link inspectJson}). */
export function nestsDeeperThan (bytes: Uint8Array, limit: number = MAX_JSON_DEPTH): boolean {
  return inspectJson(bytes, limit).tooDeep
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
