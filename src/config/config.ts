/**
 * Every setting comes from an environment variable, is validated against a
 * JSON Schema at start-up (a bad value stops the process with the variable's
 * name), typed, and frozen. Tests pass settings explicitly instead of
 * mutating process.env. The README's Configuration table mirrors SETTINGS.
 */
import { Ajv } from 'ajv'

export interface Config {
  port: number
  host: string
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent'
  /** Card language; Danish is the clinical default. */
  language: 'da' | 'en'
  performanceStatusLookbackDays: number
  /** Extra local order codes that trigger evaluation, as `system|code`. */
  wgsOrderCodes: string[]
  organizationListsFile?: string
  /** Folder holding cds-services/ and fhir-profiles/. */
  rulesRoot: string
  bodyLimitBytes: number
  /** Public URL of this service, for links to the criteria pages in cards. */
  publicBaseUrl?: string
  requestTimeoutMs: number
  /** FHIR base URLs the fallback may send the EHR's access token to (exact match). */
  fhirServerAllowlist: string[]
  fhirFetchTimeoutMs: number
  fhirFallbackDeadlineMs: number
  fhirMaxPages: number
}

interface Setting { env: string, key: keyof Config, schema: Record<string, unknown>, doc: string, parse?: (v: string) => unknown }

const int = (v: string): unknown => /^-?\d+$/.test(v.trim()) ? Number(v) : v
const list = (v: string): unknown => v.split(',').map((s) => s.trim()).filter(Boolean)

/** The settings, their defaults and meaning. Exported for the README table test. */
export const SETTINGS: Setting[] = [
  { env: 'PORT', key: 'port', schema: { type: 'integer', minimum: 0, maximum: 65535, default: 3000 }, parse: int, doc: 'TCP port to listen on.' },
  { env: 'HOST', key: 'host', schema: { type: 'string', minLength: 1, default: '127.0.0.1' }, doc: 'Interface to bind; 0.0.0.0 in a container.' },
  { env: 'LOG_LEVEL', key: 'logLevel', schema: { enum: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], default: 'info' }, doc: 'pino log level. Patient data is never logged at any level.' },
  { env: 'CARD_LANGUAGE', key: 'language', schema: { enum: ['da', 'en'], default: 'da' }, doc: 'Language of card text: da (Danish) or en (English).' },
  { env: 'PERFORMANCE_STATUS_LOOKBACK_DAYS', key: 'performanceStatusLookbackDays', schema: { type: 'integer', minimum: 1, maximum: 3650, default: 90 }, parse: int, doc: 'Look-back window for WHO/ECOG and Karnofsky observations (criteria.md).' },
  { env: 'WGS_ORDER_CODES', key: 'wgsOrderCodes', schema: { type: 'array', items: { type: 'string', pattern: '^[^|\\s]+\\|[^|\\s]+$' }, default: [] }, parse: list, doc: 'Comma-separated local order codes (`system|code`) that also mean WGS, besides LOINC 86206-0.' },
  { env: 'ORGANIZATION_LISTS_FILE', key: 'organizationListsFile', schema: { type: 'string', minLength: 1 }, doc: 'YAML file replacing cds-services/organization-lists.yaml (AML departments, platelet experts, …).' },
  { env: 'RULES_ROOT', key: 'rulesRoot', schema: { type: 'string', minLength: 1, default: '.' }, doc: 'Folder that holds cds-services/ and fhir-profiles/.' },
  { env: 'BODY_LIMIT_BYTES', key: 'bodyLimitBytes', schema: { type: 'integer', minimum: 1024, maximum: 104857600, default: 10485760 }, parse: int, doc: 'Largest accepted request body (bytes); larger requests get 413.' },
  { env: 'PUBLIC_BASE_URL', key: 'publicBaseUrl', schema: { type: 'string', pattern: '^https?://' }, doc: 'Public URL of this service, used for links to the criteria pages in cards.' },
  { env: 'REQUEST_TIMEOUT_MS', key: 'requestTimeoutMs', schema: { type: 'integer', minimum: 100, maximum: 600000, default: 10000 }, parse: int, doc: 'Server-side request timeout.' },
  { env: 'FHIR_SERVER_ALLOWLIST', key: 'fhirServerAllowlist', schema: { type: 'array', items: { type: 'string', pattern: '^https?://' }, default: [] }, parse: list, doc: 'Comma-separated FHIR base URLs the prefetch fallback may query with the EHR\'s token (exact match). Empty: no fallback; missing data stays unknown (412 without a Patient).' },
  { env: 'FHIR_FETCH_TIMEOUT_MS', key: 'fhirFetchTimeoutMs', schema: { type: 'integer', minimum: 50, maximum: 60000, default: 2500 }, parse: int, doc: 'Timeout of each FHIR fallback request.' },
  { env: 'FHIR_FALLBACK_DEADLINE_MS', key: 'fhirFallbackDeadlineMs', schema: { type: 'integer', minimum: 100, maximum: 120000, default: 4000 }, parse: int, doc: 'Deadline for all fallback requests of one hook call together.' },
  { env: 'FHIR_MAX_PAGES', key: 'fhirMaxPages', schema: { type: 'integer', minimum: 1, maximum: 1000, default: 20 }, parse: int, doc: 'Most search-result pages followed per prefetch key.' }
]

export class ConfigError extends Error {}

const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: false })
const validate = ajv.compile({
  type: 'object',
  additionalProperties: false,
  properties: Object.fromEntries(SETTINGS.map((s) => [s.key, s.schema]))
})

/**
 * Build the configuration from environment-style strings (process.env in
 * production, an object in tests). Unknown variables are ignored; a bad value
 * throws a ConfigError naming the variable — never its value, which may be a secret.
 */
export function loadConfig (env: Record<string, string | undefined> = process.env): Readonly<Config> {
  const raw: Record<string, unknown> = {}
  for (const s of SETTINGS) {
    const v = env[s.env]
    if (v !== undefined && v !== '') raw[s.key] = s.parse ? s.parse(v) : v
  }
  if (!validate(raw)) {
    const problems = (validate.errors ?? []).map((e) => {
      const key = e.instancePath.split('/')[1]
      const setting = SETTINGS.find((s) => s.key === key)
      return `${setting?.env ?? key ?? 'configuration'} ${e.message ?? 'is invalid'}`
    })
    throw new ConfigError(`Invalid configuration: ${problems.join('; ')}`)
  }
  return Object.freeze(raw as unknown as Config)
}
