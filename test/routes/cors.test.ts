/**
 * CORS: the default origin allow-list (CDS Hooks sandbox and localhost),
 * preflight answered with the allowed methods and headers, configurable
 * origins, and preflights not blocked by client authentication.
 */
import t from 'tap'
import { buildTestApp, SERVICE_URL } from '../helpers/app.js'
import { corsOrigin } from '../../src/http/cors.js'
import { loadConfig } from '../../src/config/config.js'
import { clientKey, EHR_ISS, PATIENT_KEY_SECRET, PUBLIC_BASE_URL, token } from '../helpers/jwt.js'

const preflight = (origin: string, url = SERVICE_URL) => ({
  method: 'OPTIONS' as const,
  url,
  headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' }
})

void t.test('default origins: the CDS Hooks sandbox and localhost', async (t) => {
  const app = await buildTestApp(t)
  for (const origin of ['https://sandbox.cds-hooks.org', 'http://localhost:5173', 'http://localhost', 'http://127.0.0.1:8080']) {
    const res = await app.inject(preflight(origin))
    t.equal(res.statusCode, 204, `${origin}: preflight answered`)
    t.equal(res.headers['access-control-allow-origin'], origin, `${origin}: allowed`)
    t.match(String(res.headers['access-control-allow-methods']), /GET.*POST.*OPTIONS/, 'methods')
    t.match(String(res.headers['access-control-allow-headers']), /Authorization.*Content-Type/, 'headers')
    t.notOk(res.headers['access-control-allow-credentials'], 'no credentials')
  }
  for (const origin of ['https://evil.example', 'http://localhost.evil.example', 'https://sandbox.cds-hooks.org.evil.example', 'http://sandbox.cds-hooks.org']) {
    const res = await app.inject(preflight(origin))
    t.notOk(res.headers['access-control-allow-origin'], `${origin}: not allowed`)
  }
  const get = await app.inject({ method: 'GET', url: '/cds-services', headers: { origin: 'https://sandbox.cds-hooks.org' } })
  t.equal(get.statusCode, 200)
  t.equal(get.headers['access-control-allow-origin'], 'https://sandbox.cds-hooks.org', 'simple requests get the header too')
  t.match(String(get.headers.vary), /Origin/, 'Vary: Origin, so caches keep origins apart')
})

void t.test('CORS_ORIGINS replaces the defaults', async (t) => {
  const app = await buildTestApp(t, { CORS_ORIGINS: 'https://ehr.region-h.example.dk, https://ehr-test.example.dk:*' })
  t.equal((await app.inject(preflight('https://ehr.region-h.example.dk'))).headers['access-control-allow-origin'], 'https://ehr.region-h.example.dk')
  t.equal((await app.inject(preflight('https://ehr-test.example.dk:8443'))).headers['access-control-allow-origin'], 'https://ehr-test.example.dk:8443')
  t.notOk((await app.inject(preflight('https://sandbox.cds-hooks.org'))).headers['access-control-allow-origin'], 'the sandbox is no longer allowed')
  const any = await buildTestApp(t, { CORS_ORIGINS: '*' })
  t.equal((await any.inject(preflight('https://anywhere.example'))).headers['access-control-allow-origin'], '*')
})

void t.test('bad CORS_ORIGINS stop start-up', async (t) => {
  t.throws(() => loadConfig({ CORS_ORIGINS: 'https://ehr.example.dk/path' }), /CORS_ORIGINS/)
  t.throws(() => loadConfig({ CORS_ORIGINS: 'ehr.example.dk' }), /CORS_ORIGINS/)
  t.same((corsOrigin(['https://a.example', 'http://localhost:*']) as Array<string | RegExp>).map(String), ['https://a.example', String(/^http:\/\/localhost(:\d{1,5})?$/)])
})

void t.test('preflights pass without a token; 401s carry CORS headers', async (t) => {
  const key = await clientKey('ES384', 'k1')
  const app = await buildTestApp(t, {
    CDS_AUTH: 'required',
    PUBLIC_BASE_URL,
    PATIENT_KEY_SECRET,
    CDS_TRUSTED_ISSUERS: JSON.stringify([{ iss: EHR_ISS, jwks: { keys: [key.publicJwk] } }])
  })
  const res = await app.inject(preflight('https://sandbox.cds-hooks.org'))
  t.equal(res.statusCode, 204, 'preflight is not authenticated (browsers send no Authorization on it)')
  const denied = await app.inject({ method: 'POST', url: SERVICE_URL, payload: {}, headers: { origin: 'https://sandbox.cds-hooks.org' } })
  t.equal(denied.statusCode, 401)
  t.equal(denied.headers['access-control-allow-origin'], 'https://sandbox.cds-hooks.org', 'the browser client can read the 401')
  const ok = await app.inject({ method: 'GET', url: '/cds-services', headers: { origin: 'https://sandbox.cds-hooks.org', authorization: `Bearer ${await token(key)}` } })
  t.equal(ok.statusCode, 200)
  t.equal(ok.headers['access-control-allow-origin'], 'https://sandbox.cds-hooks.org')
})
