/**
 * A/B of two service builds on the HTTP benchmark's calls (a dev aid, not part of `npm run bench`):
 * the bare-Fastify baseline, build A and build B run one after another, round after round, under
 * the same load, so each round's ratios share the machine's moment. CPU per request is each
 * process's whole CPU time (every thread, /proc) over a round divided by the requests it answered.
 *
 *   npx tsx bench/http-ab.ts --a DIR/dist --b dist [--rounds 5] [--seconds 6] [--calls wgs,none]
 *
 * A build folder outside dist/ needs package.json, src and examples beside it (symlinks do).
 */
import autocannon from 'autocannon'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { processCpuMs, spawnBaseline, spawnService, waitForEvaluationThreads, ROOT } from './processes.js'
import { median, round } from './stats.js'
import { useBuild, loadBenchRules } from './core.js'
import { generatePatient, orderSelectRequest, realisticDiagnoses, withoutWgsOrder } from './synthetic-patient.js'

const { values } = parseArgs({
  options: {
    a: { type: 'string', default: join(ROOT, 'dist') },
    b: { type: 'string', default: join(ROOT, 'dist') },
    rounds: { type: 'string', default: '5' },
    seconds: { type: 'string', default: '6' },
    connections: { type: 'string', default: '10' },
    calls: { type: 'string', default: 'wgs,none' }
  }
})
const rounds = Number(values.rounds)
const seconds = Number(values.seconds)
const connections = Number(values.connections)

await useBuild('dist')
const rules = loadBenchRules()
const request = orderSelectRequest(rules.service, generatePatient(150, realisticDiagnoses()))
const bodies: Record<string, string> = { wgs: JSON.stringify(request), none: JSON.stringify(withoutWgsOrder(request)) }
const path = `/cds-services/${rules.service.id}`

interface Round { rps: number, p50: number, p99: number, cpu: number }
async function round1 (url: string, pid: number | undefined, body: string): Promise<Round> {
  const before = processCpuMs(pid)!
  const r = await autocannon({ url, method: 'POST', headers: { 'content-type': 'application/json' }, body, connections, duration: seconds, timeout: 10 })
  const after = processCpuMs(pid)!
  if (r.non2xx > 0) throw new Error(`${url}: ${r.non2xx} answers not 2xx`)
  return { rps: r['2xx'] / r.duration, p50: r.latency.p50, p99: r.latency.p99, cpu: (after - before) / Math.max(1, r.requests.total) }
}

const workDir = mkdtempSync(join(tmpdir(), 'wgs-ab-'))
const a = await spawnService({ build: 'dist', workDir, distDir: resolve(values.a) })
const b = await spawnService({ build: 'dist', workDir, distDir: resolve(values.b) })
await waitForEvaluationThreads(a.url)
await waitForEvaluationThreads(b.url)
const base = await spawnBaseline()
try {
  for (const call of values.calls.split(',')) {
    const body = bodies[call]!
    // Warm-up: every process JIT-compiled on this call before the first round.
    for (const s of [base, a, b]) await autocannon({ url: `${s.url}${path}`, method: 'POST', headers: { 'content-type': 'application/json' }, body, connections, duration: 2 })
    const rows: Array<{ base: Round, a: Round, b: Round }> = []
    for (let i = 0; i < rounds; i++) {
      // Alternate A and B's order so neither always follows the baseline.
      const first = i % 2 === 0 ? a : b
      const second = first === a ? b : a
      const rb = await round1(`${base.url}${path}`, base.pid, body)
      const r1 = await round1(`${first.url}${path}`, first.pid, body)
      const r2 = await round1(`${second.url}${path}`, second.pid, body)
      const row = { base: rb, a: first === a ? r1 : r2, b: first === a ? r2 : r1 }
      rows.push(row)
      process.stdout.write(`${call} round ${i + 1}: baseline ${round(rb.cpu, 3)} ms; A ${round(row.a.cpu, 3)} ms (${round(row.a.cpu / rb.cpu, 2)}×, p99 ${row.a.p99}); B ${round(row.b.cpu, 3)} ms (${round(row.b.cpu / rb.cpu, 2)}×, p99 ${row.b.p99})\n`)
    }
    const m = (f: (r: { base: Round, a: Round, b: Round }) => number): number => round(median(rows.map(f)), 3)
    process.stdout.write(`${call}: CPU/req baseline ${m((r) => r.base.cpu)}, A ${m((r) => r.a.cpu)} (${m((r) => r.a.cpu / r.base.cpu)}×), B ${m((r) => r.b.cpu)} (${m((r) => r.b.cpu / r.base.cpu)}×); B/A ${m((r) => r.b.cpu / r.a.cpu)}; ` +
      `p50/p99 A ${m((r) => r.a.p50)}/${m((r) => r.a.p99)} ms, B ${m((r) => r.b.p50)}/${m((r) => r.b.p99)} ms, baseline ${m((r) => r.base.p99)} ms; req/s A ${m((r) => r.a.rps)}, B ${m((r) => r.b.rps)}, baseline ${m((r) => r.base.rps)}\n`)
  }
} finally {
  await base.stop()
  await a.stop()
  await b.stop()
  rmSync(workDir, { recursive: true, force: true })
}
