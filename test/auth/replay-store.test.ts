/**
 * Replayed tokens across replicas and restarts (issue 14 item 5): seen `jti`s
 * are kept in the audit store when it is shared — one SQLite file, one
 * PostgreSQL database — so a token used on one app instance is refused on
 * another, and still after a restart; each row expires with the token (its
 * `exp` + clock skew) and expired rows are purged. An in-memory store keeps
 * them in the process (test/auth/jwt.test.ts).
 */
import t, { type Test } from 'tap'
import Database from 'better-sqlite3'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import pg from 'pg'
import type { FastifyInstance } from 'fastify'
import { buildTestApp } from '../helpers/app.js'
import { clientKey, EHR_ISS, PATIENT_KEY_SECRET, PUBLIC_BASE_URL, token } from '../helpers/jwt.js'
import { reportPostgresCoverage, TEST_DATABASE_URL, throwawaySchema } from '../helpers/stores.js'
import { PostgresStore } from '../../src/store/postgres-store.js'
import { SqliteStore, SQLITE_FILE } from '../../src/store/sqlite-store.js'
import { SEEN_TOKEN_PURGE_INTERVAL_MS } from '../../src/store/sqlite-writes.js'
import type { EvaluationStore } from '../../src/store/store.js'

const key = await clientKey('ES384', 'replay-key')
const SKEW_SECONDS = 60

function authEnv (extra: Record<string, string> = {}): Record<string, string> {
  return {
    LOG_LEVEL: 'info',
    CDS_AUTH: 'required',
    PUBLIC_BASE_URL,
    PATIENT_KEY_SECRET,
    JWT_CLOCK_SKEW_SECONDS: String(SKEW_SECONDS),
    CDS_TRUSTED_ISSUERS: JSON.stringify([{ iss: EHR_ISS, jwks: { keys: [key.publicJwk] } }]),
    ...extra
  }
}

/** An app with its log lines collected. */
async function app (t: Test, env: Record<string, string>, store?: EvaluationStore): Promise<{ app: FastifyInstance, lines: string[] }> {
  const lines: string[] = []
  const logStream = new Writable({ write (chunk: Buffer, _enc, cb) { lines.push(chunk.toString()); cb() } })
  return { app: await buildTestApp(t, env, { logStream, ...(store ? { store } : {}) }), lines }
}

const discovery = async (a: FastifyInstance, authorization: string): Promise<number> =>
  (await a.inject({ method: 'GET', url: '/cds-services', headers: { authorization } })).statusCode
const bearer = async (jti: string, expOffset = 300): Promise<string> => `Bearer ${await token(key, { jti, expOffset })}`
const replayLogged = (lines: string[]): boolean => lines.some((l) => l.includes('"reason":"replayed"'))

void t.test('SQLite: two instances on one file share the seen tokens, and a restart forgets none', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'wgs-replay-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const env = authEnv({ DATA_DIR: dir })
  const a = await app(t, env)
  const b = await app(t, env)
  const once = await bearer('sqlite-once')
  t.equal(await discovery(a.app, once), 200, 'first use, on instance A')
  t.equal(await discovery(b.app, once), 401, 'the same token on instance B is a replay')
  t.ok(replayLogged(b.lines), 'B logs reason replayed')
  t.equal(await discovery(a.app, once), 401, 'and on A again')

  const raced = await bearer('sqlite-raced')
  const statuses = await Promise.all([discovery(a.app, raced), discovery(b.app, raced), discovery(a.app, raced), discovery(b.app, raced)])
  t.same(statuses.sort(), [200, 401, 401, 401], 'one token sent to both instances at once is accepted exactly once')

  await a.app.close()
  await b.app.close()
  const restarted = await app(t, env)
  t.equal(await discovery(restarted.app, once), 401, 'after a restart the token is still a replay')
  t.equal(await discovery(restarted.app, await bearer('sqlite-after-restart')), 200, 'a new token is accepted')
  await restarted.app.close()

  const db = new Database(join(dir, SQLITE_FILE), { readonly: true })
  t.teardown(() => db.close())
  const rows = db.prepare('SELECT token_key, expires_at FROM seen_tokens').all() as Array<{ token_key: string, expires_at: number }>
  t.equal(rows.length, 3, 'one row per accepted token')
  t.ok(rows.every((r) => /^[0-9a-f]{64}$/.test(r.token_key)), 'keys are SHA-256 hashes, never the jti')
  const dump = JSON.stringify(rows)
  t.notOk(dump.includes('sqlite-once') || dump.includes(EHR_ISS), 'neither jti nor iss stored in clear')
})

void t.test('a row lasts as long as its token: exp + clock skew', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'wgs-replay-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const a = await app(t, authEnv({ DATA_DIR: dir }))
  const before = Math.floor(Date.now() / 1000)
  t.equal(await discovery(a.app, await bearer('expiry', 120)), 200)
  const after = Math.floor(Date.now() / 1000)
  const db = new Database(join(dir, SQLITE_FILE), { readonly: true })
  t.teardown(() => db.close())
  const { expires_at: expiresAt } = db.prepare('SELECT expires_at FROM seen_tokens').get() as { expires_at: number }
  t.ok(expiresAt >= (before + 120 + SKEW_SECONDS) * 1000 && expiresAt <= (after + 120 + SKEW_SECONDS) * 1000, `expires at exp + ${SKEW_SECONDS} s (${expiresAt})`)
})

