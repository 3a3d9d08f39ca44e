/**
 * Benchmarks 2 and 3 — HTTP and memory. autocannon (10 connections, loopback)
 * posts one realistic order-select request to the real service and, in the
 * same run and alternating with it, to the bare-Fastify baseline. The service
 * process also serves the memory benchmark: RSS and heap after a forced GC
 * once it has answered N₁ and N₂ requests in total (throughput rounds count).
 */
import autocannon from 'autocannon'
import { allHeaps, spawnBaseline, spawnService, type MemorySample, type ServerBuild } from './processes.js'
import { median, round } from './stats.js'

export interface LoadResult {
  requestsPerSec: number
  p50Ms: number
  p99Ms: number
  requests: number
  non2xx: number
  errors: number
  durationSec: number
}

export interface HttpOptions {
  build: ServerBuild
  workDir: string
  body: string
  path: string
  connections: number
  warmupSec: number
  durationSec: number
  rounds: number
  /** Requests answered before the first and the second memory sample (targets)… */
  memoryAt: [number, number]
  /** …and the most seconds spent sending requests for each (the samples are then taken earlier). */
  memoryBudgetSec: [number, number]
}

export interface HttpResult {
  requestBytes: number
  connections: number
  rounds: number
  durationSec: number
  service: LoadResult & { perRound: LoadResult[] }
  baseline: LoadResult & { perRound: LoadResult[] }
  /** service / baseline throughput (medians of the rounds). */
  throughputRatio: number
  serviceStartupMs: number
  /** Each point: the median of MEMORY_SAMPLES samples (all kept in `samples`). */
  memory: Array<{ afterRequests: number, samples: MemorySample[] } & MemorySample>
  /** The request counts the memory samples aimed at. */
  memoryTargets: [number, number]
  /** (second - first) / first. */
  rssGrowth: number
  heapGrowth: number
  totalServiceRequests: number
}

async function load (url: string, body: string, opts: { connections: number, durationSec?: number, amount?: number }): Promise<LoadResult> {
  const r = await autocannon({
    url,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
    connections: opts.connections,
    ...(opts.amount !== undefined ? { amount: opts.amount } : { duration: opts.durationSec ?? 1 }),
    timeout: 10
  })
  return {
    // Successful answers only: a refused request (503, 4xx) is not throughput.
    requestsPerSec: round(r['2xx'] / r.duration, 1),
    p50Ms: r.latency.p50,
    p99Ms: r.latency.p99,
    requests: r.requests.total,
    non2xx: r.non2xx,
    errors: r.errors,
    durationSec: round(r.duration, 2)
  }
}

/**
 * Send `target` requests, in chunks of about five seconds each, but stop when
 * the time budget is spent (the 2-core machines cannot always serve 50,000
 * evaluations inside the suite's five minutes). Returns requests answered.
 */
const MEMORY_SAMPLES = 3
const MEMORY_SAMPLE_GAP = 300

async function loadUntil (url: string, body: string, connections: number, target: number, budgetSec: number): Promise<number> {
  let done = 0
  let rate = 40
  const until = Date.now() + budgetSec * 1000
  while (done < target && Date.now() < until) {
    const left = (until - Date.now()) / 1000
    const chunk = Math.max(1, Math.min(target - done, Math.round(rate * Math.min(5, Math.max(1, left)))))
    const r = await load(url, body, { connections, amount: chunk })
    done += r.requests
    rate = Math.max(10, r.requestsPerSec)
  }
  return done
}

function summarise (rounds: LoadResult[]): LoadResult & { perRound: LoadResult[] } {
  return {
    requestsPerSec: round(median(rounds.map((r) => r.requestsPerSec)), 1),
    p50Ms: median(rounds.map((r) => r.p50Ms)),
    p99Ms: median(rounds.map((r) => r.p99Ms)),
    requests: rounds.reduce((s, r) => s + r.requests, 0),
    non2xx: rounds.reduce((s, r) => s + r.non2xx, 0),
    errors: rounds.reduce((s, r) => s + r.errors, 0),
    durationSec: round(rounds.reduce((s, r) => s + r.durationSec, 0), 2),
    perRound: rounds
  }
}

