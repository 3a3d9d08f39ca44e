/**
 * The FHIRPath operators and functions the compiled path implements, on plain
 * JSON values (no fhirpath.js ResourceNode wrapping). Each one follows
 * fhirpath.js 5.x (the reference implementation the rules were written and
 * tested against) exactly where it completes; wherever the plain-value
 * reading could differ from the reference — an item that is not a plain
 * string, number or boolean, two resources with the same id, a primitive
 * carrying only an extension, a collection where a singleton is expected — it
 * throws `Bail`, and the caller re-runs the whole expression with fhirpath.js.
 * So the compiled path is either identical to the reference or not used.
 */
import fhirpath from 'fhirpath'
import r4 from 'fhirpath/fhir-context/r4'
import { FP_Quantity, isTemporal } from '../fhirpath-values.js'
import type { TemporalFhirType } from './static-types.js'

/** Thrown when the compiled path cannot promise the reference result; never escapes `expression.ts`. */
export class Bail extends Error {
  constructor (reason: string) {
    super(reason)
    this.name = 'Bail'
  }
}

export type Collection = readonly unknown[]

interface TemporalClass { checkString: (ctx: unknown, s: string) => unknown }
/**
 * The class fhirpath.js converts each FHIR date type to (ResourceNode.convertData: FP_Date,
 * FP_DateTime, FP_Instant, via checkString), with the context its values carry: taken once from
 * converted nodes of the R4 model, so the compiled path builds the very values fhirpath.js compares.
 */
function convertedClass (resource: object, path: string): { cls: TemporalClass, ctx: unknown } {
  const node = (fhirpath.evaluate(resource, path, {}, r4, { resolveInternalTypes: false }) as Array<{ convertData: () => { constructor: unknown, ctx: unknown } }>)[0]!
  const value = node.convertData()
  return { cls: value.constructor as TemporalClass, ctx: value.ctx }
}
const TEMPORAL_CLASSES: Record<TemporalFhirType, { cls: TemporalClass, ctx: unknown }> = {
  date: convertedClass({ resourceType: 'Patient', birthDate: '2000-01-01' }, 'Patient.birthDate'),
  dateTime: convertedClass({ resourceType: 'Observation', effectiveDateTime: '2000-01-01' }, 'Observation.effective'),
  instant: convertedClass({ resourceType: 'Observation', issued: '2000-01-01T00:00:00Z' }, 'Observation.issued')
}

/**
 * The items of a collection of FHIR `type` values (JSON strings) and already converted dates, as
 * fhirpath.js compares them: each string converted with fhirpath.js's class for the type. A string
 * that is not a valid date of the type (which fhirpath.js would compare as a string, or fail on)
 * or any other item is left to the reference. Returns the input itself when nothing needed converting.
 */
export function temporalItems (c: Collection, type: TemporalFhirType): Collection {
  let out: unknown[] | undefined
  for (let i = 0; i < c.length; i++) {
    const v = c[i]
    if (typeof v === 'string') {
      const { cls, ctx } = TEMPORAL_CLASSES[type]
      const d = cls.checkString(ctx, v)
      if (!d) throw new Bail(`not a valid ${type}`)
      ;(out ??= c.slice())[i] = d
    } else if (!isTemporal(v)) throw new Bail(`a ${type} that is not a string`)
  }
  return out ?? c
}

/**
 * Collections fhirpath.js produced (an expression it ran instead of the compiled path). Their
 * items may be ResourceNodes and FP_Decimals, which the plain-value operations here must not
 * read: a compiled expression reading such a variable hands itself to fhirpath.js too.
 */
export const referenceOutputs = new WeakSet<object>()
/**
 * The mark itself: a non-enumerable symbol on the collection, read by every `%variable` of the
 * compiled path (a property check instead of a WeakSet lookup per read); the WeakSet keeps the
 * collections that cannot carry it (not extensible).
 */
