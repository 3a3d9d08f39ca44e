/**
 * The documented settings table is generated from SETTINGS and must be
 * current; the settings this deployment work added validate with an error
 * that names the variable and never prints a secret's value.
 */
import t from 'tap'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { ConfigError, loadConfig, SETTINGS } from '../../src/config/config.js'
import { settingsTable, TABLE_END, TABLE_START, withSettingsTable } from '../../src/config/settings-doc.js'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))

void t.test('docs carry the current settings table (npm run docs:config)', async (t) => {
  const table = settingsTable()
  for (const s of SETTINGS) t.match(table, `| \`${s.env}\` |`, `${s.env} is documented`)
  const text = readFileSync(`${ROOT}/docs/configuration.md`, 'utf8')
  t.ok(text.includes(TABLE_START) && text.includes(TABLE_END), 'docs/configuration.md carries the generated table')
  t.equal(withSettingsTable(text), text, 'docs/configuration.md: table is current — run `npm run docs:config`')
  t.notOk(readFileSync(`${ROOT}/README.md`, 'utf8').includes(TABLE_START), 'the README links the table instead of carrying a copy')
  t.equal(withSettingsTable(`a\n${TABLE_START}\nold\n${TABLE_END}\nb`), `a\n${TABLE_START}\n${table}\n${TABLE_END}\nb`)
})

void t.test('new settings: defaults, parsing, errors naming the variable', async (t) => {
  const c = loadConfig({})
  t.equal(c.metricsEnabled, true)
  t.equal(c.metricsPath, '/metrics')
  t.equal(c.openApiDocsEnabled, true)
  t.equal(c.underPressureMaxEventLoopDelayMs, 1000)
  t.equal(c.underPressureMaxEventLoopUtilization, 0.98)
  t.equal(c.shutdownTimeoutMs, 10000)
  const d = loadConfig({ METRICS_ENABLED: 'off', OPENAPI_DOCS_ENABLED: '0', UNDER_PRESSURE_MAX_EVENT_LOOP_UTILIZATION: '0.5', SHUTDOWN_TIMEOUT_MS: '25000' })
  t.same([d.metricsEnabled, d.openApiDocsEnabled, d.underPressureMaxEventLoopUtilization, d.shutdownTimeoutMs], [false, false, 0.5, 25000])
  for (const [env, value] of [['METRICS_ENABLED', 'maybe'], ['METRICS_PATH', 'metrics'], ['UNDER_PRESSURE_MAX_EVENT_LOOP_UTILIZATION', '1.5'], ['SHUTDOWN_TIMEOUT_MS', '10s']] as const) {
    let error: unknown
    try { loadConfig({ [env]: value }) } catch (err) { error = err }
    t.ok(error instanceof ConfigError && error.message.includes(env), `${env}=${value} is refused by name`)
  }
  const secret = 'short-secret'
  try {
    loadConfig({ METRICS_TOKEN: secret })
    t.fail('a too-short METRICS_TOKEN is refused')
  } catch (err) {
    t.match((err as Error).message, /METRICS_TOKEN/)
    t.notMatch((err as Error).message, secret, 'the secret value is not printed')
  }
})
