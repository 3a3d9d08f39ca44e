/**
 * Card text in Danish (default) and English. Criterion and indication texts
 * come from the definitions; this file holds only the frame around them.
 */
import type { CriterionStatus, IndicationStatus } from '../core/types.js'

export type Language = 'da' | 'en'

interface Strings {
  summary: Record<IndicationStatus, string>
  noMatchSummary: string
  noMatchUnreadable: string
  noMatchDetail: string
  /** The detail when the diagnoses could not be read: no indication could be checked, so none is said not to match. */
  noMatchUnreadableDetail: string
  status: Record<IndicationStatus, string>
  criterion: Record<CriterionStatus, string>
  heading: { criteria: string, toDocument: string, advice: string, alternatives: string, unavailable: string, paediatric: string, blocks: string }
  /** The card's first detail line: the verdict with how many of the required criteria are met. */
  verdict: (status: IndicationStatus, met: number, total: number) => string
  /** A list cut to fit the card: how many are shown, and where the rest is. */
  shownOf: (shown: number, total: number) => string
  /** Words for evidence: a resource type named when a record sent a code without a name. */
  resourceType: Record<string, string>
  /** Condition clinical and verification status codes (FHIR R4 condition-clinical, condition-ver-status). */
  conditionStatus: Record<string, string>
  yes: string
  no: string
  born: (date: string) => string
  /** Reasons the engine gives for an unknown (core/evaluate.ts), in words; the card extension keeps the technical text. */
  reasons: { unfounded: string, nonFinite: string, ruleError: string, dataUnavailable: string }
  /** The data that could not be read, by resource type. */
  unavailableData: (types: string[]) => string
  /** The order's own reasonCode names an indication the record does not match. */
  orderedNotMatched: (indication: string) => string
  linkForm: string
  linkCriteriaPage: string
  paediatric: string
  /** The same, on the line of another indication. */
  paediatricShort: string
  evidenceNone: string
  /** A rule's not-met that no recorded data shows (core: UNFOUNDED), shown as not documented. */
  unfounded: string
  /** Evidence outside the window the rule declares (Evidence.tooOld). */
  tooOld: string
  moreEvidence: (n: number) => string
  rulesVersion: string
  source: string
  linkNgc: string
  linkCriteria: string
  suggestion: string
  suggestionAction: string
  requiredNote: string
  optional: string
  overrideReasons: Record<string, string>
}