const REFERENCE_OUTPUT = Symbol('computed by fhirpath.js')
export function markReferenceOutput (c: object): void {
  if (Object.isExtensible(c)) Object.defineProperty(c, REFERENCE_OUTPUT, { value: true })
  else { referenceOutputs.add(c); unmarkable = true }
}
let unmarkable = false
export function isReferenceOutput (c: object): boolean {
  return (c as Record<symbol, unknown>)[REFERENCE_OUTPUT] === true || (unmarkable && referenceOutputs.has(c))
}
export const EMPTY: Collection = Object.freeze([])
// Boolean results are shared, frozen collections: the closures run hundreds of times per request.
export const TRUE: Collection = Object.freeze([true])
export const FALSE: Collection = Object.freeze([false])
export const bool = (b: boolean): Collection => b ? TRUE : FALSE

function isPlainPrimitive (v: unknown): v is string | number | boolean {
  const t = typeof v
  return t === 'string' || t === 'number' || t === 'boolean'
}

/**
 * `name` of every item: arrays flattened, absent values skipped (fhirpath.js MemberInvocation).
 * `extensionName` is `_name`, computed once by the compiler rather than per item.
 */
export function navigate (focus: Collection, name: string, extensionName = '_' + name): Collection {
  if (focus.length === 0) return EMPTY
  if (focus.length === 1) return navigateOne(focus[0], name, extensionName)
  // navigateOne's checks, item by item, pushing straight into the result: no wrapper per item.
  const out: unknown[] = []
  for (const item of focus) {
    if (typeof item !== 'object' || item === null) throw new Bail(`navigating .${name} of a primitive`)
    const rec = item as Record<string, unknown>
    if (rec[extensionName] !== undefined) throw new Bail(`${extensionName} (primitive extension) present`)
    const v = rec[name]
    if (v === undefined || v === null) continue
    if (!Array.isArray(v)) { out.push(v); continue }
    for (const x of v) {
      if (x === null || x === undefined) throw new Bail(`null inside ${name}[]`)
      out.push(x)
    }
  }
  return out
}

/**
 * One item's `name`: a JSON array is returned as is (collections are never mutated here), a single
 * value wrapped. The commonest navigation (`%x.code`, `coding`) allocates nothing or one array.
 */
function navigateOne (item: unknown, name: string, extensionName: string): Collection {
  if (typeof item !== 'object' || item === null) throw new Bail(`navigating .${name} of a primitive`)
  const rec = item as Record<string, unknown>
  // A primitive with only an extension (`_name`) is a node with no value in fhirpath.js.
  if (rec[extensionName] !== undefined) throw new Bail(`${extensionName} (primitive extension) present`)
  const v = rec[name]
  if (v === undefined || v === null) return EMPTY
  if (!Array.isArray(v)) return [v]
  for (const x of v) if (x === null || x === undefined) throw new Bail(`null inside ${name}[]`)
  return v
}

/** Where the last {@link walkSingles} stopped: the step it reached, `names.length` when the path ended. */
let walked = 0

/**
 * Down a chain of single objects (`code` of one resource, then its `coding`), checking each step as
 * navigate() does (a Bail wherever one of its steps would bail). When the path ends on the chain
 * (`walked === names.length`): the value at its end — an array, one value, or undefined for nothing.
 * Otherwise the collection, not of one item, from which the rest of the path (step `walked`) is collected.
 */
function walkSingles (focus: Collection, names: readonly string[], extensionNames: readonly string[]): unknown {
  const steps = names.length
  let i = 0
  let current = focus
  while (current.length === 1) {
    let item = current[0]
    for (;;) {
      if (typeof item !== 'object' || item === null) throw new Bail(`navigating .${names[i]!} of a primitive`)
      const rec = item as Record<string, unknown>
      if (rec[extensionNames[i]!] !== undefined) throw new Bail(`${extensionNames[i]!} (primitive extension) present`)
      const v = rec[names[i]!]
      i++
      if (v === undefined || v === null) { walked = steps; return undefined }
      if (Array.isArray(v)) {
        for (const x of v) if (x === null || x === undefined) throw new Bail(`null inside ${names[i - 1]!}[]`)
        if (i === steps) { walked = steps; return v }
        current = v
        break
      }
      if (i === steps) { walked = steps; return v }
      item = v
    }
  }
  walked = i
  return current
}

