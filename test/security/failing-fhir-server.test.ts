/**
 * The FHIR-server fallback against a FHIR server that misbehaves in every way
 * the issue lists: timeouts, connection resets (before and during the body),
 * 401/403/404/429/500, invalid JSON, a wrong content type, endless paging,
 * huge pages (with and without Content-Length), a slow drip of bytes, a
 * redirect to another host, a `next` link to another host, an
 * OperationOutcome, something that is not a FHIR resource.
 *
 * For each: the hook answers 200 within the configured deadline (plus a
 * margin for a busy machine), the criteria reading the failed key are
 * `unknown` with the reason, the card lists what could not be retrieved, the
 * failure is counted in /metrics (`cds_fhir_fallback_fetches_total{key,outcome}`),
 * the other host never receives the token, and the token appears nowhere in
 * the log (captured at debug level) or the response.
 *
 * The server is a plain node:http server on 127.0.0.1 whose behaviour each
 * case sets; a control case (a correct searchset) proves the set-up evaluates
 * the fetched data, so every failure case can fail.
 */
import t, { type Test } from 'tap'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { Writable } from 'node:stream'
import { buildTestApp, postHook, resultFor, cardFor } from '../helpers/app.js'
import { attestation, condition, hookRequest, orderingRole, patient, plateletCount, quantityObservation, searchset, SYSTEMS, type Json } from '../helpers/fhir-builders.js'
import { sampleValue } from '../helpers/prometheus.js'
import { METRIC_NAMES } from '../../src/http/metrics.js'

const TOKEN = 'fhir-access-token-3b9d7e51-very-secret'
const ID = 'inherited-thrombocytopenia'
const FETCH_TIMEOUT_MS = 600
const DEADLINE_MS = 1500
const MAX_BYTES = 1024 * 1024
const MAX_PAGES = 5
/** Scheduling slack on a loaded 2-core machine; the point is "bounded", not "fast". */
const MARGIN_MS = 1500

type Handler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>

interface FaultServer { base: string, port: number, requests: Array<{ url: string, auth: string | undefined }>, handler: Handler, close: () => Promise<void> }

async function faultServer (host = '127.0.0.1'): Promise<FaultServer> {
  const sockets = new Set<Socket>()
  const state: FaultServer = { base: '', port: 0, requests: [], handler: (_req, res) => { res.writeHead(500).end() }, close: async () => {} }
  const server: Server = createServer((req, res) => {
    state.requests.push({ url: req.url ?? '', auth: req.headers.authorization })
    void Promise.resolve(state.handler(req, res)).catch(() => { res.destroy() })
  })
  server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)) })
  await new Promise<void>((resolve) => server.listen(0, host, resolve))
  state.port = (server.address() as AddressInfo).port
  state.base = `http://${host}:${state.port}/fhir/R4`
  state.close = async () => {
    for (const s of sockets) s.destroy()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  }
  return state
}

const pt = patient()
const observations = [plateletCount(88, '2015-05-01'), plateletCount(95, '2021-03-01'), plateletCount(91, '2026-01-10'), quantityObservation(SYSTEMS.loinc, '32623-1', 12.1, 'fL', '2024-02-01'), attestation('lifelong-course'), attestation('acquired-causes-excluded'), attestation('patient-informed')]
const others = [condition('DD694'), ...orderingRole('Afdeling for Blodsygdomme, Rigshospitalet')]

/** Everything sent as prefetch except the observations, which the service must fetch. */
function request (base: string): Json {
  return { ...hookRequest(pt, [...others, ...observations], { omit: ['observations'] }), fhirServer: base, fhirAuthorization: { access_token: TOKEN, token_type: 'Bearer', expires_in: 300, scope: 'patient/*.read', subject: 'wgs-cds' } }
}

const fhirJson = { 'content-type': 'application/fhir+json' }
const hold = async (res: ServerResponse): Promise<void> => { await new Promise((resolve) => res.on('close', resolve)) }
const sleep = async (ms: number): Promise<void> => { await new Promise((resolve) => setTimeout(resolve, ms)) }

