/**
 * The evaluation threads (EVALUATION_THREADS): hook calls are parsed,
 * validated, evaluated, rendered and serialised on worker threads
 * (worker.ts), so the event loop only moves bytes, logs and audits, and one
 * process uses more than one core. The request body reaches a thread as
 * bytes, never as parsed objects: parsing it on the event loop first and
 * copying the objects across would cost as much as the evaluation saves.
 *
 * Availability before speed: the service is ready once its own rules are
 * compiled; threads start in the background, and until one is ready — or
 * while none is, after a thread stopped — `run` returns undefined and the
 * route evaluates inline, the same code (src/hooks/raw-call.ts) on the event
 * loop. A thread that stops fails only the calls it held (503, retryable) and
 * is replaced, with a growing delay if it keeps stopping before it is ready.
 */
import { Worker } from 'node:worker_threads'
import { availableParallelism } from 'node:os'
import { extname } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { FastifyBaseLogger } from 'fastify'
import type { Config } from '../config/config.js'
import type { CallResult } from '../hooks/raw-call.js'
import type { JsonShape } from '../hooks/json-limits.js'
import type { Task, WorkerData, WorkerMessage } from './worker.js'
import { transferList } from './transfer.js'

/** Calls a thread held when it stopped fail with this (the route answers 503 `transient`). */
export class EvaluationThreadStopped extends Error {}

/**
 * `auto`: one thread per core but one — that core is the event loop's and the
 * audit writer's — at least one and at most 4; none on a single core, where a
 * thread only adds copying. Measured on 2 cores (README "Performance"): one
 * thread beside the event loop served 0–15 % more than none, two a little
 * more again at twice the memory (the young-generation room below, per
 * thread). Past 4, the event loop's own share of a call (HTTP,
 * logging, the audit) is the limit, not evaluation.
 */
export function threadCount (setting: Config['evaluationThreads'], cores = availableParallelism()): number {
  if (setting !== 'auto') return setting
  return cores < 2 ? 0 : Math.min(Math.max(cores - 1, 1), 4)
}

/**
 * A larger young generation than V8 gives a worker by default: each call
 * parses to about a megabyte of short-lived objects, and with a small one the
 * scavenger runs often, copying the calls in flight each time (16 MiB: 0.31×
 * the baseline with two threads on 2 cores, 64 MiB: 0.37×, one bench run
 * each). V8 grows into it under load, so it is also how much a thread's heap
 * can still grow after warm-up: with 64 MiB the thread's heap total rose by
 * ~30 MiB between 5,000 and 50,000 requests and RSS by 15 %; side by side,
 * one thread with 32 MiB served as much as with 64 MiB (0.37 vs 0.38×, four
 * rounds each, within the noise).
 */
const YOUNG_GENERATION_MB = 32
const RESPAWN_DELAY_MS = 500
const RESPAWN_DELAY_MAX_MS = 30_000

/**
 * Built, the thread runs dist/evaluation-pool/worker.js. Under tsx (tests,
 * `npm run dev`) it is worker.ts, and Node 20 does not pass the loader hooks
 * that `--import tsx` registered on to worker threads: a two-line module
 * registers tsx in the thread first.
 */
function workerEntry (): URL {
  const self = new URL(import.meta.url)
  const file = new URL(`./worker${extname(fileURLToPath(self))}`, self)
  if (!file.pathname.endsWith('.ts')) return file
  const bootstrap = `import { register } from ${JSON.stringify(import.meta.resolve('tsx/esm/api'))}\nregister()\nawait import(${JSON.stringify(file.href)})\n`
  return new URL(`data:text/javascript,${encodeURIComponent(bootstrap)}`)
}

interface Pending { resolve: (r: CallResult) => void, reject: (e: Error) => void }
interface Slot { worker: Worker, ready: boolean, pending: Map<number, Pending>, failures: number }

export interface PoolOptions {
  threads: number
  config: Readonly<Config>
  log: FastifyBaseLogger
}

export class EvaluationPool {
  private readonly slots: Array<Slot | undefined>
  private readonly timers = new Set<NodeJS.Timeout>()
  private readonly waiting: Array<() => void> = []
  private nextId = 0
  private closing = false

  constructor (private readonly opts: PoolOptions) {
    this.slots = new Array<Slot | undefined>(opts.threads).fill(undefined)
  }

