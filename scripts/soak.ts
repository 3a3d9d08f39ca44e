/**
 * Soak test (`npm run soak`; not part of `npm test`): the built service
 * (`node dist/server.js`) in a child process on 127.0.0.1 — embedded SQLite
 * audit store on disk, logging at info to a file, load shedding and rate
 * limiting on as in production (rate limit raised: all traffic comes from one
 * address) — under a steady, bounded load for a fixed time, then stopped.
 *
 * The load is a paced loop of real calls: every bundled playground patient
 * (examples/patients/, all indications and outcomes) through order-select and
 * order-sign, feedback on the cards returned, discovery, and a share of
 * malformed calls (each must get its 400). Every answer is checked: a wrong
 * status, a card whose outcome differs from the patient's label, a timeout
 * or a connection error is an error. Traffic goes to loopback only; the run
 * stops by itself after --duration (hard stop at duration + 60 s).
 *
 * Reported per minute: requests, errors, latency p50/p95/p99, the server's
 * RSS and heap, sampled every 10 s after a full garbage collection
 * (scripts/soak-memory-probe.mjs, over IPC). Verdict: zero errors, a clean
 * exit on SIGTERM, and memory flat — over the second half of the run (the
 * first half is warm-up: JIT, caches, SQLite's page cache filling up to its
 * cap as the audit database grows) neither RSS nor heap grows by more than
 * 5 % (the middle minute's median against the last minute's).
 * The report (soak-latest.{json,md}) goes to a new temporary folder, printed
 * at the end; `--save` writes it to bench/results/ (the committed result),
 * `--out DIR` to DIR.
 *
 *   npm run soak                       # 5 minutes at 50 requests/s
 *   npm run soak -- --duration 30      # a dry run
 *   npm run soak -- --save             # a run whose report replaces bench/results/soak-latest.*
 *   npm run soak -- --rate 40 --connections 8 --out /tmp/soak
 */
import { spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, closeSync } from 'node:fs'
import { cpus, loadavg, tmpdir, totalmem } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { setTimeout as sleep } from 'node:timers/promises'
import { randomBytes } from 'node:crypto'
import { parseArgs } from 'node:util'
import { loadConfig } from '../src/config/config.js'
import { loadRulesFor } from '../src/definitions/rules-for-config.js'
import { loadDemoPatients } from '../src/web/demo-patients.js'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const SERVICE_PATH = '/cds-services/ngc-wgs-eligibility'
const CARD_EXTENSION = 'dk.ngc-wgs-cds.eligibility'

const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '300' },
    rate: { type: 'string', default: '50' },
    connections: { type: 'string', default: '8' },
    out: { type: 'string' },
    save: { type: 'boolean', default: false },
    build: { type: 'string', default: 'dist' }
  }
})
const DURATION_S = Number(args.duration)
const RATE = Number(args.rate)
const CONNECTIONS = Number(args.connections)
const REQUEST_TIMEOUT_MS = 10_000
const SAMPLE_EVERY_MS = 10_000
/** Most growth over the second half of the run that still counts as flat. */
const FLAT_PERCENT = 5
if (!(DURATION_S >= 10 && RATE > 0 && CONNECTIONS >= 1)) throw new Error('--duration ≥ 10 s, --rate > 0, --connections ≥ 1')

type Json = Record<string, any>
interface Sample { t: number, ms: number, kind: string, ok: boolean, error?: string }
interface MemSample { t: number, rss: number, heapUsed: number }

// ── the service ─────────────────────────────────────────────────────────────
const workDir = mkdtempSync(join(tmpdir(), 'wgs-soak-'))
const logFile = join(workDir, 'service.log')
const logFd = openSync(logFile, 'w')
const probe = ['--expose-gc', '--import', join(ROOT, 'scripts/soak-memory-probe.mjs')]
const entry = args.build === 'src' ? [...probe, '--import', 'tsx', join(ROOT, 'src/server.ts')] : [...probe, join(ROOT, 'dist/server.js')]
const child = spawn(process.execPath, entry, {
  cwd: ROOT,
  env: {
    PATH: process.env.PATH ?? '',
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'info',
    CDS_AUTH: 'off',
    DATA_DIR: join(workDir, 'data'),
    PATIENT_KEY_SECRET: randomBytes(24).toString('hex'),
    RULES_ROOT: ROOT,
    RATE_LIMIT_MAX: '1000000'
  },
  stdio: ['ignore', logFd, 'pipe', 'ipc']
})
let stderr = ''
child.stderr!.on('data', (c: Buffer) => { stderr += c.toString() })
const hardStop = setTimeout(() => { child.kill('SIGKILL'); process.stderr.write('soak: hard stop\n'); process.exit(2) }, (DURATION_S + 120) * 1000)
hardStop.unref()

