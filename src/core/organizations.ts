/**
 * Ordering competence (issue 13 §1, review finding A): is the ordering user's
 * department one the seeds name? The lists are data
 * (`cds-services/organization-lists.yaml`, replaceable by configuration); this
 * module matches Organizations against them, three-valued:
 *
 * - `true` when the department, or any organisation up its `Organization.partOf`
 *   chain, matches a member by identifier (SOR, `urn:oid:1.2.208.176.1.1`), by
 *   normalised name or alias (case, diacritics, word order, the words
 *   "Afdeling/Klinik/Afsnit", hospital abbreviations RH, AUH, OUH, AAUH, SUH …),
 *   or the user's specialty is in one of the list's specialty ValueSets;
 * - `false` only when the list declares its SOR identifiers complete and the
 *   department is SOR-identified and not on it (positive evidence);
 * - empty (unknown) otherwise, with a warning naming the listed departments:
 *   a name that does not match is a coding question, never a verdict.
 */
import fhirpath from 'fhirpath'
import type { AnyResource, Coding } from './fhir.js'
import type { LocalizedText, SeedCitation } from './types.js'
import { codingsOf, type CompiledValueSet } from './terminology.js'
import { recordWarning } from './evidence-age.js'

export const SOR = 'urn:oid:1.2.208.176.1.1'

export interface OrganizationList {
  id: string
  title: LocalizedText
  seed: SeedCitation
  /**
   * The members' SOR identifiers are the complete list: a department identified by SOR that is
   * not on it is positively not a member (`false`). Without it, a non-match is unknown.
   */
  complete?: boolean
  /** ValueSets of PractitionerRole.specialty that qualify the ordering user by themselves. */
  specialtyValueSets?: string[]
  members: Array<{ name: string, aliases?: string[], identifiers?: Array<{ system: string, value: string }> }>
}

const { valData } = fhirpath.util

/** Hospital abbreviations in Danish department names, expanded to the hospital's words. */
const ABBREVIATIONS: Record<string, string[]> = {
  rh: ['rigshospitalet'],
  auh: ['aarhus', 'universitetshospital'],
  ouh: ['odense', 'universitetshospital'],
  aauh: ['aalborg', 'universitetshospital'],
  suh: ['sjaellands', 'universitetshospital'],
  slb: ['sygehus', 'lillebaelt'],
  hev: ['hospitalsenheden', 'vest']
}
/** Words that say what kind of unit it is (or join words), not which: left out of the comparison. */
const UNIT_WORDS = new Set([
  'afdeling', 'afd', 'afdelingen', 'klinik', 'klinikken', 'afsnit', 'sengeafsnit', 'senge', 'sengeafdeling',
  'ambulatorium', 'ambulatoriet', 'dagafsnit', 'dagklinik', 'enhed', 'center', 'centret', 'centeret',
  'for', 'og', 'i', 'paa', 'ved', 'department', 'of', 'the', 'clinic', 'unit', 'ward'
])
/** Names of one specialty as departments write it. */
const SYNONYMS: Record<string, string> = {
  haematologisk: 'haematologi', haematologiske: 'haematologi', hematologisk: 'haematologi', hematologi: 'haematologi',
  haematology: 'haematologi', hematology: 'haematologi', blodsygdomme: 'haematologi', blodsygdom: 'haematologi',
  koagulationsklinikken: 'koagulation', koagulationsklinik: 'koagulation',
  onkologisk: 'onkologi', onkologiske: 'onkologi', oncology: 'onkologi',
  sjaelland: 'sjaellands', universitetshospitalet: 'universitetshospital', rigshospital: 'rigshospitalet'
}

/**
 * The words of a department name that identify it, sorted: `Klinik for Blodsygdomme, RH` and
 * `Afdeling for blodsygdomme, Rigshospitalet` both give `haematologi rigshospitalet`.
 */
export function nameKey (name: unknown): string {
  if (typeof name !== 'string') return ''
  // The same department names are matched against every list, in every evaluation: each is folded
  // once. Names of organisations, not of patients; the cache is bounded and starts over when full.
  if (name.length > MAX_CACHED_NAME) return foldedNameKey(name)
  const known = NAME_KEYS.get(name)
  if (known !== undefined) return known
  const key = foldedNameKey(name)
  if (NAME_KEYS.size >= MAX_NAME_KEYS) NAME_KEYS.clear()
  NAME_KEYS.set(name, key)
  return key
}

