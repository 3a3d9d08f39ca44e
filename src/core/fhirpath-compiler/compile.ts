/**
 * FHIRPath → JavaScript closures, for the subset of FHIRPath the criteria
 * catalogue uses. fhirpath.js stays the reference: it parses the expression
 * (same grammar, same AST) and remains the fallback. This compiler walks the
 * AST once at start-up and returns a closure tree that evaluates on the plain
 * JSON of the request — no per-node context cloning, no ResourceNode
 * wrapping, no interpreter dispatch — which is where fhirpath.js spent ~70 %
 * of evaluation time (bench/results/latest.md, profile of 2026-11-22).
 *
 * Anything outside the subset, or whose plain-JSON reading could differ from
 * fhirpath.js (see static-types.ts and operations.ts), is refused here with a
 * reason and the whole expression runs on fhirpath.js instead.
 */
import fhirpath from 'fhirpath'
import * as op from './operations.js'
import { quantityLiteral } from '../fhirpath-values.js'
import type { Collection } from './operations.js'
import { ANY, BOOLEAN, DATE_TIME, INTEGER, NOTHING, STRING, comparable, isFhirElementType, isResourceType, member, orderable, temporalTypeOf, types, unionTypes, type TypeSet } from './static-types.js'

/** Per-evaluation state: the variables (`%name`), `$total` inside aggregate(), and `this` for domain functions. */
export interface Frame {
  env: Record<string, unknown>
  total?: Collection
  fnThis: { vars: Record<string, unknown> }
  /**
   * What each `%name` read found, as a collection, by the name's place among the variables of the
   * context that compiled the read (`slotsOf`): a name is looked up in `env` (a keyed lookup of one
   * of many names, and a check of the value) once per frame, not at every read. An environment's
   * names are each written once, before anything reads them (evaluate.ts), and a read that finds a
   * name unset or unusable keeps nothing, so what was found stays what `env` holds.
   */
  slots?: unknown[] | undefined
  slotsOf?: object | undefined
}

/** Evaluates with `$this` = the given collection. */
export type Program = (self: Collection, frame: Frame) => Collection

export interface FastExpression {
  run: Program
  type: TypeSet
  /** The value, when it depends on nothing (literals and operators on them): computed once, at compile time. */
  constant?: Collection
  /** A member navigation `source.a.b`: the names from `source` on, so a further `.c` is compiled as one step. */
  path?: { source: Program, names: readonly string[], extensionNames: readonly string[] }
}

/** A `%name`'s value as a collection, or Bail where the compiled path cannot read it. */
function variableCollection (v: unknown, name: string): Collection {
  if (v === undefined || v === null) throw new op.Bail(`%${name} is not set`)
  // A single value (`%now`, `%today`): its collection is made once per frame (Frame.slots), frozen.
  if (!Array.isArray(v)) return Object.freeze([v])
  if (op.isReferenceOutput(v)) throw new op.Bail(`%${name} was computed by fhirpath.js`)
  return v
}

/** `$this`: the input itself. One shared closure, so a navigation from `$this` is recognised (navigation()). */
const SELF: Program = (self) => self

/**
 * An operator on two constants is a constant (`'active' | 'recurrence' | 'relapse'` inside a where()
 * was a union per item): computed once, frozen (collections are never mutated). An operator that
 * would hand the record to fhirpath.js (Bail) is left to run time.
 */
function folded (left: FastExpression, right: FastExpression, fn: (a: Collection, b: Collection) => Collection, type: TypeSet): FastExpression | undefined {
  if (left.constant === undefined || right.constant === undefined) return undefined
  let value: Collection
  try {
    value = Object.freeze(fn(left.constant, right.constant).slice())
  } catch (err) {
    if (err instanceof op.Bail) return undefined
    throw err
  }
  return { run: () => value, type, constant: value }
}

/** A domain function registered with fhirpath.js (`userInvocationTable`), and its result type here. */
export interface DomainFunction {
  fn: (this: Frame['fnThis'], inputs: unknown[], ...args: unknown[]) => unknown[]
  arity: Record<number, string[]>
}

