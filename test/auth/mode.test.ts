/**
 * Authentication mode and the start-up checks around it: required in
 * production and on non-loopback hosts, off by default only on a loopback
 * host (with a loud warning), never off in production; with authentication
 * on, PUBLIC_BASE_URL, a trusted issuer and PATIENT_KEY_SECRET are needed.
 */
import t from 'tap'
import { Writable } from 'node:stream'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { exportJWK } from 'jose'
import { resolveAuthMode } from '../../src/auth/mode.js'
import { ReplayCache } from '../../src/auth/replay-cache.js'
import { audiencesFor } from '../../src/auth/client-auth.js'
import { loadConfig } from '../../src/config/config.js'
import { buildTestApp } from '../helpers/app.js'
import { clientKey, EHR_ISS, PATIENT_KEY_SECRET, PUBLIC_BASE_URL, token } from '../helpers/jwt.js'

void t.test('mode resolution', async (t) => {
  const mode = (env: Record<string, string>): string => resolveAuthMode(loadConfig(env)).mode
  t.equal(mode({}), 'off', 'default HOST 127.0.0.1 outside production: off')
  t.equal(mode({ HOST: 'localhost' }), 'off')
  t.equal(mode({ HOST: '::1' }), 'off')
  t.equal(mode({ HOST: '0.0.0.0' }), 'required', 'a container binding all interfaces: required')
  t.equal(mode({ HOST: '10.0.0.5' }), 'required')
  t.equal(mode({ NODE_ENV: 'production' }), 'required', 'production on loopback (behind a local proxy): required')
  t.equal(mode({ CDS_AUTH: 'off', HOST: '0.0.0.0' }), 'off', 'explicit off outside production')
  t.equal(mode({ CDS_AUTH: 'required' }), 'required', 'explicit required on loopback')
  t.throws(() => mode({ CDS_AUTH: 'off', NODE_ENV: 'production' }), /CDS_AUTH=off is not allowed when NODE_ENV=production/)
  t.throws(() => loadConfig({ CDS_AUTH: 'maybe' }), /CDS_AUTH/)
})

void t.test('start-up refuses an unusable required mode', async (t) => {
  const key = await clientKey('ES384', 'k1')
  const issuers = JSON.stringify([{ iss: EHR_ISS, jwks: { keys: [key.publicJwk] } }])
  await t.rejects(buildTestApp(t, { CDS_AUTH: 'required', PATIENT_KEY_SECRET, CDS_TRUSTED_ISSUERS: issuers }), /PUBLIC_BASE_URL is required/)
  await t.rejects(buildTestApp(t, { CDS_AUTH: 'required', PATIENT_KEY_SECRET, PUBLIC_BASE_URL }), /no client is trusted/)
  await t.rejects(buildTestApp(t, { CDS_AUTH: 'required', PUBLIC_BASE_URL, CDS_TRUSTED_ISSUERS: issuers }), /PATIENT_KEY_SECRET is required/)
  await t.rejects(buildTestApp(t, { CDS_AUTH: '', HOST: '0.0.0.0', PATIENT_KEY_SECRET }), /PUBLIC_BASE_URL is required/, 'a non-loopback host defaults to required')
  t.throws(() => loadConfig({ CDS_TRUSTED_ISSUERS: '[{"iss":"x"}]' }), /CDS_TRUSTED_ISSUERS/, 'an issuer without any key source')
  t.throws(() => loadConfig({ CDS_TRUSTED_ISSUERS: 'not json' }), /CDS_TRUSTED_ISSUERS/)
  t.throws(() => loadConfig({ PATIENT_KEY_SECRET: 'short' }), /PATIENT_KEY_SECRET/)
  await t.rejects(buildTestApp(t, { CDS_AUTH: 'required', PUBLIC_BASE_URL, PATIENT_KEY_SECRET, CDS_TRUSTED_ISSUERS: JSON.stringify([{ iss: EHR_ISS, jwksUrl: 'http://keys.example.dk/jwks.json' }]) }), /must be https/, 'plain http JWKS only on loopback')
  await t.rejects(buildTestApp(t, { CDS_AUTH: 'required', PUBLIC_BASE_URL, PATIENT_KEY_SECRET, CDS_TRUSTED_ISSUERS: JSON.stringify([{ iss: EHR_ISS, jwks: { keys: [{ kty: 'oct', kid: 'h', k: 'c2VjcmV0' }] } }]) }), /kty must be EC or RSA/, 'no symmetric keys')
  const privateJwk = { ...(await exportJWK(key.privateKey)), kid: key.kid }
  await t.rejects(buildTestApp(t, { CDS_AUTH: 'required', PUBLIC_BASE_URL, PATIENT_KEY_SECRET, CDS_TRUSTED_ISSUERS: JSON.stringify([{ iss: EHR_ISS, jwks: { keys: [privateJwk] } }]) }), /private key/, 'a private key in the configuration is refused')
})

