/**
 * Draft orders that have no `id` yet, only a `urn:uuid:` fullUrl in the
 * draftOrders Bundle (an order not yet saved has no server id). The draft is
 * identified by its fullUrl everywhere: order-select's `selections` may name
 * it, the card's result names it as its `order`, and an eligible card's
 * suggestion names it (`resourceId`) so the EHR can apply the update to the
 * right draft (issue 14, item 12). A draft with neither an id nor a fullUrl
 * is still evaluated on order-sign, but gets no suggestion nobody could apply.
 */
import t from 'tap'
import { buildTestApp, postHook, resultFor, cardFor } from '../helpers/app.js'
import { attestation, condition, hookRequest, orderingRole, patient, plateletCount, quantityObservation, SYSTEMS, wgsOrder, type Json } from '../helpers/fhir-builders.js'

const ID = 'inherited-thrombocytopenia'
const eligible = (): Json[] => [
  condition('DD694'), plateletCount(88, '2015-05-01'), plateletCount(95, '2021-03-01'),
  quantityObservation(SYSTEMS.loinc, '32623-1', 12.1, 'fL', '2024-02-01'),
  attestation('lifelong-course'), attestation('acquired-causes-excluded'), attestation('patient-informed'),
  ...orderingRole('Afdeling for Blodsygdomme, Rigshospitalet')
]
const FULL_URL_A = 'urn:uuid:6f1c2a7e-93b4-4d0e-8c55-1f0f7a9d2b11'
const FULL_URL_B = 'urn:uuid:0b8e4f63-2d5a-4a9c-b7e1-5c3d9e8f4a22'

function withoutId (): Json {
  const order = wgsOrder()
  delete order.id
  return order
}

/** A request whose draftOrders are the given entries (fullUrl and resource as a client sends them). */
function request (hook: 'order-select' | 'order-sign', entries: Json[], selections?: string[]): Json {
  const base = hookRequest(patient(), eligible(), { hook })
  base.context.draftOrders = { resourceType: 'Bundle', type: 'collection', entry: entries }
  if (hook === 'order-select') base.context.selections = selections
  return base
}

void t.test('order-select: a selection naming a draft by its urn:uuid fullUrl is evaluated', async (t) => {
  const app = await buildTestApp(t)
  const res = await postHook(app, request('order-select', [{ fullUrl: FULL_URL_A, resource: withoutId() }], [FULL_URL_A]))
  t.equal(res.status, 200)
  const result = resultFor(res.body, ID)
  t.equal(result?.status, 'eligible', 'the selected draft was evaluated')
  t.equal(result?.order, FULL_URL_A, 'the card names the draft by its fullUrl')
  const action = cardFor(res.body, ID)?.suggestions?.[0]?.actions?.[0]
  t.equal(action?.resourceId, FULL_URL_A, 'and so does the suggestion, so it can be applied')
})

void t.test('order-select: only the selected one of two drafts without ids', async (t) => {
  const app = await buildTestApp(t)
  const res = await postHook(app, request('order-select', [{ fullUrl: FULL_URL_A, resource: withoutId() }, { fullUrl: FULL_URL_B, resource: withoutId() }], [FULL_URL_B]))
  t.equal(res.status, 200)
  const orders = new Set(res.body.cards.map((c: any) => c.extension['dk.ngc-wgs-cds.eligibility'].order))
  t.same([...orders], [FULL_URL_B], 'every card is about the selected draft')
})

void t.test('order-sign: a draft without an id gets an appliable suggestion naming its fullUrl', async (t) => {
  const app = await buildTestApp(t)
  const res = await postHook(app, request('order-sign', [{ fullUrl: FULL_URL_A, resource: withoutId() }]))
  t.equal(res.status, 200)
  const result = resultFor(res.body, ID)
  t.equal(result?.status, 'eligible')
  t.equal(result?.order, FULL_URL_A)
  const action = cardFor(res.body, ID)?.suggestions?.[0]?.actions?.[0]
  t.equal(action?.type, 'update')
  t.equal(action?.resourceId, FULL_URL_A, 'the update names the draft it updates')
  t.equal(action?.resource?.id, undefined, 'no id is invented for it')
})

void t.test('a draft with an id keeps being named by it, whether selected by id or by fullUrl', async (t) => {
  const app = await buildTestApp(t)
  const withId = wgsOrder('wgs-order-7')
  for (const selection of ['ServiceRequest/wgs-order-7', FULL_URL_A]) {
    const res = await postHook(app, request('order-select', [{ fullUrl: FULL_URL_A, resource: withId }], [selection]))
    t.equal(resultFor(res.body, ID)?.order, 'ServiceRequest/wgs-order-7', `selected as ${selection}`)
    t.equal(cardFor(res.body, ID)?.suggestions?.[0]?.actions?.[0]?.resource?.id, 'wgs-order-7')
  }
})

void t.test('order-sign: a draft with neither id nor fullUrl is evaluated but gets no suggestion', async (t) => {
  const app = await buildTestApp(t)
  const res = await postHook(app, request('order-sign', [{ resource: withoutId() }]))
  t.equal(res.status, 200)
  t.equal(resultFor(res.body, ID)?.status, 'eligible', 'evaluated')
  t.equal(cardFor(res.body, ID)?.suggestions, undefined, 'no suggestion that names no draft')
})
