/**
 * The writer thread of an on-disk SQLite audit store (started by
 * sqlite-writer.ts): its own connection, WAL with synchronous=FULL, and every
 * audit write of the process. The commit's fsync blocks this thread, not the
 * event loop that serves requests.
 *
 * Group commit: writes that arrive while a commit is in progress queue up and
 * are committed together by the next batch (one transaction, one fsync). A
 * write's result is posted only after the COMMIT that made it durable has
 * returned, so an acknowledged evaluation survives SIGKILL and power loss
 * exactly as before; only the fsync is shared.
 */
import { parentPort, workerData } from 'node:worker_threads'
import Database from 'better-sqlite3'
import { batchWriter, failure, type WriteJob, type WriteResult } from './sqlite-writes.js'

export interface WriterData { file: string }
export interface WriteRequest { type: 'write', id: number, job: WriteJob }
export type WriterReply = { type: 'results', results: Array<{ id: number } & WriteResult> } | { type: 'closed' }

/** Bound on one transaction; a longer queue is committed in several. */
const MAX_BATCH = 256

/** Pages of WAL between automatic checkpoints (SQLite's default: 1,000). */
const WAL_CHECKPOINT_PAGES = 4000

const port = parentPort!
const db = new Database((workerData as WriterData).file)
db.pragma('journal_mode = WAL')
db.pragma('synchronous = FULL')
db.pragma('foreign_keys = ON')
db.pragma('busy_timeout = 5000')
// A statement journal (every multi-row INSERT inside the batch's savepoints has one) in memory, not a temporary
// file: the file cost an open, writes and an unlink per audit write, ~20 % of the writer's CPU (measured in
// docs/performance.md "The audit write"). It only undoes a statement within its transaction; a commit's
// durability is the WAL's, unchanged.
db.pragma('temp_store = MEMORY')
// A checkpoint copies the WAL's pages back into the database file and fsyncs it. Every 4,000 pages (16 MB of WAL;
// SQLite's default is 1,000) a page written by many commits in a row is copied once, not four times: ~10 % less
// CPU per write. After a checkpoint the WAL is written again from its start, so it stays near 16 MB unless a long
// read holds a checkpoint back.
db.pragma(`wal_autocheckpoint = ${WAL_CHECKPOINT_PAGES}`)
const write = batchWriter(db)
const queue: WriteRequest[] = []
let scheduled = false

function reply (m: WriterReply): void { port.postMessage(m) }

function flush (): void {
  scheduled = false
  while (queue.length > 0) {
    const batch = queue.splice(0, MAX_BATCH)
    let results: WriteResult[]
    try {
      results = write(batch.map((r) => r.job))
    } catch (err) {
      // The commit (or the transaction as a whole) failed: none of the batch is written.
      const f = failure(err)
      results = batch.map(() => f)
    }
    reply({ type: 'results', results: batch.map((r, i) => ({ id: r.id, ...results[i]! })) })
  }
}

port.on('message', (m: WriteRequest | { type: 'close' }) => {
  if (m.type === 'close') {
    flush()
    db.close()
    reply({ type: 'closed' })
    port.close()
    return
  }
  queue.push(m)
  // After the messages already delivered in this turn of the loop: they join the same batch.
  if (!scheduled) { scheduled = true; setImmediate(flush) }
})
