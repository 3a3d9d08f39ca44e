/**
 * Crash safety of the audit store: the real server (src/server.ts in a child
 * process) under concurrent load of hook calls and feedback is killed with
 * SIGKILL while requests are in flight, restarted on the same store, loaded
 * and killed again, restarted once more and stopped. Then, read through
 * src/store and with plain SQL:
 *   - every evaluation whose 200 response was received is in the store, with
 *     every card uuid that response carried (a card never exists without its
 *     evaluation row, nor the reverse: the write happens before the answer);
 *   - every feedback item whose 200 was received is stored;
 *   - the store is consistent: SQLite integrity_check and foreign_key_check
 *     clean; no evaluation without indications, no indication without cards,
 *     no card or feedback pointing nowhere (both stores);
 *   - the restarted service answers and accepts feedback on a card issued
 *     before the crash.
 * Runs on SQLite (a DATA_DIR on disk) always, and on PostgreSQL (a throw-away
 * database) when TEST_DATABASE_URL is set — as in CI, where its absence is a failure.
 */
import t, { type Test } from 'tap'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import pg from 'pg'
import { startServerProcess, type ServerProcess } from '../helpers/server-process.js'
import { attestation, condition, hookRequest, patient, plateletCount } from '../helpers/fhir-builders.js'
import { PATIENT_KEY_SECRET } from '../helpers/jwt.js'
import { reportPostgresCoverage, TEST_DATABASE_URL } from '../helpers/stores.js'
import { SqliteStore, SQLITE_FILE } from '../../src/store/sqlite-store.js'
import { PostgresStore } from '../../src/store/postgres-store.js'
import type { EvaluationStore } from '../../src/store/store.js'

const SERVICE_PATH = '/cds-services/ngc-wgs-eligibility'
const CONCURRENCY = 6
/** Responses to receive before the kill: the load is well under way. */
const KILL_AFTER = 25
/** Bound of each load phase, whatever happens. */
const PHASE_LIMIT_MS = 60_000

interface Acknowledged { hookInstance: string, cards: string[] }

interface Phase { acked: Acknowledged[], feedback: Map<string, number>, sent: number, failed: number }

/**
 * Concurrent loops of hook calls (and feedback on every third card) until the
 * process dies or the bound is reached; `onAck` sees every received 200.
 */
async function load (port: number, onAck: (n: number) => void, stopAfter?: number): Promise<Phase> {
  const phase: Phase = { acked: [], feedback: new Map(), sent: 0, failed: 0 }
  const until = Date.now() + PHASE_LIMIT_MS
  let dead = false
  const loop = async (): Promise<void> => {
    while (!dead && Date.now() < until && (stopAfter === undefined || phase.acked.length < stopAfter)) {
      const body = hookRequest(patient(), [condition('DD694'), plateletCount(90, '2020-01-01'), attestation('lifelong-course')], { hookInstance: crypto.randomUUID() })
      phase.sent++
      try {
        const res = await fetch(`http://127.0.0.1:${port}${SERVICE_PATH}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.timeout(20_000) })
        const json = await res.json() as { cards?: Array<{ uuid: string }> }
        if (res.status !== 200) { phase.failed++; continue }
        phase.acked.push({ hookInstance: body.hookInstance as string, cards: (json.cards ?? []).map((c) => c.uuid) })
        onAck(phase.acked.length)
        if (phase.acked.length % 3 === 0 && json.cards?.[0]) {
          const card = json.cards[0].uuid
          const fb = await fetch(`http://127.0.0.1:${port}${SERVICE_PATH}/feedback`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ feedback: [{ card, outcome: 'overridden', overrideReason: { reason: { code: 'clinical-judgement', system: 'https://ngc-wgs-cds.dk/fhir/CodeSystem/wgs-override-reason' } }, outcomeTimestamp: new Date().toISOString() }] }), signal: AbortSignal.timeout(20_000) })
          await fb.arrayBuffer()
          if (fb.status === 200) phase.feedback.set(card, (phase.feedback.get(card) ?? 0) + 1)
        }
      } catch {
        // Connection refused or reset: the process was killed. Nothing more to send.
        phase.failed++
        dead = true
      }
    }
  }
  await Promise.all(Array.from({ length: CONCURRENCY }, loop))
  return phase
}

