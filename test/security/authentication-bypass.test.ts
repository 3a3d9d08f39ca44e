/**
 * Threat: reaching a protected endpoint without a token by writing its URL in
 * a form the router understands but a text check on the raw URL does not —
 * a percent-encoded path segment (`/%63ds-services/…`), an absolute-form
 * request target (`POST http://host/cds-services/…`, RFC 9112 §3.2.2) or a
 * fragment (`GET /cds-services#x`), which clients must not send but the
 * server receives as written.
 *
 * The test walks every route registered under /cds-services (collected with
 * an onRoute hook, so a route added later is covered without editing this
 * file) and sends each one, in every request form, over a raw TCP socket
 * (inject and HTTP clients normalise the target first) with
 * CDS_AUTH=required and no token: every answer must be the bare 401. A valid
 * token whose `aud` is the endpoint's normalised URL is accepted in every
 * form: `aud` is built from the path the router matched, not from the raw
 * target.
 */
import t from 'tap'
import Fastify, { type FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import type { AddressInfo } from 'node:net'
import { loadConfig } from '../../src/config/config.js'
import { cdsApp } from '../../src/http/app.js'
import { buildServer } from '../../src/http/build.js'
import { testRules } from '../helpers/app.js'
import { openSocket, readAll } from '../helpers/server-process.js'
import { clientKey, EHR_ISS, PATIENT_KEY_SECRET, PUBLIC_BASE_URL, token } from '../helpers/jwt.js'
import { hookRequest, patient } from '../helpers/fhir-builders.js'

const key = await clientKey('ES384', 'bypass-key')
const rules = testRules()
const serviceId = rules.service.id

const config = loadConfig({
  LOG_LEVEL: 'silent',
  CDS_AUTH: 'required',
  PUBLIC_BASE_URL,
  PATIENT_KEY_SECRET,
  DATA_DIR: ':memory:',
  EVALUATION_THREADS: '0',
  UNDER_PRESSURE_MAX_EVENT_LOOP_DELAY_MS: '0',
  UNDER_PRESSURE_MAX_EVENT_LOOP_UTILIZATION: '0',
  RATE_LIMIT_MAX: '0',
  CDS_TRUSTED_ISSUERS: JSON.stringify([{ iss: EHR_ISS, jwks: { keys: [key.publicJwk] } }])
})

/** Every route the app registers, seen by an onRoute hook on a bare instance of it. */
const routes: Array<{ method: string, url: string }> = []
const bare: FastifyInstance = Fastify()
bare.addHook('onRoute', (r) => {
  for (const method of [r.method].flat()) routes.push({ method, url: r.url ?? r.path })
})
await bare.register(fp(cdsApp), { config, rules })
await bare.close()

/** The server under attack, built as src/server.ts builds it. */
const app: FastifyInstance = await buildServer(config, { rules })
await app.listen({ port: 0, host: '127.0.0.1' })
t.teardown(() => app.close())
const { port } = app.server.address() as AddressInfo

/** The protected routes, with their parameters filled in (`:id` is the service's id). */
const protectedPaths = routes
  .filter((r) => r.url.startsWith('/cds-services') && r.method !== 'OPTIONS')
  .map((r) => ({ method: r.method, path: r.url.replace(/:id\b/g, serviceId) }))

/** Percent-encode the character at `at` of the path (an ASCII letter). */
const encodeAt = (path: string, at: number): string => `${path.slice(0, at)}%${path.charCodeAt(at).toString(16)}${path.slice(at + 1)}`

/** Every way of writing `path` that the router matches to the same route. */
function requestForms (path: string): Array<{ name: string, target: string }> {
  const forms = [
    { name: 'origin form', target: path },
    { name: 'fragment', target: `${path}#x` },
    { name: 'absolute form', target: `http://127.0.0.1:${port}${path}` },
    { name: 'absolute form, other host', target: `http://attacker.example${path}` },
    { name: 'absolute form with fragment', target: `http://host${path}#frag` }
  ]
  // One encoded letter in each segment, in turn (`/%63ds-services/…`, `/cds-services/%6egc-…`, …).
  let at = 1
  for (const segment of path.split('/').slice(1)) {
    const letter = segment.search(/[a-z]/)
    if (letter >= 0) {
      const encoded = encodeAt(path, at + letter)
      forms.push({ name: `percent-encoded segment '${segment}'`, target: encoded })
      forms.push({ name: `percent-encoded segment '${segment}', absolute form`, target: `http://host${encoded}` })
    }
    at += segment.length + 1
  }
  forms.push({ name: 'last letter encoded', target: encodeAt(path, path.length - 1) })
  return forms
}

interface RawAnswer { status: number, headers: string, body: string }

async function send (method: string, target: string, authorization?: string, body?: string): Promise<RawAnswer> {
  const socket = await openSocket(port)
  const answer = readAll(socket)
  const payload = body ?? (method === 'POST' ? '{}' : '')
  socket.write([
    `${method} ${target} HTTP/1.1`,
    'Host: 127.0.0.1',
    'Connection: close',
    ...(authorization ? [`Authorization: ${authorization}`] : []),
    ...(payload ? ['Content-Type: application/json', `Content-Length: ${Buffer.byteLength(payload)}`] : []),
    '',
    payload
  ].join('\r\n'))
  const raw = await answer
  const split = raw.indexOf('\r\n\r\n')
  return { status: Number(/^HTTP\/1\.1 (\d{3})/.exec(raw)?.[1] ?? 0), headers: raw.slice(0, split), body: raw.slice(split + 4) }
}

void t.test('the walk covers every endpoint of the service', async (t) => {
  const names = protectedPaths.map((p) => `${p.method} ${p.path}`)
  for (const expected of ['GET /cds-services', `POST /cds-services/${serviceId}`, `POST /cds-services/${serviceId}/feedback`]) {
    t.ok(names.includes(expected), `${expected} is registered and walked`)
  }
})

void t.test('no registered /cds-services route answers without a token, in any request form', async (t) => {
  let sent = 0
  for (const { method, path } of protectedPaths) {
    for (const form of requestForms(path)) {
      const res = await send(method, form.target)
      sent++
      t.equal(res.status, 401, `${method} ${form.target} (${form.name})`, { body: res.body.slice(0, 200) })
      if (res.status === 401 && method !== 'HEAD') {
        t.match(res.headers, /\r\nwww-authenticate: Bearer/i, `${method} ${form.name}: WWW-Authenticate`)
        t.same(JSON.parse(res.body), { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'login', diagnostics: 'Authentication failed' }] })
      }
    }
  }
  t.ok(sent >= 3 * 9, `${sent} requests sent`)
})

