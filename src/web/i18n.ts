/**
 * Text of the criteria browser and the playground frame, Danish (default) and
 * English. Criterion and indication texts come from the definitions.
 */
import type { PatientGroup } from '../core/types.js'

export type WebLanguage = 'da' | 'en'

export function languageOf (query: unknown): WebLanguage {
  return (query as { lang?: unknown } | undefined)?.lang === 'en' ? 'en' : 'da'
}

export const GROUP_TITLES: Record<PatientGroup, { da: string, en: string }> = {
  'hematologic-cancer': { da: 'Hæmatologisk kræft', en: 'Haematological cancer' },
  'inherited-hematologic-disease': { da: 'Arvelig hæmatologisk sygdom', en: 'Inherited haematological disease' },
  'widespread-incurable-cancer': { da: 'Udbredt og uhelbredelig kræft', en: 'Widespread and incurable cancer' }
}

export const WEB = {
  da: {
    siteTitle: 'Helgenomsekventering (NGC) – kriterier',
    navCriteria: 'Kriterier',
    navPlayground: 'Playground',
    switchTo: 'English',
    intro: 'Nationalt Genom Centers kriterier for helgenomsekventering (WGS), som denne CDS-service vurderer dem. Siden er genereret fra de samme regelfiler, som servicen kører. Hvert kriterium er opfyldt, ikke opfyldt eller ukendt (data mangler); en indikation er opfyldt, når alle påkrævede kriterier er opfyldt.',
    rulesVersion: 'Regelversion',
    noIndications: 'Ingen indikationer i denne gruppe endnu.',
    population: { adults: 'Voksne (18 år og derover); yngre henvises til de pædiatriske grupper', 'all-ages': 'Alle aldre' },
    populationLabel: 'Population',
    groupLabel: 'Patientgruppe',
    seed: 'Kilde',
    ngcLink: 'NGC: indikationens side',
    matches: 'Indikationen vurderes, når patienten har',
    criteria: 'Kriterier',
    required: 'påkrævet',
    advisory: 'vejledende',
    reads: 'Læser',
    attestations: 'Dokumentation (attestation)',
    toDocument: 'Hvis ukendt, dokumentér',
    interpretation: 'Fortolkning',
    composition: 'Sammensat af',
    fhirpath: 'FHIRPath',
    data: 'Data og koder',
    resource: 'Ressource',
    valueSet: 'ValueSet',
    codes: 'Koder',
    allCodes: 'alle',
    advice: 'Bemærkninger på kortet',
    related: 'Relaterede indikationer',
    back: 'Alle indikationer',
    notFound: 'Ukendt indikation',
    quote: 'Citat',
    criteriaCount: (n: number) => `${n} kriterier`
  },
  en: {
    siteTitle: 'Whole-genome sequencing (NGC) – criteria',
    navCriteria: 'Criteria',
    navPlayground: 'Playground',
    switchTo: 'Dansk',
    intro: "The Danish National Genome Center's criteria for whole-genome sequencing (WGS), as this CDS service evaluates them. This page is generated from the same rule files the service runs. Each criterion is met, not met or unknown (data missing); an indication is met when all required criteria are met.",
    rulesVersion: 'Rules version',
    noIndications: 'No indications in this group yet.',
    population: { adults: 'Adults (18 or older); younger patients belong to the paediatric groups', 'all-ages': 'All ages' },
    populationLabel: 'Population',
    groupLabel: 'Patient group',
    seed: 'Source',
    ngcLink: "NGC: the indication's page",
    matches: 'The indication is evaluated when the patient has',
    criteria: 'Criteria',
    required: 'required',
    advisory: 'advisory',
    reads: 'Reads',
    attestations: 'Documentation (attestation)',
    toDocument: 'When unknown, document',
    interpretation: 'Interpretation',
    composition: 'Composed of',
    fhirpath: 'FHIRPath',
    data: 'Data and codes',
    resource: 'Resource',
    valueSet: 'ValueSet',
    codes: 'Codes',
    allCodes: 'all',
    advice: 'Notes on the card',
    related: 'Related indications',
    back: 'All indications',
    notFound: 'Unknown indication',
    quote: 'Quote',
    criteriaCount: (n: number) => `${n} criteria`
  }
} as const