/** The rest of the path from step `from`, for each item of `rest`, depth first into one array. */
function collectRest (rest: Collection, names: readonly string[], extensionNames: readonly string[], from: number): unknown[] {
  const out: unknown[] = []
  for (const item of rest) collectPath(item, names, extensionNames, from, out)
  return out
}

/**
 * `a.b.c` in one step: what navigate() gives name by name (the same items in the same order, and a
 * Bail wherever one of its steps would bail), without a closure call and a collection per step.
 * Down a chain of single objects nothing is wrapped on the way; from the first step with several
 * items, the rest of the path is collected depth first into one array, which is the order the
 * step-by-step navigation concatenates them in.
 */
export function navigatePath (focus: Collection, names: readonly string[], extensionNames: readonly string[]): Collection {
  const end = walkSingles(focus, names, extensionNames)
  if (walked === names.length) return end === undefined ? EMPTY : Array.isArray(end) ? end : [end]
  const rest = end as Collection
  return rest.length === 0 ? EMPTY : collectRest(rest, names, extensionNames, walked)
}

/** What navigatePathOne() found: nothing, or more than one item. */
export const NONE = Object.freeze({ none: true })
export const MANY = Object.freeze({ many: true })

const oneOf = (items: readonly unknown[]): unknown => items.length === 0 ? NONE : items.length === 1 ? items[0] : MANY

/**
 * navigatePath() for an operator that needs at most one item (`code.coding.code = 'confirmed'`):
 * the single item itself, NONE or MANY, with every check navigatePath() makes (the same nodes are
 * read), but no collection built where the path ends on one value.
 */
export function navigatePathOne (focus: Collection, names: readonly string[], extensionNames: readonly string[]): unknown {
  const end = walkSingles(focus, names, extensionNames)
  if (walked === names.length) return end === undefined ? NONE : Array.isArray(end) ? oneOf(end) : end
  const rest = end as Collection
  return rest.length === 0 ? NONE : oneOf(collectRest(rest, names, extensionNames, walked))
}

/** `=` of navigatePathOne()'s answer and a one-item constant: equals() on the collection it stands for. */
export function equalsOne (x: unknown, k: unknown): Collection {
  if (x === NONE) return EMPTY
  if (x === MANY) throw new Bail('equality of collections')
  return bool(itemEquals(x, k))
}

export function notEqualsOne (x: unknown, k: unknown): Collection {
  const r = equalsOne(x, k)
  return r.length === 0 ? r : bool(!r[0])
}

/** `in` with navigatePathOne()'s answer on the left and a non-empty constant on the right: membership(). */
export function membershipOne (x: unknown, b: Collection): Collection {
  if (x === NONE) return EMPTY
  if (x === MANY) throw new Bail('`in` with a collection on the left')
  for (let i = 0; i < b.length; i++) if (itemEquals(x, b[i])) return TRUE
  return FALSE
}

function collectPath (item: unknown, names: readonly string[], extensionNames: readonly string[], i: number, out: unknown[]): void {
  if (typeof item !== 'object' || item === null) throw new Bail(`navigating .${names[i]!} of a primitive`)
  const rec = item as Record<string, unknown>
  if (rec[extensionNames[i]!] !== undefined) throw new Bail(`${extensionNames[i]!} (primitive extension) present`)
  const v = rec[names[i]!]
  if (v === undefined || v === null) return
  const last = i + 1 === names.length
  if (!Array.isArray(v)) {
    if (last) out.push(v)
    else collectPath(v, names, extensionNames, i + 1, out)
    return
  }
  for (const x of v) {
    if (x === null || x === undefined) throw new Bail(`null inside ${names[i]!}[]`)
    if (last) out.push(x)
    else collectPath(x, names, extensionNames, i + 1, out)
  }
}