async function listening (): Promise<string> {
  const until = Date.now() + 60_000
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`the service exited (${child.exitCode}): ${stderr}`)
    const m = /listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(readFileSync(logFile, 'utf8'))
    if (m) return m[1]!
    await sleep(50)
  }
  throw new Error('the service did not listen within 60 s')
}

// ── the calls ───────────────────────────────────────────────────────────────
const rules = loadRulesFor(loadConfig({ RULES_ROOT: ROOT }))
const demo = loadDemoPatients()

function hookRequest (bundle: Json, hook: 'order-select' | 'order-sign'): Json {
  const resources = (bundle.entry as Array<{ resource: Json }>).map((e) => e.resource)
  const pt = resources.find((r) => r.resourceType === 'Patient')!
  const prefetch: Json = {}
  for (const [key, def] of Object.entries(rules.service.prefetch)) {
    if (def.resourceTypes.includes('Patient')) { prefetch[key] = pt; continue }
    const found = resources.filter((r) => def.resourceTypes.includes(r.resourceType))
    prefetch[key] = { resourceType: 'Bundle', type: 'searchset', total: found.length, entry: found.map((resource) => ({ resource })) }
  }
  const order = { resourceType: 'ServiceRequest', id: 'wgs-1', status: 'draft', intent: 'order', subject: { reference: `Patient/${String(pt.id)}` }, code: { coding: [{ system: 'http://loinc.org', code: '86206-0' }] } }
  return { hook, hookInstance: crypto.randomUUID(), context: { userId: 'Practitioner/dr-1', patientId: pt.id, ...(hook === 'order-select' ? { selections: ['ServiceRequest/wgs-1'] } : {}), draftOrders: { resourceType: 'Bundle', type: 'collection', entry: [{ resource: order }] } }, prefetch }
}

const MALFORMED: Array<{ body: string, status: number }> = [
  { body: '{"hook": "order-select"', status: 400 },
  { body: JSON.stringify({ hook: 'order-select', hookInstance: 'not-a-uuid', context: {} }), status: 400 },
  { body: JSON.stringify({ hook: 'patient-view', hookInstance: crypto.randomUUID(), context: { patientId: 'p', userId: 'Practitioner/x' } }), status: 400 }
]

interface Call { kind: string, run: (base: string, signal: AbortSignal) => Promise<string | undefined> }

const recentCards: string[] = []
let counter = 0

function nextCall (bundles: Array<{ bundle: Json, indication: string | null, outcome: string }>): Call {
  const n = counter++
  const slot = n % 20
  if (slot === 0) return { kind: 'discovery', run: async (base, signal) => { const r = await fetch(`${base}/cds-services`, { signal }); await r.arrayBuffer(); return r.status === 200 ? undefined : `discovery ${r.status}` } }
  if (slot === 1) {
    const m = MALFORMED[n % MALFORMED.length]!
    return { kind: 'malformed', run: async (base, signal) => { const r = await fetch(`${base}${SERVICE_PATH}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: m.body, signal }); await r.arrayBuffer(); return r.status === m.status ? undefined : `malformed: ${r.status}, expected ${m.status}` } }
  }
  if ((slot === 2 || slot === 3) && recentCards.length) {
    const card = recentCards[n % recentCards.length]!
    return {
      kind: 'feedback',
      run: async (base, signal) => {
        const r = await fetch(`${base}${SERVICE_PATH}/feedback`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ feedback: [{ card, outcome: 'overridden', overrideReason: { reason: { code: 'other', system: 'https://ngc-wgs-cds.dk/fhir/CodeSystem/wgs-override-reason' } }, outcomeTimestamp: new Date().toISOString() }] }), signal })
        await r.arrayBuffer()
        return r.status === 200 ? undefined : `feedback ${r.status}`
      }
    }
  }
  const p = bundles[n % bundles.length]!
  const hook = n % 2 === 0 ? 'order-select' : 'order-sign'
  return {
    kind: hook,
    run: async (base, signal) => {
      const r = await fetch(`${base}${SERVICE_PATH}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(hookRequest(p.bundle, hook)), signal })
      const json = await r.json() as { cards?: Array<{ uuid: string, extension?: Json }> }
      if (r.status !== 200) return `${hook} ${r.status}`
      // One card per order: the patient's indication is the card's own or one of the others it carries.
      const card = (json.cards ?? []).find((c) => c.extension?.[CARD_EXTENSION]?.indication === p.indication || (c.extension?.[CARD_EXTENSION]?.others as Json[] | undefined)?.some((o) => o.indication === p.indication))
      const result = card?.extension?.[CARD_EXTENSION]
      const status = (result?.indication === p.indication ? result : (result?.others as Json[] | undefined)?.find((o) => o.indication === p.indication))?.status as string | undefined
      if (status !== p.outcome) return `${hook}: outcome ${status ?? 'none'}, expected ${p.outcome}`
      if (recentCards.length < 500) recentCards.push(card!.uuid)
      else recentCards[n % 500] = card!.uuid
      return undefined
    }
  }
}