/** The store-level contract, the same on both stores: replay while live, taken over once expired, purged. */
async function expiryContract (t: Test, store: EvaluationStore, count: () => Promise<number>): Promise<void> {
  const remember = async (key: string, expiresAtMs: number, nowMs: number): Promise<boolean> => await store.rememberToken!(key, expiresAtMs, nowMs)
  const t0 = 1_900_000_000_000
  t.equal(await remember('k1', t0 + 1000, t0), true, 'a new key is fresh')
  t.equal(await remember('k1', t0 + 1000, t0 + 999), false, 'seen again before it expires: a replay')
  t.equal(await remember('k1', t0 + 5000, t0 + 1000), true, 'once expired it is fresh again (the row is taken over)')
  t.equal(await remember('k1', t0 + 5000, t0 + 4000), false, 'with the new expiry')
  t.equal(await remember('k2', t0 + 2000, t0 + 1000), true)
  t.equal(await count(), 2)
  // A later insert, one purge interval on, deletes the expired rows (k1 at t0 + 5000 and k2 at t0 + 2000 both are).
  const later = t0 + 5000 + SEEN_TOKEN_PURGE_INTERVAL_MS
  t.equal(await remember('k3', later + 1000, later), true)
  let n = await count()
  for (let i = 0; i < 50 && n !== 1; i++) { await new Promise((resolve) => setTimeout(resolve, 20)); n = await count() }
  t.equal(n, 1, 'expired rows purged; only the live one left')
}

void t.test('SQLite store: expiry and purge', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'wgs-replay-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const store = new SqliteStore(dir)
  t.teardown(() => store.close())
  const db = new Database(join(dir, SQLITE_FILE), { readonly: true })
  t.teardown(() => db.close())
  await expiryContract(t, store, async () => (db.prepare('SELECT COUNT(*) AS n FROM seen_tokens').get() as { n: number }).n)
})

void t.test('SQLite in memory: seen tokens stay in the process', async (t) => {
  const store = new SqliteStore(':memory:')
  t.teardown(() => store.close())
  t.equal(store.rememberToken, undefined, 'not kept in a database nobody else can see')
  const a = await app(t, authEnv({ DATA_DIR: ':memory:' }))
  const once = await bearer('memory-once')
  t.equal(await discovery(a.app, once), 200)
  t.equal(await discovery(a.app, once), 401, 'still refused twice within the process')
})

void t.test('PostgreSQL: two instances on one database share the seen tokens, and a restart forgets none', async (t) => {
  reportPostgresCoverage(t)
  if (!TEST_DATABASE_URL) return
  const schema = await throwawaySchema(t)
  const url = TEST_DATABASE_URL
  const open = async (): Promise<PostgresStore> => await PostgresStore.open({ connectionString: url, schema })
  const storeA = await open()
  const storeB = await open()
  t.teardown(async () => { await storeA.close(); await storeB.close() })
  const env = authEnv({ DATA_DIR: ':memory:' })
  const a = await app(t, env, storeA)
  const b = await app(t, env, storeB)
  const once = await bearer('pg-once')
  t.equal(await discovery(a.app, once), 200, 'first use, on instance A')
  t.equal(await discovery(b.app, once), 401, 'the same token on instance B is a replay')
  t.ok(replayLogged(b.lines), 'B logs reason replayed')

  const raced = await bearer('pg-raced')
  const statuses = await Promise.all([discovery(a.app, raced), discovery(b.app, raced), discovery(a.app, raced), discovery(b.app, raced)])
  t.same(statuses.sort(), [200, 401, 401, 401], 'one token sent to both instances at once is accepted exactly once')

  await a.app.close()
  await storeA.close()
  const storeC = await open()
  t.teardown(() => storeC.close())
  const restarted = await app(t, env, storeC)
  t.equal(await discovery(restarted.app, once), 401, 'after a restart the token is still a replay')

  const client = new pg.Client({ connectionString: TEST_DATABASE_URL, options: `-c search_path=${schema}` })
  await client.connect()
  t.teardown(() => client.end())
  const { rows } = await client.query<{ token_key: string }>('SELECT token_key FROM seen_tokens')
  t.equal(rows.length, 2, 'one row per accepted token')
  t.ok(rows.every((r) => /^[0-9a-f]{64}$/.test(r.token_key)), 'keys are SHA-256 hashes, never the jti')
})

void t.test('PostgreSQL store: expiry and purge', async (t) => {
  reportPostgresCoverage(t)
  if (!TEST_DATABASE_URL) return
  const schema = await throwawaySchema(t)
  const store = await PostgresStore.open({ connectionString: TEST_DATABASE_URL, schema })
  t.teardown(() => store.close())
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL, options: `-c search_path=${schema}` })
  await client.connect()
  t.teardown(() => client.end())
  await expiryContract(t, store, async () => Number((await client.query<{ n: string }>('SELECT COUNT(*) AS n FROM seen_tokens')).rows[0]!.n))
})

void t.test('a store that cannot answer refuses the call (503), never lets it through', async (t) => {
  const failing = new SqliteStore(':memory:')
  t.teardown(() => failing.close())
  const broken = Object.assign(Object.create(failing) as EvaluationStore, { rememberToken: async () => { throw new Error('connection lost') } })
  const a = await app(t, authEnv({ DATA_DIR: ':memory:' }), broken)
  const res = await a.app.inject({ method: 'GET', url: '/cds-services', headers: { authorization: await bearer('store-down') } })
  t.equal(res.statusCode, 503)
  t.equal(res.json().resourceType, 'OperationOutcome')
  t.ok(a.lines.some((l) => l.includes('"reason":"replay-store-unavailable"')), 'logged with its reason')
})
