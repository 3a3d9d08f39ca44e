/**
 * What one client JWT costs (issue 18: "cheaper JWT verification if the measurement shows it").
 *
 *   npx tsx bench/jwt.ts [--rounds 9] [--tokens 2000]
 *
 * Per algorithm the CDS Hooks spec names (ES384, RS384), interleaved rounds of:
 *   - jose.jwtVerify against a local JWK Set — what src/auth/verify-jwt.ts does per call
 *     (header, claims, issuer, audience, age, the signature through WebCrypto);
 *   - node:crypto.verify of the same signature with a KeyObject — the signature alone, the floor
 *     any implementation pays;
 *   - JSON.parse of the bench's 77 KB order-select body — the unit the other sections use.
 * Reported: CPU µs per token (process.cpuUsage; tokens are verified one after another, awaited,
 * as the route does), medians over rounds, and the ratios. No service, no network.
 */
import { createVerify, generateKeyPairSync, type KeyObject } from 'node:crypto'
import { parseArgs } from 'node:util'
import { SignJWT, createLocalJWKSet, exportJWK, jwtVerify } from 'jose'
import { generatePatient, orderSelectRequest, realisticDiagnoses } from './synthetic-patient.js'
import { loadConfig } from '../src/config/config.js'
import { loadRulesFor } from '../src/definitions/rules-for-config.js'

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '9' }, tokens: { type: 'string', default: '2000' } } })
const ROUNDS = Number(values.rounds)
const TOKENS = Number(values.tokens)
const AUD = 'https://cds.example.org/cds-services/wgs-eligibility'
const ISS = 'https://ehr.example.org'

interface Setup { alg: 'ES384' | 'RS384'; tokens: string[]; publicKey: KeyObject; jwks: ReturnType<typeof createLocalJWKSet> }

async function setup(alg: Setup['alg']): Promise<Setup> {
  const { publicKey, privateKey } = alg === 'ES384'
    ? generateKeyPairSync('ec', { namedCurve: 'P-384' })
    : generateKeyPairSync('rsa', { modulusLength: 2048 })
  const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg }
  const now = Math.floor(Date.now() / 1000)
  const tokens: string[] = []
  for (let i = 0; i < TOKENS; i++) {
    tokens.push(await new SignJWT({ jti: `t${i}` }).setProtectedHeader({ alg, kid: 'k1', typ: 'JWT' })
      .setIssuer(ISS).setAudience(AUD).setIssuedAt(now).setExpirationTime(now + 300).sign(privateKey))
  }
  return { alg, tokens, publicKey, jwks: createLocalJWKSet({ keys: [jwk] }) }
}

function cpuMicros(start: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(start)
  return d.user + d.system
}

async function joseRound(s: Setup): Promise<number> {
  const start = process.cpuUsage()
  for (const t of s.tokens) {
    await jwtVerify(t, s.jwks, { issuer: ISS, audience: AUD, algorithms: [s.alg], maxTokenAge: 300, requiredClaims: ['iss', 'aud', 'exp', 'iat', 'jti'] })
  }
  return cpuMicros(start) / s.tokens.length
}

function nodeRound(s: Setup): number {
  const start = process.cpuUsage()
  for (const t of s.tokens) {
    const dot = t.lastIndexOf('.')
    const ok = createVerify('SHA384').update(t.slice(0, dot))
      .verify(s.alg === 'ES384' ? { key: s.publicKey, dsaEncoding: 'ieee-p1363' } : s.publicKey, Buffer.from(t.slice(dot + 1), 'base64url'))
    if (!ok) throw new Error('signature did not verify')
  }
  return cpuMicros(start) / s.tokens.length
}

function parseRound(body: string, n: number): number {
  const start = process.cpuUsage()
  for (let i = 0; i < n; i++) JSON.parse(body)
  return cpuMicros(start) / n
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

const rules = loadRulesFor(loadConfig({}))
const body = JSON.stringify(orderSelectRequest(rules.service, generatePatient(150, realisticDiagnoses())))
const setups = [await setup('ES384'), await setup('RS384')]
const rows: string[] = []
const parse: number[] = []
const results = new Map<string, { jose: number[]; node: number[] }>(setups.map((s) => [s.alg, { jose: [], node: [] }]))
for (let r = 0; r < ROUNDS + 1; r++) {
  for (const s of setups) {
    const jose = await joseRound(s)
    const node = nodeRound(s)
    if (r > 0) { results.get(s.alg)!.jose.push(jose); results.get(s.alg)!.node.push(node) } // round 0 warms up
  }
  const p = parseRound(body, 200)
  if (r > 0) parse.push(p)
}
const parseUs = median(parse)
for (const s of setups) {
  const { jose, node } = results.get(s.alg)!
  const j = median(jose)
  const n = median(node)
  rows.push(`| ${s.alg} | ${j.toFixed(0)} µs | ${n.toFixed(0)} µs | ${(j / n).toFixed(2)}× | ${(j / parseUs).toFixed(2)}× |`)
}
console.log(`JWT verification, CPU per token (median of ${ROUNDS} rounds of ${TOKENS} tokens; JSON.parse of the ${(body.length / 1024).toFixed(0)} KB body: ${parseUs.toFixed(0)} µs)\n`)
console.log('| alg | jose jwtVerify (all checks) | node:crypto verify (signature only) | jose ÷ node | jose ÷ one body parse |')
console.log('|---|---|---|---|---|')
console.log(rows.join('\n'))