let probeId = 0
/** RSS and heap of the server after a full collection (scripts/soak-memory-probe.mjs). */
async function memory (): Promise<{ rss: number, heapUsed: number } | undefined> {
  const id = ++probeId
  return await new Promise((resolve) => {
    const timer = setTimeout(() => { child.off('message', onMessage); resolve(undefined) }, 5000)
    const onMessage = (m: { type?: string, id?: number, rss: number, heapUsed: number }): void => {
      if (m?.type !== 'soak-memory' || m.id !== id) return
      clearTimeout(timer)
      child.off('message', onMessage)
      resolve({ rss: m.rss, heapUsed: m.heapUsed })
    }
    child.on('message', onMessage)
    child.send({ type: 'soak-memory', id })
  })
}

// ── statistics ──────────────────────────────────────────────────────────────
const pct = (sorted: number[], p: number): number => sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]! : Number.NaN
const r1 = (v: number): number => Math.round(v * 10) / 10
const mib = (b: number): number => r1(b / 1048576)

interface Minute { minute: number, requests: number, errors: number, p50Ms: number, p95Ms: number, p99Ms: number, maxMs: number, rssMiB: number, heapUsedMiB: number }

function perMinute (samples: Sample[], mem: MemSample[]): Minute[] {
  const minutes = Math.ceil(DURATION_S / 60)
  return Array.from({ length: minutes }, (_, m) => {
    const inMinute = samples.filter((s) => s.t >= m * 60_000 && s.t < (m + 1) * 60_000)
    const lat = inMinute.map((s) => s.ms).sort((a, b) => a - b)
    const mm = mem.filter((s) => s.t >= m * 60_000 && s.t < (m + 1) * 60_000)
    const median = (xs: number[]): number => pct([...xs].sort((a, b) => a - b), 50)
    return {
      minute: m + 1,
      requests: inMinute.length,
      errors: inMinute.filter((s) => !s.ok).length,
      p50Ms: r1(pct(lat, 50)),
      p95Ms: r1(pct(lat, 95)),
      p99Ms: r1(pct(lat, 99)),
      maxMs: r1(lat.at(-1) ?? Number.NaN),
      rssMiB: mib(median(mm.map((s) => s.rss))),
      heapUsedMiB: mib(median(mm.map((s) => s.heapUsed)))
    }
  })
}

