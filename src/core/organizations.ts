/**
 * Configurable lists of organisations the seeds name for ordering competence
 * (AML-treating departments, platelet/coagulation experts, sarcoma centres).
 * The lists are data (`cds-services/organization-lists.yaml`, replaceable by
 * configuration); this module only matches Organizations against them.
 *
 * An Organization is on a list when one of its identifiers equals a listed
 * identifier (preferably SOR, `urn:oid:1.2.208.176.1.1`), or — where the
 * operator has not yet configured identifiers — when its name equals a listed
 * name or alias, ignoring case and surrounding space.
 */
import fhirpath from 'fhirpath'
import type { AnyResource } from './fhir.js'
import type { LocalizedText, SeedCitation } from './types.js'

export interface OrganizationList {
  id: string
  title: LocalizedText
  seed: SeedCitation
  members: Array<{ name: string, aliases?: string[], identifiers?: Array<{ system: string, value: string }> }>
}

const { valData } = fhirpath.util
const norm = (s: unknown): string => String(s ?? '').trim().toLowerCase().replace(/\s+/g, ' ')

/** Is this Organization on the list? */
export function onList (org: AnyResource, list: OrganizationList): boolean {
  const ids = new Set((Array.isArray(org.identifier) ? org.identifier : [])
    .map((i: any) => `${String(i?.system)}|${String(i?.value)}`))
  const names = new Set([org.name, ...(Array.isArray(org.alias) ? org.alias : [])].map(norm).filter(Boolean))
  return list.members.some((m) =>
    (m.identifiers ?? []).some((i) => ids.has(`${i.system}|${i.value}`)) ||
    [m.name, ...(m.aliases ?? [])].some((n) => names.has(norm(n))))
}

export function organizationFunctions (lists: OrganizationList[]): Record<string, unknown> {
  const byId = new Map(lists.map((l) => [l.id, l]))
  return {
    inOrganizationList: {
      fn: (inputs: unknown[], listId: string) => {
        const list = byId.get(listId)
        if (!list) throw new Error(`inOrganizationList: unknown list ${listId}`)
        const orgs = inputs.map((i) => valData(i) as AnyResource).filter((o) => o?.resourceType === 'Organization')
        if (orgs.length === 0) return []
        return [orgs.some((o) => onList(o, list))]
      },
      arity: { 1: ['String'] },
      internalStructures: true
    }
  }
}