const NAME_KEYS = new Map<string, string>()
const MAX_NAME_KEYS = 1024
const MAX_CACHED_NAME = 256

function foldedNameKey (name: string): string {
  const folded = name.toLowerCase()
    .replace(/æ/g, 'ae').replace(/ø/g, 'oe').replace(/å/g, 'aa')
    .normalize('NFD').replace(/[\u0300-\u036f]/g, '')
  const words = new Set<string>()
  for (const raw of folded.split(/[^a-z0-9]+/)) {
    if (raw.length < 2 || UNIT_WORDS.has(raw)) continue // single letters are ward/department letters (Afdeling X, L)
    const expanded = ABBREVIATIONS[raw] ?? [SYNONYMS[raw] ?? raw]
    for (const w of expanded) words.add(w)
  }
  return [...words].sort().join(' ')
}

interface CompiledList {
  list: OrganizationList
  names: Set<string>
  identifiers: Set<string>
  sor: boolean
  specialties: CompiledValueSet[]
  warning: LocalizedText
}

function compileList (list: OrganizationList, valueSets: ReadonlyMap<string, CompiledValueSet>): CompiledList {
  const names = new Set<string>()
  const identifiers = new Set<string>()
  for (const m of list.members) {
    for (const n of [m.name, ...(m.aliases ?? [])]) {
      const key = nameKey(n)
      if (key) names.add(key)
    }
    for (const i of m.identifiers ?? []) identifiers.add(`${i.system}|${i.value}`)
  }
  const specialties = (list.specialtyValueSets ?? []).map((url) => {
    const vs = valueSets.get(url)
    if (!vs) throw new Error(`organisation list ${list.id}: unknown ValueSet ${url}`)
    return vs
  })
  const departments = list.members.map((m) => m.name).join('; ')
  return {
    list,
    names,
    identifiers,
    sor: [...identifiers].some((i) => i.startsWith(`${SOR}|`)),
    specialties,
    warning: {
      da: `Den bestillende afdeling kunne ikke genkendes som en af de afdelinger seedet nævner (${list.title.da}): ${departments}. Kontrollér afdelingens SOR-kode og navn, eller dokumentér kompetencen.`,
      en: `The ordering department was not recognised as one the source document names (${list.title.en}): ${departments}. Check the department's SOR code and name, or document the competence.`
    }
  }
}

/** The organisation and every organisation up its `partOf` chain found in the record (cycle-safe). */
function chainOf (org: AnyResource, byReference: ReadonlyMap<string, AnyResource> | undefined): AnyResource[] {
  const chain = [org]
  let current = org
  for (let depth = 0; depth < 10 && byReference; depth++) {
    const ref = (current.partOf as { reference?: unknown } | undefined)?.reference
    if (typeof ref !== 'string') break
    const parent = byReference.get(ref.replace(/^.*\/(Organization\/[^/]+)$/, '$1'))
    if (!parent || chain.includes(parent)) break
    chain.push(parent)
    current = parent
  }
  return chain
}

function identifiersOf (org: AnyResource): string[] {
  return (Array.isArray(org.identifier) ? org.identifier : [])
    .filter((i: any) => typeof i?.system === 'string' && typeof i?.value === 'string')
    .map((i: any) => `${String(i.system)}|${String(i.value).trim()}`)
}

function namesOf (org: AnyResource): string[] {
  return [org.name, ...(Array.isArray(org.alias) ? org.alias : [])].filter((n): n is string => typeof n === 'string')
}

/**
 * Does one ordering organisation (with its partOf chain) belong to the list? A department name
 * is also read together with the names above it ("Afdeling for Blodsygdomme" under
 * "Rigshospitalet"), but a hospital alone never qualifies for one of its departments.
 */
function matchChain (chain: AnyResource[], l: CompiledList): boolean | undefined {
  let sorIdentified = false
  for (const org of chain) {
    for (const id of identifiersOf(org)) {
      if (l.identifiers.has(id)) return true
      if (id.startsWith(`${SOR}|`)) sorIdentified = true
    }
  }
  // A configured complete SOR list decides for a SOR-identified department.
  if (l.list.complete && l.sor && sorIdentified) return false
  for (let i = 0; i < chain.length; i++) {
    for (const name of namesOf(chain[i]!)) {
      if (l.names.has(nameKey(name))) return true
      // The unit's name read with its parents' names (department under hospital).
      let combined = name
      for (let j = i + 1; j < chain.length; j++) {
        const parentName = namesOf(chain[j]!)[0]
        if (!parentName) continue
        combined = `${combined} ${parentName}`
        if (l.names.has(nameKey(combined))) return true
      }
    }
  }
  return undefined
}

