/**
 * The outline of a JSON text without building it: whether the text is valid
 * JSON, exactly as JSON.parse of its UTF-8 decoding judges it, and where the
 * value of its top-level `prefetch` member lies — found in the same pass as
 * the body's shape (json-limits.ts inspectJson: nesting, numbers, the WGS
 * order codes and the keys and escapes that matter before parsing), so a
 * valid body is walked once.
 *
 * Why: a call without a WGS order is answered `{"cards":[]}` whatever its
 * prefetch holds (src/hooks/raw-call.ts), yet parsing the 77 KB prefetch of a
 * realistic call was most of that call's cost — about what the whole HTTP
 * stack costs (issue 18: such a call must cost about what the stack costs).
 * The call must still get the same 400 as before when any part of it is not
 * JSON, so its bytes are checked here, and only the rest (hook, hookInstance,
 * context, …) is parsed and validated. JSON.parse remains the judge of
 * everything this pass does not vouch for: any doubt answers `undefined`, and
 * the caller parses the whole body as before.
 *
 * JSON is RFC 8259's grammar, which is JSON.parse's: whitespace is space, tab,
 * CR and LF; strings hold no byte below 0x20 and only the escapes \" \\ \/ \b
 * \f \n \r \t \uXXXX; numbers are -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?;
 * literals true, false, null. Bytes of 0x80 and above are accepted only inside
 * strings: the UTF-8 decoder turns an invalid sequence into U+FFFD there (valid
 * in a string) without swallowing the ASCII byte after it, and any such
 * character outside a string is a syntax error for JSON.parse too.
 * test/hooks/json-outline.test.ts checks the verdicts against JSON.parse on
 * generated and mutated texts.
 */

/** Strings the scan compares against, by length (most strings are some other length and cost one array read); `proto` marks `__proto__` and `constructor`. */
export type Needles = Array<Array<{ bytes: Uint8Array, proto: boolean }> | undefined>

/** What a look at a body's bytes found (json-limits.ts JsonShape adds whether codes were looked for). */
export interface StrictShape {
  /** Objects and arrays nest deeper than the limit. */
  tooDeep: boolean
  /** A number literal with an exponent or 309+ digits: it may not fit a double (`1e309` parses to Infinity). */
  mayOverflow: boolean
  /** A JSON string whose bytes are exactly one of the codes looked for. */
  codeFound: boolean
  /** A `\u00XX` escape of a printable ASCII character (0x20–0x7f): it could spell a code or a key without its bytes. */
  asciiEscape: boolean
  /** A JSON string `__proto__` or `constructor` (as a key or a value): the parse then runs secure-json-parse's full check. */
  protoKey: boolean
  /** The text is valid JSON: where its prefetch lies. Absent when it is not, or is too deep. */
  outline?: JsonOutline
}

/** What {@link needleMatch} found. */
export const CODE_MATCH = 1
export const PROTO_MATCH = 2

/** The needles of the string bytes[from..to) (quotes excluded): CODE_MATCH and/or PROTO_MATCH, 0 for none. */
export function needleMatch (bytes: Uint8Array, from: number, to: number, needles: Needles): number {
  const candidates = needles[to - from]
  if (!candidates) return 0
  let found = 0
  for (const { bytes: needle, proto } of candidates) {
    let k = 0
    while (k < needle.length && bytes[from + k] === needle[k]) k++
    if (k === needle.length) found |= proto ? PROTO_MATCH : CODE_MATCH
  }
  return found
}

export interface JsonOutline {
  /** Byte range of the top-level `prefetch` member's value, when there is exactly one such member. */
  prefetch?: {
    start: number
    end: number
    /** The value is an object (what the request schema asks of it). */
    isObject: boolean
    /** Members of that object, and whether each one's value is an object or null (what the schema asks of them). */
    members: number
    membersObjectsOrNull: boolean
  }
}

const EXPECT_VALUE = 0
const EXPECT_KEY_OR_CLOSE = 1
const EXPECT_KEY = 2
const EXPECT_COLON = 3
const EXPECT_VALUE_OR_CLOSE = 4
const EXPECT_NEXT = 5
const EXPECT_END = 6

const IN_OBJECT = 1
const IN_ARRAY = 2

