/**
 * Where the SQLite audit store's writes go. An on-disk store writes through
 * its writer thread (sqlite-writer-thread.ts): under synchronous=FULL every
 * commit waits for an fsync, and on the request thread that wait stalled every
 * other request (about 1 ms per hook call, a sixth of its cost under load).
 * An in-memory store (tests, DATA_DIR=:memory:) has no fsync and writes inline.
 *
 * Either way a write's promise settles only once its transaction has
 * committed (or failed), so the hook route still answers only after the audit
 * row is durable.
 */
import { Worker } from 'node:worker_threads'
import type Database from 'better-sqlite3'
import { StoreError } from './store.js'
import { batchWriter, writeError, type WriteJob } from './sqlite-writes.js'
import type { WriteRequest, WriterData, WriterReply } from './sqlite-writer-thread.js'

export interface AuditWriter {
  /** Resolves once the job is committed, with the rows it changed; rejects with the SQLite error (code, message) otherwise. */
  write: (job: WriteJob) => Promise<number>
  /** Waits for queued writes, then stops. Closing twice is harmless. */
  close: () => Promise<void>
}

/** Writes on the caller's connection, one transaction per write. */
export function inlineWriter (db: Database.Database): AuditWriter {
  const write = batchWriter(db)
  return {
    write: async (job) => {
      const [r] = write([job])
      if (r && !r.ok) throw writeError(r)
      return r?.changes ?? 0
    },
    close: async () => {}
  }
}

/** The writer thread; under tsx (tests, `npm run dev`) from the .ts source, with the tsx loader a thread does not inherit. */
function spawnThread (data: WriterData): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./sqlite-writer-thread.js', import.meta.url), { workerData: data })
  const tsx = JSON.stringify(import.meta.resolve('tsx/esm/api'))
  const entry = JSON.stringify(new URL('./sqlite-writer-thread.ts', import.meta.url).href)
  return new Worker(`import(${tsx}).then((tsx) => { tsx.register(); return import(${entry}) })`, { eval: true, workerData: data })
}

interface Pending { resolve: (changes: number) => void, reject: (err: Error) => void }

/** Writes through a writer thread on its own connection to `file` (already created and migrated). */
export class ThreadWriter implements AuditWriter {
  private worker: Worker | undefined
  private readonly pending = new Map<number, Pending>()
  private nextId = 0
  private closing: Promise<void> | undefined
  /** Writes settled by the thread, and the transactions (commits) they took: fewer commits than writes is group commit. */
  readonly stats = { writes: 0, commits: 0 }

  constructor (private readonly file: string) {
    this.worker = this.start()
  }

  private start (): Worker {
    const worker = spawnThread({ file: this.file })
    // Idle, the thread does not keep the process alive; while a write is pending it does.
    worker.unref()
    worker.on('message', (m: WriterReply) => {
      if (m.type !== 'results') return
      this.stats.commits++
      this.stats.writes += m.results.length
      for (const r of m.results) {
        const p = this.pending.get(r.id)
        if (!p) continue
        this.pending.delete(r.id)
        if (r.ok) p.resolve(r.changes ?? 0)
        else p.reject(writeError(r))
      }
      if (this.pending.size === 0 && !this.closing) worker.unref()
    })
    worker.on('error', (err) => this.failAll(`the audit writer thread failed: ${err.message}`))
    worker.on('exit', () => {
      // Writes in flight are not acknowledged (their callers answer 503); a later write starts a new thread.
      this.failAll('the audit writer thread stopped')
      if (this.worker === worker) this.worker = undefined
    })
    return worker
  }

  private failAll (message: string): void {
    for (const p of this.pending.values()) p.reject(new StoreError(message))
    this.pending.clear()
  }

  async write (job: WriteJob): Promise<number> {
    if (this.closing) throw new StoreError('the audit store is closed')
    const worker = this.worker ??= this.start()
    const id = ++this.nextId
    const done = new Promise<number>((resolve, reject) => this.pending.set(id, { resolve, reject }))
    if (this.pending.size === 1) worker.ref()
    worker.postMessage({ type: 'write', id, job } satisfies WriteRequest)
    return await done
  }

  async close (): Promise<void> {
    this.closing ??= this.stop()
    await this.closing
  }

  private async stop (): Promise<void> {
    const worker = this.worker
    if (!worker) return
    worker.ref()
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()))
    // The thread commits what it has queued before it closes its connection.
    worker.postMessage({ type: 'close' })
    await exited
  }
}