export interface CompilerContext {
  /** Static type of every `%variable` an expression may read. */
  variables: ReadonlyMap<string, TypeSet>
  functions: Readonly<Record<string, DomainFunction>>
  /** Result type of each domain function: a type, or 'input' for filters such as latest(). */
  functionTypes: Readonly<Record<string, TypeSet | 'input'>>
}

class Unsupported extends Error {}

interface AstNode { type: string, text?: string, children?: AstNode[] }
interface Scope { self: TypeSet, total?: TypeSet }

/**
 * Compile, or say why the expression is left to fhirpath.js. `ast` is fhirpath.parse(expression),
 * when the caller has it already (a start-up cache); a syntax error throws.
 */
export function compileFast (expression: string, ctx: CompilerContext, ast: unknown = fhirpath.parse(expression)): FastExpression | { unsupported: string } {
  try {
    return presentedAsReference(new Compiler(ctx).node(ast as AstNode, { self: ANY }))
  } catch (err) {
    if (err instanceof Unsupported) return { unsupported: err.message }
    throw err
  }
}

/**
 * FHIR dates leave the compiled path as fhirpath.js's date values (FP_DateTime …), not JSON strings:
 * a result kept in a variable (`%palliativeStart`) may be read by an expression fhirpath.js runs,
 * which compares those values exactly as it compares its own date nodes (it would refuse a string).
 */
function presentedAsReference (e: FastExpression): FastExpression {
  const temporal = temporalTypeOf(e.type)
  if (!temporal) return e
  const run = e.run
  return { run: (self, f) => op.temporalItems(run(self, f), temporal), type: e.type }
}

const need = (cond: unknown, why: string): void => { if (!cond) throw new Unsupported(why) }
const kids = (n: AstNode): AstNode[] => n.children ?? []
const only = (n: AstNode): AstNode => { need(kids(n).length === 1, `${n.type} with ${kids(n).length} children`); return kids(n)[0]! }

function identifier (n: AstNode): string {
  const text = n.text ?? ''
  need(/^[A-Za-z_][A-Za-z0-9_]*$/.test(text), `identifier ${text}`)
  return text
}

function truthy (v: unknown): boolean { return Boolean(v) }

/** Choice suffixes are capitalised (`valueDateTime`); the model names primitive types in lower case (`dateTime`). */
const CHOICE_PRIMITIVES = new Set(['Boolean', 'String', 'Integer', 'Decimal', 'DateTime', 'Date', 'Time', 'Instant', 'Uri', 'Url', 'Canonical', 'Code', 'Id', 'Oid', 'Uuid', 'Markdown', 'Base64Binary', 'PositiveInt', 'UnsignedInt'])
function choiceTypeName (suffix: string): string {
  return CHOICE_PRIMITIVES.has(suffix) ? suffix[0]!.toLowerCase() + suffix.slice(1) : suffix
}

class Compiler {
  constructor (private readonly ctx: CompilerContext) {}

