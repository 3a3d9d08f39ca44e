/**
 * Abuse limits: rate limiting per authenticated client (the verified JWT
 * issuer) with 429, Retry-After and an OperationOutcome; per IP address when
 * authentication is off; health and metrics exempt. Security headers on every
 * kind of answer, with the pages' and Swagger UI's own policies. The error
 * handler never echoes internals (messages, stacks, SQL, paths) of a 500.
 */
import t from 'tap'
import { Writable } from 'node:stream'
import type { FastifyInstance } from 'fastify'
import { buildTestApp, postHook, SERVICE_URL } from '../helpers/app.js'
import { condition, hookRequest, patient, plateletCount, attestation } from '../helpers/fhir-builders.js'
import { clientKey, DISCOVERY_AUD, EHR_ISS, FEEDBACK_AUD, PATIENT_KEY_SECRET, PUBLIC_BASE_URL, SERVICE_AUD, token } from '../helpers/jwt.js'
import { SqliteStore } from '../../src/store/sqlite-store.js'
import type { EvaluationStore } from '../../src/store/store.js'
import { PAGE_CSP } from '../../src/http/routes/web.js'
import { DOCS_CSP } from '../../src/http/plugins/security-headers.js'

const OTHER_ISS = 'https://ehr.region-sj.example.dk'
const keyA = await clientKey('ES384', 'key-a')
const keyB = await clientKey('ES384', 'key-b')

async function authedApp (t: Parameters<typeof buildTestApp>[0], env: Record<string, string> = {}, logStream?: NodeJS.WritableStream): Promise<FastifyInstance> {
  return await buildTestApp(t, {
    CDS_AUTH: 'required',
    PUBLIC_BASE_URL,
    PATIENT_KEY_SECRET,
    CDS_TRUSTED_ISSUERS: JSON.stringify([{ iss: EHR_ISS, jwks: { keys: [keyA.publicJwk] } }, { iss: OTHER_ISS, jwks: { keys: [keyB.publicJwk] } }]),
    ...env
  }, logStream ? { logStream } : {})
}

const discovery = async (app: FastifyInstance, bearer?: string, remoteAddress?: string): Promise<{ statusCode: number, headers: Record<string, unknown>, json: () => any }> =>
  await app.inject({ method: 'GET', url: '/cds-services', ...(bearer ? { headers: { authorization: `Bearer ${bearer}` } } : {}), ...(remoteAddress ? { remoteAddress } : {}) })

void t.test('rate limit per verified issuer: 429 with Retry-After and an OperationOutcome', async (t) => {
  const lines: string[] = []
  const app = await authedApp(t, { RATE_LIMIT_MAX: '5', RATE_LIMIT_WINDOW_MS: '60000', LOG_LEVEL: 'info' }, new Writable({ write (c: Buffer, _e, cb) { lines.push(c.toString()); cb() } }))
  // Each call from another address: the limit follows the issuer, not the IP.
  for (let i = 0; i < 5; i++) {
    const res = await discovery(app, await token(keyA, { aud: DISCOVERY_AUD }), `10.0.0.${i + 1}`)
    t.equal(res.statusCode, 200, `call ${i + 1} of client A is allowed`)
    t.equal(res.headers['x-ratelimit-remaining'], String(4 - i), 'remaining budget announced')
  }
  const over = await discovery(app, await token(keyA, { aud: DISCOVERY_AUD }), '10.0.0.99')
  t.equal(over.statusCode, 429, 'the sixth call of client A within the window is refused')
  const retryAfter = Number(over.headers['retry-after'])
  t.ok(Number.isInteger(retryAfter) && retryAfter > 0 && retryAfter <= 60, `Retry-After in seconds (${String(over.headers['retry-after'])})`)
  t.equal(over.json().resourceType, 'OperationOutcome')
  t.equal(over.json().issue[0].code, 'throttled')
  t.match(over.headers['content-type'], /application\/fhir\+json/)
  t.equal(over.headers['x-content-type-options'], 'nosniff', 'a 429 carries the security headers')

  const hook = await app.inject({ method: 'POST', url: SERVICE_URL, headers: { authorization: `Bearer ${await token(keyA, { aud: SERVICE_AUD })}` }, payload: hookRequest(patient(), [condition('DD694')]) })
  t.equal(hook.statusCode, 429, 'the limit covers the hook endpoint too (one budget per client)')
  const fb = await app.inject({ method: 'POST', url: `${SERVICE_URL}/feedback`, headers: { authorization: `Bearer ${await token(keyA, { aud: FEEDBACK_AUD })}` }, payload: { feedback: [] } })
  t.equal(fb.statusCode, 429, '…and feedback')

  t.equal((await discovery(app, await token(keyB, { iss: OTHER_ISS, aud: DISCOVERY_AUD }), '10.0.0.1')).statusCode, 200, 'another client (issuer) is not affected, even from the same address')
  const forged = await discovery(app, 'not-a-jwt', '10.0.0.1')
  t.equal(forged.statusCode, 401, 'a failed authentication is a 401, not counted against the issuer')
  t.equal((await app.inject({ url: '/health/live' })).statusCode, 200, 'liveness is exempt')
  t.equal((await app.inject({ url: '/metrics' })).statusCode, 200, 'metrics are exempt')
  const log = lines.join('')
  t.match(log, /rate limit exceeded: 429/, 'the refusal is logged')
  t.match(log, new RegExp(EHR_ISS.replace(/[.]/g, '\\.')), 'with the issuer')
  t.notMatch(log, /eyJ/, 'no token in the log')
})

