/**
 * Verification of the bearer JWT a CDS client sends with every call
 * (CDS Hooks 2.0 §Security; shared/reference/cds-hooks.md §1.7 and its
 * best-practice checklist): asymmetric `alg` only, `kid` required, `iss` on
 * the allow-list, signature against the issuer's pinned keys (a `jku` is
 * then ignored) or, for an issuer without any, an allow-listed `jku`; `aud`
 * the exact URL called, `exp`/`iat` with a small clock skew and
 * a maximum token age, `jti` never seen before. `sub`, `nbf` and `tenant` are
 * accepted but not required (`sub` was removed from the spec; Epic still
 * sends it).
 *
 * The result names a reason code for the log; the HTTP answer never does.
 */
import { createHash } from 'node:crypto'
import { decodeJwt, decodeProtectedHeader, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose'
import type { ReplayGuard } from './replay-cache.js'
import type { RemoteJwksCache, TrustedIssuer } from './trusted-issuers.js'

/** The asymmetric JWS algorithms accepted; `none` and HMAC (HS*) never are. */
export const ALLOWED_ALGORITHMS = ['ES256', 'ES384', 'ES512', 'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'] as const

export type AuthFailureReason =
  | 'missing' | 'malformed' | 'alg' | 'kid' | 'typ' | 'untrusted-iss' | 'jku' | 'no-key' | 'signature'
  | 'expired' | 'iat' | 'nbf' | 'aud' | 'claims' | 'tenant' | 'replayed' | 'replay-cache-full' | 'replay-store-unavailable' | 'jwks-unavailable'

/** The authenticated client, for logs and the audit row. */
export interface CdsClient { iss: string, jti: string, sub?: string, tenant?: string, /** the issuer's card language, when its entry sets one */ language?: 'da' | 'en' }

export type VerifyResult =
  | { ok: true, client: CdsClient }
  | { ok: false, reason: AuthFailureReason, iss?: string, kid?: string, jti?: string }

export interface VerifierOptions {
  issuers: ReadonlyMap<string, TrustedIssuer>
  remote: RemoteJwksCache
  replay: ReplayGuard
  clockSkewSeconds: number
  maxTokenAgeSeconds: number
  /** Epoch milliseconds; the real clock in production. */
  now?: () => number
}

const BEARER = /^Bearer[ \t]+([A-Za-z0-9\-_.]+)[ \t]*$/i
/**
 * Unverified claims are the sender's text (log injection, megabytes, patient data): they reach the log
 * only as `sha256:` and 16 hex characters — enough to correlate repeated attempts, nothing to read.
 */
export const hashedClaim = (v: unknown): string | undefined => typeof v === 'string' ? `sha256:${createHash('sha256').update(v).digest('hex').slice(0, 16)}` : undefined

function reasonOf (err: unknown): AuthFailureReason {
  if (err instanceof errors.JWTExpired) return err.claim === 'exp' ? 'expired' : 'iat'
  if (err instanceof errors.JWTClaimValidationFailed) {
    if (err.claim === 'aud' || err.claim === 'iat' || err.claim === 'nbf') return err.claim
    return 'claims'
  }
  if (err instanceof errors.JWKSNoMatchingKey || err instanceof errors.JWKSMultipleMatchingKeys) return 'kid'
  if (err instanceof errors.JWSSignatureVerificationFailed) return 'signature'
  if (err instanceof errors.JOSEAlgNotAllowed) return 'alg'
  if (err instanceof errors.JWKSTimeout || err instanceof errors.JWKSInvalid) return 'jwks-unavailable'
  if (err instanceof errors.JOSEError) return 'malformed'
  // A JWKS fetch that failed at the network or HTTP level.
  return 'jwks-unavailable'
}

export class CdsJwtVerifier {
  private readonly now: () => number

  constructor (private readonly opts: VerifierOptions) {
    this.now = opts.now ?? Date.now
  }

  /**
   * @param authorization - the Authorization header as received
   * @param audiences - the URLs this call may be addressed to (the endpoint's exact URL)
   */
  async verify (authorization: string | undefined, audiences: string[]): Promise<VerifyResult> {
    const token = BEARER.exec(authorization ?? '')?.[1]
    if (!token) return { ok: false, reason: 'missing' }
    let header: ReturnType<typeof decodeProtectedHeader>
    let unverified: JWTPayload
    try {
      header = decodeProtectedHeader(token)
      unverified = decodeJwt(token)
    } catch {
      return { ok: false, reason: 'malformed' }
    }
    const trustedIss = typeof unverified.iss === 'string' && this.opts.issuers.has(unverified.iss)
    // A trusted iss is configuration, logged as it is; everything else hashed.
    const seen = { iss: trustedIss ? unverified.iss : hashedClaim(unverified.iss), kid: hashedClaim(header.kid), jti: hashedClaim(unverified.jti) }
    if (!(ALLOWED_ALGORITHMS as readonly string[]).includes(header.alg ?? '')) return { ok: false, reason: 'alg', ...seen }
    if (typeof header.kid !== 'string' || header.kid === '') return { ok: false, reason: 'kid', ...seen }
    if (header.typ !== undefined && header.typ.toUpperCase() !== 'JWT') return { ok: false, reason: 'typ', ...seen }
    const issuer = typeof unverified.iss === 'string' ? this.opts.issuers.get(unverified.iss) : undefined
    if (!issuer) return { ok: false, reason: 'untrusted-iss', ...seen }

    // Pinned keys win: their jku is ignored and never fetched (the public sandbox always sends one).
    let keys: JWTVerifyGetKey | undefined = issuer.keys
    if (header.jku !== undefined && !keys) {
      if (!issuer.jkuAllowList.has(header.jku)) return { ok: false, reason: 'jku', ...seen }
      keys = this.opts.remote.get(header.jku)
    }
    if (!keys) return { ok: false, reason: 'no-key', ...seen }

    let payload: JWTPayload
    try {
      ({ payload } = await jwtVerify(token, keys, {
        issuer: issuer.iss,
        audience: audiences,
        algorithms: [...ALLOWED_ALGORITHMS],
        clockTolerance: this.opts.clockSkewSeconds,
        maxTokenAge: this.opts.maxTokenAgeSeconds,
        requiredClaims: ['iss', 'aud', 'exp', 'iat', 'jti'],
        currentDate: new Date(this.now())
      }))
    } catch (err) {
      return { ok: false, reason: reasonOf(err), ...seen }
    }
    const { jti, tenant, sub } = payload as JWTPayload & { tenant?: unknown }
    if (typeof jti !== 'string' || jti === '' || (tenant !== undefined && typeof tenant !== 'string')) return { ok: false, reason: 'claims', ...seen }
    if (issuer.tenants && (tenant === undefined || !issuer.tenants.has(tenant))) return { ok: false, reason: 'tenant', ...seen }

    // Remember the jti as long as the token could still be accepted.
    const lastValid = Math.min(payload.exp!, payload.iat! + this.opts.maxTokenAgeSeconds) + this.opts.clockSkewSeconds
    const verdict = await this.opts.replay.check(`${issuer.iss}\u0000${jti}`, lastValid * 1000)
    if (verdict !== 'fresh') return { ok: false, reason: verdict === 'replayed' ? 'replayed' : verdict === 'full' ? 'replay-cache-full' : 'replay-store-unavailable', ...seen }
    return { ok: true, client: { iss: issuer.iss, jti, ...(typeof sub === 'string' ? { sub } : {}), ...(typeof tenant === 'string' ? { tenant } : {}), ...(issuer.language ? { language: issuer.language } : {}) } }
  }
}