  node (n: AstNode, scope: Scope): FastExpression {
    switch (n.type) {
      case 'EntireExpression': case 'TermExpression': case 'ParenthesizedTerm': case 'InvocationTerm':
        return this.node(only(n), scope)
      case 'LiteralTerm': return this.literal(only(n))
      case 'ExternalConstantTerm': return this.variable(only(only(n)))
      case 'ThisInvocation': return { run: SELF, type: scope.self }
      case 'TotalInvocation':
        need(scope.total, '$total outside aggregate()')
        return { run: (_self, f) => f.total ?? op.EMPTY, type: scope.total! }
      case 'MemberInvocation': return this.navigation({ run: SELF, type: scope.self }, n)
      case 'FunctionInvocation': return this.call({ run: SELF, type: scope.self }, n, scope)
      case 'InvocationExpression': {
        const [left, right] = kids(n)
        need(left && right && kids(n).length === 2, 'invocation shape')
        // ofType() reads the element before it as a choice (`onset` → `onsetAge`), so it is compiled from the AST.
        if (right!.type === 'FunctionInvocation' && kids(only(right!))[0]?.text === 'ofType') return this.ofType(left!, kids(kids(only(right!))[1] ?? { type: '' }), scope)
        const input = this.node(left!, scope)
        if (right!.type === 'MemberInvocation') return this.navigation(input, right!)
        need(right!.type === 'FunctionInvocation', `invocation of ${right!.type}`)
        return this.call(input, right!, scope)
      }
      case 'EqualityExpression': return this.equality(n, scope)
      case 'InequalityExpression': return this.inequality(n, scope)
      case 'MembershipExpression': return this.membership(n, scope)
      case 'UnionExpression': return this.union(n, scope)
      case 'AndExpression':
        need(n.text === 'and', `operator ${n.text}`)
        return this.binary(n, scope, op.and, () => BOOLEAN)
      case 'OrExpression':
        need(n.text === 'or', `operator ${n.text}`) // xor is not used by the rules
        return this.binary(n, scope, op.or, () => BOOLEAN)
      case 'AdditiveExpression':
        need(n.text === '+' || n.text === '-', `operator ${n.text}`)
        return this.binary(n, scope, op.lastDateArithmetic(n.text === '+' ? op.plus : op.minus), (a, b) => {
          // Date arithmetic (`%now - 90 days`) is done by fhirpath.js's own date class.
          if (b.has('System.Quantity')) {
            need(a.size === 1 && a.has('System.DateTime') && b.size === 1, 'quantity arithmetic other than DateTime ± duration')
            return DATE_TIME
          }
          need(comparable(a) && comparable(b) && ![...a, ...b].includes('System.DateTime'), 'arithmetic on FHIR types fhirpath.js converts')
          return unionTypes(a, b)
        })
      default:
        throw new Unsupported(`${n.type}`)
    }
  }

  private literal (n: AstNode): FastExpression {
    const text = n.text ?? ''
    switch (n.type) {
      case 'StringLiteral': {
        need(/^'[^'\\]*'$/.test(text), 'string literal with escapes')
        const value = [text.slice(1, -1)]
        return { run: () => value, type: STRING, constant: value }
      }
      case 'NumberLiteral': {
        need(/^\d{1,9}$/.test(text), 'non-integer number literal') // decimals are FP_Decimal in fhirpath.js
        const value = [Number(text)]
        return { run: () => value, type: INTEGER, constant: value }
      }
      case 'BooleanLiteral': {
        const value = op.bool(text === 'true')
        return { run: () => value, type: BOOLEAN, constant: value }
      }
      case 'NullLiteral': return { run: () => op.EMPTY, type: NOTHING, constant: op.EMPTY }
      case 'QuantityLiteral': {
        // Only calendar durations, for date arithmetic: `90 days`, `1 year`.
        need(/^\d{1,6} ?(years?|months?|weeks?|days?)$/.test(text), `quantity literal ${text}`)
        const value = [quantityLiteral(text)]
        return { run: () => value, type: types('System.Quantity') }
      }
      default: throw new Unsupported(`${n.type} literal`)
    }
  }

  private variable (n: AstNode): FastExpression {
    const name = identifier(n)
    const type = this.ctx.variables.get(name)
    need(type, `%${name}`)
    // Its slot in the frame (Frame.slots): the name's place among the variables of this context.
    const owner = this.ctx.variables
    const slot = [...owner.keys()].indexOf(name)
    return {
      run: (_self, f) => {
        if (f.slotsOf === owner) {
          const known = f.slots![slot]
          if (known !== undefined) return known as Collection
        }
        const c = variableCollection(f.env[name], name)
        if (f.slotsOf !== owner) {
          f.slotsOf = owner
          f.slots = new Array<unknown>(owner.size)
        }
        f.slots![slot] = c
        return c
      },
      type: type!
    }
  }

