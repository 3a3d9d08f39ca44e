/**
 * Client authentication (CDS Hooks 2.0 JWT) over HTTP, with real keys made by
 * jose: every case of the issue — valid ES384 and RS384, expired, future iat,
 * wrong aud, unknown kid, untrusted iss, alg none, HMAC, replayed jti,
 * tampered signature, missing header — plus JWKS URL and jku handling.
 */
import t from 'tap'
import { Writable } from 'node:stream'
import { SignJWT } from 'jose'
import type { FastifyInstance } from 'fastify'
import { buildTestApp, SERVICE_URL } from '../helpers/app.js'
import { SqliteStore } from '../../src/store/sqlite-store.js'
import { hookRequest, patient } from '../helpers/fhir-builders.js'
import {
  clientKey, DISCOVERY_AUD, EHR_ISS, FEEDBACK_AUD, jwksServer, PATIENT_KEY_SECRET, PUBLIC_BASE_URL, SERVICE_AUD, token, unsignedToken, type ClientKey
} from '../helpers/jwt.js'

const URL_ISS = 'https://ehr.region-sj.example.dk'
const JKU_ISS = 'https://sandbox.cds-hooks.org'
const TENANT_ISS = 'https://ehr.multi-tenant.example.dk'

const es384 = await clientKey('ES384', 'es384-key')
const rs384 = await clientKey('RS384', 'rs384-key')
const urlKey = await clientKey('ES384', 'url-key')
const jkuKey = await clientKey('ES256', 'jku-key')
const stranger = await clientKey('ES384', 'es384-key') // same kid, another key pair

const issuerServer = await jwksServer([urlKey.publicJwk])
const jkuServer = await jwksServer([jkuKey.publicJwk])
t.teardown(issuerServer.close)
t.teardown(jkuServer.close)

const lines: string[] = []
const logStream = new Writable({ write (chunk: Buffer, _enc, cb) { lines.push(chunk.toString()); cb() } })

const app: FastifyInstance = await buildTestApp(t, {
  LOG_LEVEL: 'info',
  CDS_AUTH: 'required',
  PUBLIC_BASE_URL,
  PATIENT_KEY_SECRET,
  CDS_TRUSTED_ISSUERS: JSON.stringify([
    { iss: EHR_ISS, jwks: { keys: [es384.publicJwk, rs384.publicJwk] } },
    { iss: URL_ISS, jwksUrl: issuerServer.url },
    { iss: JKU_ISS, jkuAllowList: [jkuServer.url] },
    { iss: TENANT_ISS, jwks: { keys: [es384.publicJwk] }, tenants: ['rh'] }
  ])
}, { logStream })

async function discovery (authorization?: string): Promise<{ status: number, body: any, headers: Record<string, unknown> }> {
  const res = await app.inject({ method: 'GET', url: '/cds-services', headers: authorization === undefined ? {} : { authorization } })
  return { status: res.statusCode, body: res.json(), headers: res.headers }
}
const bearer = async (key: ClientKey, o: Parameters<typeof token>[1] = {}): Promise<string> => `Bearer ${await token(key, o)}`

void t.test('valid tokens are accepted', async (t) => {
  t.equal((await discovery(await bearer(es384))).status, 200, 'ES384, JWKS inline')
  t.equal((await discovery(await bearer(rs384))).status, 200, 'RS384, JWKS inline')
  t.equal((await discovery(await bearer(urlKey, { iss: URL_ISS }))).status, 200, 'ES384, JWKS fetched from the issuer\'s URL')
  t.ok(issuerServer.requests() >= 1, 'the JWKS URL was fetched')
  t.equal((await discovery(await bearer(jkuKey, { iss: JKU_ISS, jku: jkuServer.url }))).status, 200, 'ES256, key from an allow-listed jku')
  t.equal((await discovery(await bearer(es384, { aud: ['https://other.example', DISCOVERY_AUD] }))).status, 200, 'aud as an array holding this endpoint')
  t.equal((await discovery(await bearer(es384, { iatOffset: 30 }))).status, 200, 'iat 30 s ahead is within the 60 s clock skew')
  t.equal((await discovery(await bearer(es384, { expOffset: -30 }))).status, 200, 'exp 30 s ago is within the clock skew')
  t.equal((await discovery(await bearer(es384, { sub: 'epic-client-id', tenant: 'anything' }))).status, 200, 'sub and tenant accepted though not required')
  t.equal((await discovery(await bearer(es384, { typ: undefined }))).status, 200)
  t.equal((await discovery(await bearer(es384, { jku: jkuServer.url }))).status, 200, 'pinned keys: a jku is ignored (test/security/jku-with-pinned-keys.test.ts)')
  t.equal((await discovery(await bearer(es384, { iss: TENANT_ISS, tenant: 'rh' }))).status, 200, 'tenant on the issuer\'s tenant list')
})