void t.test('rate limit per IP address when authentication is off; the window resets', async (t) => {
  const app = await buildTestApp(t, { RATE_LIMIT_MAX: '3', RATE_LIMIT_WINDOW_MS: '1000' })
  for (let i = 0; i < 3; i++) t.equal((await discovery(app, undefined, '192.0.2.10')).statusCode, 200)
  t.equal((await discovery(app, undefined, '192.0.2.10')).statusCode, 429, 'the fourth call from one address is refused')
  t.equal((await discovery(app, undefined, '192.0.2.11')).statusCode, 200, 'another address is not affected')
  const res = await app.inject({ method: 'POST', url: SERVICE_URL, remoteAddress: '192.0.2.10', payload: hookRequest(patient(), [condition('DD694')]) })
  t.equal(res.statusCode, 429)
  t.equal((await app.inject({ url: '/health/ready', remoteAddress: '192.0.2.10' })).statusCode, 200, 'readiness is exempt')
  await new Promise((resolve) => setTimeout(resolve, 1100))
  t.equal((await discovery(app, undefined, '192.0.2.10')).statusCode, 200, 'allowed again after the window')
})

void t.test('RATE_LIMIT_MAX=0 switches rate limiting off', async (t) => {
  const app = await buildTestApp(t, { RATE_LIMIT_MAX: '0' })
  for (let i = 0; i < 50; i++) {
    const res = await discovery(app, undefined, '192.0.2.20')
    if (res.statusCode !== 200) { t.fail(`call ${i + 1}: ${res.statusCode}`); return }
  }
  t.pass('50 calls from one address, all answered 200')
})

