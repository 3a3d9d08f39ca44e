/**
 * `npm run bench`: every benchmark of the performance issue in one run, with
 * a report (bench/results/latest.md + latest.json) that states each target as
 * met or not with its measured figure. Ratios are taken within this run:
 * these machines are noisy.
 *
 *   npm run bench                    full run: builds, then `tsx bench/run.ts` (HTTP and start-up use dist/server.js);
 *                                    the report goes to bench/results/
 *   npm run bench:smoke              tiny sizes and durations from the TypeScript source, to check the harness
 *                                    (as test/bench/smoke.test.ts does); the report goes to a new temporary
 *                                    folder (printed) unless --out DIR names one
 *   options: --out DIR  --build dist|src  --only core,http,startup,fallback
 */
import { availableParallelism, cpus, freemem, loadavg, tmpdir, totalmem } from 'node:os'
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { expressionCosts, loadBenchRules, profileCore, runCore, useBuild, type CoreOptions } from './core.js'
import { runHttp } from './http.js'
import { profileHttp } from './http-profile.js'
import { runStartup } from './startup.js'
import { runFallback } from './fallback.js'
import { judge, writeReport, type BenchReport } from './report.js'
import { ROOT, type ServerBuild } from './processes.js'
import { generatePatient, orderSelectRequest, realisticDiagnoses, withoutWgsOrder } from './synthetic-patient.js'
import { round } from './stats.js'
import { threadCount } from '../src/evaluation-pool/pool.js'

export type Section = 'core' | 'http' | 'startup' | 'fallback'

export interface BenchSettings {
  mode: 'full' | 'smoke'
  build: ServerBuild
  outDir: string
  sections: Section[]
  core: CoreOptions & { profileSize: number, profileMs: number, costIterations: number }
  http: { connections: number, warmupSec: number, durationSec: number, rounds: number, memoryAt: [number, number], memoryBudgetSec: [number, number], resources: number, profileSec: number, answerSizes: number[], concurrency: number[], rates: number[] }
  startup: { runs: number, profile: boolean }
  fallback: { resources: number, iterations: number, delayMs: number }
}

export const FULL: Omit<BenchSettings, 'build' | 'outDir' | 'sections'> = {
  mode: 'full',
  core: { sizes: [10, 100, 150, 1000, 10_000], budgetMs: 3000, minIterations: 20, maxIterations: 20_000, profileSize: 150, profileMs: 3000, costIterations: 100 },
  http: { connections: 10, warmupSec: 2, durationSec: 8, rounds: 3, memoryAt: [5000, 45_000], memoryBudgetSec: [30, 110], resources: 150, profileSec: 6, answerSizes: [2000, 10_000], concurrency: [32, 64], rates: [50] },
  startup: { runs: 5, profile: true },
  fallback: { resources: 150, iterations: 10, delayMs: 20 }
}

export const SMOKE: Omit<BenchSettings, 'build' | 'outDir' | 'sections'> = {
  mode: 'smoke',
  core: { sizes: [10, 40], budgetMs: 100, minIterations: 3, maxIterations: 50, profileSize: 10, profileMs: 100, costIterations: 3 },
  http: { connections: 2, warmupSec: 0.3, durationSec: 0.5, rounds: 1, memoryAt: [20, 40], memoryBudgetSec: [10, 10], resources: 20, profileSec: 0.5, answerSizes: [60], concurrency: [4], rates: [20] },
  startup: { runs: 1, profile: false },
  fallback: { resources: 10, iterations: 1, delayMs: 2 }
}

/** The EVALUATION_THREADS the service ran with, as the report states it. */
function threadsUsed (): string {
  const setting = process.env.EVALUATION_THREADS
  return setting ? `EVALUATION_THREADS=${setting} (set for this run)` : `\`auto\` = ${threadCount('auto')} on this machine's ${availableParallelism()} cores (src/evaluation-pool/pool.ts)`
}

const log = (msg: string): void => { process.stdout.write(`[bench] ${msg}\n`) }

