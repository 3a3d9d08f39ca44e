/**
 * Small builders for synthetic FHIR R4 test data, in the style of
 * json-rules-engine's rule factories: a sensible default plus overrides, so a
 * scenario states only what matters to the criterion under test.
 * All data is synthetic; no real person is described.
 */
export const SYSTEMS = {
  icd10: 'http://hl7.org/fhir/sid/icd-10',
  sks: 'urn:oid:1.2.208.176.2.4.12',
  loinc: 'http://loinc.org',
  npu: 'http://npu-terminology.org',
  snomed: 'http://snomed.info/sct',
  atc: 'http://www.whocc.no/atc',
  ucum: 'http://unitsofmeasure.org',
  attestation: 'https://ngc-wgs-cds.dk/fhir/CodeSystem/wgs-attestation',
  conditionClinical: 'http://terminology.hl7.org/CodeSystem/condition-clinical',
  conditionVerification: 'http://terminology.hl7.org/CodeSystem/condition-ver-status',
  interpretation: 'http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation',
  roleCode: 'http://terminology.hl7.org/CodeSystem/v3-RoleCode',
  sor: 'urn:oid:1.2.208.176.1.1'
} as const

export type Json = Record<string, any>

let counter = 0
const nextId = (prefix: string): string => `${prefix}-${++counter}`

export const PATIENT_ID = 'pt-1'
const subject = { reference: `Patient/${PATIENT_ID}` }

export function patient (over: Json = {}): Json {
  return { resourceType: 'Patient', id: PATIENT_ID, birthDate: '1980-03-01', gender: 'female', ...over }
}

/** A Condition coded in ICD-10 (dotted) or SKS (`D` + code without dot), active and confirmed by default. */
export function condition (code: string, over: Json = {}): Json {
  const sks = /^D[A-Z]\d/.test(code) && !code.includes('.')
  return {
    resourceType: 'Condition',
    id: nextId('cond'),
    subject,
    clinicalStatus: { coding: [{ system: SYSTEMS.conditionClinical, code: 'active' }] },
    verificationStatus: { coding: [{ system: SYSTEMS.conditionVerification, code: 'confirmed' }] },
    code: { coding: [{ system: sks ? SYSTEMS.sks : SYSTEMS.icd10, code }] },
    recordedDate: '2025-06-01',
    ...over
  }
}

/** A final Observation with a UCUM quantity. */
export function quantityObservation (system: string, code: string, value: number, unit: string, date: string, over: Json = {}): Json {
  return {
    resourceType: 'Observation',
    id: nextId('obs'),
    status: 'final',
    subject,
    code: { coding: [{ system, code }] },
    effectiveDateTime: date,
    valueQuantity: { value, unit, system: SYSTEMS.ucum, code: unit },
    ...over
  }
}

export function plateletCount (value: number, date: string, over: Json = {}): Json {
  return quantityObservation(SYSTEMS.npu, 'NPU03568', value, '10*9/L', date, over)
}

export function integerObservation (system: string, code: string, value: number, date: string, over: Json = {}): Json {
  return { resourceType: 'Observation', id: nextId('obs'), status: 'final', subject, code: { coding: [{ system, code }] }, effectiveDateTime: date, valueInteger: value, ...over }
}

export function ecog (value: number, date: string): Json { return integerObservation(SYSTEMS.loinc, '89247-1', value, date) }
export function karnofsky (value: number, date: string): Json { return integerObservation(SYSTEMS.loinc, '89243-0', value, date) }

/** An attestation: final Observation, code from the project's CodeSystem, valueBoolean. */
export function attestation (code: string, value = true, date = '2026-11-01'): Json {
  return { resourceType: 'Observation', id: nextId('att'), status: 'final', subject, code: { coding: [{ system: SYSTEMS.attestation, code }] }, effectiveDateTime: date, valueBoolean: value }
}

/**
 * A pathology answer as a Danish pathology system (Patobank) sends it: a DiagnosticReport with category
 * HL7 v2-0074 SP (Surgical Pathology) and the diagnosis as conclusionCode — here the morphology, as an
 * ICD-O-3 code or as an SKS M-code (M + the ICD-O-3 morphology digits + behaviour, e.g. M89363 = 8936/3).
 */
export const pathologyReport = (conclusion: { system: string, code: string }, date = '2026-09-10'): Json => ({
  resourceType: 'DiagnosticReport',
  id: `path-${conclusion.code.replace(/\W/g, '')}`,
  status: 'final',
  subject: { reference: `Patient/${PATIENT_ID}` },
  category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0074', code: 'SP' }] }],
  code: { text: 'Patologisvar' },
  effectiveDateTime: date,
  conclusionCode: [{ coding: [conclusion] }]
})
export const icdo3 = (code: string): { system: string, code: string } => ({ system: 'http://terminology.hl7.org/CodeSystem/icd-o-3', code })
/** An SKS/Patobank M-code, sent under the SKS root OID. */
export const sksM = (code: string): { system: string, code: string } => ({ system: 'urn:oid:1.2.208.176.2.4', code })

