/**
 * Start-up errors a newcomer reads: a setting with a closed set of values
 * lists the values, and a configuration missing several required settings
 * names every one of them at once — never a value.
 */
import t from 'tap'
import { ConfigError, loadConfig } from '../../src/config/config.js'
import { missingSettings } from '../../src/config/required.js'
import { buildTestApp } from '../helpers/app.js'
import { PATIENT_KEY_SECRET, PUBLIC_BASE_URL } from '../helpers/jwt.js'

function configError (env: Record<string, string>): string {
  try {
    loadConfig(env)
  } catch (err) {
    if (err instanceof ConfigError) return err.message
    throw err
  }
  throw new Error(`accepted: ${JSON.stringify(env)}`)
}

void t.test('a value outside a closed set: the error lists the allowed values', async (t) => {
  t.equal(configError({ CARD_LANGUAGE: 'fr' }), 'Invalid configuration: CARD_LANGUAGE must be one of: da, en')
  t.equal(configError({ FHIRPATH_ENGINE: 'fast' }), 'Invalid configuration: FHIRPATH_ENGINE must be one of: compiled, reference, verify')
  t.equal(configError({ EVALUATION_THREADS: 'many' }), 'Invalid configuration: EVALUATION_THREADS must be `auto` or an integer from 0 to 64', 'alternatives in one sentence')
  const both = configError({ CARD_LANGUAGE: 'fr', PORT: '99999' })
  t.match(both, /CARD_LANGUAGE must be one of: da, en/)
  t.match(both, /PORT must be <= 65535/, 'every bad setting is named')
  t.notMatch(configError({ CARD_LANGUAGE: 'klingon-secret' }), /klingon-secret/, 'the value given is not echoed')
})

void t.test('missing settings: all of them named at once', async (t) => {
  const none = { trustedIssuers: undefined, trustedIssuersFile: undefined, publicBaseUrl: undefined, patientKeySecret: undefined, databaseUrl: undefined }
  t.same(missingSettings(none, false), [], 'local development needs none')
  t.same(missingSettings(none, true).map((m) => m.split(' ')[0]), ['PUBLIC_BASE_URL', 'CDS_TRUSTED_ISSUERS', 'PATIENT_KEY_SECRET'])
  t.same(missingSettings({ ...none, databaseUrl: 'postgres://x@127.0.0.1/db' }, false).map((m) => m.split(' ')[0]), ['PATIENT_KEY_SECRET'], 'DATABASE_URL needs the patient-key secret')
  t.same(missingSettings({ ...none, publicBaseUrl: PUBLIC_BASE_URL, trustedIssuersFile: '/etc/issuers.json', patientKeySecret: PATIENT_KEY_SECRET }, true), [], 'a file of issuers counts')

  // As a container starts with nothing set (HOST=0.0.0.0: authentication required).
  let error: unknown
  try { await buildTestApp(t, { CDS_AUTH: '', HOST: '0.0.0.0' }) } catch (err) { error = err }
  t.ok(error instanceof ConfigError, 'start-up stops with a configuration error')
  const message = (error as Error | undefined)?.message ?? ''
  t.match(message, /^Missing configuration \(3\): /, 'one error for all three')
  for (const s of ['PUBLIC_BASE_URL is required', 'CDS_TRUSTED_ISSUERS or CDS_TRUSTED_ISSUERS_FILE', 'PATIENT_KEY_SECRET is required']) t.match(message, s)
})