function specialtyMatches (roles: AnyResource[], l: CompiledList): boolean {
  if (l.specialties.length === 0) return false
  for (const role of roles) {
    for (const s of Array.isArray(role.specialty) ? role.specialty : []) {
      for (const c of codingsOf(s as Coding)) if (l.specialties.some((vs) => vs.match(c) !== undefined)) return true
    }
  }
  return false
}

/** Environment key (a symbol) of the record's Organizations by `Organization/id`, for partOf chains. */
export const ORGANIZATION_INDEX = Symbol('organisations by reference')

export function organizationIndex (orgs: AnyResource[]): Map<string, AnyResource> {
  const out = new Map<string, AnyResource>()
  for (const o of orgs) if (typeof o.id === 'string') out.set(`Organization/${o.id}`, o)
  return out
}

/** Three-valued membership of these organisations (any of them) and roles; see the module comment. */
export function membership (orgs: AnyResource[], roles: AnyResource[], l: CompiledList, byReference?: ReadonlyMap<string, AnyResource>): boolean | undefined {
  if (specialtyMatches(roles, l)) return true
  let negative = false
  for (const org of orgs) {
    const m = matchChain(chainOf(org, byReference), l)
    if (m === true) return true
    if (m === false) negative = true
  }
  return negative ? false : undefined
}

/** Is this Organization on the list (name, alias or identifier; no chain, no specialty)? For tests and tools. */
export function onList (org: AnyResource, list: OrganizationList): boolean {
  return matchChain([org], compileList({ ...list, complete: false, specialtyValueSets: [] }, new Map())) === true
}

/**
 * FHIRPath functions:
 * - `onList(listId)` — the ordering user: %organizations (with their partOf chains in the record)
 *   and %practitionerRoles (specialties); the input is ignored.
 * - `%orgs.inOrganizationList(listId)` — the given Organizations, with the same matching.
 * Both yield true, false (SOR-identified, complete list) or empty with a warning on the card.
 */
export function organizationFunctions (lists: OrganizationList[], valueSets: ReadonlyMap<string, CompiledValueSet> = new Map()): Record<string, unknown> {
  const byId = new Map(lists.map((l) => [l.id, compileList(l, valueSets)]))
  const listOf = (name: string, listId: string): CompiledList => {
    const l = byId.get(listId)
    if (!l) throw new Error(`${name}: unknown list ${listId}`)
    return l
  }
  const answer = (vars: Record<string | symbol, unknown>, l: CompiledList, m: boolean | undefined): boolean[] => {
    if (m === undefined) recordWarning(vars, l.warning)
    return m === undefined ? [] : [m]
  }
  return {
    onList: {
      fn: function (this: { vars: Record<string | symbol, unknown> }, _inputs: unknown[], listId: string) {
        const l = listOf('onList', listId)
        const orgs = resources(this.vars.organizations, 'Organization')
        const roles = resources(this.vars.practitionerRoles, 'PractitionerRole')
        return answer(this.vars, l, membership(orgs, roles, l, this.vars[ORGANIZATION_INDEX] as Map<string, AnyResource> | undefined))
      },
      arity: { 1: ['String'] },
      internalStructures: true
    },
    inOrganizationList: {
      fn: function (this: { vars: Record<string | symbol, unknown> }, inputs: unknown[], listId: string) {
        const l = listOf('inOrganizationList', listId)
        const orgs = resources(inputs, 'Organization')
        if (orgs.length === 0) return answer(this.vars, l, undefined)
        return answer(this.vars, l, membership(orgs, [], l, this.vars[ORGANIZATION_INDEX] as Map<string, AnyResource> | undefined))
      },
      arity: { 1: ['String'] },
      internalStructures: true
    }
  }
}

function resources (v: unknown, type: string): AnyResource[] {
  const items = Array.isArray(v) ? v : v === undefined ? [] : [v]
  return items.map((i) => valData(i) as AnyResource).filter((o) => o?.resourceType === type)
}