void t.test('aud is the normalised endpoint URL in every request form', async (t) => {
  const service = `/cds-services/${serviceId}`
  const body = JSON.stringify(hookRequest(patient(), []))
  for (const form of requestForms(service)) {
    const res = await send('POST', form.target, `Bearer ${await token(key, { aud: `${PUBLIC_BASE_URL}${service}` })}`, body)
    t.equal(res.status, 200, `POST ${form.target} (${form.name}) with aud ${service}`, { status: res.status })
  }
  for (const form of requestForms('/cds-services')) {
    const rawPath = form.target.replace(/^http:\/\/[^/]+/, '').replace(/#.*$/, '')
    if (rawPath === '/cds-services') continue
    const res = await send('GET', form.target, `Bearer ${await token(key, { aud: `${PUBLIC_BASE_URL}${rawPath}` })}`)
    t.equal(res.status, 401, `GET ${form.target}: aud ${rawPath}, the raw target's path, is not this endpoint's URL`)
  }
})

void t.test('unknown paths under /cds-services need a token in every form too', async (t) => {
  for (const form of requestForms('/cds-services/unknown/thing')) {
    t.equal((await send('GET', form.target)).status, 401, `GET ${form.target} (${form.name})`)
  }
})

void t.test('a target the router cannot decode is refused with a 400 OperationOutcome that does not echo it', async (t) => {
  for (const target of ['/cds-services/%zz', 'http://host/cds-services/%zz#x']) {
    const res = await send('POST', target)
    t.equal(res.status, 400, target)
    t.same(JSON.parse(res.body), { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'invalid', diagnostics: 'The request target is not a valid URL' }] })
  }
})
