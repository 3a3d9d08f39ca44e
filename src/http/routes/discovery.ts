/**
 * GET /cds-services — discovery, derived from the service definition: one
 * entry per hook. By default each hook has its own id (`{id}-{hook}`): the
 * official CDS Hooks sandbox keys services by URL, and with one shared id it
 * sees only one of the two hooks. DISCOVERY_SHARED_ID lists both under the
 * service's id, as CDS Hooks allows ("update stale guidance": order-sign
 * cards then supersede order-select's in clients that key cards by id).
 * Every id either setting can list answers hook calls and feedback.
 */
import type { FastifyInstance } from 'fastify'
import type { LoadedRules, ServiceDefinition } from '../../definitions/load.js'

export const DISCOVERY_EXTENSION = 'dk.ngc-wgs-cds.rules'

/** The id discovery lists for a hook. */
export function endpointId (serviceId: string, hook: string, sharedId: boolean): string {
  return sharedId ? serviceId : `${serviceId}-${hook}`
}

/**
 * True when `id` (the `{id}` of `/cds-services/{id}`) is one of this service's
 * ids: its own, or a per-hook one. Hook calls and feedback accept all of them
 * whatever DISCOVERY_SHARED_ID says, so switching it breaks no configured client.
 */
export function isEndpointOf (service: Pick<ServiceDefinition, 'id' | 'hooks'>, id: string): boolean {
  return id === service.id || service.hooks.some((hook) => id === endpointId(service.id, hook, false))
}

export function discoveryDocument (rules: LoadedRules, sharedId = false): { services: Array<Record<string, unknown>> } {
  const s = rules.service
  const prefetch = Object.fromEntries(Object.entries(s.prefetch).map(([k, v]) => [k, v.query]))
  return {
    services: s.hooks.map((hook) => ({
      hook,
      id: endpointId(s.id, hook, sharedId),
      title: s.title,
      description: s.description,
      ...(s.usageRequirements ? { usageRequirements: s.usageRequirements } : {}),
      prefetch,
      extension: {
        [DISCOVERY_EXTENSION]: {
          rulesVersion: rules.rulesVersion,
          indications: rules.indications.map((i) => i.id)
        }
      }
    }))
  }
}

export async function discoveryRoutes (app: FastifyInstance, opts: { rules: LoadedRules, sharedId?: boolean }): Promise<void> {
  const doc = discoveryDocument(opts.rules, opts.sharedId)
  app.get('/cds-services', async () => doc)
}
