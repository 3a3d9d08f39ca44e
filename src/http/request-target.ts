/**
 * The request target as the router and the client check must both read it.
 * A client may send the target in absolute form (`POST http://host/cds-services/…`,
 * RFC 9112 §3.2.2, which servers must accept) and, against the rules, with a
 * fragment; both are rewritten to origin form before routing, so no check
 * downstream ever sees them. Percent-encoding stays as sent: the router
 * decodes it while matching, and client authentication (src/auth/client-auth.ts)
 * decides from the route it matched.
 */

/** Origin form (`/path?query`) of a request target: absolute form reduced to its path and query, no fragment. */
export function originForm (target: string): string {
  if (target.startsWith('/')) {
    const hash = target.indexOf('#')
    return hash < 0 ? target : target.slice(0, hash)
  }
  if (target === '*') return target
  try {
    const u = new URL(target)
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return target
    return `${u.pathname}${u.search}`
  } catch {
    return target
  }
}

/**
 * The path a request target names, as the router reads it: its origin form,
 * without query, percent-decoded. Never the raw text: `/%63ds-services` and
 * `http://host/cds-services` are /cds-services to the router.
 */
export function normalisedPath (target: string): string {
  const path = originForm(target).split('?', 1)[0] ?? ''
  try { return decodeURIComponent(path) } catch { return path }
}
