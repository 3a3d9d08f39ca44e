/**
 * What the criteria browser shows, derived from the same loaded definitions
 * the engine runs: for each criterion the data it reads (following `%name`
 * references through variables and compositions), the codes of each
 * ValueSet with display names, and the attestation codes it asks for.
 * Pure: definitions in, plain data out; src/web/criteria-pages.ts renders it.
 */
import type { CodeSystem, ValueSet } from '../core/fhir.js'
import type { Composition, CriterionDefinition, IndicationDefinition, LocalizedText } from '../core/types.js'
import type { LoadedRules } from '../definitions/load.js'

/** Short names of the code systems a clinician recognises. */
export const SYSTEM_LABELS: Record<string, string> = {
  'http://hl7.org/fhir/sid/icd-10': 'ICD-10',
  'urn:oid:1.2.208.176.2.4.12': 'SKS',
  'http://loinc.org': 'LOINC',
  'http://npu-terminology.org': 'NPU',
  'http://snomed.info/sct': 'SNOMED CT',
  'http://www.whocc.no/atc': 'ATC',
  'http://terminology.hl7.org/CodeSystem/icd-o-3': 'ICD-O-3',
  'https://ngc-wgs-cds.dk/fhir/CodeSystem/wgs-attestation': 'Attestation',
  'https://ngc-wgs-cds.dk/fhir/CodeSystem/wgs-consent': 'Consent',
  'http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation': 'Interpretation'
}