export async function runBench (s: BenchSettings): Promise<BenchReport> {
  const started = Date.now()
  const loadStart = loadavg()
  const workDir = mkdtempSync(join(tmpdir(), 'wgs-bench-'))
  const notes: string[] = []
  try {
    await useBuild(s.build)
    const t0 = performance.now()
    const rules = loadBenchRules()
    const rulesLoadMs = round(performance.now() - t0, 1)
    log(`rules ${rules.rulesVersion}: ${rules.catalogue.indications.length} indications, loaded in ${rulesLoadMs} ms`)
    const report: Omit<BenchReport, 'targets'> = {
      schemaVersion: 1,
      mode: s.mode,
      startedAt: new Date(started).toISOString(),
      durationSec: 0,
      machine: { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, memoryGiB: round(totalmem() / 2 ** 30, 1), node: process.version, platform: `${process.platform}-${process.arch}`, loadAverageStart: loadStart, loadAverageEnd: [] },
      build: s.build,
      rulesVersion: rules.rulesVersion,
      indications: rules.catalogue.indications.length,
      rulesLoadMs,
      notes
    }
    if (s.sections.includes('core')) {
      log(`core: sizes ${s.core.sizes.join(', ')}`)
      const sizes = runCore(rules, s.core)
      for (const r of sizes) log(`  ${r.resources} resources: median ${r.medianMs} ms, p99 ${r.p99Ms} ms (${r.iterations} runs, ${r.matched}/${r.indications} matched)`)
      const [realistic] = runCore(rules, { ...s.core, sizes: [s.core.profileSize] }, realisticDiagnoses())
      log(`  realistic patient, ${realistic!.resources} resources: median ${realistic!.medianMs} ms, p99 ${realistic!.p99Ms} ms (${realistic!.matched}/${realistic!.indications} matched)`)
      // Same run, same patient, every expression on fhirpath.js: what the closure compiler buys.
      const [reference] = runCore(loadBenchRules('reference'), { ...s.core, sizes: [s.core.profileSize] })
      log(`  FHIRPATH_ENGINE=reference, ${reference!.resources} resources: median ${reference!.medianMs} ms, p99 ${reference!.p99Ms} ms`)
      log(`core: CPU profile at ${s.core.profileSize} resources`)
      mkdirSync(s.outDir, { recursive: true })
      const profile = await profileCore(rules, s.core.profileSize, s.core.profileMs, join(s.outDir, `core-${s.core.profileSize}.cpuprofile`))
      const costs = expressionCosts(rules, s.core.profileSize, s.core.costIterations)
      report.core = { sizes, realistic: realistic!, reference: reference!, profile: { ...profile, size: s.core.profileSize }, expressions: { size: s.core.profileSize, iterations: s.core.costIterations, ...costs } }
    }
    if (s.sections.includes('fallback')) {
      log(`fallback: ${s.fallback.delayMs} ms per FHIR request`)
      report.fallback = await runFallback(rules, s.fallback)
      log(`  parallel ${report.fallback.parallelMedianMs} ms, sequential ${report.fallback.sequentialMedianMs} ms, ${report.fallback.keys} keys`)
    }
    if (s.sections.includes('http')) {
      if (s.build === 'dist' && !existsSync(join(ROOT, 'dist/server.js'))) throw new Error('dist/server.js is missing: run `npm run build` first (npm run bench does)')
      // A realistic order: a patient whose diagnoses match the indications such a patient really matches (at 150 resources, 1 of 11: inherited thrombocytopenia).
      const request = orderSelectRequest(rules.service, generatePatient(s.http.resources, realisticDiagnoses()))
      const body = JSON.stringify(request)
      // The same patient and prefetch, the draft order a blood count: answered without evaluation.
      const nonWgsBody = JSON.stringify(withoutWgsOrder(request))
      // Answer size against the length of the record: the same patient, longer histories.
      const answerSizes = [s.http.resources, ...s.http.answerSizes].map((n) => ({ resources: n, body: n === s.http.resources ? body : JSON.stringify(orderSelectRequest(rules.service, generatePatient(n, realisticDiagnoses()))) }))
      log(`http: ${s.http.rounds} × ${s.http.durationSec} s per server and call (WGS, non-WGS), ${s.http.connections} connections, then ${s.http.concurrency.join(' and ')}; warm-up ${s.http.memoryAt[0]} requests; memory after the rounds and ${s.http.memoryAt[1]} requests later`)
      const http = await runHttp({ build: s.build, workDir, body, nonWgsBody, path: `/cds-services/${rules.service.id}`, ...s.http, answerSizes })
      report.http = { ...http, resources: s.http.resources, serviceSettings: 'Request: one order-select call with about 150 resources of prefetch for a realistic patient (suspected inherited thrombocytopenia, D69.4, with a long lab history, comorbidities, procedures, medications and family history; at 150 resources it matches 1 of the 11 indications, inherited thrombocytopenia). Service run as documented for local development: `CDS_AUTH=off` on 127.0.0.1 (no client JWT), embedded SQLite audit store in a temporary `DATA_DIR` (every evaluation is written, synchronous=FULL), `LOG_LEVEL=info` to a file, load shedding off (`UNDER_PRESSURE_MAX_EVENT_LOOP_UTILIZATION=0`, `UNDER_PRESSURE_MAX_EVENT_LOOP_DELAY_MS=0`: with it on, a saturating closed-loop test gets mostly 503s) and per-client rate limiting off (`RATE_LIMIT_MAX=0`: the load generator is a single client), everything else at its default (metrics, CORS on)' + `; evaluation threads: ${threadsUsed()}.` }
      log(`  WGS: service ${http.service.requestsPerSec} req/s p99 ${http.service.p99Ms} ms, ${http.service.cpuMsPerRequest} ms CPU/request; baseline ${http.baseline.requestsPerSec} req/s, ${http.baseline.cpuMsPerRequest} ms CPU/request; CPU ratio ${http.cpuRatio} (rounds ${http.cpuRatios.join(', ')})`)
      if (http.nonWgs) log(`  non-WGS: service ${http.nonWgs.service.requestsPerSec} req/s, ${http.nonWgs.service.cpuMsPerRequest} ms CPU/request; baseline ${http.nonWgs.baseline.cpuMsPerRequest} ms; CPU ratio ${http.nonWgs.cpuRatio} (rounds ${http.nonWgs.cpuRatios.join(', ')})`)
      for (const c of http.concurrency) log(`  ${c.connections} connections: ${c.result.requestsPerSec} req/s, p99 ${c.result.p99Ms} ms, ${c.result.cpuMsPerRequest} ms CPU/request`)
      for (const r of http.atRates) log(`  at ${r.requestsPerSec} req/s: p50 ${r.result.p50Ms} ms, p99 ${r.result.p99Ms} ms, ${r.result.cpuMsPerRequest} ms CPU/request`)
      for (const a of http.answers) log(`  answer at ${a.resources} resources: ${a.answerBytes} bytes (${a.cards} cards)`)
      log(`http: CPU profile per thread, ${s.http.profileSec} s of load`)
      report.http.profile = await profileHttp({ build: s.build, workDir, body, path: `/cds-services/${rules.service.id}`, connections: s.http.connections, durationSec: s.http.profileSec })
      const memoryGap = http.memory[1]!.afterRequests - http.memory[0]!.afterRequests
      if (memoryGap < s.http.memoryAt[1]) {
        notes.push(`Memory: the second sample was taken ${memoryGap} requests after the first, not ${s.http.memoryAt[1]}: at the measured throughput ${s.http.memoryAt[1]} evaluations do not fit the time allowed (budget ${s.http.memoryBudgetSec[1]} s).`)
      }
      if (http.service.non2xx > 0) notes.push(`The service answered ${http.service.non2xx} non-2xx responses during the throughput rounds (see the log): throughput then includes refused requests.`)
    }
    if (s.sections.includes('startup')) {
      log(`startup: ${s.startup.runs} runs`)
      report.startup = await runStartup({ build: s.build, workDir, ...s.startup })
      log(`  median ${report.startup.medianMs} ms`)
    }
    report.machine.loadAverageEnd = loadavg()
    report.durationSec = round((Date.now() - started) / 1000, 1)
    if (Math.max(...loadStart, ...report.machine.loadAverageEnd) > report.machine.cores) {
      notes.push(`The machine was busy with other work (load average up to ${round(Math.max(...loadStart, ...report.machine.loadAverageEnd), 1)} on ${report.machine.cores} cores): absolute figures are pessimistic; the same-run ratios are the figures to compare.`)
    }
    notes.push(`Free memory at the end: ${round(freemem() / 2 ** 30, 1)} GiB.`)
    const full: BenchReport = { ...report, targets: judge(report) }
    const files = writeReport(s.outDir, full)
    log(`report: ${files.md}`)
    for (const t of full.targets) log(`  ${t.met === null ? '—' : t.met ? 'met    ' : 'NOT MET'}  ${t.id}: ${t.measured} (target ${t.target})`)
    return full
  } finally {
    rmSync(workDir, { recursive: true, force: true })
  }
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/'))) {
  const { values } = parseArgs({
    options: {
      smoke: { type: 'boolean', default: false },
      out: { type: 'string' },
      build: { type: 'string', default: 'dist' },
      only: { type: 'string' }
    }
  })
  const base = values.smoke ? SMOKE : FULL
  const sections = (values.only?.split(',') ?? ['core', 'fallback', 'http', 'startup']) as Section[]
  // A smoke run's figures mean nothing: they never replace the committed results unless asked (--out).
  const outDir = values.out ?? (values.smoke ? mkdtempSync(join(tmpdir(), 'wgs-bench-smoke-')) : join(ROOT, 'bench/results'))
  runBench({ ...base, build: values.build === 'src' ? 'src' : 'dist', outDir, sections })
    .then(() => process.exit(0))
    .catch((err: unknown) => { process.stderr.write(`[bench] failed: ${(err as Error).stack ?? String(err)}\n`); process.exit(1) })
}
