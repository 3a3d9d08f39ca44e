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
  heading: { criteria: string, toDocument: string, advice: string, alternatives: string, unavailable: string, paediatric: string }
  paediatric: string
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
    heading: { criteria: 'Kriterier', toDocument: 'Dokumentér for at afklare', advice: 'Bemærk', alternatives: 'Andre indikationer der matcher', unavailable: 'Data der ikke kunne hentes', paediatric: 'Børn og unge' },
    paediatric: 'Patienten er under 18 år. Indikationen gælder voksne; børn og unge henvises til de pædiatriske patientgrupper (se NGC).',
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
    heading: { criteria: 'Criteria', toDocument: 'Document to resolve', advice: 'Note', alternatives: 'Other matching indications', unavailable: 'Data that could not be retrieved', paediatric: 'Children and young people' },
    paediatric: 'The patient is under 18. This indication covers adults; children and young people belong to the paediatric patient groups (see NGC).',
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