export const STRINGS: Record<Language, Strings> = {
  da: {
    summary: {
      eligible: 'WGS-kriterier opfyldt',
      'not-eligible': 'WGS-kriterier ikke opfyldt',
      incomplete: 'WGS-kriterier mangler dokumentation'
    },
    noMatchSummary: 'Ingen NGC-indikation for helgenomsekventering matcher patientens data',
    noMatchUnreadable: 'WGS-indikation kan ikke vurderes: patientens diagnoser kunne ikke hentes',
    noMatchDetail: 'Patientens registrerede diagnoser og fund matcher ingen af Nationalt Genom Centers indikationer for helgenomsekventering. Kontrollér at diagnosen er kodet (ICD-10/SKS), eller se de faglige anbefalinger.',
    noMatchUnreadableDetail: 'Patientens diagnoser kunne ikke hentes, så det kunne ikke vurderes, om en af Nationalt Genom Centers indikationer for helgenomsekventering passer. Prøv igen, eller se de faglige anbefalinger.',
    status: { eligible: 'Opfyldt', 'not-eligible': 'Ikke opfyldt', incomplete: 'Mangler dokumentation' },
    criterion: { met: 'opfyldt', 'not-met': 'ikke opfyldt', unknown: 'ikke dokumenteret', 'not-applicable': 'ikke relevant' },
    heading: { criteria: 'Kriterier', toDocument: 'Dokumentér for at afklare', advice: 'Bemærk', alternatives: 'Andre indikationer der matcher', unavailable: 'Data der ikke kunne hentes', paediatric: 'Børn og unge', blocks: 'Ikke opfyldt' },
    verdict: (status, met, total) => `**${{ eligible: 'Opfyldt', 'not-eligible': 'Ikke opfyldt', incomplete: 'Mangler dokumentation' }[status]}**: ${met} af ${total} påkrævede kriterier er opfyldt.`,
    shownOf: (shown, total) => `(${shown} af ${total}; resten via linkene)`,
    resourceType: { Condition: 'Diagnose', Observation: 'Observation', Procedure: 'Procedure', FamilyMemberHistory: 'Familieanamnese', MedicationStatement: 'Medicin', MedicationRequest: 'Ordineret medicin', MedicationAdministration: 'Givet medicin', DiagnosticReport: 'Svar', Consent: 'Samtykke', Patient: 'Patient', PractitionerRole: 'Rolle', Organization: 'Afdeling', QuestionnaireResponse: 'Rekvisitionssvar', ServiceRequest: 'Bestilling' },
    conditionStatus: { active: 'aktiv', recurrence: 'recidiv', relapse: 'recidiv', inactive: 'inaktiv', remission: 'remission', resolved: 'ophørt', unconfirmed: 'ubekræftet', provisional: 'foreløbig', differential: 'differentialdiagnose', confirmed: 'bekræftet', refuted: 'afkræftet', 'entered-in-error': 'fejlregistreret' },
    yes: 'ja',
    no: 'nej',
    born: (date) => `født ${date}`,
    reasons: {
      unfounded: 'ingen registrerede data viser at kriteriet ikke er opfyldt',
      nonFinite: 'en værdi kunne ikke læses (uendelig)',
      ruleError: 'reglen kunne ikke afgøres for denne journal',
      dataUnavailable: 'de nødvendige data kunne ikke hentes'
    },
    unavailableData: (types) => `Data der ikke kunne hentes: ${types.join(', ')}. Kriterier der bygger på dem er ikke afgjort.`,
    orderedNotMatched: (indication) => `Bestillingens indikation (${indication}) matcher ikke patientens registrerede data.`,
    linkForm: 'Udfyld WGS-rekvisitionen (kriterier og evidens)',
    linkCriteriaPage: 'Kriterierne for indikationen (alle kriterier)',
    paediatric: 'Patienten er under 18 år. Indikationen gælder voksne; børn og unge henvises til de pædiatriske patientgrupper (se NGC).',
    paediatricShort: 'gælder voksne; børn og unge henvises til de pædiatriske patientgrupper',
    evidenceNone: 'ingen data',
    unfounded: 'ingen registrerede data viser at kriteriet ikke er opfyldt',
    tooOld: 'for gammel',
    moreEvidence: (n) => `og ${n} mere`,
    rulesVersion: 'Regelversion',
    source: 'Nationalt Genom Center – WGS-kriterier',
    linkNgc: 'NGC: faglige anbefalinger for patientgrupper',
    linkCriteria: 'Kriterierne for indikationen',
    suggestion: 'Tilføj indikation og dokumentation til bestillingen',
    suggestionAction: 'Sæt NGC-indikationen som årsag og evidensen som understøttende information på WGS-bestillingen',
    requiredNote: 'påkrævet',
    optional: 'vejledende',
    overrideReasons: {
      'documented-elsewhere': 'Kriterierne er dokumenteret uden for journalen',
      'mdt-decision': 'MDT har besluttet WGS',
      'ngc-dialogue': 'Aftalt med Nationalt Genom Center',
      'clinical-judgement': 'Klinisk vurdering'
    }
  },
  en: {
    summary: {
      eligible: 'WGS criteria met',
      'not-eligible': 'WGS criteria not met',
      incomplete: 'WGS criteria not yet documented'
    },
    noMatchSummary: 'No NGC whole-genome-sequencing indication matches the patient record',
    noMatchUnreadable: "WGS indication cannot be assessed: the patient's diagnoses could not be retrieved",
    noMatchDetail: "The patient's recorded diagnoses and findings match none of the Danish National Genome Center's indications for whole-genome sequencing. Check that the diagnosis is coded (ICD-10/SKS), or see the professional recommendations.",
    noMatchUnreadableDetail: "The patient's diagnoses could not be retrieved, so whether one of the Danish National Genome Center's indications for whole-genome sequencing applies could not be assessed. Try again, or see the professional recommendations.",
    status: { eligible: 'Met', 'not-eligible': 'Not met', incomplete: 'Documentation missing' },
    criterion: { met: 'met', 'not-met': 'not met', unknown: 'not documented', 'not-applicable': 'not applicable' },
    heading: { criteria: 'Criteria', toDocument: 'Document to resolve', advice: 'Note', alternatives: 'Other matching indications', unavailable: 'Data that could not be retrieved', paediatric: 'Children and young people', blocks: 'Not met' },
    verdict: (status, met, total) => `**${{ eligible: 'Met', 'not-eligible': 'Not met', incomplete: 'Documentation missing' }[status]}**: ${met} of ${total} required criteria are met.`,
    shownOf: (shown, total) => `(${shown} of ${total}; the rest behind the links)`,
    resourceType: { Condition: 'Diagnosis', Observation: 'Observation', Procedure: 'Procedure', FamilyMemberHistory: 'Family history', MedicationStatement: 'Medication', MedicationRequest: 'Prescribed medication', MedicationAdministration: 'Medication given', DiagnosticReport: 'Report', Consent: 'Consent', Patient: 'Patient', PractitionerRole: 'Role', Organization: 'Department', QuestionnaireResponse: 'Requisition answer', ServiceRequest: 'Order' },
    conditionStatus: { active: 'active', recurrence: 'recurrence', relapse: 'relapse', inactive: 'inactive', remission: 'remission', resolved: 'resolved', unconfirmed: 'unconfirmed', provisional: 'provisional', differential: 'differential', confirmed: 'confirmed', refuted: 'refuted', 'entered-in-error': 'entered in error' },
    yes: 'yes',
    no: 'no',
    born: (date) => `born ${date}`,
    reasons: {
      unfounded: 'no recorded data shows that the criterion is not met',
      nonFinite: 'a value could not be read (infinite)',
      ruleError: 'the rule could not be decided for this record',
      dataUnavailable: 'the data it needs could not be retrieved'
    },
    unavailableData: (types) => `Data that could not be retrieved: ${types.join(', ')}. Criteria that rely on them are not decided.`,
    orderedNotMatched: (indication) => `The order's indication (${indication}) does not match the patient's recorded data.`,
    linkForm: 'Complete the WGS requisition (criteria and evidence)',
    linkCriteriaPage: 'Criteria for this indication (all criteria)',
    paediatric: 'The patient is under 18. This indication covers adults; children and young people belong to the paediatric patient groups (see NGC).',
    paediatricShort: 'adults only; children and young people belong to the paediatric patient groups',
    evidenceNone: 'no data',
    unfounded: 'no recorded data shows that the criterion is not met',
    tooOld: 'too old',
    moreEvidence: (n) => `and ${n} more`,
    rulesVersion: 'Rules version',
    source: 'Danish National Genome Center – WGS criteria',
    linkNgc: 'NGC: professional recommendations for patient groups',
    linkCriteria: 'Criteria for this indication',
    suggestion: 'Add the indication and evidence to the order',
    suggestionAction: 'Set the NGC indication as reason and the evidence as supporting information on the WGS order',
    requiredNote: 'required',
    optional: 'advisory',
    overrideReasons: {
      'documented-elsewhere': 'Criteria are documented outside the record',
      'mdt-decision': 'The MDT decided on WGS',
      'ngc-dialogue': 'Agreed with the National Genome Center',
      'clinical-judgement': 'Clinical judgement'
    }
  }
}
