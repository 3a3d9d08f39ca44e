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

/**
 * Whether `bytes` (JSON text, possibly invalid) nests objects and arrays
 * deeper than `limit`. Brackets inside strings do not count; strings are
 * skipped with the native indexOf, so the cost is about one pass over the
 * bytes outside strings. Invalid JSON is left for the parser to refuse.
 */
export function nestsDeeperThan (bytes: Uint8Array, limit: number = MAX_JSON_DEPTH): boolean {
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  let depth = 0
  for (let i = 0; i < buf.length; i++) {
    const b = buf[i]!
    if (b === QUOTE) {
      // The closing quote: the next one not escaped by an odd run of backslashes.
      let end = buf.indexOf(QUOTE, i + 1)
      while (end > 0) {
        let slashes = 0
        while (buf[end - 1 - slashes] === BACKSLASH) slashes++
        if (slashes % 2 === 0) break
        end = buf.indexOf(QUOTE, end + 1)
      }
      if (end < 0) return false
      i = end
    } else if (b === OPEN_OBJECT || b === OPEN_ARRAY) {
      if (++depth > limit) return true
    } else if (b === CLOSE_OBJECT || b === CLOSE_ARRAY) {
      depth--
    }
  }
  return false
}

/** The message of the 400 for a body nested too deeply. */
export const NESTING_MESSAGE = `The request body is nested deeper than ${MAX_JSON_DEPTH} levels (objects and arrays); it is refused`
