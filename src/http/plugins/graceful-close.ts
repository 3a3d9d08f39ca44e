/**
 * Graceful shutdown, the part Fastify leaves open: `app.close()` stops
 * accepting connections and closes idle keep-alive connections, but a
 * keep-alive connection that is busy at that moment stays open after its
 * response, and `close()` then waits for the keep-alive timeout (the process
 * would be killed by the shutdown timeout instead of exiting 0). Once closing
 * has begun, every response says `Connection: close`, so each connection ends
 * as soon as its in-flight request is answered.
 */
import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'

async function gracefulClose (app: FastifyInstance): Promise<void> {
  let closing = false
  app.addHook('preClose', async () => { closing = true })
  app.addHook('onSend', async (request, reply, payload) => {
    if (closing && request.raw.httpVersionMajor < 2) reply.header('connection', 'close')
    return payload
  })
}

export default fp(gracefulClose, { name: 'wgs-graceful-close', fastify: '5.x' })