export function systemLabel (system: string | undefined): string {
  if (!system) return ''
  return SYSTEM_LABELS[system] ?? system.replace(/^https?:\/\//, '')
}

/** Variables every expression has (cds-services/README.md), described for people. */
export const BUILT_INS: Record<string, LocalizedText> = {
  patient: { da: 'Patienten (fødselsdato, køn)', en: 'The patient (birth date, sex)' },
  ageYears: { da: 'Patientens alder', en: "The patient's age" },
  now: { da: 'Evalueringstidspunktet', en: 'The evaluation time' },
  today: { da: 'Evalueringsdatoen', en: 'The evaluation date' },
  performanceStatusSince: { da: 'Starten af look-back-perioden for performancestatus', en: 'Start of the performance-status look-back window' },
  practitionerRoles: { da: 'Den bestillende læges rolle og speciale (PractitionerRole)', en: "The ordering clinician's role and specialty (PractitionerRole)" },
  organizations: { da: 'Den bestillende afdeling (Organization)', en: 'The ordering department (Organization)' },
  order: { da: 'WGS-bestillingen (ServiceRequest)', en: 'The WGS order (ServiceRequest)' }
}

export interface CodeRow { system: string, systemLabel: string, code: string, display?: string }

export interface ValueSetView {
  url: string
  title: string
  /** Explicit codes, including those of included ValueSets. */
  codes: CodeRow[]
  /** Rules that are not a code list: `ATC is-a L01`, `all SNOMED CT codes`. */
  rules: string[]
}

export interface DataView {
  name: string
  resourceType: string
  status?: string[]
  valueSet?: ValueSetView
  description?: LocalizedText
}

export interface CriterionView {
  definition: CriterionDefinition
  /** Named data the criterion reads, in definition order. */
  data: string[]
  /** Built-in variables it reads (patient, ageYears, organizations, …). */
  builtIns: string[]
  /** Attestation codes it asks for, with their display. */
  attestations: CodeRow[]
  /** Criteria a composition is built from. */
  parts: string[]
}

export interface IndicationView {
  definition: IndicationDefinition
  data: DataView[]
  matchData: string[]
  criteria: CriterionView[]
}

const REF = /%([A-Za-z_][A-Za-z0-9_]*)/g
const ATTESTATION = /attestation\(\s*'([^']+)'\s*\)|code\.coding\.code\s*=\s*'([^']+)'/g

function refs (expr: string | undefined): string[] {
  return expr ? [...expr.matchAll(REF)].map((m) => m[1]!) : []
}

/** Display names for codes, from every ValueSet concept and CodeSystem concept (Danish designation when asked). */
export class CodeDisplays {
  private readonly map = new Map<string, { en?: string, da?: string }>()
  constructor (valueSets: ValueSet[], codeSystems: CodeSystem[]) {
    for (const cs of codeSystems) {
      for (const c of cs.concept ?? []) {
        const da = c.designation?.find((d) => d.language === 'da')?.value
        this.map.set(`${cs.url ?? ''}|${c.code}`, { ...(c.display ? { en: c.display } : {}), ...(da ? { da } : {}) })
      }
    }
    for (const vs of valueSets) {
      for (const inc of vs.compose?.include ?? []) {
        for (const c of inc.concept ?? []) {
          const key = `${inc.system ?? ''}|${c.code}`
          if (!this.map.has(key) && c.display) this.map.set(key, { en: c.display })
        }
      }
    }
  }

  get (system: string | undefined, code: string | undefined, lang: 'da' | 'en' = 'en'): string | undefined {
    const d = this.map.get(`${system ?? ''}|${code ?? ''}`)
    return d ? d[lang] ?? d.en ?? d.da : undefined
  }

  /** `system|code` → display (English, Danish when only that exists), for the playground. */
  toJSON (): Record<string, string> {
    const out: Record<string, string> = {}
    for (const [k, v] of this.map) { const d = v.en ?? v.da; if (d) out[k] = d }
    return out
  }
}

export function valueSetView (url: string, valueSets: Map<string, ValueSet>, displays: CodeDisplays, lang: 'da' | 'en', seen = new Set<string>()): ValueSetView {
  const vs = valueSets.get(url)
  const view: ValueSetView = { url, title: vs?.title ?? vs?.name ?? url.split('/').pop() ?? url, codes: [], rules: [] }
  if (!vs) { view.rules.push('ValueSet not found'); return view }
  seen.add(url)
  for (const inc of vs.compose?.include ?? []) {
    for (const nested of inc.valueSet ?? []) {
      if (seen.has(nested)) continue
      const n = valueSetView(nested, valueSets, displays, lang, seen)
      view.codes.push(...n.codes)
      view.rules.push(...n.rules)
    }
    if (!inc.system) continue
    for (const c of inc.concept ?? []) {
      const display = displays.get(inc.system, c.code, lang) ?? c.display
      view.codes.push({ system: inc.system, systemLabel: systemLabel(inc.system), code: c.code, ...(display ? { display } : {}) })
    }
    for (const f of inc.filter ?? []) view.rules.push(`${systemLabel(inc.system)} ${f.op} ${f.value}`)
    if (!inc.concept?.length && !inc.filter?.length) view.rules.push(`${systemLabel(inc.system)}: *`)
  }
  for (const exc of vs.compose?.exclude ?? []) {
    view.rules.push(`− ${systemLabel(exc.system)} ${(exc.concept ?? []).map((c) => c.code).join(', ')}`)
  }
  return view
}

/** The data names and built-ins an expression reads, following variables transitively. */
function reads (exprs: Array<string | undefined>, ind: IndicationDefinition): { data: Set<string>, builtIns: Set<string> } {
  const data = new Set<string>()
  const builtIns = new Set<string>()
  const visited = new Set<string>()
  const queue = exprs.flatMap(refs)
  while (queue.length) {
    const name = queue.shift()!
    if (visited.has(name)) continue
    visited.add(name)
    if (ind.data[name]) data.add(name)
    else if (ind.variables?.[name] !== undefined) queue.push(...refs(ind.variables[name]))
    else if (BUILT_INS[name]) builtIns.add(name)
  }
  return { data, builtIns }
}

function compositionIds (c: Composition | string): string[] {
  if (typeof c === 'string') return [c]
  if ('all' in c) return c.all.flatMap(compositionIds)
  if ('any' in c) return c.any.flatMap(compositionIds)
  return compositionIds(c.not)
}

export function indicationView (ind: IndicationDefinition, rules: Pick<LoadedRules, 'valueSets' | 'codeSystems'>, lang: 'da' | 'en', displays = new CodeDisplays(rules.valueSets, rules.codeSystems)): IndicationView {
  const valueSets = new Map(rules.valueSets.map((v) => [v.url ?? '', v]))
  const order = Object.keys(ind.data)
  const sorted = (s: Set<string>): string[] => order.filter((n) => s.has(n))
  const byId = new Map(ind.criteria.map((c) => [c.id, c]))
  const criterionReads = (c: CriterionDefinition, depth = 0): { data: Set<string>, builtIns: Set<string> } => {
    const r = reads([c.expression, c.evidence], ind)
    if (c.composition && depth < 10) {
      for (const id of compositionIds(c.composition)) {
        const part = byId.get(id)
        if (!part) continue
        const p = criterionReads(part, depth + 1)
        p.data.forEach((d) => r.data.add(d))
        p.builtIns.forEach((b) => r.builtIns.add(b))
      }
    }
    return r
  }
  const attestationSystem = 'https://ngc-wgs-cds.dk/fhir/CodeSystem/wgs-attestation'
  return {
    definition: ind,
    data: order.map((name) => {
      const req = ind.data[name]!
      return {
        name,
        resourceType: req.resourceType,
        ...(req.status ? { status: req.status } : {}),
        ...(req.valueSet ? { valueSet: valueSetView(req.valueSet, valueSets, displays, lang) } : {}),
        ...(req.description ? { description: req.description } : {})
      }
    }),
    matchData: sorted(reads([ind.matches], ind).data),
    criteria: ind.criteria.map((c) => {
      const r = criterionReads(c)
      // attestation('x') always names one; `code.coding.code = 'x'` only when x is in the attestation CodeSystem.
      const codes = [...new Set([...`${c.expression ?? ''} ${c.evidence ?? ''}`.matchAll(ATTESTATION)]
        .filter((m) => m[1] !== undefined || displays.get(attestationSystem, m[2]) !== undefined)
        .map((m) => (m[1] ?? m[2])!))]
      return {
        definition: c,
        data: sorted(r.data),
        builtIns: Object.keys(BUILT_INS).filter((b) => r.builtIns.has(b)),
        attestations: codes.map((code) => {
          const display = displays.get(attestationSystem, code, lang)
          return { system: attestationSystem, systemLabel: 'Attestation', code, ...(display ? { display } : {}) }
        }),
        parts: c.composition ? [...new Set(compositionIds(c.composition))] : []
      }
    })
  }
}