// ── the run ─────────────────────────────────────────────────────────────────
async function main (): Promise<void> {
  const base = await listening()
  process.stdout.write(`soak: ${base}, ${DURATION_S} s at ${RATE} requests/s over ${CONNECTIONS} connections; log ${logFile}\n`)
  // The playground patients as the service serves them (dates shifted to today).
  const bundles = await Promise.all(demo.list.map(async (p) => ({ bundle: await playgroundBundle(base, p.id), indication: p.indication, outcome: p.outcome })))
  const samples: Sample[] = []
  const mem: MemSample[] = []
  const errorKinds = new Map<string, number>()
  const started = performance.now()
  const startedAt = new Date().toISOString()
  const load0 = loadavg()
  const end = started + DURATION_S * 1000
  const interval = (1000 * CONNECTIONS) / RATE
  let stopSampling = false
  const sampler = (async () => {
    while (!stopSampling) {
      const m = await memory()
      if (m) mem.push({ t: performance.now() - started, ...m })
      await sleep(SAMPLE_EVERY_MS)
    }
  })()
  let lastReport = 0
  const worker = async (w: number): Promise<void> => {
    let due = started + (w * interval) / CONNECTIONS
    while (due < end) {
      const wait = due - performance.now()
      if (wait > 0) await sleep(wait)
      due += interval
      const call = nextCall(bundles)
      const t0 = performance.now()
      let error: string | undefined
      try { error = await call.run(base, AbortSignal.timeout(REQUEST_TIMEOUT_MS)) } catch (err) { error = `${call.kind}: ${(err as Error).name} ${(err as Error).message}` }
      const t1 = performance.now()
      samples.push({ t: t1 - started, ms: t1 - t0, kind: call.kind, ok: error === undefined, ...(error ? { error } : {}) })
      if (error) errorKinds.set(error, (errorKinds.get(error) ?? 0) + 1)
      if (t1 - started - lastReport >= 30_000) {
        lastReport = t1 - started
        process.stdout.write(`soak: ${Math.round(lastReport / 1000)} s, ${samples.length} requests, ${samples.filter((s) => !s.ok).length} errors, rss ${mib(mem.at(-1)?.rss ?? 0)} MiB\n`)
      }
    }
  }
  await Promise.all(Array.from({ length: CONNECTIONS }, async (_, w) => { await worker(w) }))
  stopSampling = true
  await sampler
  const durationSec = r1((performance.now() - started) / 1000)

  child.kill('SIGTERM')
  const exit = await new Promise<{ code: number | null }>((resolve) => { if (child.exitCode !== null) resolve({ code: child.exitCode }); else child.once('exit', (code) => resolve({ code })) })
  closeSync(logFd)
  const logLines = readFileSync(logFile, 'utf8').split('\n').filter(Boolean)
  const serviceErrors = logLines.filter((l) => { try { return (JSON.parse(l) as { level: number }).level >= 50 } catch { return false } }).length

  const minutes = perMinute(samples, mem)
  const all = samples.map((s) => s.ms).sort((a, b) => a - b)
  const middle = minutes[Math.ceil(minutes.length / 2) - 1]!
  const last = minutes.at(-1)!
  const growth = (a: number, b: number): number => r1(((b - a) / a) * 100)
  const rssGrowth = growth(middle.rssMiB, last.rssMiB)
  const heapGrowth = growth(middle.heapUsedMiB, last.heapUsedMiB)
  // A run under two minutes (a dry run) has no second half to judge.
  const flat = minutes.length < 2 ? null : rssGrowth <= FLAT_PERCENT && heapGrowth <= FLAT_PERCENT
  const errors = samples.filter((s) => !s.ok).length
  const report = {
    schemaVersion: 1,
    startedAt,
    durationSec,
    settings: { rate: RATE, connections: CONNECTIONS, requestTimeoutMs: REQUEST_TIMEOUT_MS, build: args.build, store: 'sqlite (DATA_DIR on disk)', logLevel: 'info', loadShedding: 'on (defaults)', rateLimit: 'on, RATE_LIMIT_MAX=1000000 (one source address)' },
    machine: { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, memoryGiB: r1(totalmem() / 2 ** 30), node: process.version, loadAverageStart: load0.map(r1), loadAverageEnd: loadavg().map(r1) },
    mix: Object.fromEntries([...new Set(samples.map((s) => s.kind))].map((k) => [k, samples.filter((s) => s.kind === k).length])),
    requests: samples.length,
    errors,
    errorKinds: Object.fromEntries(errorKinds),
    serviceErrorLogLines: serviceErrors,
    serviceExitCode: exit.code,
    latencyMs: { p50: r1(pct(all, 50)), p95: r1(pct(all, 95)), p99: r1(pct(all, 99)), max: r1(all.at(-1) ?? Number.NaN) },
    minutes,
    memory: { sampledAfterFullGc: true, sampleEveryMs: SAMPLE_EVERY_MS, rssGrowthPercent: rssGrowth, heapUsedGrowthPercent: heapGrowth, comparedMinutes: [middle.minute, last.minute], flatPercent: FLAT_PERCENT, flat },
    verdict: { zeroErrors: errors === 0 && serviceErrors === 0, memoryFlat: flat, pass: errors === 0 && serviceErrors === 0 && flat !== false && exit.code === 0 }
  }
  const outDir = args.out ?? (args.save ? join(ROOT, 'bench/results') : mkdtempSync(join(tmpdir(), 'wgs-soak-report-')))
  mkdirSync(outDir, { recursive: true })
  writeFileSync(join(outDir, 'soak-latest.json'), `${JSON.stringify(report, null, 2)}\n`)
  const md = [
    '# Soak test (latest run)',
    '',
    `${startedAt} · ${durationSec} s · ${report.machine.cpu}, ${report.machine.cores} cores · Node ${process.version} · load average ${load0.map(r1).join(' / ')} at start, ${loadavg().map(r1).join(' / ')} at end`,
    '',
    `Reproduce: \`npm run soak -- --duration ${DURATION_S} --rate ${RATE} --connections ${CONNECTIONS}\` (builds, then runs \`${args.build === 'src' ? 'src/server.ts' : 'node dist/server.js'}\` on 127.0.0.1: SQLite audit store on disk, logging at info, load shedding on).`,
    '',
    `**Verdict: ${report.verdict.pass ? 'PASS' : 'FAIL'}** — ${errors} errors in ${samples.length} requests (${serviceErrors} error lines in the service log); ${memorySentence(flat, rssGrowth, heapGrowth, middle.minute, last.minute)}; the service exited ${String(exit.code)} on SIGTERM.`,
    '',
    `Mix: ${Object.entries(report.mix).map(([k, v]) => `${k} ${v}`).join(', ')}. Every answer checked (status, and each patient's labelled outcome on its card).`,
    '',
    `Latency over the whole run: p50 ${report.latencyMs.p50} ms, p95 ${report.latencyMs.p95} ms, p99 ${report.latencyMs.p99} ms, max ${report.latencyMs.max} ms.`,
    '',
    '| minute | requests | errors | p50 ms | p95 ms | p99 ms | max ms | RSS MiB | heap used MiB |',
    '|---|---|---|---|---|---|---|---|---|',
    ...minutes.map((m) => `| ${m.minute} | ${m.requests} | ${m.errors} | ${m.p50Ms} | ${m.p95Ms} | ${m.p99Ms} | ${m.maxMs} | ${m.rssMiB} | ${m.heapUsedMiB} |`),
    '',
    ...(errorKinds.size ? ['Errors:', '', ...[...errorKinds].map(([k, v]) => `- ${v} × ${k}`), ''] : [])
  ].join('\n')
  writeFileSync(join(outDir, 'soak-latest.md'), `${md}\n`)
  process.stdout.write(`${md}\n`)
  process.stdout.write(`soak: report written to ${join(outDir, 'soak-latest.md')} and soak-latest.json${(args.out ?? args.save) ? '' : ' (a temporary folder; --save writes bench/results/)'}\n`)
  rmSync(workDir, { recursive: true, force: true })
  process.exitCode = report.verdict.pass ? 0 : 1
}