  private navigation (input: FastExpression, n: AstNode): FastExpression {
    const name = identifier(only(n))
    const m = member(input.type, name)
    if (typeof m === 'string') throw new Unsupported(m)
    const run = input.run
    if (m.kind === 'choice') {
      // Without ofType(), a choice element is whichever `name<Type>` property the JSON has.
      const suffixes = m.choices
      return { run: (self, f) => op.navigateChoice(run(self, f), name, suffixes), type: types(...suffixes.map(choiceTypeName)) }
    }
    const extensionName = '_' + name
    // `a.b.c` is one navigatePath() over the names, not a closure and a collection per name.
    const source = input.path?.source ?? run
    const names = [...(input.path?.names ?? []), name]
    const extensionNames = [...(input.path?.extensionNames ?? []), extensionName]
    const path = { source, names, extensionNames }
    if (names.length === 1) {
      if (run === SELF) return { run: (self) => op.navigate(self, name, extensionName), type: m.type, path }
      return { run: (self, f) => op.navigate(run(self, f), name, extensionName), type: m.type, path }
    }
    if (source === SELF) return { run: (self) => op.navigatePath(self, names, extensionNames), type: m.type, path }
    return { run: (self, f) => op.navigatePath(source(self, f), names, extensionNames), type: m.type, path }
  }

  private call (input: FastExpression, n: AstNode, scope: Scope): FastExpression {
    const functn = only(n)
    const [nameNode, paramList] = kids(functn)
    const name = identifier(nameNode!)
    const params = paramList ? kids(paramList) : []
    const inputRun = input.run
    const arity = (...allowed: number[]): void => need(allowed.includes(params.length), `${name}() with ${params.length} arguments`)
    const perItem = (p: AstNode): FastExpression => this.node(p, { ...scope, self: input.type })
    switch (name) {
      case 'exists': {
        arity(0, 1)
        if (params.length === 0) return { run: (self, f) => op.bool(inputRun(self, f).length > 0), type: BOOLEAN }
        return { run: this.anyKept(inputRun, perItem(params[0]!)), type: BOOLEAN }
      }
      case 'empty': arity(0); return { run: (self, f) => op.bool(inputRun(self, f).length === 0), type: BOOLEAN }
      case 'count': arity(0); return { run: (self, f) => [inputRun(self, f).length], type: INTEGER }
      case 'not': arity(0); return { run: (self, f) => op.not(inputRun(self, f)), type: BOOLEAN }
      case 'where': arity(1); return { run: this.where(inputRun, perItem(params[0]!)), type: input.type }
      case 'all': {
        arity(1)
        const criterion = perItem(params[0]!).run
        const current: unknown[] = [undefined] // as in where(): reused, never kept
        return {
          run: (self, f) => {
            let all = true
            for (const item of inputRun(self, f)) {
              current[0] = item
              if (!op.isTrue(criterion(current, f))) { all = false; break }
            }
            current[0] = undefined
            return op.bool(all)
          },
          type: BOOLEAN
        }
      }
      case 'iif': return this.iif(input, params, scope)
      case 'combine': case 'union': case 'exclude': {
        arity(1)
        // AnyAtRoot in fhirpath.js: the argument is evaluated against the outer $this, not the input.
        const other = this.node(params[0]!, scope)
        const type = unionTypes(input.type, other.type)
        const dates = temporalTypeOf(type) !== undefined && name !== 'combine'
        const fn = name === 'combine' ? op.combine : dates ? op.unionOfDates : name === 'union' ? op.union : op.exclude
        need(!(dates && name === 'exclude'), 'exclude() of FHIR dates')
        return { run: (self, f) => fn(inputRun(self, f), other.run(self, f)), type: name === 'exclude' ? input.type : type }
      }
      case 'ofType': throw new Unsupported('ofType() on $this') // `element.ofType(T)` is compiled in node()
      case 'aggregate': return this.aggregate(input, params)
      default: return this.domainFunction(name, input, params, scope)
    }
  }