/** A choice element read without ofType(): every `name<Type>` property present (`value` → valueQuantity …). */
export function navigateChoice (focus: Collection, name: string, suffixes: readonly string[]): Collection {
  const out: unknown[] = []
  for (const suffix of suffixes) out.push(...navigate(focus, name + suffix))
  return out
}

/**
 * Singleton evaluation as a Boolean (fhirpath.js misc.singleton(coll, 'Boolean')):
 * empty → empty, a boolean → itself, any other single item → true.
 */
export function singletonBoolean (c: Collection): boolean | undefined {
  if (c.length === 0) return undefined
  if (c.length > 1) throw new Bail('collection where a Boolean singleton is expected')
  const v = c[0]
  if (v === null || v === undefined) return undefined
  return typeof v === 'boolean' ? v : true
}


/** Three-valued `and` (fhirpath.js logic.andOp); both operands are always evaluated, as there. */
export function and (a: Collection, b: Collection): Collection {
  const x = singletonBoolean(a)
  const y = singletonBoolean(b)
  if (x === false || y === false) return FALSE
  if (x === undefined || y === undefined) return EMPTY
  return TRUE
}

export function or (a: Collection, b: Collection): Collection {
  const x = singletonBoolean(a)
  const y = singletonBoolean(b)
  if (x === true || y === true) return TRUE
  if (x === undefined || y === undefined) return EMPTY
  return FALSE
}

export function not (c: Collection): Collection {
  const v = singletonBoolean(c)
  return v === undefined ? EMPTY : bool(!v)
}

/** fhirpath.js util.isTrue: a single item that is exactly `true`. */
export function isTrue (c: Collection): boolean {
  return c.length === 1 && c[0] === true
}

/** Equality of two single plain items; anything else is left to the reference. */
function itemEquals (x: unknown, y: unknown): boolean {
  if (!isPlainPrimitive(x) || !isPlainPrimitive(y)) throw new Bail('equality of non-primitive items')
  if (typeof x === 'number' && typeof y === 'number') {
    // fhirpath.js rounds decimals to a precision before comparing; integers need no rounding.
    if (!Number.isInteger(x) || !Number.isInteger(y)) throw new Bail('decimal equality')
  }
  return x === y
}

/** `=`: empty if either side is empty (nullable operator), otherwise item-wise equality. */
export function equals (a: Collection, b: Collection): Collection {
  if (a.length === 0 || b.length === 0) return EMPTY
  if (a.length !== 1 || b.length !== 1) throw new Bail('equality of collections')
  return bool(itemEquals(a[0], b[0]))
}

export function notEquals (a: Collection, b: Collection): Collection {
  const r = equals(a, b)
  return r.length === 0 ? r : bool(!r[0])
}

export type Comparison = '<' | '>' | '<=' | '>='

/** `<`, `>`, `<=`, `>=` on singletons of the same kind (fhirpath.js equality.lt …). */
export function compare (op: Comparison, a: Collection, b: Collection): Collection {
  if (a.length === 0 || b.length === 0) return EMPTY
  if (a.length !== 1 || b.length !== 1) throw new Bail('comparison of collections')
  const x = a[0]
  const y = b[0]
  let c: number | null
  if (typeof x === 'number' && typeof y === 'number') c = x < y ? -1 : x > y ? 1 : 0
  else if (typeof x === 'string' && typeof y === 'string') c = x < y ? -1 : x > y ? 1 : 0
  else if (isTemporal(x) && isTemporal(y)) c = x.compare(y)
  else throw new Bail('comparison of mixed or unsupported types')
  if (c === null) return EMPTY // different precisions that cannot be ordered
  switch (op) {
    case '<': return bool(c < 0)
    case '>': return bool(c > 0)
    case '<=': return bool(c <= 0)
    case '>=': return bool(c >= 0)
  }
}

