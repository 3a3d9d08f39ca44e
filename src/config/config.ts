/**
 * Every setting comes from an environment variable, is validated against a
 * JSON Schema at start-up (a bad value stops the process with the variable's
 * name), typed, and frozen. Tests pass settings explicitly instead of
 * mutating process.env. docs/configuration.md's table is generated from SETTINGS.
 */
import { Ajv } from 'ajv'
import type { TrustedIssuerConfig } from '../auth/trusted-issuers.js'
import trustedIssuersSchema from '../auth/trusted-issuers.schema.json' with { type: 'json' }

export interface Config {
  port: number
  host: string
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent'
  /** Card language; Danish is the clinical default. */
  language: 'da' | 'en'
  performanceStatusLookbackDays: number
  /** How rule expressions run: compiled closures (default), fhirpath.js only, or both compared. */
  fhirpathEngine: 'compiled' | 'reference' | 'verify'
  /** Worker threads that parse and evaluate hook calls; `auto`: see src/evaluation-pool/pool.ts. */
  evaluationThreads: number | 'auto'
  /** Extra local order codes that trigger evaluation, as `system|code`. */
  wgsOrderCodes: string[]
  organizationListsFile?: string
  /** Folder holding cds-services/ and fhir-profiles/. */
  rulesRoot: string
  bodyLimitBytes: number
  /** Public URL of this service, for links to the criteria pages in cards. */
  publicBaseUrl?: string
  /** OAuth client id of the requisition form (the SMART app under /smart/) at the EHR's authorisation server. */
  smartClientId: string
  /** Discovery lists order-select and order-sign under one service id instead of one id per hook. */
  discoverySharedId: boolean
  requestTimeoutMs: number
  /** FHIR base URLs the fallback may send the EHR's access token to (exact match). */
  fhirServerAllowlist: string[]
  fhirFetchTimeoutMs: number
  fhirFallbackDeadlineMs: number
  fhirMaxPages: number
  /** Most bytes read from the FHIR server for one prefetch key (all pages together). */
  fhirMaxResponseBytes: number
  /** Client authentication (CDS Hooks JWT); unset: derived, see src/auth/mode.ts. */
  authMode?: 'required' | 'off'
  /** NODE_ENV; `production` makes authentication and PATIENT_KEY_SECRET mandatory. */
  nodeEnv?: string
  trustedIssuers?: TrustedIssuerConfig[]
  trustedIssuersFile?: string
  jwtClockSkewSeconds: number
  jwtMaxTokenAgeSeconds: number
  jwtReplayCacheSize: number
  jwksTimeoutMs: number
  jwksCacheMaxAgeSeconds: number
  /** Allowed browser origins: exact origins, `scheme://host:*` (any port) or `*`. */
  corsOrigins: string[]
  /** Folder of the embedded SQLite store (and generated dev secret); `:memory:` for tests. */
  dataDir: string
  /** PostgreSQL connection string; when set, the store is PostgreSQL instead of SQLite. */
  databaseUrl?: string
  /** Key of the HMAC that turns patient ids into pseudonymous audit keys. */
  patientKeySecret?: string
  /** Prometheus metrics endpoint on/off, its path, and an optional bearer token for it. */
  metricsEnabled: boolean
  metricsPath: string
  metricsToken?: string
  /** Serve the OpenAPI description at /docs (UI) and /docs/json. */
  openApiDocsEnabled: boolean
  /** @fastify/under-pressure thresholds; 0 switches a check off. */
  underPressureMaxEventLoopDelayMs: number
  underPressureMaxEventLoopUtilization: number
  /** Requests per window per client (JWT issuer, else IP); 0 switches rate limiting off. */
  rateLimitMax: number
  rateLimitWindowMs: number
  /** Longest graceful shutdown (SIGTERM) before the process exits anyway. */
  shutdownTimeoutMs: number
  /** Operator token of the reports (/reports); unset: no reports. */
  reportsToken?: string
  /** SOR code of a department or hospital → region, for reports (src/reports/region.ts). */
  reportRegions: Record<string, 'hovedstaden' | 'sjaelland' | 'syddanmark' | 'midtjylland' | 'nordjylland'>
}

interface Setting { env: string, key: keyof Config, schema: Record<string, unknown>, doc: string, parse?: (v: string) => unknown, /** Never printed; the docs table marks it. */ secret?: boolean }