  /** fhirpath.js whereMacro keeps an item when the criterion's first result is truthy. */
  private where (inputRun: Program, criterionExpr: FastExpression): Program {
    // A navigated FHIR boolean is a ResourceNode in fhirpath.js (always truthy); only computed values are compiled.
    need(!isFhirElementType(criterionExpr.type), 'where() on a navigated FHIR value')
    const criterion = criterionExpr.run
    // `$this` for each item, in one reused array: a criterion's result is inspected, never kept
    // (only aggregate() keeps results, and it allocates its own). The loop is never re-entered
    // while running: a closure is not part of its own criterion.
    const current: unknown[] = [undefined]
    return (self, f) => {
      const input = inputRun(self, f)
      // The result is the input itself while every item is kept; a copy starts at the first one dropped.
      let out: unknown[] | undefined
      for (let i = 0; i < input.length; i++) {
        const item = input[i]
        current[0] = item
        const c = criterion(current, f)
        if (c.length > 0 && truthy(c[0])) out?.push(item)
        else out ??= input.slice(0, i)
      }
      current[0] = undefined
      return out ?? input
    }
  }

  /**
   * `exists(criterion)`: whether where(criterion) keeps anything. The criterion runs on every item,
   * as in where() (a later item may still hand the expression to fhirpath.js), but no kept items
   * are copied.
   */
  private anyKept (inputRun: Program, criterionExpr: FastExpression): Program {
    need(!isFhirElementType(criterionExpr.type), 'where() on a navigated FHIR value')
    const criterion = criterionExpr.run
    const current: unknown[] = [undefined] // as in where(): reused, never kept
    return (self, f) => {
      const input = inputRun(self, f)
      let any = false
      for (let i = 0; i < input.length; i++) {
        current[0] = input[i]
        const c = criterion(current, f)
        if (c.length > 0 && truthy(c[0])) any = true
      }
      current[0] = undefined
      return op.bool(any)
    }
  }

  private iif (input: FastExpression, params: AstNode[], scope: Scope): FastExpression {
    need(params.length === 2 || params.length === 3, 'iif() arity')
    // fhirpath.js iifMacro evaluates criterion and branches with $this = the input of iif().
    const inner: Scope = { ...scope, self: input.type }
    const [cond, ok, otherwise] = params.map((p) => this.node(p, inner))
    const inputRun = input.run
    return {
      run: (self, f) => {
        const data = inputRun(self, f)
        if (op.isTrue(cond!.run(data, f))) return ok!.run(data, f)
        return otherwise ? otherwise.run(data, f) : op.EMPTY
      },
      type: otherwise ? unionTypes(ok!.type, otherwise.type) : ok!.type
    }
  }