export function procedure (system: string, code: string, date: string, over: Json = {}): Json {
  return { resourceType: 'Procedure', id: nextId('proc'), status: 'completed', subject, code: { coding: [{ system, code }] }, performedDateTime: date, ...over }
}

export function medicationStatement (atc: string, over: Json = {}): Json {
  return { resourceType: 'MedicationStatement', id: nextId('med'), status: 'active', subject, medicationCodeableConcept: { coding: [{ system: SYSTEMS.atc, code: atc }] }, effectiveDateTime: '2026-10-01', ...over }
}

export function familyMember (relationship: string, conditionCode: string, onsetAge?: number, over: Json = {}): Json {
  return {
    resourceType: 'FamilyMemberHistory',
    id: nextId('fmh'),
    status: 'completed',
    patient: subject,
    relationship: { coding: [{ system: SYSTEMS.roleCode, code: relationship }] },
    condition: [{ code: { coding: [{ system: SYSTEMS.icd10, code: conditionCode }] }, ...(onsetAge === undefined ? {} : { onsetAge: { value: onsetAge, unit: 'a', system: SYSTEMS.ucum, code: 'a' } }) }],
    ...over
  }
}

/** The ordering user's role at a named department, with a specialty (SNOMED). */
export function orderingRole (orgName: string, specialty = '394803006', identifiers: Json[] = []): Json[] {
  const orgId = nextId('org')
  return [
    { resourceType: 'PractitionerRole', id: nextId('role'), practitioner: { reference: 'Practitioner/dr-1' }, organization: { reference: `Organization/${orgId}` }, specialty: [{ coding: [{ system: SYSTEMS.snomed, code: specialty }] }] },
    { resourceType: 'Organization', id: orgId, name: orgName, identifier: identifiers }
  ]
}

/** A searchset Bundle, as a prefetch key carries it. */
export function searchset (resources: Json[]): Json {
  return { resourceType: 'Bundle', type: 'searchset', total: resources.length, entry: resources.map((resource) => ({ resource })) }
}

/** The draft WGS order (LOINC 86206-0). */
export function wgsOrder (id = 'wgs-order-1', over: Json = {}): Json {
  return {
    resourceType: 'ServiceRequest',
    id,
    status: 'draft',
    intent: 'order',
    subject,
    code: { coding: [{ system: SYSTEMS.loinc, code: '86206-0', display: 'Whole genome sequence analysis in Blood or Tissue by Molecular genetics method' }] },
    ...over
  }
}

const PREFETCH_KEY: Record<string, string> = {
  Condition: 'conditions',
  Observation: 'observations',
  Procedure: 'procedures',
  FamilyMemberHistory: 'familyHistory',
  MedicationStatement: 'medicationStatements',
  Medication: 'medicationStatements',
  MedicationRequest: 'medicationRequests',
  MedicationAdministration: 'medicationAdministrations',
  DiagnosticReport: 'diagnosticReports',
  Consent: 'consents',
  PractitionerRole: 'practitionerRoles',
  Organization: 'practitionerRoles',
  QuestionnaireResponse: 'questionnaireResponses'
}

export interface RequestOptions {
  hook?: 'order-select' | 'order-sign'
  /** Prefetch keys to leave out entirely (the client did not satisfy them). */
  omit?: string[]
  order?: Json
  hookInstance?: string
}

/**
 * A complete CDS Hooks request carrying the patient's resources as prefetch,
 * every key present (empty searchset when there is nothing), except those in
 * `omit`.
 */
export function hookRequest (pt: Json, resources: Json[], opts: RequestOptions = {}): Json {
  const hook = opts.hook ?? 'order-select'
  const order = opts.order ?? wgsOrder()
  const keys = ['conditions', 'observations', 'procedures', 'familyHistory', 'medicationStatements', 'medicationRequests', 'medicationAdministrations', 'diagnosticReports', 'consents', 'practitionerRoles', 'questionnaireResponses']
  const prefetch: Json = { patient: pt }
  for (const key of keys) prefetch[key] = searchset(resources.filter((r) => PREFETCH_KEY[r.resourceType] === key))
  for (const key of opts.omit ?? []) delete prefetch[key]
  const context: Json = {
    userId: 'Practitioner/dr-1',
    patientId: pt.id,
    draftOrders: { resourceType: 'Bundle', type: 'collection', entry: [{ resource: order }] }
  }
  if (hook === 'order-select') context.selections = [`ServiceRequest/${String(order.id)}`]
  return { hook, hookInstance: opts.hookInstance ?? crypto.randomUUID(), context, prefetch }
}
