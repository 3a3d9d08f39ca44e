/**
 * The SQLite writer thread (src/store/sqlite-writer.ts): group commit keeps
 * every write's own outcome and durability — concurrent writes share
 * transactions, a failing write fails alone, a write settles only once
 * committed (another connection sees it), close() commits what is queued,
 * a broken thread fails its writes instead of hanging, and an idle writer
 * does not keep the process alive. The crash test (test/reliability) covers
 * SIGKILL under load.
 */
import t, { type Test } from 'tap'
import { mkdtempSync, rmSync } from 'node:fs'
import { spawnSync } from 'node:child_process'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import Database from 'better-sqlite3'
import { SqliteStore, SQLITE_FILE } from '../../src/store/sqlite-store.js'
import { ThreadWriter } from '../../src/store/sqlite-writer.js'
import type { EvaluationRecord } from '../../src/store/store.js'
import { evaluationRecord } from '../helpers/stores.js'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))

/** An audit record whose one card has this uuid (a second record with the same uuid clashes). */
function evaluation (cardUuid: string = crypto.randomUUID()): EvaluationRecord {
  return evaluationRecord({ indications: [{ indication: 'aml', status: 'eligible', failedCriteria: [], cardUuids: [cardUuid] }] })
}

type Tap = Test

/** A fresh data directory and the path its database file gets. */
function dataDir (t: Tap): { dir: string, file: string } {
  const dir = mkdtempSync(join(tmpdir(), 'wgs-writer-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  return { dir, file: join(dir, SQLITE_FILE) }
}


function countRows (file: string, table: string): number {
  const db = new Database(file, { readonly: true })
  try { return (db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n } finally { db.close() }
}

void t.test('concurrent writes share commits, each settles with its own outcome', async (t) => {
  const { dir, file } = dataDir(t)
  await new SqliteStore(dir).close() // creates and migrates the file
  const writer = new ThreadWriter(file)
  t.teardown(() => writer.close())
  const good = Array.from({ length: 40 }, () => evaluation())
  // The same card uuid as the first: a primary-key violation, in the same batch as the others.
  const clash = evaluation(good[0]!.indications[0]!.cardUuids[0])
  const outcomes = await Promise.allSettled([...good, clash].map((e) => writer.write({ kind: 'evaluation', evaluation: e })))
  t.same(outcomes.slice(0, 40).map((o) => o.status), good.map(() => 'fulfilled'), 'every valid write is acknowledged')
  const failed = outcomes[40]!
  t.equal(failed.status, 'rejected', 'the clashing write is rejected…')
  t.match((failed as PromiseRejectedResult).reason, { code: /^SQLITE_CONSTRAINT/ }, '…with the SQLite error code')
  t.equal(countRows(file, 'evaluations'), 40, 'the valid writes are committed; the failed one left nothing (its savepoint was undone)')
  t.equal(countRows(file, 'cards'), 40)
  t.equal(writer.stats.writes, 41)
  t.ok(writer.stats.commits < 41, `41 writes took ${writer.stats.commits} transaction(s): group commit`)
})

void t.test('a write settles only once committed: another connection already sees it', async (t) => {
  const { dir, file } = dataDir(t)
  const store = new SqliteStore(dir)
  t.teardown(() => store.close())
  for (let i = 0; i < 5; i++) {
    const e = evaluation()
    await store.recordEvaluation(e)
    const other = new Database(file, { readonly: true })
    const row = other.prepare('SELECT id FROM evaluations WHERE id = ?').get(e.id)
    other.close()
    t.ok(row, `write ${i + 1} is visible to a separate connection when its promise resolves`)
  }
  const e = evaluation()
  await store.recordEvaluation(e)
  await store.recordFeedback([{ id: crypto.randomUUID(), cardUuid: e.indications[0]!.cardUuids[0]!, evaluationId: e.id, serviceId: e.serviceId, outcome: 'accepted', acceptedSuggestions: [], hasUserComment: false, outcomeTimestamp: e.evaluatedAt, receivedAt: e.evaluatedAt }])
  t.equal((await store.feedbackFor(e.indications[0]!.cardUuids[0]!)).length, 1, 'feedback goes through the same writer, after the evaluation it refers to')
})

void t.test('close() commits what is queued, then refuses new writes', async (t) => {
  const { dir, file } = dataDir(t)
  const store = new SqliteStore(dir)
  const writes = Array.from({ length: 20 }, () => store.recordEvaluation(evaluation()))
  await store.close()
  t.same((await Promise.allSettled(writes)).map((o) => o.status), writes.map(() => 'fulfilled'), 'writes issued before close() are acknowledged')
  t.equal(countRows(file, 'evaluations'), 20, 'and are in the file')
  await t.rejects(store.recordEvaluation(evaluation()), /closed/, 'a write after close() is refused')
  await store.close()
  t.pass('closing twice is harmless')
})

void t.test('a writer thread that cannot open its database fails its writes, it does not hang', async (t) => {
  const { dir } = dataDir(t)
  const writer = new ThreadWriter(join(dir, 'no-such-folder', SQLITE_FILE))
  t.teardown(() => writer.close())
  await t.rejects(writer.write({ kind: 'evaluation', evaluation: evaluation() }), /audit writer thread/)
  await t.rejects(writer.write({ kind: 'evaluation', evaluation: evaluation() }), /audit writer thread/, 'a later write starts a new thread, which fails the same way')
})

void t.test('an idle writer thread does not keep the process alive', async (t) => {
  const { dir } = dataDir(t)
  // A script that writes once and never closes its store: it must still exit by itself.
  const script = `import { SqliteStore } from ${JSON.stringify(join(ROOT, 'src/store/sqlite-store.ts'))}
    const store = new SqliteStore(${JSON.stringify(dir)})
    await store.recordEvaluation(${JSON.stringify(evaluation())})
    console.log('written')`
  const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 })
  t.equal(run.signal, null, `exited by itself, not killed by the timeout: ${run.stderr}`)
  t.equal(run.status, 0)
  t.equal(run.stdout.trim(), 'written')
})