  /**
   * `element.ofType(T)` on a choice element: the JSON property `elementT` (`onset.ofType(Age)` →
   * `onsetAge`, `onset.ofType(dateTime)` → `onsetDateTime`). On resources of several types
   * (`(%statements | %procedures).effective.ofType(Period)`) each resource reads its own type's
   * property, and a type without that choice element contributes nothing, as in fhirpath.js.
   */
  private ofType (inputNode: AstNode, params: AstNode[], scope: Scope): FastExpression {
    need(params.length === 1, 'ofType() arity')
    const typeName = identifier(only(only(only(params[0]!))))
    // The element before ofType(): `x.onset` (InvocationExpression) or bare `onset` (TermExpression).
    let owner: FastExpression
    let memberNode: AstNode
    if (inputNode.type === 'InvocationExpression') {
      const [left, right] = kids(inputNode)
      need(right?.type === 'MemberInvocation', 'ofType() after something other than an element')
      owner = this.node(left!, scope)
      memberNode = right!
    } else {
      const term = only(only(inputNode))
      need(inputNode.type === 'TermExpression' && term.type === 'MemberInvocation', 'ofType() after something other than an element')
      owner = { run: SELF, type: scope.self }
      memberNode = term
    }
    const name = identifier(only(memberNode))
    // `dateTime` names the FHIR primitive (suffix DateTime); a capitalised `DateTime` could be System.DateTime.
    const suffix = /^[a-z]/.test(typeName) ? typeName[0]!.toUpperCase() + typeName.slice(1) : typeName
    need(/^[A-Z]/.test(typeName) ? !CHOICE_PRIMITIVES.has(typeName) : CHOICE_PRIMITIVES.has(suffix), `ofType(${typeName})`)
    // Per owner type: the JSON property of that choice, or null when the owner has no such choice.
    const properties = new Map<string, string | null>()
    for (const ownerType of owner.type) {
      const m = member(types(ownerType), name)
      if (typeof m === 'string') {
        need(owner.type.size > 1 && isResourceType(ownerType), m)
        properties.set(ownerType, null)
        continue
      }
      need(m.kind === 'choice', `ofType() on .${name}, which is not a choice element`)
      properties.set(ownerType, (m as { choices: string[] }).choices.includes(suffix) ? name + suffix : null)
    }
    const props = new Set(properties.values())
    need([...props].some((p) => p !== null), `${name} cannot be ${typeName}`)
    const type = types(choiceTypeName(suffix))
    const ownerRun = owner.run
    if (props.size === 1) {
      const property = [...props][0]!
      const extensionName = '_' + property
      return { run: (self, f) => op.navigate(ownerRun(self, f), property, extensionName), type }
    }
    // Different owner types read different properties (or none): by each item's resourceType.
    for (const ownerType of owner.type) need(isResourceType(ownerType), `ofType() on .${name} of ${ownerType} among other types`)
    const byResourceType = new Map([...properties].map(([t, p]) => [t, p === null ? null : { property: p, extensionName: '_' + p }]))
    const absent = { name, extensionName: '_' + name }
    return {
      run: (self, f) => {
        const out: unknown[] = []
        for (const item of ownerRun(self, f)) {
          const rt = (item as { resourceType?: unknown } | null)?.resourceType
          const p = typeof rt === 'string' ? byResourceType.get(rt) : undefined
          if (p === undefined) throw new op.Bail(`ofType() on a ${String(rt)}`)
          if (p === null) {
            // Not in the model for this type: fhirpath.js would read a literal `effective` property untyped.
            const rec = item as Record<string, unknown>
            if (rec[absent.name] !== undefined || rec[absent.extensionName] !== undefined) throw new op.Bail(`.${name} on a ${rt}`)
            continue
          }
          for (const x of op.navigate([item], p.property, p.extensionName)) out.push(x)
        }
        return out
      },
      type
    }
  }

  private aggregate (input: FastExpression, params: AstNode[]): FastExpression {
    need(params.length === 1, 'aggregate() with an initial value')
    // `$total` is empty, then whatever the step returned: its type is the step's result type, found by
    // compiling the step until the type of `$total` no longer grows.
    let total: TypeSet = NOTHING
    let step = this.node(params[0]!, { self: input.type, total })
    for (let i = 0; [...step.type].some((t) => !total.has(t)); i++) {
      need(i < 4, 'aggregate() whose result type does not settle')
      total = unionTypes(total, step.type)
      step = this.node(params[0]!, { self: input.type, total })
    }
    const inputRun = input.run
    return {
      run: (self, f) => {
        let total: Collection | undefined
        for (const item of inputRun(self, f)) total = step.run([item], { ...f, total: total ?? op.EMPTY })
        return total ?? op.EMPTY
      },
      type: total
    }
  }

