/**
 * Domain types of the eligibility core: indication definitions as read from
 * `cds-services/indications/*.yaml`, and the results the engine produces.
 * The definition shapes mirror `src/definitions/indication.schema.json`.
 */
import type { Resource } from './fhir.js'

/** Text in both languages the service speaks. Danish is the clinical default. */
export interface LocalizedText { da: string, en: string }

/** Where in the Danish source documents (`shared/seeds/`) a rule comes from. */
export interface SeedCitation { file: string, heading: string, quote?: string }

/**
 * `not-applicable`: the criterion's `applies` condition yielded false (a conditional criterion such as
 * "bone marrow if over 50" for a 46-year-old). It does not count towards the indication's status.
 */
export type CriterionStatus = 'met' | 'not-met' | 'unknown' | 'not-applicable'
export type IndicationStatus = 'eligible' | 'not-eligible' | 'incomplete'
export type PatientGroup = 'hematologic-cancer' | 'inherited-hematologic-disease' | 'widespread-incurable-cancer'

/** The FHIR resource types the engine can read from a patient record. */
export type RecordResourceType =
  | 'Condition' | 'Observation' | 'Procedure' | 'FamilyMemberHistory'
  | 'MedicationStatement' | 'MedicationRequest' | 'MedicationAdministration'
  | 'Consent' | 'DiagnosticReport'

/** A named retrieval of resources from the record, filtered by a ValueSet. */
export interface DataRequirement {
  resourceType: RecordResourceType
  /** Canonical URL of a ValueSet in `fhir-profiles/`; matched against the resource's main code. */
  valueSet?: string
  /** Statuses to keep; the engine has a documented default per resource type. */
  status?: string[]
  description?: LocalizedText
}

/** A composition of other criteria of the same indication, by id. Kleene three-valued logic. */
export type Composition =
  | { all: Array<string | Composition> }
  | { any: Array<string | Composition> }
  | { not: string | Composition }

export interface CriterionDefinition {
  id: string
  text: LocalizedText
  seed: SeedCitation
  /** Counts towards the indication's status. Parts of a composite are usually not required themselves. */
  required: boolean
  /**
   * FHIRPath; when it yields `false` the criterion is `not-applicable` and is not evaluated.
   * Empty or `true`: evaluated as usual.
   */
  applies?: string
  /** FHIRPath yielding `true` (met), `false` (not met) or empty (unknown). */
  expression?: string
  composition?: Composition
  /** FHIRPath yielding the resources (or values) that decided the criterion. */
  evidence?: string
  /** What the clinician must document when the criterion is unknown. */
  document?: LocalizedText
  /** Where the seed leaves a clinical reading open: the decision taken, for reviewers. */
  interpretation?: LocalizedText
  /** Clinician-facing category used for grouping in the card. */
  category?: string
}

export interface AdviceDefinition {
  id: string
  text: LocalizedText
  seed: SeedCitation
  /** FHIRPath; advice is shown when it yields `true`. Absent means always. */
  when?: string
}

export interface IndicationDefinition {
  id: string
  title: LocalizedText
  group: PatientGroup
  seed: SeedCitation
  url: string
  /** Adult-only indications point patients under 18 to the paediatric groups. */
  population: 'adults' | 'all-ages'
  /** Named retrievals, available to every expression as `%name`. */
  data: Record<string, DataRequirement>
  /** Derived values, evaluated in order; each is available as `%name` to later expressions. */
  variables?: Record<string, string>
  /** FHIRPath yielding `true` when the patient's record matches this indication at all. */
  matches: string
  /** Evidence for the match (resources), shown on the card. */
  matchEvidence?: string
  criteria: CriterionDefinition[]
  advice?: AdviceDefinition[]
  /** Other indications to name when this one matches (for overlaps and redirects). */
  related?: Array<{ indication: string, when?: string, text: LocalizedText }>
}

/** One fact that decided a criterion. */
export interface Evidence {
  /** Relative reference (`Observation/123`) when the fact is a resource. */
  reference?: string
  resourceType?: string
  /** The code that matched, as `system|code`, with its display when known. */
  code?: string
  display?: string
  value?: string
  date?: string
  /** Who attested it: the author of a requisition form's answer (QuestionnaireResponse.author), by name or reference. */
  author?: string
  /**
   * The fact is older than the window the rule declares (attestation / recentAs `since`), so it
   * did not count: shown with its date as "too old".
   */
  tooOld?: boolean
}

export interface CriterionResult {
  id: string
  status: CriterionStatus
  required: boolean
  text: LocalizedText
  evidence: Evidence[]
  /** Why the result is unknown when data could not be read (missing prefetch key, evaluation error). */
  reason?: string
  document?: LocalizedText
  /** Why an unknown needs attention (e.g. the ordering department was not recognised, naming the listed ones). */
  warnings?: LocalizedText[]
  /** Criterion ids this composite is built from. */
  parts?: string[]
}

export interface IndicationResult {
  indication: string
  title: LocalizedText
  group: PatientGroup
  url: string
  status: IndicationStatus
  criteria: CriterionResult[]
  matchEvidence: Evidence[]
  advice: Array<{ id: string, text: LocalizedText }>
  related: Array<{ indication: string, text: LocalizedText }>
  /** The patient is under 18 and this indication covers adults only. */
  paediatricRedirect: boolean
}

export type { Resource }