interface Target {
  name: string
  env: Record<string, string>
  open: () => Promise<EvaluationStore>
  /** Consistency problems found with plain SQL; empty when consistent. */
  inconsistencies: () => Promise<string[]>
}

const ORPHANS = {
  evaluationsWithoutIndications: 'SELECT COUNT(*) AS n FROM evaluations e WHERE NOT EXISTS (SELECT 1 FROM evaluation_indications i WHERE i.evaluation_id = e.id)',
  // One card per WGS order (the other matching indications ride inside it), so an evaluated
  // indication need not have a card of its own — but an evaluation with indications has a card,
  // and every card is about one of its evaluation's indications.
  evaluationsWithoutCards: 'SELECT COUNT(*) AS n FROM evaluations e WHERE EXISTS (SELECT 1 FROM evaluation_indications i WHERE i.evaluation_id = e.id) AND NOT EXISTS (SELECT 1 FROM cards c WHERE c.evaluation_id = e.id)',
  cardsOfAnotherIndication: 'SELECT COUNT(*) AS n FROM cards c WHERE NOT EXISTS (SELECT 1 FROM evaluation_indications i WHERE i.evaluation_id = c.evaluation_id AND i.indication = c.indication)',
  cardsWithoutEvaluation: 'SELECT COUNT(*) AS n FROM cards c WHERE NOT EXISTS (SELECT 1 FROM evaluations e WHERE e.id = c.evaluation_id)',
  feedbackWithoutCard: 'SELECT COUNT(*) AS n FROM feedback f WHERE NOT EXISTS (SELECT 1 FROM cards c WHERE c.card_uuid = f.card_uuid AND c.evaluation_id = f.evaluation_id)'
}

function sqliteTarget (t: Tap): Target {
  const dir = mkdtempSync(join(tmpdir(), 'wgs-crash-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  return {
    name: 'sqlite',
    env: { DATA_DIR: dir },
    open: async () => new SqliteStore(dir),
    inconsistencies: async () => {
      const db = new Database(join(dir, SQLITE_FILE), { readonly: true })
      try {
        const problems: string[] = []
        const integrity = db.pragma('integrity_check', { simple: true })
        if (integrity !== 'ok') problems.push(`integrity_check: ${String(integrity)}`)
        const fk = db.pragma('foreign_key_check') as unknown[]
        if (fk.length) problems.push(`foreign_key_check: ${JSON.stringify(fk)}`)
        for (const [what, sql] of Object.entries(ORPHANS)) {
          const n = (db.prepare(sql).get() as { n: number }).n
          if (n) problems.push(`${what}: ${n}`)
        }
        return problems
      } finally { db.close() }
    }
  }
}

async function postgresTarget (t: Tap): Promise<Target> {
  const name = `wgs_crash_${crypto.randomUUID().replace(/-/g, '').slice(0, 12)}`
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL })
  await admin.connect()
  await admin.query(`CREATE DATABASE ${name}`)
  await admin.end()
  const url = new URL(TEST_DATABASE_URL!)
  url.pathname = `/${name}`
  const connectionString = url.toString()
  t.teardown(async () => {
    const c = new pg.Client({ connectionString: TEST_DATABASE_URL })
    await c.connect()
    await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
    await c.end()
  })
  return {
    name: 'postgres',
    env: { DATABASE_URL: connectionString },
    open: async () => await PostgresStore.open({ connectionString }),
    inconsistencies: async () => {
      const c = new pg.Client({ connectionString })
      await c.connect()
      try {
        const problems: string[] = []
        for (const [what, sql] of Object.entries(ORPHANS)) {
          const n = Number((await c.query<{ n: string }>(sql)).rows[0]!.n)
          if (n) problems.push(`${what}: ${n}`)
        }
        return problems
      } finally { await c.end() }
    }
  }
}

type Tap = Test

async function start (target: Target): Promise<ServerProcess> {
  return await startServerProcess({
    ...target.env,
    PATIENT_KEY_SECRET,
    RATE_LIMIT_MAX: '0',
    UNDER_PRESSURE_MAX_EVENT_LOOP_DELAY_MS: '0',
    UNDER_PRESSURE_MAX_EVENT_LOOP_UTILIZATION: '0'
  }, 90_000)
}