  get size (): number { return this.slots.length }
  get readyCount (): number { return this.slots.filter((s) => s?.ready).length }

  start (): void {
    for (let i = 0; i < this.slots.length; i++) if (!this.slots[i]) this.spawn(i, 0)
  }

  /** Resolves once every thread is ready (tests; the service itself never waits for it). */
  async ready (): Promise<void> {
    if (this.readyCount === this.size) return
    await new Promise<void>((resolve) => this.waiting.push(resolve))
  }

  /** The call on the least busy ready thread, or undefined when none is ready (evaluate inline). */
  /** `shape`: the event loop's look at the bytes (json-limits.ts inspectJson), so the thread does not make it again. */
  run (bytes: Uint8Array, now: string, language?: 'da' | 'en', shape?: JsonShape): Promise<CallResult> | undefined {
    let best: Slot | undefined
    for (const s of this.slots) if (s?.ready && (!best || s.pending.size < best.pending.size)) best = s
    if (!best || this.closing) return undefined
    const slot = best
    const id = ++this.nextId
    return new Promise<CallResult>((resolve, reject) => {
      slot.pending.set(id, { resolve, reject })
      const task: Task = { id, bytes, now, ...(language ? { language } : {}), ...(shape ? { shape } : {}) }
      slot.worker.postMessage(task, transferList(bytes))
    })
  }

  /** Calls in flight per thread. */
  inFlight (): number[] { return this.slots.map((s) => s?.pending.size ?? 0) }

  /** Stop one thread as a crash would: its calls fail with EvaluationThreadStopped and it is replaced (tests). */
  async stopThread (index: number): Promise<void> { await this.slots[index]?.worker.terminate() }

  async close (): Promise<void> {
    this.closing = true
    for (const t of this.timers) clearTimeout(t)
    this.timers.clear()
    await Promise.all(this.slots.map(async (s) => { if (s) await s.worker.terminate() }))
  }

  private spawn (index: number, failures: number): void {
    const data: WorkerData = { config: this.opts.config }
    const worker = new Worker(workerEntry(), { workerData: data, resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB } })
    const slot: Slot = { worker, ready: false, pending: new Map(), failures }
    this.slots[index] = slot
    worker.on('message', (m: WorkerMessage) => { this.onMessage(slot, m) })
    worker.on('error', (err) => {
      // An uncaught error ends the thread ('exit' follows). Message and stack only: never a request's data.
      this.opts.log.error({ err: { message: err.message, stack: err.stack }, thread: index }, 'evaluation thread failed')
    })
    worker.on('exit', (code) => { this.onExit(index, slot, code) })
  }

  private onMessage (slot: Slot, m: WorkerMessage): void {
    switch (m.type) {
      case 'ready':
        slot.ready = true
        slot.failures = 0
        if (this.readyCount === this.size) {
          this.opts.log.info({ threads: this.size }, 'evaluation threads ready')
          for (const resolve of this.waiting.splice(0)) resolve()
        }
        return
      case 'mismatch':
        this.opts.log.warn({ indication: m.indication, rulePath: m.path, expression: m.expression }, 'compiled FHIRPath result differs from fhirpath.js')
        return
      case 'result':
      case 'failed': {
        const p = slot.pending.get(m.id)
        if (!p) return
        slot.pending.delete(m.id)
        if (m.type === 'result') p.resolve(m.result)
        else p.reject(Object.assign(new Error(m.message), { stack: m.stack }))
      }
    }
  }

  private onExit (index: number, slot: Slot, code: number): void {
    if (this.slots[index] === slot) this.slots[index] = undefined
    const held = [...slot.pending.values()]
    slot.pending.clear()
    for (const p of held) p.reject(new EvaluationThreadStopped('the evaluation thread stopped'))
    if (this.closing) return
    // A thread that stops before it is ready (rules that fail to load there, no memory) would stop again at once.
    const failures = slot.ready ? 0 : slot.failures + 1
    const delay = failures === 0 ? 0 : Math.min(RESPAWN_DELAY_MAX_MS, RESPAWN_DELAY_MS * 2 ** (failures - 1))
    this.opts.log.error({ thread: index, exitCode: code, callsFailed: held.length, restartInMs: delay }, 'evaluation thread stopped; starting another')
    const timer = setTimeout(() => { this.timers.delete(timer); if (!this.closing) this.spawn(index, failures) }, delay)
    this.timers.add(timer)
  }
}
