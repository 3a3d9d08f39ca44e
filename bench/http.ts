/**
 * Benchmarks 2 and 3 — HTTP and memory. autocannon (10 connections, loopback)
 * posts one realistic order-select request to the real service and, in the
 * same run and alternating with it, to the bare-Fastify baseline. The service
 * process also serves the memory benchmark: RSS and heap after a forced GC,
 * once after the CPU rounds (which follow a warm-up of N₁ requests) and once
 * N₂ requests later — no CPU round follows a forced GC.
 */
import autocannon from 'autocannon'
import { allHeaps, processCpuMs, spawnBaseline, spawnService, waitForEvaluationThreads, type BaselineProcess, type CpuSample, type MemorySample, type ServerBuild, type ServiceProcess } from './processes.js'
import { median, round } from './stats.js'

export interface LoadResult {
  requestsPerSec: number
  p50Ms: number
  p99Ms: number
  requests: number
  non2xx: number
  errors: number
  durationSec: number
  /** CPU time per request of the whole process, every thread (ms); null where /proc is not there. */
  cpuMsPerRequest: number | null
  /** The service only: CPU time per request by kind of thread (ms), summed over threads of a kind; "other threads" are V8's and libuv's helpers. */
  threads?: ThreadCpu[]
}

export interface ThreadCpu { thread: string, count: number, msPerRequest: number }

/** One kind of call, service and baseline alternating on the same body. */
export interface CallSection {
  requestBytes: number
  /** Median size of the service's answer to this request, bytes (the body only), and of the baseline's. */
  answerBytes: number
  baselineAnswerBytes: number
  service: LoadResult & { perRound: LoadResult[] }
  baseline: LoadResult & { perRound: LoadResult[] }
  /** service / baseline throughput (medians of the rounds). */
  throughputRatio: number
  /** service / baseline CPU per request: the median of the rounds' ratios (each round's pair ran back to back). */
  cpuRatio: number | null
  cpuRatios: number[]
}

/** The WGS call at more connections: the audit writer's group commit takes more writes per fsync. */
export interface ConcurrencyPoint { connections: number, result: LoadResult }
/** The WGS call one at a time at a fixed rate, well below what the service can serve: the latency of a call that does not queue. */
export interface RatePoint { requestsPerSec: number, connections: number, result: LoadResult }

export interface HttpOptions {
  build: ServerBuild
  workDir: string
  body: string
  path: string
  connections: number
  warmupSec: number
  durationSec: number
  rounds: number
  /**
   * Requests that warm the service up before the CPU rounds, and requests between the first memory sample (taken
   * after the CPU rounds) and the second (targets)…
   */
  memoryAt: [number, number]
  /** …and the most seconds spent sending requests for each (the samples are then taken earlier). */
  memoryBudgetSec: [number, number]
  /** The same call without a WGS order (answered `{"cards":[]}`), measured the same way. */
  nonWgsBody?: string
  /** Bodies of other sizes whose answers are measured (median bytes of a few calls). */
  answerSizes?: Array<{ resources: number, body: string }>
  /** Further connection counts for the WGS call, one round each. */
  concurrency?: number[]
  /** Fixed request rates for the WGS call on one connection (autocannon's overallRate), one round each. */
  rates?: number[]
}

export interface HttpResult extends CallSection {
  connections: number
  rounds: number
  durationSec: number
  nonWgs?: CallSection
  /** Median answer size by resources of prefetch (the benchmark request's size included). */
  answers: Array<{ resources: number, requestBytes: number, answerBytes: number, cards: number }>
  concurrency: ConcurrencyPoint[]
  atRates: RatePoint[]
  serviceStartupMs: number
  /** Each point: the median of MEMORY_SAMPLES samples (all kept in `samples`). */
  memory: Array<{ afterRequests: number, samples: MemorySample[] } & MemorySample>
  /** The warm-up and the gap between the memory samples that were aimed at (HttpOptions.memoryAt). */
  memoryTargets: [number, number]
  /** (second - first) / first. */
  rssGrowth: number
  heapGrowth: number
  totalServiceRequests: number
}

