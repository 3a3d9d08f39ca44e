/**
 * The processes the HTTP, memory and start-up benchmarks talk to: the real
 * service (`node dist/server.js`, or `src/server.ts` through tsx for the smoke
 * test on a fresh clone without a build) and the bare-Fastify baseline. Both
 * listen on a free loopback port; the service logs at info to a file.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { openSync, closeSync, readFileSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'

export const ROOT = new URL('..', import.meta.url).pathname
export type ServerBuild = 'dist' | 'src'

/** The main thread's heap and the worker threads' together (older reports have no thread figures). */
export function allHeaps (m: MemorySample): number { return m.heapUsed + (m.threadHeapUsed ?? 0) }

/**
 * heapUsed and heapTotal are the main thread's; threadHeapUsed and threadHeapTotal the worker threads'
 * together — evaluation threads and the audit writer, each after its own full GC (0 without) —
 * and `threads` how many answered.
 */
export interface MemorySample { rss: number, heapUsed: number, heapTotal: number, external: number, threadHeapUsed: number, threadHeapTotal: number, threads: number }

/** CPU time (ms) of the whole process and of each thread that reports it (bench/memory-probe.mjs). */
export interface CpuSample { processMs: number, threads: Array<{ threadId: number, kind: string, cpuMs: number | null }> }

/** The CPU time (ms, user + system) a process has used so far, from /proc (Linux; the 10 ms clock ticks); null elsewhere. */
export function processCpuMs (pid: number | undefined): number | null {
  if (pid === undefined) return null
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return (Number(fields[11]) + Number(fields[12])) * 10
  } catch {
    return null
  }
}

export interface ServiceProcess {
  url: string
  pid: number | undefined
  /** Spawn to "Server listening" (pino's own timestamp on that line), ms. */
  startupMs: number
  logFile: string
  /** RSS and heap after a forced full GC (needs `probe`). */
  memory: () => Promise<MemorySample>
  /** CPU time so far, per thread (needs `probe`). */
  cpu: () => Promise<CpuSample>
  stop: () => Promise<void>
}

/**
 * The settings the HTTP benchmark runs the service with: the documented
 * local-development configuration (client authentication off on loopback,
 * embedded SQLite audit store in a temporary DATA_DIR), logging at info, and
 * load shedding (under-pressure) and per-client rate limiting off.
 */
export function serviceEnv (dataDir: string): Record<string, string> {
  return {
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'info',
    CDS_AUTH: 'off',
    DATA_DIR: dataDir,
    PATIENT_KEY_SECRET: randomBytes(24).toString('hex'),
    RULES_ROOT: ROOT,
    // Load shedding off: a closed-loop load test keeps the event loop saturated by design,
    // so under-pressure would answer 503 to most requests and the figures would measure that.
    UNDER_PRESSURE_MAX_EVENT_LOOP_UTILIZATION: '0',
    UNDER_PRESSURE_MAX_EVENT_LOOP_DELAY_MS: '0',
    // Rate limiting off: the load generator is one client (one IP) sending far more than a
    // clinician's EHR would; with the default limit most answers would be 429.
    RATE_LIMIT_MAX: '0',
    // The default (`auto`) unless the bench's own environment names a thread count: to compare settings on one machine.
    ...(process.env.EVALUATION_THREADS ? { EVALUATION_THREADS: process.env.EVALUATION_THREADS } : {})
  }
}

function nodeArgs (build: ServerBuild, extra: string[], distDir = join(ROOT, 'dist')): string[] {
  return build === 'dist' ? [...extra, join(distDir, 'server.js')] : ['--import', 'tsx', ...extra, join(ROOT, 'src/server.ts')]
}