/**
 * One playground patient as served. Right after start-up the service may shed load (503 with
 * Retry-After) while its evaluation threads compile the rules: wait and ask again, as a client would.
 */
async function playgroundBundle (base: string, id: string): Promise<Json> {
  for (let attempt = 1; ; attempt++) {
    const r = await fetch(`${base}/playground/patients/${id}.json`)
    const body = await r.json() as Json
    if (r.status === 200 && Array.isArray(body.entry)) return body
    if (attempt >= 30 || r.status !== 503) throw new Error(`playground patient ${id}: HTTP ${r.status}`)
    await sleep(1000 * Math.min(5, Number(r.headers.get('retry-after')) || 1))
  }
}

/** The verdict's memory clause: judged only when the run has a second half (two minutes or more). */
function memorySentence (flat: boolean | null, rssGrowth: number, heapGrowth: number, fromMinute: number, toMinute: number): string {
  if (flat === null) return 'memory not judged: a run shorter than 2 minutes has no second half to compare'
  const signed = (n: number): string => `${n >= 0 ? '+' : ''}${n} %`
  return `memory ${flat ? 'flat' : 'NOT flat'} over the second half (RSS ${signed(rssGrowth)}, heap ${signed(heapGrowth)} from minute ${fromMinute} to minute ${toMinute}, limit ${FLAT_PERCENT} %; samples every ${SAMPLE_EVERY_MS / 1000} s after a full GC)`
}

main().catch((err: unknown) => {
  child.kill('SIGKILL')
  process.stderr.write(`soak failed: ${(err as Error).stack ?? String(err)}\n`)
  process.exit(1)
})