void t.test('invalid tokens get a bare 401', async (t) => {
  const hmac = await new SignJWT({ iss: EHR_ISS, aud: DISCOVERY_AUD, jti: crypto.randomUUID() })
    .setProtectedHeader({ alg: 'HS384', typ: 'JWT', kid: 'es384-key' }).setIssuedAt().setExpirationTime('5m')
    .sign(new TextEncoder().encode('a-shared-secret-a-shared-secret-a-shared-secret!'))
  const valid = await token(es384)
  const [h, p, s] = valid.split('.') as [string, string, string]
  const flipped = `${s.slice(0, 10)}${s[10] === 'A' ? 'B' : 'A'}${s.slice(11)}`
  const otherPayload = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p, 'base64url').toString()), iss: EHR_ISS, jti: 'forged' })).toString('base64url')
  const cases: Array<[string, string | undefined, string]> = [
    ['missing Authorization header', undefined, 'missing'],
    ['not a Bearer token', `Basic ${Buffer.from('a:b').toString('base64')}`, 'missing'],
    ['not a JWT', 'Bearer abc.def', 'malformed'],
    ['expired', await bearer(es384, { iatOffset: -600, expOffset: -120 }), 'expired'],
    ['iat in the future', await bearer(es384, { iatOffset: 300, expOffset: 600 }), 'iat'],
    ['iat older than the maximum token age', await bearer(es384, { iatOffset: -7200, expOffset: 60 }), 'iat'],
    ['wrong aud', await bearer(es384, { aud: 'https://another-service.example/cds-services' }), 'aud'],
    ['aud of another endpoint of this service', await bearer(es384, { aud: SERVICE_AUD }), 'aud'],
    ['unknown kid', await bearer(es384, { kid: 'no-such-key' }), 'kid'],
    ['no kid', `Bearer ${await new SignJWT({ iss: EHR_ISS, aud: DISCOVERY_AUD, jti: 'x' }).setProtectedHeader({ alg: 'ES384' }).setIssuedAt().setExpirationTime('5m').sign(es384.privateKey)}`, 'kid'],
    ['untrusted iss', await bearer(es384, { iss: 'https://evil.example' }), 'untrusted-iss'],
    ['alg none', `Bearer ${unsignedToken('es384-key')}`, 'alg'],
    ['HMAC (HS384)', `Bearer ${hmac}`, 'alg'],
    ['tampered signature', `Bearer ${h}.${p}.${flipped}`, 'signature'],
    ['tampered payload', `Bearer ${h}.${otherPayload}.${s}`, 'signature'],
    ['signed by another key with a known kid', await bearer(stranger), 'signature'],
    ['no jti', await bearer(es384, { omit: ['jti'] }), 'claims'],
    ['no exp', await bearer(es384, { omit: ['exp'] }), 'claims'],
    ['jku not on the allow-list', await bearer(jkuKey, { iss: JKU_ISS, jku: 'https://attacker.example/jwks.json' }), 'jku'],
    ['issuer known only by jku, token without jku', await bearer(jkuKey, { iss: JKU_ISS }), 'no-key'],
    ['jku of an issuer with pinned keys, signed by the key the jku serves', await bearer(jkuKey, { kid: 'es384-key', jku: jkuServer.url }), 'kid'],
    ['typ other than JWT', await bearer(es384, { typ: 'at+jwt' }), 'typ'],
    ['tenant not on the issuer\'s list', await bearer(es384, { iss: TENANT_ISS, tenant: 'other' }), 'tenant'],
    ['tenant missing where required', await bearer(es384, { iss: TENANT_ISS }), 'tenant']
  ]
  const bodies = new Set<string>()
  for (const [name, authorization, reason] of cases) {
    lines.length = 0
    const res = await discovery(authorization)
    t.equal(res.status, 401, name)
    t.equal(res.headers['www-authenticate'], 'Bearer', `${name}: WWW-Authenticate`)
    t.equal(res.body.issue?.[0]?.code, 'login', `${name}: OperationOutcome login`)
    bodies.add(JSON.stringify(res.body))
    const log = lines.map((l) => JSON.parse(l)).find((l) => l.msg === 'client authentication failed')
    t.equal(log?.auth?.reason, reason, `${name}: logged reason ${reason}`)
    if (authorization) t.notOk(lines.some((l) => l.includes(authorization.replace(/^\w+ /, ''))), `${name}: token not logged`)
  }
  t.equal(bodies.size, 1, 'every failure gets the same body: nothing that tells an attacker which check failed')
  t.same([...bodies].map((b) => JSON.parse(b))[0], { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'login', diagnostics: 'Authentication failed' }] })
})

