/**
 * Settings that are required only in some configurations: with client
 * authentication on, PUBLIC_BASE_URL, a trusted issuer and PATIENT_KEY_SECRET;
 * with DATABASE_URL, PATIENT_KEY_SECRET. Checked together at start-up, so the
 * error names every missing setting at once, not only the first.
 */
import { ConfigError, type Config } from './config.js'

type Needed = Pick<Config, 'publicBaseUrl' | 'trustedIssuers' | 'trustedIssuersFile' | 'patientKeySecret' | 'databaseUrl'>

/** What is missing, one sentence per setting (never a value). */
export function missingSettings (config: Readonly<Needed>, authRequired: boolean): string[] {
  const missing: string[] = []
  if (authRequired && !config.publicBaseUrl) missing.push('PUBLIC_BASE_URL is required when client authentication is on: the JWT aud is checked against it')
  if (authRequired && !(config.trustedIssuers?.length) && !config.trustedIssuersFile) {
    missing.push('CDS_TRUSTED_ISSUERS or CDS_TRUSTED_ISSUERS_FILE: client authentication is on but no client is trusted (or CDS_AUTH=off for local development)')
  }
  if ((authRequired || config.databaseUrl) && !config.patientKeySecret) {
    missing.push('PATIENT_KEY_SECRET is required when client authentication is on or DATABASE_URL is set (at least 32 characters, e.g. `openssl rand -base64 48`)')
  }
  return missing
}

export function assertRequiredSettings (config: Readonly<Needed>, authRequired: boolean): void {
  const missing = missingSettings(config, authRequired)
  if (missing.length) throw new ConfigError(`Missing configuration (${missing.length}): ${missing.join('; ')}`)
}