/** `x in coll` (fhirpath.js collections.in). */
export function membership (a: Collection, b: Collection): Collection {
  if (a.length === 0) return EMPTY
  if (b.length === 0) return FALSE
  if (a.length > 1) throw new Bail('`in` with a collection on the left')
  const x = a[0]
  // Indexed: an iterator here allocated a result object per item (heap sampling) wherever V8 had not optimised the call.
  for (let i = 0; i < b.length; i++) if (itemEquals(x, b[i])) return TRUE
  return FALSE
}

/** `+` on integers or strings. */
export function plus (a: Collection, b: Collection): Collection {
  if (a.length === 0 || b.length === 0) return EMPTY
  if (a.length !== 1 || b.length !== 1) throw new Bail('`+` on collections')
  const [x, y] = [a[0], b[0]]
  if (Number.isInteger(x) && Number.isInteger(y)) return [(x as number) + (y as number)]
  if (typeof x === 'string' && typeof y === 'string') return [x + y]
  if (isTemporal(x) && y instanceof FP_Quantity) return [x.plus(y)] // fhirpath.js math.plus: x.plus(y)
  throw new Bail('`+` on unsupported types')
}

export function minus (a: Collection, b: Collection): Collection {
  if (a.length === 0 || b.length === 0) return EMPTY
  if (a.length !== 1 || b.length !== 1) throw new Bail('`-` on collections')
  const [x, y] = [a[0], b[0]]
  if (Number.isInteger(x) && Number.isInteger(y)) return [(x as number) - (y as number)]
  if (isTemporal(x) && y instanceof FP_Quantity) return [x.minus(y)] // fhirpath.js math.minus: x.minus(y)
  throw new Bail('`-` on unsupported types')
}

/**
 * `+` / `-` that remembers its last date ± quantity: `%now - 365 days` inside a where() is the same
 * date for every item of an evaluation, and fhirpath.js's calendar arithmetic costs ~5 µs a time
 * (~6 % of an evaluation in the 2026-12-02 profile). Dates and quantities are immutable values, and
 * collections are never mutated, so the same operands give the same (frozen) result.
 */
export function lastDateArithmetic (fn: (a: Collection, b: Collection) => Collection): (a: Collection, b: Collection) => Collection {
  let x: unknown
  let y: unknown
  let result: Collection = EMPTY
  return (a, b) => {
    if (a.length === 1 && b.length === 1 && a[0] === x && b[0] === y) return result
    const out = fn(a, b)
    if (a.length === 1 && b.length === 1 && isTemporal(a[0]) && b[0] instanceof FP_Quantity) {
      x = a[0]
      y = b[0]
      result = Object.freeze(out.slice())
    }
    return out
  }
}

/**
 * Checks that de-duplicating these items by identity gives fhirpath.js's answer (deep equality).
 * Plain primitives compare by value; a resource by identity — two *different* objects with the same
 * id (whatever their type) are left to the reference, whose deep equality decides whether they are
 * duplicates. Anything else (elements without an id, dates, decimals) is left to the reference too.
 */
function assertIdentityDecides (items: Collection): void {
  let byId: Map<string, object> | undefined
  for (const item of items) {
    if (isPlainPrimitive(item)) {
      if (typeof item === 'number' && !Number.isInteger(item)) throw new Bail('decimal in a set operation')
      continue
    }
    const r = item as { resourceType?: unknown, id?: unknown } | null
    if (typeof r !== 'object' || r === null || isTemporal(r) || typeof r.resourceType !== 'string' || typeof r.id !== 'string') {
      throw new Bail('set operation on items without a resource identity')
    }
    byId ??= new Map()
    const other = byId.get(r.id)
    if (other !== undefined && other !== r) throw new Bail(`two different objects with id ${r.id}`)
    byId.set(r.id, r)
  }
}

/** `a | b`: both, without duplicates, first occurrence kept (fhirpath.js distinctFn). */
export function union (a: Collection, b: Collection): Collection {
  const n = a.length + b.length
  if (n < 2) return a.length === 0 ? b : a
  return n <= SMALL_UNION ? smallUnion(a, b) : largeUnion(a, b)
}