const int = (v: string): unknown => /^-?\d+$/.test(v.trim()) ? Number(v) : v
const list = (v: string): unknown => v.split(',').map((s) => s.trim()).filter(Boolean)
const bool = (v: string): unknown => /^(true|1|yes|on)$/i.test(v.trim()) ? true : /^(false|0|no|off)$/i.test(v.trim()) ? false : v
const num = (v: string): unknown => /^\d+(\.\d+)?$/.test(v.trim()) ? Number(v) : v
const json = (v: string): unknown => { try { return JSON.parse(v) } catch { return v } }

/** The settings, their defaults and meaning. Exported for the generated table (docs/configuration.md). */
export const SETTINGS: Setting[] = [
  { env: 'PORT', key: 'port', schema: { type: 'integer', minimum: 0, maximum: 65535, default: 3000 }, parse: int, doc: 'TCP port to listen on.' },
  { env: 'HOST', key: 'host', schema: { type: 'string', minLength: 1, default: '127.0.0.1' }, doc: 'Interface to bind; 0.0.0.0 in a container.' },
  { env: 'LOG_LEVEL', key: 'logLevel', schema: { enum: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], default: 'info' }, doc: 'pino log level. Patient data is never logged at any level.' },
  { env: 'CARD_LANGUAGE', key: 'language', schema: { enum: ['da', 'en'], default: 'da' }, doc: 'Language of card text: da (Danish) or en (English).' },
  { env: 'PERFORMANCE_STATUS_LOOKBACK_DAYS', key: 'performanceStatusLookbackDays', schema: { type: 'integer', minimum: 1, maximum: 3650, default: 90 }, parse: int, doc: 'Look-back window for WHO/ECOG and Karnofsky observations (criteria.md).' },
  { env: 'FHIRPATH_ENGINE', key: 'fhirpathEngine', schema: { enum: ['compiled', 'reference', 'verify'], default: 'compiled' }, doc: 'How rule expressions run. `compiled`: closures compiled from the FHIRPath at start-up, with fhirpath.js for any expression or record they cannot promise to read identically (docs/performance.md). `reference`: fhirpath.js only (about 5× slower; a fallback switch). `verify`: both on every call, differences logged as warnings with the indication and expression (no patient data); for acceptance testing, about 6× slower.' },
  { env: 'EVALUATION_THREADS', key: 'evaluationThreads', schema: { anyOf: [{ const: 'auto' }, { type: 'integer', minimum: 0, maximum: 64 }], default: 'auto' }, parse: int, doc: 'Worker threads that parse, evaluate and render hook calls off the event loop, so one process uses several cores. `auto`: one per core but one, from 1 to 4 (none on a single core); each thread compiles the rules itself and adds about 60 MiB of memory (measured: docs/performance.md). `auto` counts the cores Node sees, which in a container can be all of the host’s (a CPU quota is not seen): set a number there. `0`: every call on the event loop. Until a thread is ready (start-up, after one stopped) calls are evaluated on the event loop; the results are the same either way.' },
  { env: 'WGS_ORDER_CODES', key: 'wgsOrderCodes', schema: { type: 'array', items: { type: 'string', pattern: '^[^|\\s]+\\|[^|\\s]+$' }, default: [] }, parse: list, doc: 'Comma-separated local order codes (`system|code`) that also mean WGS, besides LOINC 86206-0.' },
  { env: 'ORGANIZATION_LISTS_FILE', key: 'organizationListsFile', schema: { type: 'string', minLength: 1 }, doc: 'YAML file replacing cds-services/organization-lists.yaml (AML departments, platelet experts, …).' },
  { env: 'RULES_ROOT', key: 'rulesRoot', schema: { type: 'string', minLength: 1, default: '.' }, doc: 'Folder that holds cds-services/ and fhir-profiles/.' },
  { env: 'BODY_LIMIT_BYTES', key: 'bodyLimitBytes', schema: { type: 'integer', minimum: 1024, maximum: 104857600, default: 10485760 }, parse: int, doc: 'Largest accepted request body (bytes); larger requests get 413.' },
  { env: 'PUBLIC_BASE_URL', key: 'publicBaseUrl', schema: { type: 'string', pattern: '^https?://' }, doc: 'Public URL of this service, used for links to the criteria pages in cards.' },
  { env: 'SMART_CLIENT_ID', key: 'smartClientId', schema: { type: 'string', minLength: 1, pattern: '^[\\x21-\\x7e]+$', default: 'wgs-eligibility' }, doc: 'OAuth client id of the requisition form (the SMART on FHIR app at `/smart/launch.html`), as registered at the EHR\'s authorisation server (docs/requisition-form.md).' },
  { env: 'DISCOVERY_SHARED_ID', key: 'discoverySharedId', schema: { type: 'boolean', default: false }, parse: bool, doc: 'Discovery (`GET /cds-services`) lists order-select and order-sign under one service id, `ngc-wgs-eligibility`, as CDS Hooks allows (clients that key cards by service id then replace the order-select cards with the order-sign ones). Default `false`: one id per hook (`ngc-wgs-eligibility-order-select`, `ngc-wgs-eligibility-order-sign`), because the official CDS Hooks sandbox keys services by URL and with a shared id sees only one hook. Calls and feedback are accepted on all three ids either way (docs/connecting-an-ehr.md).' },
  { env: 'REQUEST_TIMEOUT_MS', key: 'requestTimeoutMs', schema: { type: 'integer', minimum: 100, maximum: 600000, default: 10000 }, parse: int, doc: 'Server-side request timeout.' },
  { env: 'FHIR_SERVER_ALLOWLIST', key: 'fhirServerAllowlist', schema: { type: 'array', items: { type: 'string', pattern: '^https?://' }, default: [] }, parse: list, doc: 'Comma-separated FHIR base URLs the prefetch fallback may query with the EHR\'s token (exact match). Empty: no fallback; missing data stays unknown (412 without a Patient).' },
  { env: 'FHIR_FETCH_TIMEOUT_MS', key: 'fhirFetchTimeoutMs', schema: { type: 'integer', minimum: 50, maximum: 60000, default: 2500 }, parse: int, doc: 'Timeout of each FHIR fallback request.' },
  { env: 'FHIR_FALLBACK_DEADLINE_MS', key: 'fhirFallbackDeadlineMs', schema: { type: 'integer', minimum: 100, maximum: 120000, default: 4000 }, parse: int, doc: 'Deadline for all fallback requests of one hook call together.' },
  { env: 'FHIR_MAX_PAGES', key: 'fhirMaxPages', schema: { type: 'integer', minimum: 1, maximum: 1000, default: 20 }, parse: int, doc: 'Most search-result pages followed per prefetch key.' },
  { env: 'FHIR_MAX_RESPONSE_BYTES', key: 'fhirMaxResponseBytes', schema: { type: 'integer', minimum: 1024, maximum: 1073741824, default: 10485760 }, parse: int, doc: 'Most bytes the prefetch fallback reads from the FHIR server for one prefetch key (all its pages together), counted while the answer streams in; beyond it the key is unavailable and its criteria unknown.' },
  { env: 'NODE_ENV', key: 'nodeEnv', schema: { type: 'string' }, doc: '`production` makes client authentication and PATIENT_KEY_SECRET mandatory (CDS_AUTH=off is then refused).' },
  { env: 'CDS_AUTH', key: 'authMode', schema: { enum: ['required', 'off'] }, doc: 'Client authentication (CDS Hooks JWT) on /cds-services: `required` or `off`. Unset: `off` only on a loopback HOST outside production (with a start-up warning), otherwise `required`.' },
  { env: 'CDS_TRUSTED_ISSUERS', key: 'trustedIssuers', schema: trustedIssuersSchema, parse: json, doc: 'JSON array of trusted clients: `[{"iss", "jwksUrl" | "jwksFile" | "jwks", "jkuAllowList"?, "tenants"?}]` (docs/connecting-an-ehr.md).' },
  { env: 'CDS_TRUSTED_ISSUERS_FILE', key: 'trustedIssuersFile', schema: { type: 'string', minLength: 1 }, doc: 'JSON file with more trusted clients, same shape as CDS_TRUSTED_ISSUERS.' },
  { env: 'JWT_CLOCK_SKEW_SECONDS', key: 'jwtClockSkewSeconds', schema: { type: 'integer', minimum: 0, maximum: 300, default: 60 }, parse: int, doc: 'Clock skew tolerated on the JWT `exp`, `iat` and `nbf`.' },
  { env: 'JWT_MAX_TOKEN_AGE_SECONDS', key: 'jwtMaxTokenAgeSeconds', schema: { type: 'integer', minimum: 10, maximum: 3600, default: 3600 }, parse: int, doc: 'Oldest accepted JWT (by `iat`); seen `jti`s are kept this long at most.' },
  { env: 'JWT_REPLAY_CACHE_SIZE', key: 'jwtReplayCacheSize', schema: { type: 'integer', minimum: 100, maximum: 10000000, default: 200000 }, parse: int, doc: 'Most `jti`s remembered for replay detection; when full of unexpired ones new tokens are refused (401).' },
  { env: 'JWKS_TIMEOUT_MS', key: 'jwksTimeoutMs', schema: { type: 'integer', minimum: 100, maximum: 60000, default: 5000 }, parse: int, doc: 'Timeout for fetching a client\'s JWK Set.' },
  { env: 'JWKS_CACHE_MAX_AGE_SECONDS', key: 'jwksCacheMaxAgeSeconds', schema: { type: 'integer', minimum: 0, maximum: 86400, default: 600 }, parse: int, doc: 'How long a fetched JWK Set is used before it is fetched again (an unknown `kid` refetches at most every 30 s).' },
  { env: 'CORS_ORIGINS', key: 'corsOrigins', schema: { type: 'array', items: { type: 'string', pattern: '^(\\*|https?://[^/\\s*]+(:\\*)?)$' }, default: ['https://sandbox.cds-hooks.org', 'http://localhost:*', 'http://127.0.0.1:*'] }, parse: list, doc: 'Comma-separated browser origins allowed by CORS: exact origins, `scheme://host:*` for any port, or `*`.' },
  { env: 'DATA_DIR', key: 'dataDir', schema: { type: 'string', minLength: 1, default: './data' }, doc: 'Folder of the embedded SQLite audit store (created if missing); `:memory:` keeps nothing (tests).' },
  { env: 'DATABASE_URL', key: 'databaseUrl', schema: { type: 'string', pattern: '^postgres(ql)?://' }, secret: true, doc: 'PostgreSQL connection string; when set the audit store is PostgreSQL (migrations run at start-up) instead of SQLite.' },
  { env: 'PATIENT_KEY_SECRET', key: 'patientKeySecret', schema: { type: 'string', minLength: 32 }, secret: true, doc: 'Secret (≥ 32 characters) of the HMAC-SHA256 that turns patient ids into pseudonymous audit keys. Required with authentication on or DATABASE_URL; otherwise generated into DATA_DIR with a warning.' },
  { env: 'METRICS_ENABLED', key: 'metricsEnabled', schema: { type: 'boolean', default: true }, parse: bool, doc: 'Serve Prometheus metrics (docs/operations.md). Not behind the CDS client JWT.' },
  { env: 'METRICS_PATH', key: 'metricsPath', schema: { type: 'string', pattern: '^/[A-Za-z0-9/_.-]*$', default: '/metrics' }, doc: 'Path of the Prometheus metrics endpoint.' },
  { env: 'METRICS_TOKEN', key: 'metricsToken', schema: { type: 'string', minLength: 16 }, secret: true, doc: 'When set, scrapes must send `Authorization: Bearer <token>` (≥ 16 characters); separate from the CDS client JWT.' },
  { env: 'OPENAPI_DOCS_ENABLED', key: 'openApiDocsEnabled', schema: { type: 'boolean', default: true }, parse: bool, doc: 'Serve the OpenAPI description at /docs (Swagger UI) and /docs/json.' },
  { env: 'UNDER_PRESSURE_MAX_EVENT_LOOP_DELAY_MS', key: 'underPressureMaxEventLoopDelayMs', schema: { type: 'integer', minimum: 0, maximum: 60000, default: 1000 }, parse: int, doc: 'Answer 503 (Retry-After) while the mean event-loop delay exceeds this; 0 switches the check off.' },
  { env: 'UNDER_PRESSURE_MAX_EVENT_LOOP_UTILIZATION', key: 'underPressureMaxEventLoopUtilization', schema: { type: 'number', minimum: 0, maximum: 1, default: 0.98 }, parse: num, doc: 'Answer 503 while event-loop utilisation (0–1) exceeds this; 0 switches the check off.' },
  { env: 'RATE_LIMIT_MAX', key: 'rateLimitMax', schema: { type: 'integer', minimum: 0, maximum: 10000000, default: 1200 }, parse: int, doc: 'Requests per RATE_LIMIT_WINDOW_MS per client — the verified JWT issuer, or the IP address when there is none (authentication off, pages) — before 429 with Retry-After. Health and metrics are exempt. 0 switches rate limiting off.' },
  { env: 'RATE_LIMIT_WINDOW_MS', key: 'rateLimitWindowMs', schema: { type: 'integer', minimum: 1000, maximum: 86400000, default: 60000 }, parse: int, doc: 'Length of the rate-limit window.' },
  { env: 'SHUTDOWN_TIMEOUT_MS', key: 'shutdownTimeoutMs', schema: { type: 'integer', minimum: 1000, maximum: 600000, default: 10000 }, parse: int, doc: 'On SIGTERM the service stops accepting, finishes in-flight requests and closes the store; after this long it exits anyway (code 1). Keep it below the orchestrator\'s grace period.' },
  { env: 'REPORTS_TOKEN', key: 'reportsToken', schema: { type: 'string', minLength: 32 }, secret: true, doc: 'Operator token (≥ 32 characters) that opens the reports at /reports (docs/reports.md): sent as `Authorization: Bearer <token>` (CSV and MeasureReport exports) or entered once on the page (a session cookie). Unset: the reports answer 404.' },
  { env: 'REPORT_REGIONS', key: 'reportRegions', schema: { type: 'object', propertyNames: { pattern: '^[0-9]{1,20}$' }, additionalProperties: { enum: ['hovedstaden', 'sjaelland', 'syddanmark', 'midtjylland', 'nordjylland'] }, default: {} }, parse: json, doc: 'JSON object mapping SOR codes of departments or hospitals to their region (`hovedstaden`, `sjaelland`, `syddanmark`, `midtjylland`, `nordjylland`), for the reports when the ordering organisation\'s `partOf` chain does not reach a region; the nearest mapped level of the chain counts. Unmapped: region unknown.' }
]

