/**
 * Where an HTTP request's time goes, per thread: the service under the
 * benchmark load once more, with `--cpu-prof` (V8 writes one profile per
 * thread at exit — the event loop, each evaluation thread, the SQLite audit
 * writer), each summarised from the moment the load began.
 */
import autocannon from 'autocannon'
import { mkdirSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { spawnService, waitForEvaluationThreads, type ServerBuild } from './processes.js'
import { summariseProfile, type ProfileSummary } from './profile-summary.js'

export interface ThreadProfile extends ProfileSummary {
  /** What the thread is, read from its profile: the event loop, an evaluation thread, the audit writer. */
  thread: string
}

export interface HttpProfile { durationSec: number, requests: number, threads: ThreadProfile[] }

export interface HttpProfileOptions { build: ServerBuild, workDir: string, body: string, path: string, connections: number, durationSec: number }

/** `CPU.<date>.<time>.<pid>.<threadId>.<seq>.cpuprofile`: thread 0 is the main thread. */
const THREAD_ID = /^CPU\.\d+\.\d+\.\d+\.(\d+)\.\d+\.cpuprofile$/

function kindOf (threadId: number, p: ProfileSummary): string {
  if (threadId === 0) return 'event loop (main thread)'
  const areas = p.areas.map((a) => a.area)
  // The engine, or the thread's own loop and the parse it runs (a short profile may catch no engine sample).
  if (areas.some((a) => a.startsWith('src/core/') || a === 'src/evaluation-pool' || a === 'src/hooks')) return 'evaluation thread'
  if (areas.includes('better-sqlite3')) return 'audit writer (SQLite)'
  return 'other thread'
}

export async function profileHttp (opts: HttpProfileOptions): Promise<HttpProfile> {
  const dir = join(opts.workDir, 'http-profile')
  mkdirSync(dir, { recursive: true })
  const spawnedAt = Date.now()
  const service = await spawnService({ build: opts.build, workDir: opts.workDir, nodeFlags: ['--cpu-prof', `--cpu-prof-dir=${dir}`] })
  await waitForEvaluationThreads(service.url)
  const readyAt = spawnedAt + service.startupMs
  const url = `${service.url}${opts.path}`
  let loadFrom = 0
  let requests = 0
  try {
    const load = async (seconds: number): Promise<number> => (await autocannon({ url, method: 'POST', headers: { 'content-type': 'application/json' }, body: opts.body, connections: opts.connections, duration: seconds })).requests.total
    await load(Math.min(2, opts.durationSec)) // warm-up, left out of the profile
    loadFrom = Date.now()
    requests = await load(opts.durationSec)
  } finally {
    await service.stop()
  }
  const threads: ThreadProfile[] = []
  for (const file of readdirSync(dir).sort()) {
    const m = THREAD_ID.exec(file)
    if (!m) continue
    const threadId = Number(m[1])
    // The main thread's profile starts at spawn; the others about when the service was ready.
    const skipMs = loadFrom - (threadId === 0 ? spawnedAt : readyAt)
    const p = summariseProfile(join(dir, file), 8, Math.max(0, skipMs))
    if (p.totalMs === 0) continue
    threads.push({ thread: kindOf(threadId, p), ...p })
  }
  return { durationSec: opts.durationSec, requests, threads }
}
