/**
 * Static types for the compiled path, from the same FHIR R4 model fhirpath.js
 * uses (fhirpath/fhir-context/r4). The compiler needs them for two things the
 * plain JSON does not say: which element names are choice types (`onset` is
 * `onsetAge`, `onsetRange`, … in JSON), and which values fhirpath.js would
 * convert before comparing (dates, quantities) — those are left to the
 * reference implementation.
 *
 * A type is a FHIR type name (`Condition`, `CodeableConcept`, `code`), a
 * backbone element path (`FamilyMemberHistory.condition`), a system type
 * (`System.Boolean` …) or `Any` (not known: nothing may be navigated from it).
 */
import r4 from 'fhirpath/fhir-context/r4'

export type TypeSet = ReadonlySet<string>

const model = r4 as unknown as {
  choiceTypePaths: Record<string, string[]>
  pathsDefinedElsewhere: Record<string, string>
  type2Parent: Record<string, string>
  path2Type: Record<string, string>
}

export const ANY: TypeSet = new Set(['Any'])
export const BOOLEAN: TypeSet = new Set(['System.Boolean'])
export const STRING: TypeSet = new Set(['System.String'])
export const INTEGER: TypeSet = new Set(['System.Integer'])
export const DECIMAL: TypeSet = new Set(['System.Decimal'])
export const DATE_TIME: TypeSet = new Set(['System.DateTime'])
export const NOTHING: TypeSet = new Set()

export const types = (...names: string[]): TypeSet => new Set(names)
export const unionTypes = (...sets: TypeSet[]): TypeSet => new Set(sets.flatMap((s) => [...s]))

/** FHIR primitive types whose JSON value is compared as is by fhirpath.js (strings, numbers, booleans). */
const PLAIN_PRIMITIVES = new Set([
  'boolean', 'string', 'code', 'id', 'uri', 'url', 'canonical', 'oid', 'uuid', 'markdown',
  'integer', 'positiveInt', 'unsignedInt', 'decimal'
])
const SYSTEM_PLAIN = new Set(['System.Boolean', 'System.String', 'System.Integer', 'System.Decimal'])

/**
 * True when every value of these types is a plain JSON string / number /
 * boolean for fhirpath.js too, or a system DateTime the compiled path compares
 * with fhirpath.js's own class. FHIR date, dateTime, instant, Quantity … are
 * converted by fhirpath.js before comparison: not comparable here.
 */
export function comparable (t: TypeSet): boolean {
  return t.size > 0 && [...t].every((n) => PLAIN_PRIMITIVES.has(n) || SYSTEM_PLAIN.has(n) || n === 'System.DateTime')
}

/** FHIR primitive types fhirpath.js converts to its date classes (FP_Date, FP_DateTime, FP_Instant) before comparing. */
export const TEMPORAL_FHIR_TYPES: ReadonlySet<string> = new Set(['date', 'dateTime', 'instant'])
export type TemporalFhirType = 'date' | 'dateTime' | 'instant'

/**
 * The one FHIR date type whose JSON strings a collection of these types holds, when the reading is
 * unambiguous: the set is that type, optionally with System.DateTime (values already converted).
 * `undefined` when no FHIR date type is in the set; `null` when its strings could be of several types.
 */
export function temporalTypeOf (t: TypeSet): TemporalFhirType | undefined | null {
  const fhir = [...t].filter((n) => TEMPORAL_FHIR_TYPES.has(n))
  if (fhir.length === 0) return undefined
  if (fhir.length > 1 || [...t].some((n) => n !== fhir[0] && n !== 'System.DateTime')) return null
  return fhir[0] as TemporalFhirType
}

/**
 * Operands `<`, `>`, `<=`, `>=` may take on the compiled path: what comparable() accepts, and FHIR
 * date/dateTime/instant values read unambiguously (temporalTypeOf), which the compiled path converts
 * with fhirpath.js's own classes as fhirpath.js does. An empty set (a `$total` before its first value,
 * `{}`) is always an empty collection: its comparison is empty whatever the other side.
 */
export function orderable (t: TypeSet): boolean {
  if (t.size === 0) return true
  if (temporalTypeOf(t) !== undefined) return temporalTypeOf(t) !== null
  return comparable(t)
}

/** A resource type of the R4 model (`Procedure`), as opposed to a data type or a backbone element. */
export function isResourceType (name: string): boolean {
  let current: string | undefined = name
  for (let depth = 0; current && depth < 5; depth++) {
    if (current === 'Resource') return true
    current = model.type2Parent[current]
  }
  return false
}

/** Values of these types are FHIR elements (navigated from a resource), not computed values. */
export function isFhirElementType (t: TypeSet): boolean {
  return [...t].some((n) => !n.startsWith('System.') && n !== 'Any')
}

function isNavigable (name: string): boolean {
  // Complex types and resources are capitalised; backbone paths contain a dot; primitives are lower-case.
  return name !== 'Any' && !name.startsWith('System.') && (name.includes('.') || /^[A-Z]/.test(name))
}

export type Member = { kind: 'element', type: TypeSet } | { kind: 'choice', choices: string[] }

/** The static type of `name` on values of type `t`, or why it cannot be compiled. */
export function member (t: TypeSet, name: string): Member | string {
  const out = new Set<string>()
  let choices: string[] | undefined
  for (const owner of t) {
    if (!isNavigable(owner)) return `.${name} on ${owner}`
    const found = resolve(owner, name)
    if (found === undefined) return `${owner}.${name} is not in the R4 model`
    if (Array.isArray(found)) {
      if (choices && choices.join() !== found.join()) return `.${name} is a choice of different types`
      choices = found
    } else out.add(found)
  }
  if (choices && out.size > 0) return `.${name} is a choice on some types only`
  return choices ? { kind: 'choice', choices } : { kind: 'element', type: out }
}

function resolve (owner: string, name: string): string | string[] | undefined {
  let current: string | undefined = owner
  while (current) {
    const path: string = `${current}.${name}`
    const choice = model.choiceTypePaths[path]
    if (choice) return choice
    const definedAt = model.pathsDefinedElsewhere[path]
    const type = model.path2Type[definedAt ?? path]
    if (type) return type === 'BackboneElement' || type === 'Element' ? (definedAt ?? path) : type
    current = model.type2Parent[current] ?? (current.includes('.') ? 'BackboneElement' : undefined)
  }
  return undefined
}
