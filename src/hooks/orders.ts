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
import { codingsOf, type CompiledValueSet } from '../core/terminology.js'

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