async function load (url: string, body: string, opts: { connections: number, durationSec?: number, amount?: number, overallRate?: number }): Promise<Omit<LoadResult, 'cpuMsPerRequest'>> {
  const r = await autocannon({
    url,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
    connections: opts.connections,
    ...(opts.amount !== undefined ? { amount: opts.amount } : { duration: opts.durationSec ?? 1 }),
    ...(opts.overallRate !== undefined ? { overallRate: opts.overallRate } : {}),
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
    // At least one request per connection (autocannon refuses fewer): the target is passed by at most connections - 1.
    const chunk = Math.max(connections, Math.min(target - done, Math.round(rate * Math.min(5, Math.max(1, left)))))
    const r = await load(url, body, { connections, amount: chunk })
    done += r.requests
    rate = Math.max(10, r.requestsPerSec)
  }
  return done
}

const cpuOf = (threads: CpuSample['threads'], id: number): number | null => threads.find((t) => t.threadId === id)?.cpuMs ?? null

/** A load round with the server's CPU time read before and after it: the service's per thread, the baseline's as a whole. */
async function measured (server: { service: ServiceProcess } | { baseline: BaselineProcess }, url: string, body: string, opts: { connections: number, durationSec: number, overallRate?: number }): Promise<LoadResult> {
  if ('baseline' in server) {
    const before = processCpuMs(server.baseline.pid)
    const r = await load(url, body, opts)
    const after = processCpuMs(server.baseline.pid)
    return { ...r, cpuMsPerRequest: before === null || after === null || r.requests === 0 ? null : round((after - before) / r.requests, 3) }
  }
  const before = await server.service.cpu()
  const r = await load(url, body, opts)
  const after = await server.service.cpu()
  const perRequest = (ms: number): number => round(ms / Math.max(1, r.requests), 3)
  const kinds = new Map<string, { count: number, ms: number }>()
  let inThreads = 0
  for (const t of after.threads) {
    const was = cpuOf(before.threads, t.threadId)
    if (t.cpuMs === null || was === null) continue
    const k = kinds.get(t.kind) ?? { count: 0, ms: 0 }
    k.count++
    k.ms += t.cpuMs - was
    inThreads += t.cpuMs - was
    kinds.set(t.kind, k)
  }
  const total = after.processMs - before.processMs
  const threads = [...kinds].map(([thread, k]) => ({ thread, count: k.count, msPerRequest: perRequest(k.ms) }))
  if (kinds.size > 0) threads.push({ thread: 'other threads (V8 GC and compiler helpers, libuv)', count: 0, msPerRequest: perRequest(Math.max(0, total - inThreads)) })
  return { ...r, cpuMsPerRequest: r.requests === 0 ? null : perRequest(total), threads }
}

function medianOrNull (values: Array<number | null>): number | null {
  const known = values.filter((v): v is number => v !== null)
  return known.length ? round(median(known), 3) : null
}

function summarise (rounds: LoadResult[]): LoadResult & { perRound: LoadResult[] } {
  const kinds = [...new Set(rounds.flatMap((r) => (r.threads ?? []).map((t) => t.thread)))]
  const threads = kinds.map((thread) => {
    const of = rounds.map((r) => r.threads?.find((t) => t.thread === thread))
    return { thread, count: Math.max(...of.map((t) => t?.count ?? 0)), msPerRequest: medianOrNull(of.map((t) => t?.msPerRequest ?? null)) ?? 0 }
  })
  return {
    cpuMsPerRequest: medianOrNull(rounds.map((r) => r.cpuMsPerRequest)),
    ...(threads.length ? { threads } : {}),
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

/** The answer's body size in bytes (median of `times` calls: card uuids differ, sizes barely). */
async function answerSize (url: string, body: string, times = 3): Promise<{ bytes: number, status: number, cards: number }> {
  const sizes: number[] = []
  let status = 0
  let cards = 0
  for (let i = 0; i < times; i++) {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body })
    const bytes = Buffer.from(await res.arrayBuffer())
    status = res.status
    cards = (JSON.parse(bytes.toString('utf8')) as { cards?: unknown[] }).cards?.length ?? 0
    sizes.push(bytes.length)
  }
  return { bytes: median(sizes), status, cards }
}

/** `rounds` rounds of baseline then service on one body; CPU read around each. */
async function section (service: ServiceProcess, baseline: BaselineProcess, urls: { service: string, baseline: string }, body: string, opts: HttpOptions, served: { n: number }): Promise<CallSection> {
  const serviceRounds: LoadResult[] = []
  const baselineRounds: LoadResult[] = []
  for (let i = 0; i < opts.rounds; i++) {
    baselineRounds.push(await measured({ baseline }, urls.baseline, body, { connections: opts.connections, durationSec: opts.durationSec }))
    const r = await measured({ service }, urls.service, body, { connections: opts.connections, durationSec: opts.durationSec })
    serviceRounds.push(r)
    served.n += r.requests
  }
  const s = summarise(serviceRounds)
  const b = summarise(baselineRounds)
  const cpuRatios = serviceRounds.flatMap((r, i) => {
    const base = baselineRounds[i]!.cpuMsPerRequest
    return r.cpuMsPerRequest !== null && base ? [round(r.cpuMsPerRequest / base, 2)] : []
  })
  return {
    requestBytes: Buffer.byteLength(body),
    answerBytes: (await answerSize(urls.service, body)).bytes,
    baselineAnswerBytes: (await answerSize(urls.baseline, body, 1)).bytes,
    service: s,
    baseline: b,
    throughputRatio: round(s.requestsPerSec / b.requestsPerSec, 3),
    cpuRatio: cpuRatios.length ? round(median(cpuRatios), 2) : null,
    cpuRatios
  }
}

export async function runHttp (opts: HttpOptions): Promise<HttpResult> {
  const service = await spawnService({ build: opts.build, workDir: opts.workDir, probe: true })
  await waitForEvaluationThreads(service.url)
  const baseline = await spawnBaseline()
  try {
    const urls = { service: `${service.url}${opts.path}`, baseline: `${baseline.url}${opts.path}` }
    // Sanity: the service answers the request with cards (a 4xx here would make every figure meaningless)…
    const probe = await answerSize(urls.service, opts.body, 1)
    if (probe.status !== 200 || probe.cards === 0) throw new Error(`the service answered ${probe.status} with ${probe.cards} cards to the benchmark request`)
    // …and the call without a WGS order with none.
    if (opts.nonWgsBody !== undefined) {
      const none = await answerSize(urls.service, opts.nonWgsBody, 1)
      if (none.status !== 200 || none.cards !== 0) throw new Error(`the service answered ${none.status} with ${none.cards} cards to the call without a WGS order`)
    }
    const served = { n: 1 }
    // Warm-up: the first N₁ requests, with no memory sample yet. The memory probe's forced full GCs change how V8
    // collects for a long while after (measured, interleaved: +12–25 % CPU per WGS request, most of it in V8's helper
    // threads, for at least 16 s), which no production process sees: the CPU rounds come first, the samples after.
    served.n += await loadUntil(urls.service, opts.body, opts.connections, opts.memoryAt[0] - served.n, opts.memoryBudgetSec[0])
    const sampleMemory = async (): Promise<HttpResult['memory'][number]> => {
      // RSS after a forced GC still moves by several per cent, at times 20 %, between samples (the allocator keeps or
      // returns pages; the audit writer thread has its own heap): each point is the median of three
      // samples a few hundred requests apart, so one lucky or unlucky sample does not decide the target.
      const samples: MemorySample[] = []
      for (let i = 0; i < MEMORY_SAMPLES; i++) {
        if (i > 0) served.n += (await load(urls.service, opts.body, { connections: opts.connections, amount: MEMORY_SAMPLE_GAP })).requests
        samples.push(await service.memory())
      }
      const median = (k: keyof MemorySample): number => samples.map((m) => m[k]).sort((a, b) => a - b)[Math.floor(samples.length / 2)]!
      return { afterRequests: served.n, rss: median('rss'), heapUsed: median('heapUsed'), heapTotal: median('heapTotal'), external: median('external'), threadHeapUsed: median('threadHeapUsed'), threadHeapTotal: median('threadHeapTotal'), threads: median('threads'), samples }
    }
    await load(urls.baseline, opts.body, { connections: opts.connections, durationSec: opts.warmupSec })
    // Throughput and CPU: baseline and service alternate, so both see the same machine conditions.
    const wgs = await section(service, baseline, urls, opts.body, opts, served)
    const nonWgs = opts.nonWgsBody !== undefined ? await section(service, baseline, urls, opts.nonWgsBody, opts, served) : undefined
    const concurrency: ConcurrencyPoint[] = []
    for (const connections of opts.concurrency ?? []) {
      const result = await measured({ service }, urls.service, opts.body, { connections, durationSec: opts.durationSec })
      served.n += result.requests
      concurrency.push({ connections, result })
    }
    const atRates: RatePoint[] = []
    for (const rate of opts.rates ?? []) {
      // One connection: one call at a time, so none waits behind another (autocannon sends a second's quota as
      // fast as it can, so with several connections the calls of a second would queue behind each other).
      const result = await measured({ service }, urls.service, opts.body, { connections: 1, durationSec: opts.durationSec, overallRate: rate })
      served.n += result.requests
      atRates.push({ requestsPerSec: rate, connections: 1, result })
    }
    const answers: HttpResult['answers'] = []
    for (const a of opts.answerSizes ?? []) {
      const r = await answerSize(urls.service, a.body)
      if (r.status !== 200) throw new Error(`the service answered ${r.status} to the ${a.resources}-resource request`)
      answers.push({ resources: a.resources, requestBytes: Buffer.byteLength(a.body), answerBytes: r.bytes, cards: r.cards })
    }
    // Memory: one point after the rounds, the other N₂ WGS requests later.
    const memory: HttpResult['memory'] = [await sampleMemory()]
    served.n += await loadUntil(urls.service, opts.body, opts.connections, opts.memoryAt[1], opts.memoryBudgetSec[1])
    memory.push(await sampleMemory())
    return {
      ...wgs,
      connections: opts.connections,
      rounds: opts.rounds,
      durationSec: opts.durationSec,
      ...(nonWgs ? { nonWgs } : {}),
      answers,
      concurrency,
      atRates,
      serviceStartupMs: service.startupMs,
      memory,
      memoryTargets: opts.memoryAt,
      rssGrowth: round((memory[1]!.rss - memory[0]!.rss) / memory[0]!.rss, 4),
      // Every thread's heap: the evaluation threads hold the parsed requests and the engine's caches.
      heapGrowth: round((allHeaps(memory[1]!) - allHeaps(memory[0]!)) / allHeaps(memory[0]!), 4),
      totalServiceRequests: served.n
    }
  } finally {
    await baseline.stop()
    await service.stop()
  }
}
