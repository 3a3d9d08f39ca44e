/**
 * Client behaviour: every error names its problem as an OperationOutcome, the
 * ones Node and Fastify produce themselves included — 415 names the accepted
 * media types, 413 the limit, GET on the service URL is 405 with `Allow`, and
 * 408 (a body trickled past the request timeout) and 431 (headers too large),
 * written by Node before any route runs, are OperationOutcomes too.
 */
import t from 'tap'
import type { AddressInfo } from 'node:net'
import { buildTestApp, SERVICE_URL } from '../helpers/app.js'
import { openSocket, readAll } from '../helpers/server-process.js'

const app = await buildTestApp(t, { BODY_LIMIT_BYTES: '2048', REQUEST_TIMEOUT_MS: '300' })
await app.listen({ port: 0, host: '127.0.0.1' })
const { port } = app.server.address() as AddressInfo

const outcome = (body: string): { code?: string, diagnostics?: string } => (JSON.parse(body) as { issue: Array<{ code: string, diagnostics: string }> }).issue[0] ?? {}

void t.test('415 names the accepted media types', async (t) => {
  const res = await app.inject({ method: 'POST', url: SERVICE_URL, payload: 'hello', headers: { 'content-type': 'text/plain' } })
  t.equal(res.statusCode, 415)
  t.match(outcome(res.body).diagnostics, /application\/json.*application\/fhir\+json/)
})

void t.test('413 names the limit', async (t) => {
  const res = await app.inject({ method: 'POST', url: SERVICE_URL, payload: JSON.stringify({ x: 'y'.repeat(4000) }), headers: { 'content-type': 'application/json' } })
  t.equal(res.statusCode, 413)
  t.match(outcome(res.body).diagnostics, /2048 bytes/)
})

void t.test('GET on the service URL is 405 with Allow', async (t) => {
  const res = await app.inject({ method: 'GET', url: SERVICE_URL })
  t.equal(res.statusCode, 405)
  t.equal(res.headers.allow, 'POST')
  t.equal(outcome(res.body).code, 'not-supported')
})

async function raw (text: string, end = true): Promise<string> {
  const socket = await openSocket(port)
  const answer = readAll(socket)
  if (end) socket.write(text)
  else socket.write(text)
  return await answer
}

void t.test('431 from Node is an OperationOutcome', async (t) => {
  const res = await raw(`GET /health/live HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`)
  t.match(res, /^HTTP\/1\.1 431/)
  t.equal(outcome(res.slice(res.indexOf('\r\n\r\n') + 4)).code, 'too-long')
})

void t.test('408 from Node is an OperationOutcome', async (t) => {
  const res = await raw(`POST ${SERVICE_URL} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"hook":`, false)
  t.match(res, /^HTTP\/1\.1 408/)
  t.equal(outcome(res.slice(res.indexOf('\r\n\r\n') + 4)).code, 'timeout')
})