export class ConfigError extends Error {
  override name = 'ConfigError'
}

const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: false })
const validate = ajv.compile({
  type: 'object',
  additionalProperties: false,
  properties: Object.fromEntries(SETTINGS.map((s) => [s.key, s.schema]))
})

/** One alternative of a setting's schema, for an error message (never the value given). */
function describeSchema (schema: Record<string, unknown>): string {
  if ('const' in schema) return `\`${String(schema.const)}\``
  if (Array.isArray(schema.enum)) return `one of ${schema.enum.map(String).join(', ')}`
  if (schema.type === 'integer' || schema.type === 'number') {
    const kind = schema.type === 'integer' ? 'an integer' : 'a number'
    if (schema.minimum !== undefined && schema.maximum !== undefined) return `${kind} from ${String(schema.minimum)} to ${String(schema.maximum)}`
    return kind
  }
  return typeof schema.type === 'string' ? `a ${schema.type}` : 'valid'
}

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
    const problems: string[] = []
    const explained = new Set<string>()
    const errors = validate.errors ?? []
    for (const e of errors) {
      const key = e.instancePath.split('/')[1]
      const setting = SETTINGS.find((s) => s.key === key)
      const name = setting?.env ?? key ?? 'configuration'
      // A setting with alternatives (anyOf) gets one sentence listing them, not one per failed branch.
      const anyOf = e.instancePath.split('/').length === 2 && setting !== undefined && Array.isArray(setting.schema.anyOf)
        ? errors.some((x) => x.instancePath === e.instancePath && x.keyword === 'anyOf')
        : false
      if (anyOf) {
        if (explained.has(e.instancePath)) continue
        explained.add(e.instancePath)
        problems.push(`${name} must be ${(setting!.schema.anyOf as Array<Record<string, unknown>>).map(describeSchema).join(' or ')}`)
      } else if (e.keyword === 'enum') {
        problems.push(`${name} must be one of: ${(e.params as { allowedValues: unknown[] }).allowedValues.map(String).join(', ')}`)
      } else {
        problems.push(`${name} ${e.message ?? 'is invalid'}`)
      }
    }
    throw new ConfigError(`Invalid configuration: ${problems.join('; ')}`)
  }
  return Object.freeze(raw as unknown as Config)
}