const PREFETCH = [0x70, 0x72, 0x65, 0x66, 0x65, 0x74, 0x63, 0x68] // "prefetch"
const TRUE = [0x74, 0x72, 0x75, 0x65]
const FALSE = [0x66, 0x61, 0x6c, 0x73, 0x65]
const NULL = [0x6e, 0x75, 0x6c, 0x6c]

const isDigit = (b: number | undefined): boolean => b !== undefined && b >= 0x30 && b <= 0x39
const isHex = (b: number | undefined): boolean => b !== undefined && ((b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x46) || (b >= 0x61 && b <= 0x66))

/** Set by {@link endOfString} and {@link endOfNumber} for the pass that called them (one pass at a time: no I/O in between). */
let sawAsciiEscape = false
let sawLargeNumber = false

/** Digits of the largest finite double (1.79…e308) before the decimal point: a run this long may not fit. */
export const MAX_FINITE_DIGITS = 309

/**
 * The index after the string whose opening quote is at `i`, or -1 when it is not a valid JSON string.
 * Notes a `\u00XX` escape of a printable ASCII character (0x20–0x7f): it could spell a code or a key.
 */
function endOfString (bytes: Uint8Array, i: number): number {
  const n = bytes.length
  let j = i + 1
  while (j < n) {
    const c = bytes[j]!
    if (c === 0x22) return j + 1
    if (c < 0x20) return -1
    if (c === 0x5c) {
      const e = bytes[j + 1]
      if (e === 0x75) {
        if (!isHex(bytes[j + 2]) || !isHex(bytes[j + 3]) || !isHex(bytes[j + 4]) || !isHex(bytes[j + 5])) return -1
        const d = bytes[j + 4]!
        if (bytes[j + 2] === 0x30 && bytes[j + 3] === 0x30 && d >= 0x32 && d <= 0x37) sawAsciiEscape = true
        j += 6
        continue
      }
      // " \ / b f n r t
      if (e !== 0x22 && e !== 0x5c && e !== 0x2f && e !== 0x62 && e !== 0x66 && e !== 0x6e && e !== 0x72 && e !== 0x74) return -1
      j += 2
      continue
    }
    j++
  }
  return -1
}

/**
 * The index after the number starting at `i`, or -1 when it is not a valid JSON number. Notes a number
 * that may not fit a double (`1e309` parses to Infinity): one with an exponent, or a run of 309 digits.
 */
function endOfNumber (bytes: Uint8Array, i: number): number {
  let j = i
  if (bytes[j] === 0x2d) j++
  let from = j
  if (bytes[j] === 0x30) j++
  else if (isDigit(bytes[j])) { while (isDigit(bytes[j])) j++ } else return -1
  if (j - from >= MAX_FINITE_DIGITS) sawLargeNumber = true
  if (bytes[j] === 0x2e) {
    from = ++j
    if (!isDigit(bytes[j])) return -1
    while (isDigit(bytes[j])) j++
    if (j - from >= MAX_FINITE_DIGITS) sawLargeNumber = true
  }
  if (bytes[j] === 0x65 || bytes[j] === 0x45) {
    sawLargeNumber = true
    j++
    if (bytes[j] === 0x2b || bytes[j] === 0x2d) j++
    if (!isDigit(bytes[j])) return -1
    while (isDigit(bytes[j])) j++
  }
  return j
}

function matches (bytes: Uint8Array, i: number, word: readonly number[]): boolean {
  for (let k = 0; k < word.length; k++) if (bytes[i + k] !== word[k]) return false
  return true
}

/**
 * The strict pass: the shape of `bytes` and, when they are one valid JSON value, their outline; or
 * undefined at the first byte that is not JSON (the caller's lenient pass then gives the shape, and the
 * full parse the error). Nested deeper than `maxDepth`: `tooDeep`, with what was seen up to there —
 * where the lenient pass stops too.
 */
