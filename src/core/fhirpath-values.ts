/**
 * fhirpath.js's own value classes (DateTime, Quantity), which it does not export: taken once from
 * parsed literals, so the engine and the compiled path build and compare values exactly as
 * fhirpath.js does. Parsing a literal costs 0.1–0.4 ms (the ANTLR parser): never per request.
 */
import fhirpath from 'fhirpath'
import r4 from 'fhirpath/fhir-context/r4'

interface FpTemporal {
  compare: (other: unknown) => number | null
  plus: (q: unknown) => unknown
  minus: (q: unknown) => unknown
}
type FpTemporalClass = (new (ctx: unknown, iso: string) => FpTemporal) & { checkString: (ctx: unknown, s: string) => FpTemporal | null }

const literal = (text: string): { constructor: unknown, ctx?: unknown } =>
  (fhirpath.evaluate({}, text, {}, r4, { resolveInternalTypes: false }) as Array<{ constructor: unknown, ctx?: unknown }>)[0]!

const DATE = literal('@2000-01-01')
const DATE_TIME = literal('@2000-01-01T00:00:00.000Z')

/** FP_DateTime; FP_Date and FP_Instant extend it, so `instanceof` covers every temporal value. */
export const FP_DateTime = DATE_TIME.constructor as FpTemporalClass
export const FP_Quantity = literal('1 day').constructor as new (...args: unknown[]) => object

export function isTemporal (v: unknown): v is FpTemporal {
  return v instanceof FP_DateTime
}

/** `2026-11-22` → FHIRPath Date, an ISO instant → DateTime: the value the literal `@<iso>` evaluates to. */
export function toFhirDateTime (iso: string): unknown {
  const template = /^\d{4}-\d{2}-\d{2}$/.test(iso) ? DATE : DATE_TIME
  const value = (template.constructor as FpTemporalClass).checkString(template.ctx, iso)
  if (!value) throw new RangeError(`not a FHIRPath date/time: ${iso}`)
  return value
}

/** A quantity literal (`90 days`) as fhirpath.js builds it, for date arithmetic. */
export function quantityLiteral (text: string): unknown {
  const q = (fhirpath.evaluate({}, text, {}, r4, { resolveInternalTypes: false }) as unknown[])[0]
  if (!(q instanceof FP_Quantity)) throw new TypeError(`not a quantity literal: ${text}`)
  return q
}
