/**
 * The CDS Hooks request the playground builds for one of its patients (src/web/static/playground.js
 * buildRequest): every prefetch key filled from the patient's bundle, one draft WGS order.
 */
export function playgroundRequest (bundle: any, prefetchKeys: Record<string, { resourceTypes: string[] }>): any {
  const resources = (bundle.entry ?? []).map((e: any) => e.resource)
  const patient = resources.find((r: any) => r.resourceType === 'Patient')
  const prefetch: Record<string, unknown> = {}
  for (const [key, def] of Object.entries(prefetchKeys)) {
    if (def.resourceTypes.includes('Patient')) { prefetch[key] = patient; continue }
    const found = resources.filter((r: any) => def.resourceTypes.includes(r.resourceType))
    prefetch[key] = { resourceType: 'Bundle', type: 'searchset', total: found.length, entry: found.map((resource: any) => ({ resource })) }
  }
  const order = { resourceType: 'ServiceRequest', id: 'playground-wgs-order', status: 'draft', intent: 'order', subject: { reference: `Patient/${String(patient.id)}` }, code: { coding: [{ system: 'http://loinc.org', code: '86206-0' }] } }
  return {
    hook: 'order-select',
    hookInstance: crypto.randomUUID(),
    context: { userId: 'Practitioner/dr-1', patientId: patient.id, selections: ['ServiceRequest/playground-wgs-order'], draftOrders: { resourceType: 'Bundle', type: 'collection', entry: [{ resource: order }] } },
    prefetch
  }
}