export function strictShape (bytes: Uint8Array, maxDepth: number, needles: Needles): StrictShape | undefined {
  sawAsciiEscape = false
  sawLargeNumber = false
  let codeFound = false
  let protoKey = false
  /** The string just read (bytes from..to, quotes excluded) against the needles of its length. */
  const compare = (from: number, to: number): void => {
    const found = needleMatch(bytes, from, to, needles)
    if (found & CODE_MATCH) codeFound = true
    if (found & PROTO_MATCH) protoKey = true
  }
  const n = bytes.length
  const stack = new Uint8Array(maxDepth + 1)
  let depth = 0
  let expect = EXPECT_VALUE
  // The top-level `prefetch` member: its key was just read (awaiting its value), then where its value lies.
  let awaitingPrefetch = false
  let prefetchCount = 0
  let start = -1
  let end = -1
  let isObject = false
  let members = 0
  let membersObjectsOrNull = true
  // A `}` or `]` is handled where it is expected, in three places, each written out: a closure shared by
  // them would move depth, expect and end out of registers into a context (measured: the pass ~40 % slower).
  for (let i = 0; i < n; i++) {
    const b = bytes[i]!
    if (b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09) continue
    if (expect === EXPECT_VALUE || expect === EXPECT_VALUE_OR_CLOSE) {
      if (expect === EXPECT_VALUE_OR_CLOSE && b === 0x5d) {
        depth--
        expect = depth === 0 ? EXPECT_END : EXPECT_NEXT
        if (depth === 1 && start >= 0 && end < 0) end = i + 1
        continue
      }
      if (depth === 1 && awaitingPrefetch) {
        awaitingPrefetch = false
        start = i
        isObject = b === 0x7b
      } else if (depth === 2 && start >= 0 && end < 0 && isObject && b !== 0x7b && b !== 0x6e) {
        membersObjectsOrNull = false
      }
      if (b === 0x7b || b === 0x5b) {
        if (depth === maxDepth) return { tooDeep: true, mayOverflow: sawLargeNumber, codeFound, asciiEscape: sawAsciiEscape, protoKey }
        stack[++depth] = b === 0x7b ? IN_OBJECT : IN_ARRAY
        expect = b === 0x7b ? EXPECT_KEY_OR_CLOSE : EXPECT_VALUE_OR_CLOSE
        continue
      }
      let j: number
      if (b === 0x22) {
        j = endOfString(bytes, i)
        if (j > 0) compare(i + 1, j - 1)
      } else if (b === 0x2d || isDigit(b)) j = endOfNumber(bytes, i)
      else if (b === 0x74) j = matches(bytes, i, TRUE) ? i + 4 : -1
      else if (b === 0x66) j = matches(bytes, i, FALSE) ? i + 5 : -1
      else if (b === 0x6e) j = matches(bytes, i, NULL) ? i + 4 : -1
      else return undefined
      if (j < 0) return undefined
      if (depth === 1 && start === i) end = j
      i = j - 1
      expect = depth === 0 ? EXPECT_END : EXPECT_NEXT
      continue
    }
    if (expect === EXPECT_KEY_OR_CLOSE || expect === EXPECT_KEY) {
      if (expect === EXPECT_KEY_OR_CLOSE && b === 0x7d) {
        depth--
        expect = depth === 0 ? EXPECT_END : EXPECT_NEXT
        if (depth === 1 && start >= 0 && end < 0) end = i + 1
        continue
      }
      if (b !== 0x22) return undefined
      const j = endOfString(bytes, i)
      if (j < 0) return undefined
      compare(i + 1, j - 1)
      if (depth === 1 && j - i === PREFETCH.length + 2 && matches(bytes, i + 1, PREFETCH)) {
        awaitingPrefetch = true
        prefetchCount++
      } else if (depth === 2 && start >= 0 && end < 0 && isObject) {
        members++
      }
      i = j - 1
      expect = EXPECT_COLON
      continue
    }
    if (expect === EXPECT_COLON) {
      if (b !== 0x3a) return undefined
      expect = EXPECT_VALUE
      continue
    }
    if (expect === EXPECT_NEXT) {
      const inside = stack[depth]
      if (b === 0x2c) {
        expect = inside === IN_OBJECT ? EXPECT_KEY : EXPECT_VALUE
        continue
      }
      if ((b === 0x7d && inside === IN_OBJECT) || (b === 0x5d && inside === IN_ARRAY)) {
        depth--
        expect = depth === 0 ? EXPECT_END : EXPECT_NEXT
        if (depth === 1 && start >= 0 && end < 0) end = i + 1
        continue
      }
      return undefined
    }
    // EXPECT_END: only whitespace after the value.
    return undefined
  }
  if (expect !== EXPECT_END) return undefined
  const outline: JsonOutline = prefetchCount === 1 && start >= 0 && end >= 0 ? { prefetch: { start, end, isObject, members, membersObjectsOrNull } } : {}
  return { tooDeep: false, mayOverflow: sawLargeNumber, codeFound, asciiEscape: sawAsciiEscape, protoKey, outline }
}