export async function runHttp (opts: HttpOptions): Promise<HttpResult> {
  const service = await spawnService({ build: opts.build, workDir: opts.workDir, probe: true })
  const baseline = await spawnBaseline()
  try {
    const serviceUrl = `${service.url}${opts.path}`
    const baselineUrl = `${baseline.url}${opts.path}`
    // Sanity: the service answers the request with cards (a 4xx here would make every figure meaningless).
    const probe = await fetch(serviceUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: opts.body })
    const probeBody = await probe.json() as { cards?: unknown[] }
    if (probe.status !== 200 || !Array.isArray(probeBody.cards) || probeBody.cards.length === 0) {
      throw new Error(`the service answered ${probe.status} without cards: ${JSON.stringify(probeBody).slice(0, 300)}`)
    }
    let served = 1
    // Memory 1: after the first N₁ requests (these also warm the service up).
    served += await loadUntil(serviceUrl, opts.body, opts.connections, opts.memoryAt[0] - served, opts.memoryBudgetSec[0])
    const sampleMemory = async (): Promise<HttpResult['memory'][number]> => {
      // RSS after a forced GC still moves by several per cent, at times 20 %, between samples (the allocator keeps or
      // returns pages; the audit writer thread has its own heap): each point is the median of three
      // samples a few hundred requests apart, so one lucky or unlucky sample does not decide the target.
      const samples: MemorySample[] = []
      for (let i = 0; i < MEMORY_SAMPLES; i++) {
        if (i > 0) served += (await load(serviceUrl, opts.body, { connections: opts.connections, amount: MEMORY_SAMPLE_GAP })).requests
        samples.push(await service.memory())
      }
      const median = (k: keyof MemorySample): number => samples.map((m) => m[k]).sort((a, b) => a - b)[Math.floor(samples.length / 2)]!
      return { afterRequests: served, rss: median('rss'), heapUsed: median('heapUsed'), heapTotal: median('heapTotal'), external: median('external'), threadHeapUsed: median('threadHeapUsed'), threadHeapTotal: median('threadHeapTotal'), threads: median('threads'), samples }
    }
    const memory: HttpResult['memory'] = [await sampleMemory()]
    await load(baselineUrl, opts.body, { connections: opts.connections, durationSec: opts.warmupSec })
    // Throughput: baseline and service alternate, so both see the same machine conditions.
    const serviceRounds: LoadResult[] = []
    const baselineRounds: LoadResult[] = []
    for (let i = 0; i < opts.rounds; i++) {
      baselineRounds.push(await load(baselineUrl, opts.body, { connections: opts.connections, durationSec: opts.durationSec }))
      const s = await load(serviceUrl, opts.body, { connections: opts.connections, durationSec: opts.durationSec })
      serviceRounds.push(s)
      served += s.requests
    }
    // Memory 2: top up to N₂ requests in total.
    if (served < opts.memoryAt[1]) served += await loadUntil(serviceUrl, opts.body, opts.connections, opts.memoryAt[1] - served, opts.memoryBudgetSec[1])
    memory.push(await sampleMemory())
    const s = summarise(serviceRounds)
    const b = summarise(baselineRounds)
    return {
      requestBytes: Buffer.byteLength(opts.body),
      connections: opts.connections,
      rounds: opts.rounds,
      durationSec: opts.durationSec,
      service: s,
      baseline: b,
      throughputRatio: round(s.requestsPerSec / b.requestsPerSec, 3),
      serviceStartupMs: service.startupMs,
      memory,
      memoryTargets: opts.memoryAt,
      rssGrowth: round((memory[1]!.rss - memory[0]!.rss) / memory[0]!.rss, 4),
      // Every thread's heap: the evaluation threads hold the parsed requests and the engine's caches.
      heapGrowth: round((allHeaps(memory[1]!) - allHeaps(memory[0]!)) / allHeaps(memory[0]!), 4),
      totalServiceRequests: served
    }
  } finally {
    await baseline.stop()
    await service.stop()
  }
}
