/**
 * Turn whatever an evidence expression yielded into a short, clinician-readable
 * fact: the resource reference, what it is (code + display), its value and its
 * date. Values are shown as recorded (with their UCUM unit); conversions are
 * only used for comparisons.
 */
import type { AnyResource, Coding } from './fhir.js'
import type { Evidence } from './types.js'
import { clinicalDate } from './clinical-time.js'
import { mainCodings } from './record.js'
import { codingsOf } from './terminology.js'

/**
 * `memo`: the request's own summaries (PatientRecord.evidence), since a resource is evidence for
 * many criteria. Evidence objects are shared between criteria and never mutated.
 */
export function summarise (item: unknown, memo?: Map<object, Evidence>): Evidence | undefined {
  if (item === null || item === undefined) return undefined
  if (typeof item !== 'object') return { value: String(item) }
  const known = memo?.get(item)
  if (known) return known
  const ev = summariseObject(item)
  memo?.set(item, ev)
  return ev
}

function summariseObject (item: object): Evidence {
  const r = item as AnyResource
  if (typeof r.resourceType !== 'string') return { value: describeValue(item) }
  const coding = mainCodings(r)[0]
  const ev: Evidence = { resourceType: r.resourceType }
  if (r.id) ev.reference = `${r.resourceType}/${r.id}`
  if (coding?.code) ev.code = `${coding.system ?? ''}|${coding.code}`
  const display = coding?.display ?? (r.code as { text?: string } | undefined)?.text
  if (display) ev.display = display
  const value = valueOf(r)
  if (value !== undefined) ev.value = value
  const date = clinicalDate(r)
  if (date) ev.date = date
  return ev
}

function valueOf (r: AnyResource): string | undefined {
  if (r.resourceType === 'Patient') return typeof r.birthDate === 'string' ? `birthDate ${r.birthDate}` : undefined
  if (r.resourceType === 'Condition') {
    const v = codingsOf(r.verificationStatus as Coding)[0]?.code
    const c = codingsOf(r.clinicalStatus as Coding)[0]?.code
    return [c, v].filter(Boolean).join(', ') || undefined
  }
  if (r.resourceType === 'FamilyMemberHistory') {
    return codingsOf(r.relationship as Coding)[0]?.code
  }
  if (r.resourceType === 'PractitionerRole') {
    return (Array.isArray(r.specialty) ? r.specialty : []).flatMap((s: any) => codingsOf(s)).map((c) => c.display ?? c.code).join(', ') || undefined
  }
  if (r.resourceType === 'Organization') return typeof r.name === 'string' ? r.name : undefined
  for (const key of ['valueQuantity', 'valueInteger', 'valueDecimal', 'valueBoolean', 'valueString', 'valueCodeableConcept']) {
    if (r[key] !== undefined) return describeValue(r[key])
  }
  return undefined
}

function describeValue (v: unknown): string {
  if (typeof v !== 'object' || v === null) return String(v)
  const q = v as { value?: unknown, code?: unknown, unit?: unknown, comparator?: unknown }
  if (typeof q.value === 'number') return `${String(q.comparator ?? '')}${q.value} ${String(q.code ?? q.unit ?? '')}`.trim()
  const c = codingsOf(v as Coding)[0]
  if (c) return c.display ?? c.code ?? ''
  return JSON.stringify(v).slice(0, 80)
}
