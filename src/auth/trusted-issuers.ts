/**
 * The CDS clients (EHRs) this service trusts, by JWT `iss`, and where each
 * one's public keys come from: a JWKS URL (fetched and cached by jose), a JWKS
 * file or inline JWKS (read once at start-up), and/or an allow-list of `jku`
 * URLs the client may name in the JWT header.
 *
 * CDS Hooks 2.0 §Security (shared/reference/cds-hooks.md §1.7): "Services
 * SHOULD allowlist `iss` and `jku`". An issuer with pinned keys (jwksUrl,
 * jwksFile, jwks) is verified against them whatever `jku` its tokens name
 * (the public sandbox always sends one); for the others, a `jku` not on the
 * issuer's list is never fetched — that would let any token name its own key.
 */
import { readFileSync } from 'node:fs'
import { Ajv } from 'ajv'
import { createLocalJWKSet, createRemoteJWKSet, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose'
import { ConfigError } from '../config/config.js'
import schema from './trusted-issuers.schema.json' with { type: 'json' }

export { schema as TRUSTED_ISSUERS_SCHEMA }

/** One entry of CDS_TRUSTED_ISSUERS / CDS_TRUSTED_ISSUERS_FILE. */
export interface TrustedIssuerConfig {
  /** The client's JWT `iss`, compared exactly. */
  iss: string
  /** JWKS URL of the client (https, or http on a loopback host for tests). */
  jwksUrl?: string
  /** A JWKS file (JSON `{ "keys": [...] }`), read at start-up. */
  jwksFile?: string
  /** An inline JWKS. */
  jwks?: { keys: object[] }
  /** `jku` header values this client may use when it has no pinned keys; any other `jku` is refused. With pinned keys every `jku` is ignored. */
  jkuAllowList?: string[]
  /** When set, the JWT `tenant` claim must be one of these. */
  tenants?: string[]
  /** Card language for this client's calls; CARD_LANGUAGE when absent (issue 15: a client can ask for the other language). */
  language?: 'da' | 'en'
}

/** A trusted issuer ready for verification. */
export interface TrustedIssuer {
  iss: string
  /** The pinned keys, used for every token (any `jku` ignored); undefined when the issuer is only known by `jku`. */
  keys?: JWTVerifyGetKey
  jkuAllowList: ReadonlySet<string>
  tenants?: ReadonlySet<string>
  language?: 'da' | 'en'
}

export interface RemoteJwksOptions {
  /** Time allowed for one JWKS fetch. */
  timeoutMs: number
  /** How long a fetched JWKS is used before it is fetched again. */
  cacheMaxAgeMs: number
  /** Least time between two fetches triggered by an unknown `kid`. */
  cooldownMs: number
}

const ajv = new Ajv({ allErrors: false, strict: false })
const validateList = ajv.compile<TrustedIssuerConfig[]>(schema)

const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/i

/** https, or plain http only towards this machine (a test JWKS server). */
export function isAcceptableKeyUrl (url: string): boolean {
  let u: URL
  try { u = new URL(url) } catch { return false }
  return u.protocol === 'https:' || (u.protocol === 'http:' && LOOPBACK.test(u.hostname))
}

/**
 * The configured issuers: the inline list (CDS_TRUSTED_ISSUERS) and the file
 * (CDS_TRUSTED_ISSUERS_FILE) together. A bad file stops start-up naming the
 * file and the problem, never a key.
 */
export function trustedIssuerConfigs (inline: TrustedIssuerConfig[] | undefined, file: string | undefined): TrustedIssuerConfig[] {
  const fromFile: TrustedIssuerConfig[] = []
  if (file) {
    let parsed: unknown
    try {
      parsed = JSON.parse(readFileSync(file, 'utf8'))
    } catch (err) {
      throw new ConfigError(`CDS_TRUSTED_ISSUERS_FILE ${file}: ${(err as NodeJS.ErrnoException).code ?? 'not valid JSON'}`)
    }
    if (!validateList(parsed)) {
      const e = validateList.errors?.[0]
      throw new ConfigError(`CDS_TRUSTED_ISSUERS_FILE ${file}: ${e?.instancePath || '/'} ${e?.message ?? 'is invalid'}`)
    }
    fromFile.push(...parsed)
  }
  const all = [...(inline ?? []), ...fromFile]
  const seen = new Set<string>()
  for (const [i, c] of all.entries()) {
    if (seen.has(c.iss)) throw new ConfigError(`trusted issuers: '${c.iss}' is listed twice`)
    seen.add(c.iss)
    const sources = [c.jwksUrl, c.jwksFile, c.jwks].filter((s) => s !== undefined).length
    if (sources > 1) throw new ConfigError(`trusted issuers[${i}] (${c.iss}): give one of jwksUrl, jwksFile, jwks`)
    for (const url of [c.jwksUrl, ...(c.jkuAllowList ?? [])]) {
      if (url !== undefined && !isAcceptableKeyUrl(url)) throw new ConfigError(`trusted issuers[${i}] (${c.iss}): key URL ${url} must be https (http only on a loopback host)`)
    }
  }
  return all
}

/** Public asymmetric signing keys with a kid only: no `oct` (HMAC) keys, no private parts. */
function checkKeys (jwks: JSONWebKeySet, c: TrustedIssuerConfig, index: number): JSONWebKeySet {
  for (const [k, key] of jwks.keys.entries()) {
    const where = `trusted issuers[${index}] (${c.iss}): key ${k}`
    if (key.kty !== 'EC' && key.kty !== 'RSA') throw new ConfigError(`${where}: kty must be EC or RSA`)
    if (typeof key.kid !== 'string' || key.kid === '') throw new ConfigError(`${where}: kid is required`)
    if ('d' in key) throw new ConfigError(`${where}: is a private key; configure only the public key`)
  }
  return jwks
}

function readJwks (c: TrustedIssuerConfig, index: number): JSONWebKeySet {
  if (c.jwks) return checkKeys(c.jwks as JSONWebKeySet, c, index)
  let parsed: unknown
  try {
    parsed = JSON.parse(readFileSync(c.jwksFile!, 'utf8'))
  } catch (err) {
    throw new ConfigError(`trusted issuers[${index}] (${c.iss}): jwksFile ${c.jwksFile}: ${(err as NodeJS.ErrnoException).code ?? 'not valid JSON'}`)
  }
  const keys = (parsed as { keys?: unknown })?.keys
  if (!Array.isArray(keys) || keys.length === 0) throw new ConfigError(`trusted issuers[${index}] (${c.iss}): jwksFile ${c.jwksFile} is not a JWK Set with keys`)
  return checkKeys(parsed as JSONWebKeySet, c, index)
}

/** Remote JWK Sets, one per URL, shared by issuers and `jku` lookups (jose caches and rate-limits refetches). */
export class RemoteJwksCache {
  private readonly sets = new Map<string, JWTVerifyGetKey>()
  constructor (private readonly opts: RemoteJwksOptions) {}

  get (url: string): JWTVerifyGetKey {
    let set = this.sets.get(url)
    if (!set) {
      set = createRemoteJWKSet(new URL(url), { timeoutDuration: this.opts.timeoutMs, cacheMaxAge: this.opts.cacheMaxAgeMs, cooldownDuration: this.opts.cooldownMs })
      this.sets.set(url, set)
    }
    return set
  }
}

/** Resolve each configured issuer's key source (files are read now; URLs on first use). */
export function buildTrustedIssuers (configs: TrustedIssuerConfig[], remote: RemoteJwksCache): Map<string, TrustedIssuer> {
  const out = new Map<string, TrustedIssuer>()
  configs.forEach((c, i) => {
    let keys: JWTVerifyGetKey | undefined
    if (c.jwksUrl) keys = remote.get(c.jwksUrl)
    else if (c.jwks || c.jwksFile) {
      try {
        keys = createLocalJWKSet(readJwks(c, i))
      } catch (err) {
        if (err instanceof ConfigError) throw err
        throw new ConfigError(`trusted issuers[${i}] (${c.iss}): the JWK Set is invalid`)
      }
    }
    out.set(c.iss, {
      iss: c.iss,
      ...(keys ? { keys } : {}),
      jkuAllowList: new Set(c.jkuAllowList ?? []),
      ...(c.tenants ? { tenants: new Set(c.tenants) } : {}),
      ...(c.language ? { language: c.language } : {})
    })
  })
  return out
}