void t.test('security headers on API answers, errors, pages and the Swagger UI', async (t) => {
  const app = await buildTestApp(t)
  const api = await app.inject({ url: '/cds-services' })
  const hook = await postHook(app, hookRequest(patient(), [condition('DD694'), plateletCount(90, '2020-01-01'), attestation('lifelong-course')]))
  t.equal(hook.status, 200)
  const answers = {
    'discovery 200': api,
    'hook 400': await app.inject({ method: 'POST', url: SERVICE_URL, payload: { hook: 'order-select' } }),
    'unknown route 404': await app.inject({ url: '/nothing/here' }),
    'bad JSON 400': await app.inject({ method: 'POST', url: SERVICE_URL, headers: { 'content-type': 'application/json' }, payload: '{' }),
    'health 200': await app.inject({ url: '/health/live' })
  }
  for (const [what, res] of Object.entries(answers)) {
    t.equal(res.headers['x-content-type-options'], 'nosniff', `${what}: nosniff`)
    t.match(res.headers['strict-transport-security'], /max-age=31536000/, `${what}: HSTS`)
    t.equal(res.headers['x-frame-options'], 'SAMEORIGIN', `${what}: X-Frame-Options`)
    t.equal(res.headers['referrer-policy'], 'no-referrer', `${what}: no referrer`)
    t.match(res.headers['content-security-policy'], /default-src 'none'/, `${what}: CSP allows nothing (JSON only)`)
    t.match(res.headers['content-security-policy'], /frame-ancestors 'none'/, `${what}: not framable`)
    t.notOk(res.headers['x-powered-by'], `${what}: no X-Powered-By`)
  }
  for (const path of ['/', '/criteria/sarcoma', '/playground']) {
    const res = await app.inject({ url: path })
    t.equal(res.statusCode, 200, path)
    t.equal(res.headers['content-security-policy'], PAGE_CSP, `${path}: the pages' own CSP (same-origin scripts and styles)`)
    t.equal(res.headers['x-content-type-options'], 'nosniff')
  }
  for (const path of ['/docs', '/docs/', '/docs/static/swagger-initializer.js', '/docs/static/swagger-ui-bundle.js']) {
    const res = await app.inject({ url: path })
    t.ok(res.statusCode < 400, `${path}: ${res.statusCode}`)
    t.equal(res.headers['content-security-policy'], DOCS_CSP, `${path}: the Swagger UI's CSP`)
  }
  t.match(DOCS_CSP, /script-src 'self';/, 'the docs run same-origin scripts only: no inline script, no eval')
  t.match(DOCS_CSP, /object-src 'none'/)
  // The Swagger UI page loads only same-origin scripts and styles, so its CSP can stay strict.
  const page = await app.inject({ url: '/docs/' })
  t.equal(page.statusCode, 200)
  const index = page.body
  t.match(index, /swagger-ui-bundle\.js/, 'the Swagger UI page')
  t.notMatch(index, /<script>(?!\s*<\/script>)|<script[^>]*>[^<\s]+<\/script>|<style>/, 'no inline script or style in the Swagger UI page')
  t.notMatch(index, /(src|href)="https?:/, 'nothing loaded from another origin')
})

/** A store whose reads fail with an error full of internals. */
function leakyStore (inner: EvaluationStore): EvaluationStore {
  const internal = new Error('SQLITE_CORRUPT: database disk image is malformed at /var/lib/wgs/data/audit.sqlite; SELECT c.card_uuid FROM cards c JOIN evaluations e')
  ;(internal as any).code = 'SQLITE_CORRUPT'
  return Object.assign(Object.create(inner) as EvaluationStore, { findCard: async () => { throw internal }, kind: inner.kind })
}

void t.test('the error handler never echoes internals', async (t) => {
  const store = new SqliteStore(':memory:')
  t.teardown(() => store.close())
  const lines: string[] = []
  const app = await buildTestApp(t, { LOG_LEVEL: 'info', PATIENT_KEY_SECRET }, { store: leakyStore(store), logStream: new Writable({ write (c: Buffer, _e, cb) { lines.push(c.toString()); cb() } }) })
  const res = await app.inject({ method: 'POST', url: `${SERVICE_URL}/feedback`, payload: { feedback: [{ card: crypto.randomUUID(), outcome: 'accepted', acceptedSuggestions: [], outcomeTimestamp: '2026-11-22T10:00:00Z' }] } })
  t.equal(res.statusCode, 500, 'an unexpected failure is a 500')
  t.same(res.json(), { resourceType: 'OperationOutcome', issue: [{ severity: 'fatal', code: 'exception', diagnostics: 'Internal Server Error' }] }, 'with a fixed body')
  for (const leak of ['SQLITE', 'audit.sqlite', 'SELECT', '/var/lib', 'at ', '.ts:', 'node_modules']) t.notOk(res.body.includes(leak), `the body does not contain "${leak}"`)
  t.match(res.headers['content-type'], /application\/fhir\+json/)
  t.match(lines.join(''), /unexpected error/, 'the detail goes to the log for the operator')

  // Fastify's own 4xx messages name the problem, never the server's internals.
  const cases = [
    await app.inject({ method: 'POST', url: SERVICE_URL, headers: { 'content-type': 'application/json' }, payload: '{"hook": ' }),
    await app.inject({ method: 'POST', url: SERVICE_URL, headers: { 'content-type': 'application/xml' }, payload: '<x/>' }),
    await app.inject({ method: 'POST', url: SERVICE_URL, headers: { 'content-type': 'application/json' }, payload: '{"__proto__": {"x": 1}}' }),
    await app.inject({ method: 'DELETE', url: SERVICE_URL })
  ]
  for (const c of cases) {
    t.ok(c.statusCode >= 400 && c.statusCode < 500, `${c.statusCode}`)
    t.equal(c.json().resourceType, 'OperationOutcome')
    t.notMatch(c.body, /node_modules|\.ts:|\.js:\d|at [A-Za-z.]+ \(/, 'no stack or source path')
  }
})
