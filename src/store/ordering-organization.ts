/**
 * The ordering organisation for the audit row, from the practitionerRoles
 * prefetch (PractitionerRole?practitioner=…&_include=PractitionerRole:organization):
 * its SOR identifier (`urn:oid:1.2.208.176.1.1`). When the user is a
 * PractitionerRole (context.userId `PractitionerRole/x`), that role's
 * organisation; otherwise the organisations of all the practitioner's roles.
 * Organisation identifiers are not patient data.
 */
export const SOR_SYSTEM = 'urn:oid:1.2.208.176.1.1'

type Json = Record<string, any>

function resourcesIn (value: unknown): Json[] {
  if (typeof value !== 'object' || value === null) return []
  const v = value as Json
  if (v.resourceType === 'Bundle') return (Array.isArray(v.entry) ? v.entry : []).map((e: Json) => e?.resource).filter((r: unknown): r is Json => typeof r === 'object' && r !== null)
  return typeof v.resourceType === 'string' ? [v] : []
}

/**
 * @param prefetch - the request's prefetch (any key holding PractitionerRoles and Organizations)
 * @param userId - context.userId
 * @returns `urn:oid:1.2.208.176.1.1|<code>` (several comma-separated, sorted), or undefined
 */
export function orderingOrganization (prefetch: Record<string, unknown> | undefined, userId: string | undefined): string | undefined {
  const resources = Object.values(prefetch ?? {}).flatMap(resourcesIn)
  const orgs = new Map(resources.filter((r) => r.resourceType === 'Organization' && typeof r.id === 'string').map((o) => [o.id as string, o]))
  let roles = resources.filter((r) => r.resourceType === 'PractitionerRole')
  const roleId = /^PractitionerRole\/(.+)$/.exec(userId ?? '')?.[1]
  if (roleId && roles.some((r) => r.id === roleId)) roles = roles.filter((r) => r.id === roleId)
  const sor = new Set<string>()
  for (const role of roles) {
    const orgId = /(?:^|\/)Organization\/([^/]+)$/.exec(String(role.organization?.reference ?? ''))?.[1]
    const org = orgId ? orgs.get(orgId) : undefined
    for (const id of Array.isArray(org?.identifier) ? org.identifier : []) {
      if (id?.system === SOR_SYSTEM && typeof id.value === 'string' && id.value.trim() !== '') sor.add(`${SOR_SYSTEM}|${id.value.trim()}`)
    }
  }
  return sor.size ? [...sor].sort().join(',') : undefined
}
