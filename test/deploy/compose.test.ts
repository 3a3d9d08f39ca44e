/**
 * docker-compose.yml, validated against the Compose Specification's JSON
 * Schema (vendored verbatim: test/fixtures/compose-spec.schema.json, from
 * compose-spec/compose-spec schema/compose-spec.json) with ajv, plus the
 * stack's own wiring: the service, HAPI FHIR R4, the one-shot loader of the
 * demo patients, PostgreSQL for the audit store — and the service's
 * environment accepted by the real configuration loader.
 */
import t from 'tap'
import { existsSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'
import { Ajv } from 'ajv'
import draft7 from 'ajv/dist/refs/json-schema-draft-07.json' with { type: 'json' }
import { loadConfig, SETTINGS } from '../../src/config/config.js'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const compose = parse(readFileSync(`${ROOT}/docker-compose.yml`, 'utf8')) as any
const schema = JSON.parse(readFileSync(`${ROOT}/test/fixtures/compose-spec.schema.json`, 'utf8'))

void t.test('valid against the Compose Specification JSON Schema', async (t) => {
  t.equal(schema.title, 'Compose Specification', 'the vendored schema')
  const ajv = new Ajv({ strict: false, allErrors: true })
  // The spec's $schema is draft-07 under its https URL; register ajv's draft-07 meta-schema there so the schema itself is checked too.
  ajv.addMetaSchema({ ...draft7, $id: schema.$schema })
  const validate = ajv.compile(schema)
  const ok = validate(compose)
  t.ok(ok, JSON.stringify(validate.errors, null, 1))
  // The schema is strict enough to catch a typo.
  t.notOk(validate({ services: { x: { image: 'a', restrat: 'always' } } }), 'rejects an unknown service key')
  t.notOk(validate({ services: { x: { depends_on: { y: { condition: 'healthy' } } } } }), 'rejects a bad depends_on condition')
})

void t.test('the four services and their wiring', async (t) => {
  const s = compose.services
  t.same(Object.keys(s).sort(), ['fhir-loader', 'hapi', 'postgres', 'wgs-cds'])
  t.equal(s['wgs-cds'].build, '.', 'the service is built from this Dockerfile')
  t.match(s.hapi.image, /^hapiproject\/hapi:/)
  t.equal(s.hapi.environment['hapi.fhir.fhir_version'], 'R4')
  t.match(s.postgres.image, /^postgres:/)
  t.ok(s.postgres.healthcheck, 'postgres has a health check')
  t.same(s['wgs-cds'].depends_on, { postgres: { condition: 'service_healthy' }, 'fhir-loader': { condition: 'service_completed_successfully' } })
  t.equal(s['fhir-loader'].restart, 'no', 'the loader is one-shot')
  for (const v of s['fhir-loader'].volumes) {
    t.ok(existsSync(`${ROOT}/${v.source}`), `loader mounts ${v.source}`)
    t.equal(v.read_only, true)
  }
  t.ok(existsSync(`${ROOT}/${s['fhir-loader'].command[1]}`), 'the loader script exists')
  t.equal(s['fhir-loader'].environment.FHIR_BASE_URL, 'http://hapi:8080/fhir')
})

void t.test('the service environment is a valid configuration for this stack', async (t) => {
  const env = compose.services['wgs-cds'].environment as Record<string, string>
  const known = new Set(SETTINGS.map((s) => s.env))
  for (const k of Object.keys(env)) t.ok(known.has(k), `${k} is a setting (SETTINGS)`)
  const config = loadConfig(env)
  t.equal(config.host, '0.0.0.0')
  t.match(config.databaseUrl, /@postgres:5432\//, 'the audit store is the postgres service')
  t.same(config.fhirServerAllowlist, [compose.services['fhir-loader'].environment.FHIR_BASE_URL], 'the fallback may query the seeded HAPI server')
  t.equal(String(config.port), compose.services['wgs-cds'].ports[0].split(':')[1])
})
