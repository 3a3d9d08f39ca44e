/**
 * Every evaluation is recorded before the response is sent — against SQLite
 * always and PostgreSQL when TEST_DATABASE_URL is set: hookInstance, hook,
 * service, indications with statuses and failed criteria, card uuids,
 * rulesVersion, duration, the pseudonymous patient key (never the id, CPR or
 * name), the ordering organisation's SOR identifier. A failed write is a 503.
 */
import t from 'tap'
import { createHmac } from 'node:crypto'
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { buildTestApp, NOW, SERVICE_URL } from '../helpers/app.js'
import { condition, hookRequest, orderingRole, patient, SYSTEMS, wgsOrder } from '../helpers/fhir-builders.js'
import { PATIENT_KEY_SECRET } from '../helpers/jwt.js'
import { reportPostgresCoverage, storeKinds, TEST_DATABASE_URL, throwawaySchema } from '../helpers/stores.js'
import { CARD_EXTENSION } from '../../src/cards/render.js'
import { SqliteStore } from '../../src/store/sqlite-store.js'
import type { EvaluationStore } from '../../src/store/store.js'
import { NO_INDICATION } from '../../src/store/record-evaluation.js'
import { MIGRATIONS } from '../../src/store/migrations.js'

const CPR = '0101801234'
const SOR = '265161000016000'
const person = (over: Record<string, unknown> = {}): Record<string, unknown> => patient({ ...over, name: [{ family: 'Testesen', given: ['Karen'] }], identifier: [{ system: 'urn:oid:1.2.208.176.1.2', value: CPR }] })
const roles = (): Array<Record<string, any>> => orderingRole('Afdeling for Blodsygdomme, Rigshospitalet', '394803006', [{ system: SYSTEMS.sor, value: SOR }])
const hmac = (id: string): string => createHmac('sha256', PATIENT_KEY_SECRET).update(id).digest('hex')

for (const kind of storeKinds()) {
  void t.test(kind.name, async (t) => {
    const store = await kind.open(t)
    const app = await buildTestApp(t, { PATIENT_KEY_SECRET }, { store })

    void t.test('a hook call is recorded before the response', async (t) => {
      // Inherited thrombocytopenia in a 16-year-old: not eligible, criterion 'adult' failed.
      const body = hookRequest(person({ birthDate: '2010-05-01' }), [condition('DD694'), ...roles()])
      const res = await app.inject({ method: 'POST', url: SERVICE_URL, payload: body })
      t.equal(res.statusCode, 200)
      const cards = res.json().cards as any[]
      t.ok(cards.length > 0, 'cards were returned')
      const rows = await store.evaluationsFor(body.hookInstance)
      t.equal(rows.length, 1, 'the row exists as soon as the response does')
      const row = rows[0]!
      t.match(row, { hookInstance: body.hookInstance, hook: 'order-select', serviceId: 'ngc-wgs-eligibility', orders: 1, evaluatedAt: NOW })
      t.equal(row.rulesVersion, cards[0].extension[CARD_EXTENSION].rulesVersion)
      t.equal(row.patientKey, hmac('pt-1'), 'patient key = HMAC-SHA256(PATIENT_KEY_SECRET, patient id)')
      t.equal(row.orderingOrganization, `${SYSTEMS.sor}|${SOR}`)
      t.ok(row.durationMs >= 0)
      t.notOk(row.clientIss, 'no client with authentication off')
      const fromCards = new Map<string, { status: string, uuids: string[] }>()
      // One card per order: its uuid under the card's own indication; the others it carries are rows without a card of their own.
      const resultOf = new Map<string, any>()
      for (const c of cards) {
        const r = { ...c.extension[CARD_EXTENSION] }
        r.indication ??= NO_INDICATION
        const e = fromCards.get(r.indication) ?? { status: r.status as string, uuids: [] as string[] }
        e.uuids.push(c.uuid)
        fromCards.set(r.indication, e)
        resultOf.set(r.indication, r)
        for (const o of r.others ?? []) {
          if (!fromCards.has(o.indication)) fromCards.set(o.indication, { status: o.status, uuids: [] })
          resultOf.set(o.indication, o)
        }
      }
      t.ok(fromCards.size > cards.length, 'the card carries more than one indication (the test exercises the others)')
      t.same(new Set(row.indications.map((i) => i.indication)), new Set(fromCards.keys()), 'one row per indication evaluated')
      for (const i of row.indications) {
        t.equal(i.status, fromCards.get(i.indication)?.status, `${i.indication}: status`)
        t.same([...i.cardUuids].sort(), [...fromCards.get(i.indication)!.uuids].sort(), `${i.indication}: card uuids`)
        const result = resultOf.get(i.indication)
        const notMet = result.criteria.filter((c: any) => c.required && c.status === 'not-met').map((c: any) => c.id)
        t.same(i.failedCriteria, notMet, `${i.indication}: failed criteria are the required ones not met`)
      }
      t.ok(row.indications.some((i) => i.failedCriteria.length > 0), 'some criteria failed (the test exercises the column)')
      const stored = JSON.stringify(row)
      for (const secret of ['pt-1', CPR, 'Testesen', 'Karen', '2010-05-01']) t.notOk(stored.includes(secret), `no ${secret} in the audit row`)
    })

    void t.test('the "no matching indication" card is recorded too, so it can take feedback', async (t) => {
      const body = hookRequest(person(), roles())
      const res = await app.inject({ method: 'POST', url: SERVICE_URL, payload: body })
      const [card] = res.json().cards
      t.equal(card.extension[CARD_EXTENSION].indication, null)
      const [row] = await store.evaluationsFor(body.hookInstance)
      t.same(row?.indications, [{ indication: NO_INDICATION, status: 'no-matching-indication', failedCriteria: [], cardUuids: [card.uuid] }])
      t.ok(await store.findCard(card.uuid))
    })

    void t.test('a call with no WGS order leaves no row', async (t) => {
      const other = wgsOrder('other-order', { code: { coding: [{ system: SYSTEMS.loinc, code: '2345-7' }] } })
      const body = hookRequest(person(), [], { order: other })
      const res = await app.inject({ method: 'POST', url: SERVICE_URL, payload: body })
      t.same(res.json(), { cards: [] })
      t.same(await store.evaluationsFor(body.hookInstance), [])
    })

    void t.test('a failed write is a 503, not cards without their audit row', async (t) => {
      const failing: EvaluationStore = { ...bind(store), recordEvaluation: async () => { throw new Error('disk full') } }
      const broken = await buildTestApp(t, { PATIENT_KEY_SECRET }, { store: failing })
      const res = await broken.inject({ method: 'POST', url: SERVICE_URL, payload: hookRequest(person(), roles()) })
      t.equal(res.statusCode, 503)
      t.same(res.json(), { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'transient', diagnostics: 'The evaluation could not be recorded; please try again' }] })
      const unhealthy = await buildTestApp(t, { PATIENT_KEY_SECRET }, { store: { ...bind(store), health: async () => ({ ok: false, detail: `${store.kind} unavailable` }) } })
      const ready = await unhealthy.inject({ method: 'GET', url: '/health/ready' })
      t.equal(ready.statusCode, 503, '/health/ready reflects the store')
      t.equal(ready.json().checks.store, `${store.kind} unavailable`)
    })
  })
}

