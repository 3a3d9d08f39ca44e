/**
 * Which draft orders are WGS orders. Only those trigger evaluation: a
 * ServiceRequest whose code is in the WGS-order ValueSet (LOINC 86206-0) or in
 * the configured local order codes. On order-select only the orders named in
 * `selections` count; on order-sign every WGS order in draftOrders.
 *
 * A draft is identified by `ServiceRequest/{id}`, or, when it has no id yet
 * (an order not saved), by its entry's fullUrl (`urn:uuid:…`): selections may
 * name it either way, and cards and suggestions name it by that reference.
 */
import type { AnyResource, Coding } from '../core/fhir.js'
import { codingKey, codingsOf, type CompiledValueSet } from '../core/terminology.js'
import { inspectJson, MAX_JSON_DEPTH, type JsonShape } from './json-limits.js'

export interface DraftOrder {
  resource: AnyResource
  /** How the client knows this draft: `ServiceRequest/{id}`, else the entry's fullUrl; absent when it has neither. */
  reference?: string
}

type Entry = { fullUrl?: string, resource?: AnyResource }

function referenceOf (entry: Entry): string | undefined {
  const id = entry.resource?.id
  if (typeof id === 'string' && id !== '') return `ServiceRequest/${id}`
  return typeof entry.fullUrl === 'string' && entry.fullUrl !== '' ? entry.fullUrl : undefined
}

/** The WGS draft orders of a hook call, each with how the client knows it. */
export function wgsDraftOrders (
  context: { draftOrders?: { entry?: Entry[] }, selections?: string[] },
  hook: string,
  orderValueSet: CompiledValueSet,
  localCodes: ReadonlySet<string>
): DraftOrder[] {
  const selected = hook === 'order-select' ? new Set(context.selections ?? []) : undefined
  const orders: DraftOrder[] = []
  for (const entry of context.draftOrders?.entry ?? []) {
    const o = entry.resource
    if (o?.resourceType !== 'ServiceRequest') continue
    const reference = referenceOf(entry)
    if (selected && !((reference !== undefined && selected.has(reference)) || (typeof entry.fullUrl === 'string' && selected.has(entry.fullUrl)))) continue
    if (codingsOf(o.code as Coding).some((c) => orderValueSet.match(c) !== undefined || localCodes.has(`${c.system ?? ''}|${c.code ?? ''}`))) {
      orders.push({ resource: o, ...(reference ? { reference } : {}) })
    }
  }
  return orders
}

/** The WGS draft orders' resources (for callers that need no reference: the CLI). */
export function wgsOrders (...args: Parameters<typeof wgsDraftOrders>): AnyResource[] {
  return wgsDraftOrders(...args).map((o) => o.resource)
}

/** Codes the byte scan can look for: characters a JSON string holds as themselves (no escape needed). */
const SCANNABLE_CODE = /^[A-Za-z0-9._:-]+$/

/**
 * The codes a look at a hook call's bytes, before they are parsed, can decide on (json-limits.ts
 * inspectJson's `codes`): could the bytes hold a WGS draft order? Not when no JSON string in the body
 * is exactly one of these codes (`"86206-0"`) and no `\u00XX` escape could spell one — then no draft
 * order can be a WGS order, whatever the rest says, and the call is answered `{"cards":[]}` on the
 * event loop (still parsed and validated: bad input is still a 400). Otherwise it is "maybe": the
 * call is evaluated as before (evaluation thread), and an order whose code is elsewhere (a
 * ServiceRequest in the prefetch) only costs the thread hop.
 *
 * Exact, not a heuristic: the codes are given only when every code is matched as sent (the order
 * ValueSet's exact `system|code` keys whose system codingKey leaves unchanged — no trimming, no
 * case folding, no ICD-10/SKS rewriting — and the configured local codes), so a body without a
 * string of the code's bytes has no coding with that code. Undefined (no scan, every call "maybe")
 * when a code cannot be scanned for.
 */
export function wgsOrderCodes (orderValueSet: CompiledValueSet, localCodes: ReadonlySet<string>): Uint8Array[] | undefined {
  const keys = orderValueSet.exactKeys
  if (!keys) return undefined
  const codes = new Set<string>()
  for (const key of keys) {
    const bar = key.indexOf('|')
    const system = key.slice(0, bar)
    const code = key.slice(bar + 1)
    const asSent = (c: string): boolean => codingKey(system, c) === `${system}|${c}`
    if (bar <= 0 || !asSent(code) || !asSent(` ${code}`) || !asSent(code.toLowerCase()) || !asSent(code.toUpperCase())) return undefined
    codes.add(code)
  }
  for (const local of localCodes) codes.add(local.slice(local.indexOf('|') + 1))
  for (const code of codes) if (!SCANNABLE_CODE.test(code)) return undefined
  return [...codes].map((c) => Buffer.from(c))
}

/** Whether what inspectJson saw with {@link wgsOrderCodes} leaves room for a WGS draft order. */
export const mayHoldWgsOrder = (shape: Pick<JsonShape, 'codeFound' | 'asciiEscape'>): boolean => shape.codeFound || shape.asciiEscape

/** {@link wgsOrderCodes} as a test of the bytes alone: undefined when the codes cannot be scanned for. */
export function wgsOrderScan (orderValueSet: CompiledValueSet, localCodes: ReadonlySet<string>): ((bytes: Uint8Array) => boolean) | undefined {
  const codes = wgsOrderCodes(orderValueSet, localCodes)
  return codes && ((bytes) => mayHoldWgsOrder(inspectJson(bytes, MAX_JSON_DEPTH, codes)))
}