const fhir = await faultServer()
const elsewhere = await faultServer('127.0.0.2')
t.teardown(async () => { await fhir.close(); await elsewhere.close() })
let bytesSent = 0

interface Case {
  name: string
  handler: Handler
  /** The failure code counted in the metric. */
  outcome: string
  /** The reason shown on the card. */
  reason: RegExp
  check?: (t: Tap) => void
}
type Tap = Test

const bigBundle = (from: number, count: number): string => JSON.stringify({ resourceType: 'Bundle', type: 'searchset', entry: Array.from({ length: count }, (_, i) => ({ resource: { resourceType: 'Observation', id: `o-${from + i}`, status: 'final', code: { text: 'x'.repeat(200) } } })) })

const cases: Case[] = [
  { name: 'no answer at all (timeout)', outcome: 'timeout', reason: /did not answer in time/, handler: async (_req, res) => { await hold(res) } },
  { name: 'connection reset before any answer', outcome: 'network', reason: /could not be reached/, handler: (req) => { req.socket.destroy() } },
  {
    name: 'connection reset in the middle of the body',
    outcome: 'network',
    reason: /connection to the FHIR server failed/,
    handler: (req, res) => { res.writeHead(200, fhirJson); res.write('{"resourceType":"Bundle","type":"searchset","entry":[{"resource":'); setTimeout(() => req.socket.destroy(), 50) }
  },
  ...[401, 403, 404, 429, 500].map((status): Case => ({
    name: `HTTP ${status}`,
    outcome: `http-${status}`,
    reason: new RegExp(`answered HTTP ${status}`),
    handler: (_req, res) => { res.writeHead(status, { ...fhirJson, ...(status === 429 ? { 'retry-after': '120' } : {}) }).end(JSON.stringify({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'processing', diagnostics: `echo ${TOKEN}` }] })) }
  })),
  { name: 'invalid JSON', outcome: 'invalid-json', reason: /invalid JSON/, handler: (_req, res) => { res.writeHead(200, fhirJson).end('{"resourceType": "Bundle", "entry": [') } },
  { name: 'wrong content type (an HTML login page)', outcome: 'content-type', reason: /did not answer with JSON/, handler: (_req, res) => { res.writeHead(200, { 'content-type': 'text/html' }).end(`<html><form>login</form><!-- ${TOKEN} --></html>`) } },
  { name: 'JSON that is not a FHIR resource', outcome: 'invalid-resource', reason: /not a FHIR resource/, handler: (_req, res) => { res.writeHead(200, fhirJson).end('[1,2,3]') } },
  { name: '200 with an OperationOutcome', outcome: 'operation-outcome', reason: /OperationOutcome/, handler: (_req, res) => { res.writeHead(200, fhirJson).end(JSON.stringify({ resourceType: 'OperationOutcome', issue: [] })) } },
  {
    name: 'endless paging (a next link on every page)',
    outcome: 'too-many-pages',
    reason: new RegExp(`more than ${MAX_PAGES} pages`),
    handler: (req, res) => {
      const u = new URL(req.url ?? '/', 'http://x')
      const n = Number(u.searchParams.get('_page') ?? '0')
      u.searchParams.set('_page', String(n + 1))
      res.writeHead(200, fhirJson).end(JSON.stringify({ resourceType: 'Bundle', type: 'searchset', link: [{ relation: 'next', url: `${fhir.base}/Observation${u.search}` }], entry: [] }))
    },
    check: (t) => { t.equal(fhir.requests.length, MAX_PAGES, `stopped after FHIR_MAX_PAGES (${MAX_PAGES}) pages`) }
  },
  {
    name: 'a huge page streamed without Content-Length (50 MB)',
    outcome: 'too-large',
    reason: /more data than the service accepts/,
    handler: async (_req, res) => {
      res.writeHead(200, fhirJson)
      res.write('{"resourceType":"Bundle","type":"searchset","entry":[')
      const chunk = Buffer.from(bigBundle(0, 2000).slice(1, -1).replace(/^"resourceType":"Bundle","type":"searchset","entry":\[/, '') + ',')
      for (let sent = 0; sent < 50e6 && !res.destroyed; sent += chunk.length) {
        bytesSent += chunk.length
        if (!res.write(chunk)) await new Promise((resolve) => { res.once('drain', resolve); res.once('close', resolve) })
      }
      res.end('{}]}')
    },
    check: (t) => { t.ok(bytesSent < 20e6, `the service stopped reading early (${(bytesSent / 1e6).toFixed(1)} MB of 50 MB sent)`) }
  },
  {
    name: 'a huge page with Content-Length (refused before reading)',
    outcome: 'too-large',
    reason: /more data than the service accepts/,
    handler: (_req, res) => {
      const body = bigBundle(0, 12_000)
      res.writeHead(200, { ...fhirJson, 'content-length': Buffer.byteLength(body) }).end(body)
    }
  },
  {
    name: 'huge pages adding up across paging',
    outcome: 'too-large',
    reason: /more data than the service accepts/,
    handler: (req, res) => {
      const u = new URL(req.url ?? '/', 'http://x')
      const n = Number(u.searchParams.get('_page') ?? '0')
      u.searchParams.set('_page', String(n + 1))
      const page = JSON.parse(bigBundle(n * 1500, 1500)) as Json
      page.link = [{ relation: 'next', url: `${fhir.base}/Observation${u.search}` }]
      res.writeHead(200, fhirJson).end(JSON.stringify(page)) // ~400 kB a page: over 1 MiB by the third
    },
    check: (t) => { t.ok(fhir.requests.length < MAX_PAGES, `stopped on the byte limit before the page limit (${fhir.requests.length} pages)`) }
  },
  {
    name: 'a slow drip: one byte every 100 ms',
    outcome: 'timeout',
    reason: /did not answer in time/,
    handler: async (_req, res) => {
      res.writeHead(200, fhirJson)
      const body = JSON.stringify(searchset(observations))
      for (let i = 0; i < body.length && !res.destroyed; i++) { res.write(body[i]); await sleep(100) }
      res.end()
    }
  },
  {
    name: 'a redirect to another host',
    outcome: 'redirect',
    reason: /redirect/,
    handler: (_req, res) => { res.writeHead(302, { location: `${elsewhere.base}/Observation?patient=pt-1` }).end() },
    check: (t) => { t.equal(elsewhere.requests.length, 0, 'the other host received nothing (no token)') }
  },
  {
    name: 'a next link to another host',
    outcome: 'foreign-url',
    reason: /outside the FHIR server/,
    handler: (_req, res) => { res.writeHead(200, fhirJson).end(JSON.stringify({ resourceType: 'Bundle', type: 'searchset', link: [{ relation: 'next', url: `${elsewhere.base}/Observation?page=2` }], entry: [] })) },
    check: (t) => { t.equal(elsewhere.requests.length, 0, 'the other host received nothing (no token)') }
  }
]