  private domainFunction (name: string, input: FastExpression, params: AstNode[], scope: Scope): FastExpression {
    const fn = this.ctx.functions[name]
    const resultType = this.ctx.functionTypes[name]
    need(fn && resultType, `function ${name}()`)
    const kinds = fn!.arity[params.length]
    need(kinds, `${name}() with ${params.length} arguments`)
    need(params.length <= 2, `${name}() with ${params.length} arguments`)
    const inputRun = input.run
    const impl = fn!.fn
    const type = resultType === 'input' ? input.type : resultType!
    if (params.length === 0) return { run: (self, f) => impl.call(f.fnThis, inputRun(self, f) as unknown[]), type }
    // A literal argument (a ValueSet URL, a code, a number of days) is computed once; an `Any`
    // argument (a date such as `%relapseDate` or `%now - 365 days`) is evaluated as fhirpath.js does:
    // against the enclosing `$this`, as a collection.
    const args = params.map((p, i) => kinds![i] === 'Any' ? this.node(p, scope) : { fixed: this.constantArgument(p, kinds![i]!) })
    const value = (a: FastExpression | { fixed: unknown }, self: Collection, f: Frame): unknown => 'fixed' in a ? a.fixed : a.run(self, f)
    if (args.length === 1) {
      const [a] = args as [FastExpression | { fixed: unknown }]
      if ('fixed' in a) {
        const arg = a.fixed
        return { run: (self, f) => impl.call(f.fnThis, inputRun(self, f) as unknown[], arg), type }
      }
      return { run: (self, f) => impl.call(f.fnThis, inputRun(self, f) as unknown[], a.run(self, f)), type }
    }
    const [a, b] = args as [FastExpression | { fixed: unknown }, FastExpression | { fixed: unknown }]
    return { run: (self, f) => impl.call(f.fnThis, inputRun(self, f) as unknown[], value(a, self, f), value(b, self, f)), type }
  }

  /** Domain functions take literal arguments (a ValueSet URL, a code, a number of days), except `Any` ones. */
  private constantArgument (p: AstNode, kind: string): unknown {
    const lit = this.node(p, { self: ANY })
    need(kind === 'String' || kind === 'Integer', `argument of kind ${kind}`)
    need(p.type === 'TermExpression' && only(p).type === 'LiteralTerm', 'non-literal argument')
    const value = lit.run(op.EMPTY, { env: {}, fnThis: { vars: {} } })
    need(value.length === 1 && typeof value[0] === (kind === 'String' ? 'string' : 'number'), `argument is not a ${kind}`)
    return value[0]
  }

  private equality (n: AstNode, scope: Scope): FastExpression {
    need(n.text === '=' || n.text === '!=', `operator ${n.text}`)
    return this.binary(n, scope, n.text === '=' ? op.equals : op.notEquals, (a, b) => {
      need(comparable(a) && comparable(b), 'equality on FHIR types fhirpath.js converts')
      // Two navigated FHIR primitives are also compared on their extensions by fhirpath.js.
      need(!(isFhirElementType(a) && isFhirElementType(b)), 'equality of two FHIR elements')
      return BOOLEAN
    })
  }

  private inequality (n: AstNode, scope: Scope): FastExpression {
    const o = n.text as op.Comparison
    need(['<', '>', '<=', '>='].includes(o), `operator ${n.text}`)
    const [l, r] = kids(n)
    need(l && r && kids(n).length === 2, `${n.type} shape`)
    const left = this.node(l!, scope)
    const right = this.node(r!, scope)
    need(orderable(left.type) && orderable(right.type), 'comparison of FHIR types fhirpath.js converts')
    const dates = (t: TypeSet): boolean => t.size > 0 && [...t].every((x) => x === 'System.DateTime' || temporalTypeOf(types(x)) !== undefined)
    need(left.type.size === 0 || right.type.size === 0 || dates(left.type) === dates(right.type), 'comparison of a date with a value that is not one (fhirpath.js fails)')
    // FHIR dates are compared as fhirpath.js compares them: converted to its date classes first.
    const [ta, tb] = [temporalTypeOf(left.type), temporalTypeOf(right.type)]
    const a = ta ? (self: Collection, f: Frame) => op.temporalItems(left.run(self, f), ta) : left.run
    const b = tb ? (self: Collection, f: Frame) => op.temporalItems(right.run(self, f), tb) : right.run
    return { run: (self, f) => op.compare(o, a(self, f), b(self, f)), type: BOOLEAN }
  }

