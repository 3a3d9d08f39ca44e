/**
 * Threat and client behaviour: the `jku` header names a URL the verifier
 * would fetch keys from — a token naming its own key server would sign
 * itself in. The public CDS Hooks sandbox always sends a `jku`, so an issuer
 * whose keys are configured here (pinned: inline, a file or its JWKS URL)
 * must still be accepted. With pinned keys the `jku` is ignored and never
 * fetched: the token verifies against the pinned set or not at all. An
 * issuer without pinned keys may use only a `jku` from its allow-list.
 */
import t from 'tap'
import { buildTestApp } from '../helpers/app.js'
import { clientKey, DISCOVERY_AUD, jwksServer, PATIENT_KEY_SECRET, PUBLIC_BASE_URL, token } from '../helpers/jwt.js'

const SANDBOX_ISS = 'https://sandbox.cds-hooks.org'
const JKU_ONLY_ISS = 'https://ehr.jku-only.example.dk'
const pinned = await clientKey('ES384', 'sandbox-key')
const attacker = await clientKey('ES384', 'sandbox-key') // same kid, the attacker's own pair
const attackerServer = await jwksServer([attacker.publicJwk])
const allowedServer = await jwksServer([pinned.publicJwk])
t.teardown(attackerServer.close)
t.teardown(allowedServer.close)

const app = await buildTestApp(t, {
  CDS_AUTH: 'required',
  PUBLIC_BASE_URL,
  PATIENT_KEY_SECRET,
  CDS_TRUSTED_ISSUERS: JSON.stringify([
    { iss: SANDBOX_ISS, jwks: { keys: [pinned.publicJwk] } },
    { iss: JKU_ONLY_ISS, jkuAllowList: [allowedServer.url] }
  ])
})
const discovery = async (jwt: string): Promise<number> => (await app.inject({ method: 'GET', url: '/cds-services', headers: { authorization: `Bearer ${jwt}` } })).statusCode

void t.test('pinned keys: a token with any jku verifies against the pinned set', async (t) => {
  t.equal(await discovery(await token(pinned, { iss: SANDBOX_ISS, aud: DISCOVERY_AUD, jku: 'https://sandbox.cds-hooks.org/.well-known/jwks.json' })), 200, 'the sandbox\'s own jku, not allow-listed: accepted')
  t.equal(await discovery(await token(pinned, { iss: SANDBOX_ISS, aud: DISCOVERY_AUD, jku: attackerServer.url })), 200, 'a jku naming another key server: still verified against the pinned key')
  t.equal(await discovery(await token(attacker, { iss: SANDBOX_ISS, aud: DISCOVERY_AUD, jku: attackerServer.url })), 401, 'signed by the key the jku serves: refused')
  t.equal(attackerServer.requests(), 0, 'the jku was never fetched')
})

void t.test('no pinned keys: only an allow-listed jku', async (t) => {
  t.equal(await discovery(await token(pinned, { iss: JKU_ONLY_ISS, aud: DISCOVERY_AUD, jku: allowedServer.url })), 200, 'allow-listed jku')
  t.equal(await discovery(await token(attacker, { iss: JKU_ONLY_ISS, aud: DISCOVERY_AUD, jku: attackerServer.url })), 401, 'jku not on the list')
  t.equal(attackerServer.requests(), 0, 'a jku not on the list is never fetched')
})