const lines: string[] = []
const app = await buildTestApp(t, {
  LOG_LEVEL: 'debug',
  FHIR_SERVER_ALLOWLIST: fhir.base,
  FHIR_FETCH_TIMEOUT_MS: String(FETCH_TIMEOUT_MS),
  FHIR_FALLBACK_DEADLINE_MS: String(DEADLINE_MS),
  FHIR_MAX_PAGES: String(MAX_PAGES),
  FHIR_MAX_RESPONSE_BYTES: String(MAX_BYTES)
}, { logStream: new Writable({ write (c: Buffer, _e, cb) { lines.push(c.toString()); cb() } }) })

async function fallbackCount (outcome: string): Promise<number> {
  const text = (await app.inject({ url: '/metrics' })).body
  return sampleValue(text, METRIC_NAMES.fallback, { key: 'observations', outcome }) ?? 0
}

void t.test('control: a correct FHIR answer is fetched and evaluated (eligible)', async (t) => {
  fhir.requests.length = 0
  fhir.handler = (_req, res) => { res.writeHead(200, fhirJson).end(JSON.stringify(searchset(observations))) }
  const before = await fallbackCount('ok')
  const res = await postHook(app, request(fhir.base))
  t.equal(res.status, 200)
  t.equal(resultFor(res.body, ID)?.status, 'eligible', 'the fetched observations were used')
  t.equal(fhir.requests.length, 1)
  t.equal(fhir.requests[0]?.auth, `Bearer ${TOKEN}`, 'the token went to the allow-listed server')
  t.equal(await fallbackCount('ok') - before, 1, 'counted as ok')
})

