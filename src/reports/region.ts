/**
 * The region of an ordering organisation, for the reports. Denmark has five
 * regions (Region Hovedstaden, Region Sjælland, Region Syddanmark, Region
 * Midtjylland, Region Nordjylland), which own the public hospitals. Two ways,
 * in this order:
 *  1. at the audit write: the ordering organisation's `partOf` chain, as far
 *     as the record holds it, reaches an Organization named as one of the five
 *     regions (its SOR codes are recorded too, nearest first);
 *  2. at report time: the first SOR code of that chain found in the configured
 *     mapping REPORT_REGIONS (department or hospital SOR code → region), so a
 *     mapping added later also places older evaluations.
 * Anything else is `unknown`, its own row. Organisation names and SOR codes
 * are not patient data.
 */
import { SOR_SYSTEM } from '../store/ordering-organization.js'

export const REGIONS = ['hovedstaden', 'sjaelland', 'syddanmark', 'midtjylland', 'nordjylland'] as const
export type RegionId = typeof REGIONS[number]
export type ReportRegion = RegionId | 'unknown'

export const REGION_NAMES: Record<ReportRegion, { da: string, en: string }> = {
  hovedstaden: { da: 'Region Hovedstaden', en: 'Capital Region of Denmark' },
  sjaelland: { da: 'Region Sjælland', en: 'Region Zealand' },
  syddanmark: { da: 'Region Syddanmark', en: 'Region of Southern Denmark' },
  midtjylland: { da: 'Region Midtjylland', en: 'Central Denmark Region' },
  nordjylland: { da: 'Region Nordjylland', en: 'North Denmark Region' },
  unknown: { da: 'Ukendt region', en: 'Unknown region' }
}

const fold = (s: string): string => s.toLowerCase().normalize('NFKD').replace(/[\u0300-\u036f]/g, '').replace(/æ/g, 'ae').replace(/ø/g, 'o').replace(/å/g, 'a').replace(/\s+/g, ' ').trim()

const BY_NAME = new Map<string, RegionId>(REGIONS.flatMap((id) => [[fold(REGION_NAMES[id].da), id], [fold(REGION_NAMES[id].en), id]] as Array<[string, RegionId]>))

/** The region an Organization's name (or alias) names exactly, if any. */
export function regionNamed (org: Record<string, any>): RegionId | undefined {
  const names = [org.name, ...(Array.isArray(org.alias) ? org.alias : [])].filter((n): n is string => typeof n === 'string')
  for (const n of names) {
    const found = BY_NAME.get(fold(n))
    if (found) return found
  }
  return undefined
}

type Json = Record<string, any>

const orgIdOf = (reference: unknown): string | undefined => /(?:^|\/)Organization\/([^/]+)$/.exec(String(reference ?? ''))?.[1]

function sorCodes (org: Json | undefined): string[] {
  return (Array.isArray(org?.identifier) ? org.identifier : [])
    .filter((i: Json) => i?.system === SOR_SYSTEM && typeof i.value === 'string' && i.value.trim() !== '')
    .map((i: Json) => String(i.value).trim())
}

export interface OrgChain {
  /** SOR codes nearest first: `>` between levels, `,` between ordering organisations; undefined when none. */
  chain?: string
  region?: RegionId
}

/**
 * The ordering organisation(s) of the user — the role named by userId, or all the practitioner's roles — and
 * their `partOf` ancestors among `resources` (PractitionerRoles and Organizations of the record).
 */
export function organizationChain (resources: Json[], userId: string | undefined): OrgChain {
  const orgs = new Map(resources.filter((r) => r?.resourceType === 'Organization' && typeof r.id === 'string').map((o) => [o.id as string, o]))
  let roles = resources.filter((r) => r?.resourceType === 'PractitionerRole')
  const roleId = /^PractitionerRole\/(.+)$/.exec(userId ?? '')?.[1]
  if (roleId && roles.some((r) => r.id === roleId)) roles = roles.filter((r) => r.id === roleId)
  const chains = new Set<string>()
  const regions = new Set<RegionId>()
  for (const role of roles) {
    const levels: string[] = []
    const seen = new Set<string>()
    let id = orgIdOf(role.organization?.reference)
    while (id !== undefined && !seen.has(id) && seen.size < 20) {
      seen.add(id)
      const org = orgs.get(id)
      if (!org) break
      const codes = sorCodes(org)
      if (codes.length) levels.push(codes.join('+'))
      const region = regionNamed(org)
      if (region) { regions.add(region); break }
      id = orgIdOf(org.partOf?.reference)
    }
    if (levels.length) chains.add(levels.join('>'))
  }
  return {
    ...(chains.size ? { chain: [...chains].sort().join(',') } : {}),
    // Several roles in different regions: no single region.
    ...(regions.size === 1 ? { region: [...regions][0]! } : {})
  }
}

/** REPORT_REGIONS: SOR code → region. */
export type RegionMapping = Record<string, RegionId>

/** The report region of a recorded evaluation: the recorded region, else the mapping along the chain, else unknown. */
export function reportRegion (recorded: string | null, chain: string | null, mapping: RegionMapping): ReportRegion {
  if (recorded && (REGIONS as readonly string[]).includes(recorded)) return recorded as RegionId
  if (!chain) return 'unknown'
  const found = new Set<RegionId>()
  for (const one of chain.split(',')) {
    for (const level of one.split('>')) {
      const hit = level.split('+').map((code) => mapping[code]).find((r) => r !== undefined)
      if (hit) { found.add(hit); break }
    }
  }
  return found.size === 1 ? [...found][0]! : 'unknown'
}
