/** Liveness and readiness for orchestrators; not behind client authentication. */
import type { FastifyInstance } from 'fastify'

export async function healthRoutes (app: FastifyInstance, opts: { ready: () => Promise<{ ok: boolean, checks: Record<string, string> }> }): Promise<void> {
  app.get('/health/live', async () => ({ status: 'ok' }))
  app.get('/health/ready', async (_request, reply) => {
    const r = await opts.ready()
    return reply.code(r.ok ? 200 : 503).send({ status: r.ok ? 'ok' : 'unavailable', checks: r.checks })
  })
}