/** Run the load and SIGKILL the process as soon as KILL_AFTER responses have arrived. */
async function loadAndKill (t: Tap, server: ServerProcess): Promise<Phase> {
  let killed = false
  const phase = await load(server.port, (n) => {
    if (n >= KILL_AFTER && !killed) { killed = true; server.child.kill('SIGKILL') }
  })
  const exit = await server.exited
  t.equal(exit.signal, 'SIGKILL', `killed with SIGKILL after ${phase.acked.length} answers (${phase.sent} sent, so ${phase.sent - phase.acked.length} unanswered or in flight)`)
  t.ok(phase.sent > phase.acked.length, 'requests were in flight when the process died')
  return phase
}

async function crashRun (t: Tap, target: Target): Promise<void> {
  const phases: Phase[] = []
  for (let round = 1; round <= 2; round++) {
    const server = await start(target)
    t.teardown(() => { if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGKILL') })
    phases.push(await loadAndKill(t, server))
  }
  // Restart once more: the service comes up on the crashed store and works.
  const server = await start(target)
  t.teardown(() => { if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGKILL') })
  const ready = await fetch(`http://127.0.0.1:${server.port}/health/ready`)
  t.equal(ready.status, 200, `ready after the crashes: ${JSON.stringify(await ready.json())}`)
  const earlier = phases[0]!.acked[0]!.cards[0]!
  const fb = await fetch(`http://127.0.0.1:${server.port}${SERVICE_PATH}/feedback`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ feedback: [{ card: earlier, outcome: 'accepted', acceptedSuggestions: [], outcomeTimestamp: new Date().toISOString() }] }) })
  t.equal(fb.status, 200, 'feedback on a card issued before the crash is accepted after it')
  const after = await load(server.port, () => {}, 10)
  t.ok(after.acked.length >= 10 && after.failed === 0, `${after.acked.length} more evaluations answered after the restart, none failed`)
  server.child.kill('SIGTERM')
  t.equal((await server.exited).code, 0, 'and it shuts down cleanly')

  const store = await target.open()
  t.teardown(() => store.close())
  const acked = [...phases.flatMap((p) => p.acked), ...after.acked]
  let missing = 0
  let cardsMissing = 0
  for (const a of acked) {
    const rows = await store.evaluationsFor(a.hookInstance)
    if (rows.length !== 1) { missing++; continue }
    const stored = new Set(rows[0]!.indications.flatMap((i) => i.cardUuids))
    cardsMissing += a.cards.filter((c) => !stored.has(c)).length
  }
  t.equal(missing, 0, `every one of the ${acked.length} evaluations whose response was received is in the store, exactly once`)
  t.equal(cardsMissing, 0, `with every card uuid of its response (${acked.reduce((n, a) => n + a.cards.length, 0)} cards)`)
  const expectedFeedback = new Map<string, number>()
  for (const p of [...phases, after]) for (const [card, n] of p.feedback) expectedFeedback.set(card, (expectedFeedback.get(card) ?? 0) + n)
  expectedFeedback.set(earlier, (expectedFeedback.get(earlier) ?? 0) + 1)
  let feedbackShort = 0
  for (const [card, n] of expectedFeedback) if ((await store.feedbackFor(card)).length < n) feedbackShort++
  t.equal(feedbackShort, 0, `every acknowledged feedback item is stored (${[...expectedFeedback.values()].reduce((a, b) => a + b, 0)} items)`)
  t.same(await target.inconsistencies(), [], 'the store is consistent (integrity, foreign keys, no orphan rows)')
}

void t.test('SQLite: SIGKILL under load loses no acknowledged evaluation', async (t) => {
  await crashRun(t, sqliteTarget(t))
})

if (TEST_DATABASE_URL) {
  void t.test('PostgreSQL: SIGKILL under load loses no acknowledged evaluation', async (t) => {
    await crashRun(t, await postgresTarget(t))
  })
} else {
  void t.test('postgres', async (t) => { reportPostgresCoverage(t) })
}