/** The store's methods bound, so a test can replace one. */
function bind (s: EvaluationStore): EvaluationStore {
  return {
    kind: s.kind,
    recordEvaluation: s.recordEvaluation.bind(s),
    findCard: s.findCard.bind(s),
    recordFeedback: s.recordFeedback.bind(s),
    evaluationsFor: s.evaluationsFor.bind(s),
    feedbackFor: s.feedbackFor.bind(s),
    schemaVersion: s.schemaVersion.bind(s),
    health: s.health.bind(s),
    close: async () => {}
  }
}

void t.test('the embedded default: DATA_DIR with SQLite in WAL mode and a generated secret', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'wgs-data-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const dataDir = join(dir, 'data')
  const body = hookRequest(person(), roles())
  const first = await buildTestApp(t, { DATA_DIR: dataDir })
  t.equal((await first.inject({ method: 'POST', url: SERVICE_URL, payload: body })).statusCode, 200)
  await first.close()
  t.equal(statSync(join(dataDir, 'patient-key.secret')).mode & 0o777, 0o600, 'the generated secret is readable by the owner only')
  t.equal(statSync(dataDir).mode & 0o777, 0o700, 'the data directory is private')
  const db = new Database(join(dataDir, 'audit.sqlite'), { readonly: true })
  t.equal(db.pragma('journal_mode', { simple: true }), 'wal')
  db.close()

  const body2 = hookRequest(person(), roles())
  const second = await buildTestApp(t, { DATA_DIR: dataDir })
  t.equal((await second.inject({ method: 'POST', url: SERVICE_URL, payload: body2 })).statusCode, 200)
  await second.close()
  const store = new SqliteStore(dataDir)
  t.teardown(() => store.close())
  const [a] = await store.evaluationsFor(body.hookInstance)
  const [b] = await store.evaluationsFor(body2.hookInstance)
  t.ok(a && b, 'both runs recorded into the same file')
  t.equal(a?.patientKey, b?.patientKey, 'the secret is reused across restarts: the same patient keeps the same key')
  t.not(a?.patientKey, hmac('pt-1'), 'and it is not the configured test secret')
})

void t.test('DATABASE_URL selects PostgreSQL and migrates at start-up', async (t) => {
  if (!TEST_DATABASE_URL) { reportPostgresCoverage(t); return }
  const schema = await throwawaySchema(t)
  const url = new URL(TEST_DATABASE_URL)
  url.searchParams.set('options', `-c search_path=${schema}`)
  const body = hookRequest(person(), roles())
  const app = await buildTestApp(t, { DATABASE_URL: url.toString(), PATIENT_KEY_SECRET })
  t.equal((await app.inject({ method: 'POST', url: SERVICE_URL, payload: body })).statusCode, 200)
  const ready = await app.inject({ method: 'GET', url: '/health/ready' })
  t.equal(ready.json().checks.store, `postgres, schema v${MIGRATIONS.at(-1)!.version}`)
  await app.close()
  await t.rejects(buildTestApp(t, { DATABASE_URL: url.toString() }), /PATIENT_KEY_SECRET is required/, 'PostgreSQL needs a configured secret (replicas must share it)')
  const pg = (await import('pg')).default
  const client = new pg.Client({ connectionString: url.toString() })
  await client.connect()
  t.teardown(() => client.end())
  const { rows } = await client.query('SELECT hook_instance, patient_key FROM evaluations')
  t.same(rows, [{ hook_instance: body.hookInstance, patient_key: hmac('pt-1') }])
})

void t.test('postgres', async (t) => { reportPostgresCoverage(t) })
