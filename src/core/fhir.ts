/**
 * The slice of FHIR R4 types the core uses, re-exported from `@types/fhir`
 * so the rest of the code names them once.
 */
import type * as R4 from 'fhir/r4.js'

export type Resource = R4.FhirResource
export type Bundle = R4.Bundle
export type Patient = R4.Patient
export type Coding = R4.Coding
export type CodeableConcept = R4.CodeableConcept
export type Observation = R4.Observation
export type Condition = R4.Condition
export type ServiceRequest = R4.ServiceRequest
export type PractitionerRole = R4.PractitionerRole
export type Organization = R4.Organization
export type OperationOutcome = R4.OperationOutcome
export type ValueSet = R4.ValueSet
export type CodeSystem = R4.CodeSystem
export type ObservationDefinition = R4.ObservationDefinition

/** Any resource as plain JSON, for code that must tolerate what a caller sent. */
export interface AnyResource { resourceType: string, id?: string, [key: string]: unknown }
