/* global process */
// The HTTP baseline: a bare Fastify route at the service's URL that parses the same
// JSON body and returns a constant card. No validation, no logging, no evaluation —
// what the HTTP stack itself can do on this machine. Prints "listening <port>".
import Fastify from 'fastify'

const CARD = {
  cards: [{
    uuid: '0b6f2a4e-9d1c-4c8e-8f7a-2b1e5d3c9a01',
    summary: 'WGS-kriterier mangler dokumentation: baseline',
    indicator: 'warning',
    detail: 'constant card',
    source: { label: 'Nationalt Genom Center' }
  }]
}

const app = Fastify({ logger: false, bodyLimit: 10 * 1024 * 1024 })
app.post('/cds-services/:id', async (request) => {
  if (typeof request.body !== 'object' || request.body === null) throw new Error('no body')
  return CARD
})
await app.listen({ port: 0, host: '127.0.0.1' })
process.stdout.write(`listening ${app.server.address().port}\n`)
process.on('SIGTERM', () => { void app.close().then(() => process.exit(0)) })
