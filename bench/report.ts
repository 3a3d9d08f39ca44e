/**
 * The benchmark report: every target with its measured figure and a verdict,
 * as JSON (for tools) and Markdown (for people), written to bench/results/.
 */
import { writeFileSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { REFERENCE_WORKLOAD, type CoreSizeResult, type ExpressionCost } from './core.js'
import type { CallSection, HttpResult, ThreadCpu } from './http.js'
import type { HttpProfile } from './http-profile.js'
import type { StartupResult } from './startup.js'
import type { FallbackResult } from './fallback.js'
import type { ProfileSummary } from './profile-summary.js'
import { round } from './stats.js'
import { allHeaps } from './processes.js'

export interface Machine { cpu: string, cores: number, memoryGiB: number, node: string, platform: string, loadAverageStart: number[], loadAverageEnd: number[] }

export interface TargetResult {
  id: string
  description: string
  target: string
  measured: string
  /** null: not measured in this run (a section or size was left out). */
  met: boolean | null
}

export interface BenchReport {
  schemaVersion: 1
  mode: 'full' | 'smoke'
  startedAt: string
  durationSec: number
  machine: Machine
  build: 'dist' | 'src'
  rulesVersion: string
  indications: number
  rulesLoadMs: number
  core?: {
    sizes: CoreSizeResult[]
    /** The same measurement for a realistic patient (synthetic-patient.ts realisticDiagnoses). */
    realistic?: CoreSizeResult
    /** The worst-case patient at the profile size with FHIRPATH_ENGINE=reference (fhirpath.js only). */
    reference?: CoreSizeResult
    profile?: ProfileSummary & { iterations: number, size: number, file: string }
    expressions?: { size: number, iterations: number, evaluationMs: number, inExpressionsMs: number, top: ExpressionCost[] }
  }
  http?: HttpResult & { serviceSettings: string, resources: number, profile?: HttpProfile }
  startup?: StartupResult
  fallback?: FallbackResult
  targets: TargetResult[]
  notes: string[]
}

/** The core p99 target in reference units (docs/performance.md, "Core": why 5.5). */
export const CORE_P99_RATIO_TARGET = 5.5

const fmt = (v: number, unit: string, digits = 2): string => `${round(v, digits)} ${unit}`.trim()

/** Every target of the issue, judged on this run's figures. */
export function judge (r: Omit<BenchReport, 'targets'>): TargetResult[] {
  const size = (n: number): CoreSizeResult | undefined => r.core?.sizes.find((s) => s.resources === n)
  const at150 = size(150)
  const at100 = size(100)
  const at10k = size(10_000)
  const linear = at100 && at10k ? at10k.usPerResource / at100.usPerResource : undefined
  const t: TargetResult[] = [
    {
      id: 'core-p99-150',
      description: 'Core: p99 of one evaluation at 150 resources, one core, worst case: the patient matches all indications and every one is evaluated in full',
      target: '< 2 ms',
      measured: at150 ? `${fmt(at150.p99Ms, 'ms', 3)} (median ${fmt(at150.medianMs, 'ms', 3)})` : 'not measured',
      met: at150 ? at150.p99Ms < 2 : null
    },
    {
      id: 'core-p99-150-realistic',
      description: `Core: p99 of one evaluation at 150 resources, realistic patient (D69.4: ${r.core?.realistic ? `${r.core.realistic.matched} of ${r.core.realistic.indications}` : 'some'} indications match)`,
      target: '< 2 ms',
      measured: r.core?.realistic ? `${fmt(r.core.realistic.p99Ms, 'ms', 3)} (median ${fmt(r.core.realistic.medianMs, 'ms', 3)})` : 'not measured',
      met: r.core?.realistic ? r.core.realistic.p99Ms < 2 : null
    },
    // The same two targets in units of the reference workload measured between the same evaluations
    // (bench/core.ts), so that the verdict does not depend on the CPU model (issue 18). 5.5 reference
    // medians is 2 ms on the AMD EPYC of docs/performance.md, where the reference parses in ~0.36 ms.
    {
      id: 'core-p99-150-ratio',
      description: 'Core: p99 at 150 resources, worst case, in reference units (p99 ÷ the reference workload\'s median, same run)',
      target: `≤ ${CORE_P99_RATIO_TARGET}×`,
      measured: at150 ? `${at150.p99Ratio}× (median ${at150.medianRatio}×; reference ${fmt(at150.referenceMedianMs, 'ms', 3)})` : 'not measured',
      met: at150 ? at150.p99Ratio <= CORE_P99_RATIO_TARGET : null
    },
    {
      id: 'core-p99-150-realistic-ratio',
      description: 'Core: p99 at 150 resources, realistic patient, in reference units',
      target: `≤ ${CORE_P99_RATIO_TARGET}×`,
      measured: r.core?.realistic ? `${r.core.realistic.p99Ratio}× (median ${r.core.realistic.medianRatio}×; reference ${fmt(r.core.realistic.referenceMedianMs, 'ms', 3)})` : 'not measured',
      met: r.core?.realistic ? r.core.realistic.p99Ratio <= CORE_P99_RATIO_TARGET : null
    },
    {
      id: 'core-linear',
      description: 'Core: time per resource at 10,000 resources vs at 100',
      target: '≤ 1.5×',
      measured: linear !== undefined ? `${round(linear, 2)}× (${at10k!.usPerResource} µs vs ${at100!.usPerResource} µs)` : 'not measured',
      met: linear !== undefined ? linear <= 1.5 : null
    }
  ]
  const h = r.http
  const answerAt = (n: number): HttpResult['answers'][number] | undefined => h?.answers?.find((a) => a.resources === n)
  const small = answerAt(h?.resources ?? 150)
  const large = answerAt(10_000)
  const cpuMeasured = (c: CallSection | undefined): string => c?.cpuRatio == null ? 'not measured' : `${c.cpuRatio}× (${c.service.cpuMsPerRequest} vs ${c.baseline.cpuMsPerRequest} ms CPU per request; rounds ${c.cpuRatios.join(', ')}×)`
  t.push(
    {
      id: 'http-non-wgs-cpu',
      description: 'HTTP: CPU per request of a call with no WGS order (answered `{"cards":[]}`) vs the bare Fastify baseline on the same body, same run (every thread of each process)',
      target: '≤ 1.3 × baseline',
      measured: cpuMeasured(h?.nonWgs),
      met: h?.nonWgs?.cpuRatio != null ? h.nonWgs.cpuRatio <= 1.3 : null
    },
    {
      id: 'http-wgs-cpu',
      description: 'HTTP: CPU per request of the WGS call vs the bare Fastify baseline on the same body, same run (every thread of each process)',
      target: '≤ 4 × baseline',
      measured: cpuMeasured(h),
      met: h?.cpuRatio != null ? h.cpuRatio <= 4 : null
    },
    {
      id: 'answer-size',
      description: `HTTP: answer size at 10,000 resources of prefetch vs at ${h?.resources ?? 150} (same patient, longer history)`,
      target: '≤ 2×',
      measured: small && large ? `${round(large.answerBytes / small.answerBytes, 2)}× (${kib(large.answerBytes)} vs ${kib(small.answerBytes)})` : 'not measured',
      met: small && large ? large.answerBytes <= 2 * small.answerBytes : null
    },
    {
      id: 'http-throughput',
      description: 'HTTP: service throughput vs bare Fastify baseline, same request, same run',
      target: '≥ 0.5 × baseline',
      measured: h ? `${h.throughputRatio}× (${h.service.requestsPerSec} vs ${h.baseline.requestsPerSec} req/s)` : 'not measured',
      met: h ? h.throughputRatio >= 0.5 : null
    },
    {
      id: 'http-p99',
      description: 'HTTP: p99 latency of the WGS call, 10 connections, saturating (closed loop)',
      target: '≤ 25 ms',
      measured: h ? `${h.service.p99Ms} ms (p50 ${h.service.p50Ms} ms)` : 'not measured',
      met: h ? h.service.p99Ms <= 25 : null
    },
    {
      id: 'memory-rss',
      description: `Memory: RSS growth between ${h?.memory[0]?.afterRequests ?? 'N₁'} and ${h?.memory[1]?.afterRequests ?? 'N₂'} requests (after full GC)`,
      target: '≤ 10 %',
      measured: h ? `${round(h.rssGrowth * 100, 1)} % (${mib(h.memory[0]!.rss)} → ${mib(h.memory[1]!.rss)})` : 'not measured',
      met: h ? h.rssGrowth <= 0.1 : null
    },
    {
      id: 'memory-heap',
      description: 'Memory: heap-used growth over the same requests, main thread and worker threads together (after full GC)',
      target: '≤ 10 %',
      measured: h ? `${round(h.heapGrowth * 100, 1)} % (${mib(allHeaps(h.memory[0]!))} → ${mib(allHeaps(h.memory[1]!))})` : 'not measured',
      met: h ? h.heapGrowth <= 0.1 : null
    },
    {
      id: 'startup',
      description: 'Start-up: process start to listening, all definitions compiled (median of runs)',
      target: '< 1 s',
      measured: r.startup ? `${r.startup.medianMs} ms (max ${r.startup.maxMs} ms, ${r.startup.runs.length} runs)` : 'not measured',
      met: r.startup ? r.startup.medianMs < 1000 : null
    },
    {
      id: 'fallback-parallel',
      description: 'FHIR fallback: parallel key fetching vs sequential (speed-up), injected per-request delay',
      target: '≥ 0.75 × ideal (FHIR requests ÷ round trips in the longest chain)',
      measured: r.fallback ? `${r.fallback.speedup}× with ${r.fallback.keys} keys, ideal ${idealSpeedup(r.fallback)}× (${r.fallback.parallelMedianMs} vs ${r.fallback.sequentialMedianMs} ms)` : 'not measured',
      met: r.fallback ? r.fallback.speedup >= 0.75 * idealSpeedup(r.fallback) : null
    }
  )
  return t
}

/**
 * What parallel fetching could reach at best: every FHIR request of the call
 * done one after another, over the longest chain of dependent round trips
 * (a search, then a read back-filling an _include the server ignored).
 */
export function idealSpeedup (f: FallbackResult): number {
  const chain = f.fhirRequestsPerCall > f.keys ? 2 : 1
  return round(f.fhirRequestsPerCall / chain, 2)
}

const mib = (bytes: number): string => `${round(bytes / 1024 / 1024, 1)} MiB`
const kib = (bytes: number): string => `${round(bytes / 1024, 1)} KiB`
const ms = (v: number | null | undefined): string => v == null ? '—' : `${v} ms`

function threadRows (threads: ThreadCpu[] | undefined): string {
  return (threads ?? []).map((x) => `${x.thread}${x.count > 1 ? ` (${x.count})` : ''} ${x.msPerRequest} ms`).join(', ')
}

function callTable (calls: Array<[string, CallSection]>): string {
  return table(['call', 'server', 'req/s (median of rounds)', 'p50', 'p99', 'CPU per request (all threads)', 'CPU ratio (per round)', 'answer (median bytes)', 'requests', 'non-2xx'], calls.flatMap(([name, c]) => [
    [name, 'service', c.service.requestsPerSec, `${c.service.p50Ms} ms`, `${c.service.p99Ms} ms`, ms(c.service.cpuMsPerRequest), c.cpuRatio == null ? '—' : `**${c.cpuRatio}×** (${c.cpuRatios.join(', ')})`, c.answerBytes, c.service.requests, c.service.non2xx],
    [name, 'baseline (bare Fastify, constant card)', c.baseline.requestsPerSec, `${c.baseline.p50Ms} ms`, `${c.baseline.p99Ms} ms`, ms(c.baseline.cpuMsPerRequest), '', c.baselineAnswerBytes, c.baseline.requests, c.baseline.non2xx]
  ]))
}
const verdict = (m: boolean | null): string => m === null ? '— not measured' : m ? '✅ met' : '❌ not met'

function table (head: string[], rows: Array<Array<string | number>>): string {
  return [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n')
}

function profileTable (p: ProfileSummary): string {
  return [
    table(['area', 'self time', 'share'], p.areas.slice(0, 8).map((a) => [a.area, `${a.selfMs} ms`, `${a.selfPct} %`])),
    '',
    table(['function', 'where', 'self time', 'share'], p.top.map((f) => [`\`${f.name}\``, f.location, `${f.selfMs} ms`, `${f.selfPct} %`]))
  ].join('\n')
}

export function toMarkdown (r: BenchReport): string {
  const out: string[] = []
  out.push(`# Benchmark report (${r.mode})`, '')
  out.push(`${r.startedAt} · ${r.durationSec} s · ${r.machine.cpu}, ${r.machine.cores} cores, ${r.machine.memoryGiB} GiB · Node ${r.machine.node} · ` +
    `load average ${r.machine.loadAverageStart.map((l) => round(l, 1)).join(' / ')} at start, ${r.machine.loadAverageEnd.map((l) => round(l, 1)).join(' / ')} at end · ` +
    `server build: \`${r.build}\` · rules ${r.rulesVersion}, ${r.indications} indications`, '')
  out.push('Reproduce: `npm run bench` (builds, then runs every section; about 5–6 minutes on 2 cores).', '')
  out.push('## Targets', '')
  out.push(table(['target', 'goal', 'measured', 'verdict'], r.targets.map((t) => [t.description, t.target, t.measured, verdict(t.met)])), '')
  if (r.notes.length) out.push('## Notes', '', ...r.notes.map((n) => `- ${n}`), '')
  if (r.core) {
    out.push('## 1. Core evaluation', '')
    out.push(`Rules loaded, validated and compiled in-process in ${r.rulesLoadMs} ms. One evaluation = \`buildRecord\` (index by type and code) + \`evaluate\` of every indication for one draft order, on a fresh copy of the record each time (made before the clock starts; per-resource memos never carry over, as between real requests). ` +
      'Every indication matches the synthetic patient (its diagnoses are drawn from the rules), so each is evaluated in full.', '')
    out.push(table(['resources', 'iterations', 'matched', 'median', 'p99', 'max', 'index (median)', 'per resource', 'CPU median / p99', 'reference median', 'median / p99 in reference units'],
      [...r.core.sizes, ...(r.core.realistic ? [{ ...r.core.realistic, label: `${r.core.realistic.resources} (realistic)` }] : [])].map((s) => [('label' in s ? s.label : s.resources) as string | number, s.iterations, `${s.matched}/${s.indications}`, `${s.medianMs} ms`, `${s.p99Ms} ms`, `${s.maxMs} ms`, `${s.indexMedianMs} ms`, `${s.usPerResource} µs`,
        s.cpuMedianMs === undefined ? '—' : `${s.cpuMedianMs} / ${s.cpuP99Ms} ms`, s.referenceMedianMs === undefined ? '—' : `${s.referenceMedianMs} ms`, s.medianRatio === undefined ? '—' : `${s.medianRatio}× / ${s.p99Ratio}×`])), '')
    out.push(`Reference workload: ${REFERENCE_WORKLOAD}, run once after every evaluation, so it shares the evaluations' machine, moment and load; "reference units" divide the evaluation's median and p99 by its median. CPU is the process's CPU time per evaluation (process.cpuUsage), which a busy machine inflates less than wall time.`, '')
    const ref = r.core.reference
    const compiled = ref && r.core.sizes.find((x) => x.resources === ref.resources)
    if (ref && compiled) {
      out.push(`Same run, same ${ref.resources}-resource patient, every expression on fhirpath.js (\`FHIRPATH_ENGINE=reference\`): ` +
        `median ${ref.medianMs} ms, p99 ${ref.p99Ms} ms — the compiled closures are ${round(ref.medianMs / compiled.medianMs, 1)}× faster at the median, ${round(ref.p99Ms / compiled.p99Ms, 1)}× at p99.`, '')
    }
    if (r.core.profile) {
      out.push(`### Where the time goes (CPU profile, ${r.core.profile.size} resources, ${r.core.profile.iterations} evaluations, ${r.core.profile.totalMs} ms sampled)`, '')
      out.push(profileTable(r.core.profile), '')
      out.push('`evaluateOnce` (bench/core.ts) in this profile is the fresh copy of the record made before each timed evaluation (`structuredClone`), outside the figures above.', '')
    }
    const x = r.core.expressions
    if (x) {
      out.push(`### Costliest rule expressions (${x.size} resources, ${x.iterations} evaluations, instrumented copy of the catalogue)`, '')
      out.push(`${x.inExpressionsMs} ms of ${x.evaluationMs} ms per evaluation is spent inside FHIRPath expressions.`, '')
      out.push(table(['indication and expression', 'ms per evaluation', 'share of evaluation'], x.top.map((e) => [`\`${e.expression}\``, e.msPerEvaluation, `${round(e.share * 100, 1)} %`])), '')
    }
  }
  if (r.http) {
    const h = r.http
    out.push('## 2. HTTP', '')
    out.push(`autocannon, ${h.connections} connections on loopback, ${h.rounds} rounds of ${h.durationSec} s each, service and baseline alternating; ` +
      `request ${round(h.requestBytes / 1024, 1)} KiB (order-select, ${h.resources} resources of prefetch, one WGS draft order). ${h.serviceSettings}`, '')
    const calls: Array<[string, CallSection]> = [['WGS order', h]]
    if (h.nonWgs) calls.push(['no WGS order (a blood count)', h.nonWgs])
    out.push(callTable(calls), '')
    out.push('CPU per request: the process\'s CPU time (user + system, every thread) over a round divided by the requests it answered; the ratio is the service\'s over the baseline\'s in the round run just before it, the median of the rounds. ' +
      `Throughput ratio (service / baseline), WGS call: **${h.throughputRatio}**. Per round: ` +
      h.service.perRound.map((s, i) => `${s.requestsPerSec} / ${h.baseline.perRound[i]!.requestsPerSec}`).join(', ') + ' req/s.', '')
    out.push('CPU per request per thread (median of the rounds; read by each thread from /proc/thread-self/stat, in 10 ms clock ticks; "other threads" is the process total less the threads that answered):', '')
    out.push(table(['call', 'per thread'], calls.map(([name, c]) => [name, threadRows(c.service.threads)])), '')
    if (h.concurrency?.length) {
      out.push('The WGS call at more connections (one round each): the audit writer commits every write queued when it gets to them in one transaction and one fsync (group commit), so its CPU per request falls as concurrency rises.', '')
      out.push(table(['connections', 'req/s', 'p50', 'p99', 'CPU per request', 'per thread'], [
        [h.connections, h.service.requestsPerSec, `${h.service.p50Ms} ms`, `${h.service.p99Ms} ms`, ms(h.service.cpuMsPerRequest), threadRows(h.service.threads)],
        ...h.concurrency.map((c) => [c.connections, c.result.requestsPerSec, `${c.result.p50Ms} ms`, `${c.result.p99Ms} ms`, ms(c.result.cpuMsPerRequest), threadRows(c.result.threads)])
      ]), '')
    }
    if (h.atRates?.length) {
      out.push('The WGS call at a fixed rate, well below saturation, one call at a time (autocannon\'s `overallRate` on one connection, one round each): the latency of a call that does not queue behind others. Information, not a target: the p99 target above is the saturating closed loop.', '')
      out.push(table(['rate asked', 'req/s served', 'p50', 'p99', 'CPU per request', 'per thread'], h.atRates.map((r) => [`${r.requestsPerSec} req/s`, r.result.requestsPerSec, `${r.result.p50Ms} ms`, `${r.result.p99Ms} ms`, ms(r.result.cpuMsPerRequest), threadRows(r.result.threads)])), '')
    }
    if (h.answers?.length) {
      out.push('Answer size against the length of the record (the same realistic patient with longer histories; median of three calls):', '')
      out.push(table(['resources of prefetch', 'request', 'answer', 'cards'], h.answers.map((a) => [a.resources, kib(a.requestBytes), `${kib(a.answerBytes)} (${a.answerBytes} bytes)`, a.cards])), '')
    }
    if (h.profile) {
      const p = h.profile
      out.push(`### Where the time goes (CPU profile per thread, ${p.requests} requests in ${p.durationSec} s)`, '')
      out.push('The service once more under the same load with `--cpu-prof`, each thread from the moment the load began (warm-up and start-up left out). Busy time is the thread\'s sampled time that was not idle — wall time, so it includes time spent inside system calls, blocked (the audit writer\'s fsync) or waiting for a core on a saturated machine (pino\'s synchronous log writes, `writeString`: about 2–3 µs of CPU per line when measured alone), not only CPU. The busiest areas and functions of each:', '')
      out.push(table(['thread', 'busy', 'busy per request', 'areas (share of the thread\'s busy time)'], p.threads.map((t) => [t.thread, `${t.totalMs} ms`, `${Math.round((t.totalMs / Math.max(1, p.requests)) * 1000)} µs`, t.areas.slice(0, 6).map((a) => `${a.area} ${a.selfPct} %`).join(', ')])), '')
      for (const t of p.threads.filter((x) => x.thread !== 'other thread')) {
        out.push(`${t.thread}:`, '', table(['function', 'where', 'share'], t.top.slice(0, 6).map((f) => [`\`${f.name}\``, f.location, `${f.selfPct} %`])), '')
      }
    }
    out.push('## 3. Memory', '')
    out.push(table(['after requests', 'RSS', 'heap used / total, main thread', 'heap used / total, worker threads', 'external', 'RSS of the samples'], h.memory.map((m) => [m.afterRequests, mib(m.rss), `${mib(m.heapUsed)} / ${mib(m.heapTotal)}`, `${mib(m.threadHeapUsed ?? 0)} / ${mib(m.threadHeapTotal ?? 0)} (${m.threads ?? 0} threads)`, mib(m.external), (m.samples ?? []).map((x) => mib(x.rss)).join(', ')])), '')
    out.push(`The first point is taken after the CPU rounds above (which follow a warm-up of ${h.memoryTargets[0]} requests of the same call), the second ${h.memoryTargets[1]} WGS requests later (aimed at): the forced full GCs change how V8 collects for a while after, so no CPU round follows one. ` + 'Sampled in the service process after two forced full GCs (`--expose-gc` and `bench/memory-probe.mjs`, inert otherwise), in every thread — the worker threads are the evaluation threads and the SQLite audit writer; RSS is the whole process. Heap total is what V8 holds for the heap, the young generation included. ' +
      'Each row is the median of three samples a few hundred requests apart (all three shown): RSS moves by several per cent between consecutive samples, at times 20 %, as the allocator keeps or returns pages (a 48,000-request run sampled every 6,000 requests went 213 → 193 → 188 → 184 → 182 → 187 → 185 → 183 MiB with the heap flat at 32 MiB).', '')
  }
  if (r.startup) {
    out.push('## 4. Start-up', '')
    out.push(`Process start to Fastify's "Server listening" (rules read, schema-validated and compiled; audit store opened and migrated): ${r.startup.runs.map((v) => `${v} ms`).join(', ')}; ` +
      `service of the HTTP run: ${r.http?.serviceStartupMs ?? '—'} ms.`, '')
    if (r.startup.profile) out.push('### Where start-up time goes', '', profileTable(r.startup.profile), '')
  }
  if (r.fallback) {
    const f = r.fallback
    out.push('## 5. FHIR fallback', '')
    out.push(`The same request without prefetch, against the loopback FHIR server (@medplum/fhir-router) answering each request after ${f.delayMs} ms; ` +
      `${f.keys} keys fetched, ${f.fhirRequestsPerCall} FHIR requests per hook call, ${f.iterations} calls each, alternating.`, '')
    out.push(table(['fetching', 'fetch every key (median)', 'whole hook call (median)'], [
      ['parallel (default)', `${f.parallelMedianMs} ms`, `${f.parallelHookMedianMs} ms`],
      ['sequential (concurrency 1)', `${f.sequentialMedianMs} ms`, `${f.sequentialHookMedianMs} ms`]
    ]), '')
    out.push(`Speed-up of the fetching: **${f.speedup}×**; ideal ${idealSpeedup(f)}× (${f.fhirRequestsPerCall} requests; a key whose _include the server ignores needs a second, chained round trip, so the longest chain is ${f.fhirRequestsPerCall > f.keys ? 2 : 1}). ` +
      'After the first call the FHIR server replays its answers from memory (same bodies, same delay), so the router\'s own CPU time does not serialise the parallel requests in this process.', '')
  }
  return `${out.join('\n')}\n`
}

export function writeReport (dir: string, r: BenchReport): { json: string, md: string } {
  mkdirSync(dir, { recursive: true })
  const json = join(dir, 'latest.json')
  const md = join(dir, 'latest.md')
  writeFileSync(json, `${JSON.stringify(r, null, 2)}\n`)
  writeFileSync(md, toMarkdown(r))
  return { json, md }
}
