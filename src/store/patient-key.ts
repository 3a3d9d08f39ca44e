/**
 * The pseudonymous patient key of the audit store: HMAC-SHA256 of the FHIR
 * patient id under PATIENT_KEY_SECRET. The same patient gets the same key
 * (evaluations can be grouped per patient) but the id — which in a Danish EHR
 * may be the CPR number — cannot be recovered or guessed by hashing
 * candidate CPR numbers without the secret.
 *
 * Secret policy: PATIENT_KEY_SECRET is required when client authentication is
 * on or the store is PostgreSQL (several replicas must share one key). For
 * local development without it, a random secret is generated once into
 * `<DATA_DIR>/patient-key.secret` (mode 0600) with a warning; with
 * DATA_DIR=:memory: it lives only as long as the process.
 */
import { createHmac, createSecretKey, randomBytes } from 'node:crypto'
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { ConfigError } from '../config/config.js'

export const SECRET_FILE = 'patient-key.secret'

export type PatientKeyer = (patientId: string) => string

export function patientKeyer (secret: string): PatientKeyer {
  // A KeyObject made once: given the string, createHmac would import the key again on every call.
  const key = createSecretKey(secret, 'utf8')
  return (patientId) => createHmac('sha256', key).update(patientId, 'utf8').digest('hex')
}

export interface SecretChoice {
  secret: string
  source: 'configured' | 'generated' | 'data-dir' | 'memory'
}

/**
 * @param configured - PATIENT_KEY_SECRET, if set
 * @param required - true when authentication is on or DATABASE_URL is set
 * @param dataDir - DATA_DIR (`:memory:` for tests)
 */
export function patientKeySecret (configured: string | undefined, required: boolean, dataDir: string): SecretChoice {
  if (configured) return { secret: configured, source: 'configured' }
  if (required) throw new ConfigError('PATIENT_KEY_SECRET is required when client authentication is on or DATABASE_URL is set (at least 32 characters, e.g. `openssl rand -base64 48`)')
  if (dataDir === ':memory:') return { secret: randomBytes(32).toString('base64url'), source: 'memory' }
  const file = join(dataDir, SECRET_FILE)
  try {
    const existing = readFileSync(file, 'utf8').trim()
    if (existing.length >= 32) return { secret: existing, source: 'data-dir' }
    throw new ConfigError(`${file} holds a secret shorter than 32 characters`)
  } catch (err) {
    if (err instanceof ConfigError) throw err
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new ConfigError(`${file}: ${(err as NodeJS.ErrnoException).code ?? 'unreadable'}`)
  }
  mkdirSync(dataDir, { recursive: true, mode: 0o700 })
  const secret = randomBytes(32).toString('base64url')
  writeFileSync(file, `${secret}\n`, { mode: 0o600, flag: 'wx' })
  return { secret, source: 'generated' }
}
