/**
 * GET /cds-services — discovery, derived from the service definition: one
 * entry per hook under the same id (order-sign cards supersede order-select's).
 */
import type { FastifyInstance } from 'fastify'
import type { LoadedRules } from '../../definitions/load.js'

export const DISCOVERY_EXTENSION = 'dk.ngc-wgs-cds.rules'

export function discoveryDocument (rules: LoadedRules): { services: Array<Record<string, unknown>> } {
  const s = rules.service
  const prefetch = Object.fromEntries(Object.entries(s.prefetch).map(([k, v]) => [k, v.query]))
  return {
    services: s.hooks.map((hook) => ({
      hook,
      id: s.id,
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

export async function discoveryRoutes (app: FastifyInstance, opts: { rules: LoadedRules }): Promise<void> {
  const doc = discoveryDocument(opts.rules)
  app.get('/cds-services', async () => doc)
}
