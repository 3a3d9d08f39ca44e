/**
 * Real client keys and CDS Hooks JWTs for the authentication tests, made with
 * jose: an ES384 and an RS384 key pair, a JWKS server on loopback, and a token
 * builder whose every claim and header field can be overridden or removed.
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose'

export const PUBLIC_BASE_URL = 'https://cds.example.org'
export const DISCOVERY_AUD = `${PUBLIC_BASE_URL}/cds-services`
export const SERVICE_AUD = `${PUBLIC_BASE_URL}/cds-services/ngc-wgs-eligibility`
export const FEEDBACK_AUD = `${SERVICE_AUD}/feedback`
export const EHR_ISS = 'https://ehr.region-h.example.dk'
export const PATIENT_KEY_SECRET = 'test-secret-test-secret-test-secret-0123456789'

export interface ClientKey { alg: string, kid: string, privateKey: CryptoKey, publicJwk: JWK }

export async function clientKey (alg: 'ES384' | 'RS384' | 'ES256' | 'PS256', kid: string): Promise<ClientKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true })
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' }
  return { alg, kid, privateKey, publicJwk }
}

export interface TokenOptions {
  iss?: string
  aud?: string | string[]
  /** Seconds relative to now. */
  iatOffset?: number
  expOffset?: number
  jti?: string
  tenant?: string
  sub?: string
  jku?: string
  kid?: string
  typ?: string
  /** Claims to leave out. */
  omit?: Array<'iss' | 'aud' | 'exp' | 'iat' | 'jti'>
}

export async function token (key: ClientKey, o: TokenOptions = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000)
  const claims: Record<string, unknown> = {
    iss: o.iss ?? EHR_ISS,
    aud: o.aud ?? DISCOVERY_AUD,
    iat: now + (o.iatOffset ?? 0),
    exp: now + (o.expOffset ?? 300),
    jti: o.jti ?? crypto.randomUUID(),
    ...(o.tenant ? { tenant: o.tenant } : {}),
    ...(o.sub ? { sub: o.sub } : {})
  }
  for (const k of o.omit ?? []) delete claims[k]
  return await new SignJWT(claims)
    .setProtectedHeader({ alg: key.alg, typ: o.typ ?? 'JWT', kid: o.kid ?? key.kid, ...(o.jku ? { jku: o.jku } : {}) })
    .sign(key.privateKey)
}

const b64 = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url')

/** An unsigned token (`alg: none`). */
export function unsignedToken (kid: string, aud = DISCOVERY_AUD): string {
  const now = Math.floor(Date.now() / 1000)
  return `${b64({ alg: 'none', typ: 'JWT', kid })}.${b64({ iss: EHR_ISS, aud, iat: now, exp: now + 300, jti: crypto.randomUUID() })}.`
}

/** A JWKS served over HTTP on 127.0.0.1 (the "URL" key source); counts requests. */
export async function jwksServer (keys: JWK[]): Promise<{ url: string, requests: () => number, close: () => Promise<void> }> {
  let requests = 0
  const server: Server = createServer((req, res) => {
    requests++
    if (req.url !== '/jwks.json') { res.writeHead(404).end(); return }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys }))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/jwks.json`,
    requests: () => requests,
    close: async () => { await new Promise<void>((resolve) => server.close(() => resolve())) }
  }
}
