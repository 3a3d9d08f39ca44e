/**
 * Threat: writing attacker-chosen text into the service's logs. Before a
 * token is verified its `iss`, `kid` and `jti` are whatever the sender wrote:
 * log-injection payloads (newlines, fake JSON, ANSI escapes), megabytes of
 * text, or patient data an attacker wants stored. On a 401 the log line
 * carries only a bounded, hashed form of each (`sha256:` and 16 hex
 * characters), except an `iss` that is on the trusted list, which is
 * configuration and logged as it is.
 */
import t from 'tap'
import { Writable } from 'node:stream'
import { createHash } from 'node:crypto'
import { SignJWT } from 'jose'
import { buildTestApp } from '../helpers/app.js'
import { clientKey, DISCOVERY_AUD, EHR_ISS, PATIENT_KEY_SECRET, PUBLIC_BASE_URL } from '../helpers/jwt.js'

const key = await clientKey('ES384', 'log-key')
const lines: string[] = []
const logStream = new Writable({ write (chunk: Buffer, _enc, cb) { lines.push(chunk.toString()); cb() } })
const app = await buildTestApp(t, {
  LOG_LEVEL: 'info',
  CDS_AUTH: 'required',
  PUBLIC_BASE_URL,
  PATIENT_KEY_SECRET,
  CDS_TRUSTED_ISSUERS: JSON.stringify([{ iss: EHR_ISS, jwks: { keys: [key.publicJwk] } }])
}, { logStream })

const hashed = (v: string): string => `sha256:${createHash('sha256').update(v).digest('hex').slice(0, 16)}`
const HOSTILE = 'Jens Hansen 010180-1234\n{"level":60,"msg":"admin logged in"}\u001b[31m' + 'x'.repeat(5000)

async function refusedLog (claims: Record<string, unknown>, kid: string): Promise<Record<string, any>> {
  lines.length = 0
  const jwt = await new SignJWT(claims).setProtectedHeader({ alg: 'ES384', kid }).setIssuedAt().setExpirationTime('5m').sign(key.privateKey)
  const res = await app.inject({ method: 'GET', url: '/cds-services', headers: { authorization: `Bearer ${jwt}` } })
  t.equal(res.statusCode, 401)
  const line = lines.map((l) => JSON.parse(l)).find((l) => l.msg === 'client authentication failed')
  t.ok(line, 'the failure is logged')
  return line?.auth ?? {}
}

void t.test('an untrusted iss, any kid and any jti are logged hashed, never as sent', async (t) => {
  const auth = await refusedLog({ iss: HOSTILE, aud: DISCOVERY_AUD, jti: HOSTILE }, HOSTILE)
  t.equal(auth.reason, 'untrusted-iss')
  t.same({ iss: auth.iss, kid: auth.kid, jti: auth.jti }, { iss: hashed(HOSTILE), kid: hashed(HOSTILE), jti: hashed(HOSTILE) })
  const all = lines.join('')
  t.notOk(all.includes('Jens Hansen'), 'no text of the claims reaches the log')
  t.notOk(all.includes('admin logged in'), 'no injected log line')
  t.ok(lines.every((l) => l.length < 2000), `every line is bounded (longest ${Math.max(...lines.map((l) => l.length))} characters for claims of ${HOSTILE.length})`)
})

void t.test('a trusted iss is logged as configured; kid and jti still hashed', async (t) => {
  const auth = await refusedLog({ iss: EHR_ISS, aud: 'https://elsewhere.example', jti: 'jti-123' }, 'log-key')
  t.equal(auth.reason, 'aud')
  t.equal(auth.iss, EHR_ISS)
  t.equal(auth.kid, hashed('log-key'))
  t.equal(auth.jti, hashed('jti-123'))
})

void t.test('claims that are not strings are left out', async (t) => {
  const auth = await refusedLog({ iss: { nested: HOSTILE }, aud: DISCOVERY_AUD, jti: 42 }, 'log-key')
  t.equal(auth.reason, 'untrusted-iss')
  t.equal(auth.iss, undefined)
  t.equal(auth.jti, undefined)
})