for (const c of cases) {
  void t.test(c.name, async (t) => {
    fhir.requests.length = 0
    elsewhere.requests.length = 0
    bytesSent = 0
    fhir.handler = c.handler
    const logFrom = lines.length
    const before = await fallbackCount(c.outcome)
    const started = performance.now()
    const res = await postHook(app, request(fhir.base))
    const elapsed = performance.now() - started
    t.equal(res.status, 200, 'HTTP 200: a failing FHIR server never fails the hook')
    t.ok(elapsed < DEADLINE_MS + MARGIN_MS, `answered in ${Math.round(elapsed)} ms (deadline ${DEADLINE_MS} ms + ${MARGIN_MS} ms margin)`)
    const result = resultFor(res.body, ID)
    t.equal(result?.status, 'incomplete', 'the indication is incomplete, not eligible or not eligible')
    const platelets = result?.criteria.find((x) => x.id === 'no-normal-platelet-count')
    t.equal(platelets?.status, 'unknown', 'the criterion reading observations is unknown')
    t.match(platelets?.reason, c.reason, `with the reason (${platelets?.reason ?? 'none'})`)
    t.equal(result?.criteria.find((x) => x.id === 'adult')?.status, 'met', 'criteria on data that was sent are still evaluated')
    t.match(cardFor(res.body, ID)?.detail, /Data der ikke kunne hentes/, 'the card lists the data that could not be retrieved')
    t.equal(await fallbackCount(c.outcome) - before, 1, `counted in ${METRIC_NAMES.fallback}{key="observations",outcome="${c.outcome}"}`)
    t.notOk(JSON.stringify(res.body).includes(TOKEN), 'the token is not in the response')
    const log = lines.slice(logFrom).join('')
    t.match(log, /hook evaluated/, 'the call was logged')
    t.match(log, /"failed":\["observations"\]/, 'the log names the failed key')
    t.notOk(log.includes(TOKEN), 'the token is not in the log')
    c.check?.(t)
  })
}

void t.test('every key hangs: the whole fallback stops at its deadline (412 without a Patient)', async (t) => {
  fhir.requests.length = 0
  fhir.handler = async (_req, res) => { await hold(res) }
  const slow = await buildTestApp(t, { FHIR_SERVER_ALLOWLIST: fhir.base, FHIR_FETCH_TIMEOUT_MS: '10000', FHIR_FALLBACK_DEADLINE_MS: String(DEADLINE_MS) })
  const body = request(fhir.base)
  delete body.prefetch
  const started = performance.now()
  const res = await postHook(slow, body)
  const elapsed = performance.now() - started
  t.ok(elapsed >= DEADLINE_MS - 50, `waited for the deadline (${Math.round(elapsed)} ms), not the 10 s per-request timeout`)
  t.ok(elapsed < DEADLINE_MS + MARGIN_MS, 'and no longer')
  t.equal(res.status, 412, 'no Patient: 412 Precondition Failed')
  t.match(res.body.issue[0].diagnostics, /did not answer in time/)
  t.ok(fhir.requests.length >= 9, `every key was requested in parallel (${fhir.requests.length})`)
})

void t.test('the token never reached the log, whatever failed', async (t) => {
  const log = lines.join('')
  t.ok(log.length > 10_000, `log captured at debug (${log.length} characters)`)
  t.notOk(log.includes(TOKEN), 'no token')
  t.notOk(log.includes(TOKEN.slice(0, 20)), 'no part of it')
})