async function waitFor<T> (what: string, child: ChildProcess, timeoutMs: number, poll: () => T | undefined): Promise<T> {
  const until = Date.now() + timeoutMs
  while (Date.now() < until) {
    const v = poll()
    if (v !== undefined) return v
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${what} exited (${child.exitCode ?? child.signalCode}) before it was ready`)
    await sleep(5)
  }
  child.kill('SIGKILL')
  throw new Error(`${what} was not ready within ${timeoutMs} ms`)
}

async function stopChild (child: ChildProcess, graceMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  child.kill('SIGTERM')
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs)
  await exited
  clearTimeout(timer)
}

export interface SpawnServiceOptions {
  build: ServerBuild
  workDir: string
  /** Preload bench/memory-probe.mjs with --expose-gc (memory benchmark). */
  probe?: boolean
  /** Extra node flags, e.g. --cpu-prof. */
  nodeFlags?: string[]
  env?: Record<string, string>
  timeoutMs?: number
  /** Another build's dist folder (bench/http-ab.ts: an older build against the current one); dist/ by default. */
  distDir?: string
}

let serial = 0

export async function spawnService (opts: SpawnServiceOptions): Promise<ServiceProcess> {
  const n = ++serial
  const dataDir = join(opts.workDir, `data-${n}`)
  mkdirSync(dataDir, { recursive: true })
  const logFile = join(opts.workDir, `service-${n}.log`)
  const fd = openSync(logFile, 'w')
  const flags = [...(opts.probe ? ['--expose-gc', '--import', join(ROOT, 'bench/memory-probe.mjs')] : []), ...(opts.nodeFlags ?? [])]
  const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...serviceEnv(dataDir), ...opts.env }
  const spawnedAt = Date.now()
  const child = spawn(process.execPath, nodeArgs(opts.build, flags, opts.distDir), { cwd: ROOT, env, stdio: ['ignore', fd, 'pipe', ...(opts.probe ? ['ipc' as const] : [])] })
  closeSync(fd)
  let stderr = ''
  child.stderr?.on('data', (d: Buffer) => { stderr += d.toString() })
  let ready: { url: string, time: number }
  try {
    ready = await waitFor('the service', child, opts.timeoutMs ?? 60_000, () => {
      const line = readFileSync(logFile, 'utf8').split('\n').find((l) => l.includes('Server listening at http://127.0.0.1:'))
      if (!line) return undefined
      const entry = JSON.parse(line) as { msg: string, time: number }
      return { url: /http:\/\/127\.0\.0\.1:\d+/.exec(entry.msg)![0], time: entry.time }
    })
  } catch (err) {
    throw new Error(`${(err as Error).message}\n${stderr}`)
  }
  const pending = new Map<number, (m: MemorySample) => void>()
  const pendingCpu = new Map<number, (m: CpuSample) => void>()
  child.on('message', (m: { type?: string, id?: number, processCpuMs?: number, threads?: CpuSample['threads'] }) => {
    if (m?.type !== 'cpu' || m.id === undefined) return
    pendingCpu.get(m.id)?.({ processMs: m.processCpuMs ?? 0, threads: m.threads ?? [] })
    pendingCpu.delete(m.id)
  })
  child.on('message', (m: Omit<MemorySample, 'threadHeapUsed' | 'threadHeapTotal' | 'threads'> & { type?: string, id?: number, threadHeaps?: Array<{ used: number, total: number }> }) => {
    if (m?.type !== 'memory' || m.id === undefined) return
    const threadHeaps = m.threadHeaps ?? []
    const sum = (k: 'used' | 'total'): number => threadHeaps.reduce((a, h) => a + h[k], 0)
    pending.get(m.id)?.({ rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external, threadHeapUsed: sum('used'), threadHeapTotal: sum('total'), threads: threadHeaps.length })
  })
  let asked = 0
  return {
    url: ready.url,
    pid: child.pid,
    startupMs: ready.time - spawnedAt,
    logFile,
    memory: async () => {
      if (!opts.probe || !child.send) throw new Error('memory needs the probe')
      const id = ++asked
      const answer = new Promise<MemorySample>((resolve) => pending.set(id, resolve))
      child.send({ type: 'memory', id })
      return await answer
    },
    cpu: async () => {
      if (!opts.probe || !child.send) throw new Error('cpu needs the probe')
      const id = ++asked
      const answer = new Promise<CpuSample>((resolve) => pendingCpu.set(id, resolve))
      child.send({ type: 'cpu', id })
      return await answer
    },
    stop: async () => { await stopChild(child) }
  }
}

export interface BaselineProcess { url: string, pid: number | undefined, stop: () => Promise<void> }

export async function spawnBaseline (): Promise<BaselineProcess> {
  const child = spawn(process.execPath, [join(ROOT, 'bench/baseline-server.mjs')], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] })
  let out = ''
  child.stdout?.on('data', (d: Buffer) => { out += d.toString() })
  const port = await waitFor('the baseline server', child, 30_000, () => /listening (\d+)/.exec(out)?.[1])
  return { url: `http://127.0.0.1:${port}`, pid: child.pid, stop: async () => { await stopChild(child) } }
}

/**
 * Wait until every evaluation thread of the service is ready (`/health/ready` says "N of N evaluation
 * threads ready"): the threads compile the rules after the server listens, and a load started before
 * they are ready is evaluated on the event loop, which is not what the HTTP figures and the per-thread
 * profile are meant to show. Returns how long it waited (ms).
 */
export async function waitForEvaluationThreads (url: string, timeoutMs = 60_000): Promise<number> {
  const started = Date.now()
  for (;;) {
    const res = await fetch(`${url}/health/ready`)
    const body = await res.json() as { checks?: { evaluation?: string } }
    const m = /^(\d+) of (\d+) evaluation threads ready/.exec(body.checks?.evaluation ?? '')
    // No threads configured (EVALUATION_THREADS=0), or all of them ready.
    if (!m || m[1] === m[2]) return Date.now() - started
    if (Date.now() - started > timeoutMs) throw new Error(`evaluation threads not ready after ${timeoutMs} ms: ${body.checks?.evaluation}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}