/**
 * Up to this many items, `|` compares each item with the distinct ones kept so far instead of
 * building a Set and an id Map: most unions join a few resources, and those two allocations per
 * call were the largest allocation of an evaluation (heap profile 2026-12-02).
 */
const SMALL_UNION = 12

/** A resource item of a set operation: identity decides unless another object has its id (assertIdentityDecides). */
function resourceIdentity (item: unknown): string {
  const r = item as { resourceType?: unknown, id?: unknown } | null
  if (typeof r !== 'object' || r === null || isTemporal(r) || typeof r.resourceType !== 'string' || typeof r.id !== 'string') {
    throw new Bail('set operation on items without a resource identity')
  }
  return r.id
}

function checkedPrimitive (item: string | number | boolean): void {
  if (typeof item === 'number' && !Number.isInteger(item)) throw new Bail('decimal in a set operation')
}

/**
 * union() of few items: assertIdentityDecides and the search for duplicates in one quadratic pass
 * (indexed: no iterator objects), then one exactly sized copy; the de-duplicating copy only when
 * there is a duplicate.
 */
function smallUnion (a: Collection, b: Collection): Collection {
  const na = a.length
  const n = na + b.length
  let duplicates = false
  for (let i = 0; i < n; i++) {
    const x = i < na ? a[i] : b[i - na]
    if (isPlainPrimitive(x)) {
      checkedPrimitive(x)
      for (let j = 0; j < i; j++) if ((j < na ? a[j] : b[j - na]) === x) { duplicates = true; break }
      continue
    }
    const id = resourceIdentity(x)
    for (let j = 0; j < i; j++) {
      const y = j < na ? a[j] : b[j - na]
      // An earlier item identical to x has been checked against every item before it already.
      if (y === x) { duplicates = true; break }
      // Every resource before x has passed resourceIdentity: it has a string id.
      if (!isPlainPrimitive(y) && (y as { id: string }).id === id) throw new Bail(`two different objects with id ${id}`)
    }
  }
  if (!duplicates) return na === 0 ? b.slice() : b.length === 0 ? a.slice() : a.concat(b)
  const out: unknown[] = []
  for (let i = 0; i < n; i++) {
    const x = i < na ? a[i] : b[i - na]
    if (!out.includes(x)) out.push(x)
  }
  return out
}

/** union() of many items: the same checks through one id Map (and a Set for primitives, rarely needed). */
function largeUnion (a: Collection, b: Collection): Collection {
  const out: unknown[] = []
  const byId = new Map<string, unknown>()
  let primitives: Set<unknown> | undefined
  const na = a.length
  const n = na + b.length
  for (let i = 0; i < n; i++) {
    const x = i < na ? a[i] : b[i - na]
    if (isPlainPrimitive(x)) {
      checkedPrimitive(x)
      primitives ??= new Set()
      if (!primitives.has(x)) { primitives.add(x); out.push(x) }
      continue
    }
    const id = resourceIdentity(x)
    const other = byId.get(id)
    if (other === undefined) { byId.set(id, x); out.push(x) } else if (other !== x) throw new Bail(`two different objects with id ${id}`)
  }
  return out
}

/**
 * `|` of values that may be FHIR dates (JSON strings): fhirpath.js de-duplicates those by date
 * equality (`2026-01-01T10:00+01:00` is `2026-01-01T09:00Z`), which string identity is not. One item
 * needs no de-duplication; more are left to the reference.
 */
export function unionOfDates (a: Collection, b: Collection): Collection {
  if (a.length + b.length > 1) throw new Bail('union of several dates')
  return a.length === 0 ? b : a
}

export function combine (a: Collection, b: Collection): Collection {
  return a.length === 0 ? b : b.length === 0 ? a : [...a, ...b]
}

/** Items of `a` equal to no item of `b`; duplicates within `a` are kept (fhirpath.js exclude). */
export function exclude (a: Collection, b: Collection): Collection {
  if (b.length === 0 || a.length === 0) return a
  assertIdentityDecides([...a, ...b])
  const drop = new Set(b)
  return a.filter((x) => !drop.has(x))
}
