/**
 * A patient record from a file, for the CLI (and the playground patients'
 * generator and tests): a FHIR Bundle of any type holding a Patient and its
 * resources, a bare Patient, or a CDS Hooks request with prefetch (resolved
 * exactly as the service resolves it). Evaluated with the same engine as the
 * service — loadRulesFor → buildRecord → evaluate — without HTTP.
 */
import { buildRecord, type RecordInput } from '../core/record.js'
import { answerKeyOf, containedResponses } from '../core/questionnaire.js'
import { evaluate } from '../core/evaluate.js'
import type { AnyResource, Patient } from '../core/fhir.js'
import type { IndicationResult, IndicationStatus } from '../core/types.js'
import type { LoadedRules } from '../definitions/load.js'
import { resolvePrefetch } from '../hooks/prefetch.js'
import { wgsOrders } from '../hooks/orders.js'
import { HookError } from '../hooks/operation-outcome.js'

/** A problem with the input file itself (not with the patient's eligibility). */
export class InputError extends Error {
  override name = 'InputError'
}

export interface PatientInput {
  kind: 'bundle' | 'patient' | 'cds-request'
  record: RecordInput
  /** Draft WGS orders found (the first is `%order`). */
  orders: AnyResource[]
}

type Json = Record<string, unknown>
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v)

function belongsTo (r: AnyResource, patientId: string | undefined): boolean {
  const ref = ((r.subject ?? r.patient) as { reference?: unknown } | undefined)?.reference
  return typeof ref !== 'string' || patientId === undefined || ref === `Patient/${patientId}` || ref.endsWith(`/Patient/${patientId}`)
}

/** Interpret a parsed JSON document as a patient record. */
export function readPatientInput (rules: LoadedRules, doc: unknown): PatientInput {
  if (!isObject(doc)) throw new InputError('expected a JSON object: a FHIR Bundle, a Patient, or a CDS Hooks request')
  const orderValueSet = rules.catalogue.valueSets.get(rules.service.orderValueSet)
  const isOrder = (r: AnyResource): boolean => orderValueSet !== undefined && wgsOrders({ draftOrders: { entry: [{ resource: r }] } }, 'order-sign', orderValueSet, new Set()).length > 0
  if (typeof doc.hook === 'string' && isObject(doc.context)) {
    const context = doc.context as { patientId?: unknown }
    if (typeof context.patientId !== 'string') throw new InputError('CDS Hooks request: context.patientId is missing')
    try {
      const { record } = resolvePrefetch(rules.service, isObject(doc.prefetch) ? doc.prefetch : undefined, context.patientId)
      if (!record.patient) throw new InputError(`CDS Hooks request: prefetch.patient is missing or empty (Patient/${context.patientId})`)
      const orders = orderValueSet ? wgsOrders(doc.context as Parameters<typeof wgsOrders>[0], doc.hook, orderValueSet, new Set()) : []
      return { kind: 'cds-request', record, orders }
    } catch (err) {
      if (err instanceof HookError) throw new InputError(`CDS Hooks request: ${err.message}`)
      throw err
    }
  }
  if (doc.resourceType === 'Patient') return { kind: 'patient', record: { patient: doc as unknown as Patient, resources: [] }, orders: [] }
  if (doc.resourceType !== 'Bundle') {
    throw new InputError(`expected a FHIR Bundle, a Patient, or a CDS Hooks request; got ${typeof doc.resourceType === 'string' ? `resourceType ${doc.resourceType}` : 'an object without resourceType'}`)
  }
  const entries = Array.isArray(doc.entry) ? doc.entry : []
  const resources = entries.map((e: unknown) => isObject(e) ? e.resource : undefined).filter((r): r is AnyResource => isObject(r) && typeof r.resourceType === 'string')
  const patients = resources.filter((r) => r.resourceType === 'Patient')
  if (patients.length === 0) throw new InputError('the Bundle holds no Patient resource')
  const ids = new Set(patients.map((p) => p.id))
  if (ids.size > 1) throw new InputError(`the Bundle holds ${ids.size} different patients (${[...ids].join(', ')}); give one patient per file`)
  const patient = patients[0] as unknown as Patient
  const rest = resources.filter((r) => r.resourceType !== 'Patient' && belongsTo(r, patient.id))
  return {
    kind: 'bundle',
    record: { patient, resources: rest.filter((r) => !isOrder(r)) },
    orders: rest.filter(isOrder)
  }
}

/** Evaluate every indication for the record at `at` (ISO instant), as the service does for one order. */
export function evaluateInput (rules: LoadedRules, input: PatientInput, at: string): IndicationResult[] {
  const contained = containedResponses(input.orders)
  const record = buildRecord({ ...input.record, resources: contained.length ? [...input.record.resources, ...contained] : input.record.resources, answerKey: answerKeyOf(rules.indications) })
  return evaluate(rules.catalogue, record, at, input.orders[0] ? { order: input.orders[0] } : {})
}

/** The best status over all matching indications (results are sorted best first), or undefined when none matches. */
export function bestStatus (results: IndicationResult[]): IndicationStatus | undefined {
  return results[0]?.status
}