void t.test('trusted issuers from a file, JWKS from a file', async (t) => {
  const key = await clientKey('RS384', 'file-key')
  const dir = t.testdir({})
  const jwksFile = join(dir, 'ehr.jwks.json')
  writeFileSync(jwksFile, JSON.stringify({ keys: [key.publicJwk] }))
  const issuersFile = join(dir, 'issuers.json')
  writeFileSync(issuersFile, JSON.stringify([{ iss: EHR_ISS, jwksFile }]))
  const app = await buildTestApp(t, { CDS_AUTH: 'required', PUBLIC_BASE_URL, PATIENT_KEY_SECRET, CDS_TRUSTED_ISSUERS_FILE: issuersFile })
  t.equal((await app.inject({ method: 'GET', url: '/cds-services', headers: { authorization: `Bearer ${await token(key)}` } })).statusCode, 200)
  t.equal((await app.inject({ method: 'GET', url: '/cds-services' })).statusCode, 401)

  writeFileSync(join(dir, 'bad.json'), JSON.stringify([{ iss: EHR_ISS }]))
  await t.rejects(buildTestApp(t, { CDS_AUTH: 'required', PUBLIC_BASE_URL, PATIENT_KEY_SECRET, CDS_TRUSTED_ISSUERS_FILE: join(dir, 'bad.json') }), /CDS_TRUSTED_ISSUERS_FILE .*bad\.json/)
  await t.rejects(buildTestApp(t, { CDS_AUTH: 'required', PUBLIC_BASE_URL, PATIENT_KEY_SECRET, CDS_TRUSTED_ISSUERS_FILE: join(dir, 'missing.json') }), /ENOENT/)
  await t.rejects(buildTestApp(t, { CDS_AUTH: 'required', PUBLIC_BASE_URL, PATIENT_KEY_SECRET, CDS_TRUSTED_ISSUERS_FILE: issuersFile, CDS_TRUSTED_ISSUERS: JSON.stringify([{ iss: EHR_ISS, jwksUrl: 'https://x.example/jwks' }]) }), /listed twice/)
})

void t.test('auth off: calls pass, and start-up warns loudly', async (t) => {
  const lines: string[] = []
  const logStream = new Writable({ write (chunk: Buffer, _enc, cb) { lines.push(chunk.toString()); cb() } })
  const app = await buildTestApp(t, { LOG_LEVEL: 'warn', CDS_AUTH: '' }, { logStream })
  t.equal((await app.inject({ method: 'GET', url: '/cds-services' })).statusCode, 200)
  const warning = lines.map((l) => JSON.parse(l)).find((l) => /CLIENT AUTHENTICATION IS OFF/.test(l.msg))
  t.ok(warning, 'a warning at start-up')
  t.equal(warning?.level, 40, 'at level warn')
  t.equal(warning?.because, 'loopback-host')
})

void t.test('audiences', async (t) => {
  t.same(audiencesFor('https://cds.example.org/', '/cds-services'), ['https://cds.example.org/cds-services'])
  t.same(audiencesFor('https://h.example/wgs', '/cds-services/x'), ['https://h.example/wgs/cds-services/x'])
  t.same(audiencesFor('https://h.example', '/cds-services/x/feedback'), ['https://h.example/cds-services/x/feedback', 'https://h.example/cds-services/x'])
})

void t.test('replay cache: expiry and bound', async (t) => {
  let now = 1_000_000
  const cache = new ReplayCache(100, () => now)
  t.equal(cache.check('a', now + 5000), 'fresh')
  t.equal(cache.check('a', now + 5000), 'replayed')
  now += 6000
  t.equal(cache.check('a', now + 5000), 'fresh', 'remembered only until it expires')
  for (let i = 0; i < 99; i++) t.equal(cache.check(`k${i}`, now + 10_000), 'fresh')
  t.equal(cache.size, 100)
  t.equal(cache.check('one-too-many', now + 10_000), 'full', 'full of live entries: refuse (fail closed) rather than forget one')
  now += 11_000
  t.equal(cache.check('after-expiry', now + 10_000), 'fresh', 'expired entries are swept to make room')
  t.equal(cache.size, 1)
})
