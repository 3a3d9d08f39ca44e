/**
 * Which draft orders are WGS orders. Only those trigger evaluation: a
 * ServiceRequest whose code is in the WGS-order ValueSet (LOINC 86206-0) or in
 * the configured local order codes. On order-select only the orders named in
 * `selections` count; on order-sign every WGS order in draftOrders.
 */
import type { AnyResource, Coding } from '../core/fhir.js'
import { codingsOf, type CompiledValueSet } from '../core/terminology.js'

export function wgsOrders (
  context: { draftOrders?: { entry?: Array<{ resource?: AnyResource }> }, selections?: string[] },
  hook: string,
  orderValueSet: CompiledValueSet,
  localCodes: ReadonlySet<string>
): AnyResource[] {
  const orders = (context.draftOrders?.entry ?? []).map((e) => e.resource).filter((r): r is AnyResource => r?.resourceType === 'ServiceRequest')
  const selected = hook === 'order-select' ? new Set(context.selections ?? []) : undefined
  return orders.filter((o) => {
    if (selected && !selected.has(`ServiceRequest/${String(o.id)}`)) return false
    return codingsOf(o.code as Coding).some((c) => orderValueSet.match(c) !== undefined || localCodes.has(`${c.system ?? ''}|${c.code ?? ''}`))
  })
}