void t.test('a jti is accepted once', async (t) => {
  const authorization = await bearer(es384, { jti: 'once-only' })
  t.equal((await discovery(authorization)).status, 200, 'first use')
  lines.length = 0
  t.equal((await discovery(authorization)).status, 401, 'replayed')
  t.match(lines.join(''), /"reason":"replayed"/)
  const sameJtiOtherToken = await bearer(es384, { jti: 'once-only', iatOffset: -1 })
  t.equal((await discovery(sameJtiOtherToken)).status, 401, 'a new token reusing the jti is a replay too')
  t.equal((await discovery(await bearer(urlKey, { iss: URL_ISS, jti: 'once-only' }))).status, 200, 'jtis are per issuer')
})

void t.test('every /cds-services endpoint is protected, with its own aud', async (t) => {
  const body = hookRequest(patient(), [])
  const call = async (authorization?: string): Promise<number> => (await app.inject({ method: 'POST', url: SERVICE_URL, payload: body, headers: authorization ? { authorization } : {} })).statusCode
  t.equal(await call(), 401, 'service call without token')
  t.equal(await call(await bearer(es384, { aud: DISCOVERY_AUD })), 401, 'service call with the discovery aud')
  t.equal(await call(await bearer(es384, { aud: SERVICE_AUD })), 200, 'service call with its own URL as aud')

  const feedback = async (authorization?: string): Promise<number> => (await app.inject({ method: 'POST', url: `${SERVICE_URL}/feedback`, payload: { feedback: [] }, headers: authorization ? { authorization } : {} })).statusCode
  t.equal(await feedback(), 401, 'feedback without token')
  t.equal(await feedback(await bearer(es384, { aud: DISCOVERY_AUD })), 401, 'feedback with the discovery aud')
  t.equal(await feedback(await bearer(es384, { aud: FEEDBACK_AUD })), 400, 'feedback URL as aud passes authentication (then the empty body is a 400)')
  t.equal(await feedback(await bearer(es384, { aud: SERVICE_AUD })), 400, 'the service URL is accepted as aud for its feedback too')
  t.equal((await app.inject({ method: 'GET', url: '/cds-services/unknown/thing' })).statusCode, 401, 'unknown paths under /cds-services need a token too')
})

void t.test('health is not behind the JWT', async (t) => {
  t.equal((await app.inject({ method: 'GET', url: '/health/live' })).statusCode, 200)
  const ready = await app.inject({ method: 'GET', url: '/health/ready' })
  t.equal(ready.statusCode, 200)
  t.match(ready.json().checks.store, /^sqlite/, 'readiness reports the audit store')
})

void t.test('the authenticated client is recorded with the evaluation', async (t) => {
  const store = new SqliteStore(':memory:')
  t.teardown(() => store.close())
  const probed = await buildTestApp(t, {
    CDS_AUTH: 'required',
    PUBLIC_BASE_URL,
    PATIENT_KEY_SECRET,
    CDS_TRUSTED_ISSUERS: JSON.stringify([{ iss: EHR_ISS, jwks: { keys: [es384.publicJwk] } }])
  }, { store })
  const body = hookRequest(patient(), [])
  const res = await probed.inject({ method: 'POST', url: SERVICE_URL, payload: body, headers: { authorization: await bearer(es384, { aud: SERVICE_AUD, tenant: 'rh' }) } })
  t.equal(res.statusCode, 200)
  const [evaluation] = await store.evaluationsFor(body.hookInstance)
  t.equal(evaluation?.clientIss, EHR_ISS)
  t.equal(evaluation?.tenant, 'rh')
})