  /** `a | b`; FHIR dates (JSON strings) are not de-duplicated by string identity (op.unionOfDates). */
  private union (n: AstNode, scope: Scope): FastExpression {
    const [l, r] = kids(n)
    need(l && r && kids(n).length === 2, `${n.type} shape`)
    const left = this.node(l!, scope)
    const right = this.node(r!, scope)
    const type = unionTypes(left.type, right.type)
    const fn = temporalTypeOf(type) !== undefined ? op.unionOfDates : op.union
    const constant = folded(left, right, fn, type)
    if (constant) return constant
    const [a, b] = [left.run, right.run]
    if (fn === op.union) return { run: (self, f) => op.union(a(self, f), b(self, f)), type } // see binary()
    return { run: (self, f) => fn(a(self, f), b(self, f)), type }
  }

  private membership (n: AstNode, scope: Scope): FastExpression {
    need(n.text === 'in', `operator ${n.text}`)
    return this.binary(n, scope, op.membership, (a, b) => {
      need(comparable(a) && comparable(b), '`in` on FHIR types fhirpath.js converts')
      return BOOLEAN
    })
  }

  /** Both operands are always evaluated, as fhirpath.js does: an error on either side is never masked. */
  private binary (n: AstNode, scope: Scope, fn: (a: Collection, b: Collection) => Collection, typeOf: (a: TypeSet, b: TypeSet) => TypeSet): FastExpression {
    const [l, r] = kids(n)
    need(l && r && kids(n).length === 2, `${n.type} shape`)
    const left = this.node(l!, scope)
    const right = this.node(r!, scope)
    const type = typeOf(left.type, right.type)
    const constant = folded(left, right, fn, type)
    if (constant) return constant
    const one = right.constant && right.constant.length > 0 ? atMostOne(left) : undefined
    if (one) {
      // `path = 'x'`, `path in ('a' | 'b')`: the path's one item compared, no collection made for it.
      const k = right.constant!
      const k0 = k[0]
      if (fn === op.equals && k.length === 1) return { run: (self, f) => op.equalsOne(one(self, f), k0), type }
      if (fn === op.notEquals && k.length === 1) return { run: (self, f) => op.notEqualsOne(one(self, f), k0), type }
      if (fn === op.membership) return { run: (self, f) => op.membershipOne(one(self, f), k), type }
    }
    return { run: specialised(fn, left.run, right.run, right.constant), type }
  }
}

/** A member navigation's item (navigatePathOne: the item, NONE or MANY), for an operator that needs at most one. */
function atMostOne (e: FastExpression): ((self: Collection, f: Frame) => unknown) | undefined {
  const path = e.path
  if (!path) return undefined
  const { source, names, extensionNames } = path
  if (source === SELF) return (self) => op.navigatePathOne(self, names, extensionNames)
  return (self, f) => op.navigatePathOne(source(self, f), names, extensionNames)
}

/**
 * The closure of a binary operator, one function literal per operator: closures made from one
 * literal share its call feedback, so a single `fn(a(…), b(…))` literal called every operator from
 * one megamorphic call site. A constant right operand (`code = 'confirmed'`, `in ('a' | 'b')`) is
 * passed as it is; evaluating it could neither fail nor differ.
 */
function specialised (fn: (a: Collection, b: Collection) => Collection, a: Program, b: Program, k: Collection | undefined): Program {
  switch (fn) {
    case op.and: return (self, f) => op.and(a(self, f), b(self, f))
    case op.or: return (self, f) => op.or(a(self, f), b(self, f))
    case op.equals: return k ? (self, f) => op.equals(a(self, f), k) : (self, f) => op.equals(a(self, f), b(self, f))
    case op.notEquals: return k ? (self, f) => op.notEquals(a(self, f), k) : (self, f) => op.notEquals(a(self, f), b(self, f))
    case op.membership: return k ? (self, f) => op.membership(a(self, f), k) : (self, f) => op.membership(a(self, f), b(self, f))
    default: return (self, f) => fn(a(self, f), b(self, f))
  }
}
