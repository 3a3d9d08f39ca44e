/**
 * A tiny run of the benchmark harness (`npm run bench --smoke` sizes and
 * durations), so the suite cannot rot: every section runs end to end and the
 * report has its structure. No timing is asserted — this machine's figures
 * belong in bench/results/, not in a test.
 */
import t from 'tap'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runBench, SMOKE } from '../../bench/run.js'
import type { BenchReport } from '../../bench/report.js'
import { generatePatient, matchingDiagnoses } from '../../bench/synthetic-patient.js'
import { testRules } from '../helpers/app.js'
import { threadCount } from '../../src/evaluation-pool/pool.js'

void t.test('the synthetic patient has the requested size, is deterministic and matches every indication', async (t) => {
  const rules = testRules()
  const diagnoses = matchingDiagnoses(rules)
  t.equal(diagnoses.length, rules.catalogue.indications.length, 'one diagnosis per indication')
  const a = generatePatient(300, diagnoses, 7)
  t.equal(a.resources.length, 300)
  t.same(generatePatient(300, diagnoses, 7), a, 'same seed, same patient')
  t.ok(a.resources.filter((r) => r.resourceType === 'Observation').length > 150, 'mostly laboratory results')
})

void t.test('bench harness: a smoke run writes a complete report', async (t) => {
  const out = mkdtempSync(join(tmpdir(), 'wgs-bench-smoke-'))
  t.teardown(() => rmSync(out, { recursive: true, force: true }))
  // src: a fresh clone has no dist/ when the tests run.
  const report = await runBench({ ...SMOKE, build: 'src', outDir: out, sections: ['core', 'fallback', 'http', 'startup'] })
  const json = JSON.parse(readFileSync(join(out, 'latest.json'), 'utf8')) as BenchReport
  t.same(json, JSON.parse(JSON.stringify(report)), 'latest.json is the returned report')
  t.equal(json.mode, 'smoke')
  t.equal(json.indications, json.core?.sizes[0]?.indications)
  t.same(json.core?.sizes.map((s) => s.resources), SMOKE.core.sizes)
  for (const s of json.core?.sizes ?? []) {
    t.ok(s.iterations >= SMOKE.core.minIterations, `${s.resources}: iterations`)
    t.ok(s.medianMs > 0 && s.p99Ms >= s.medianMs, `${s.resources}: median and p99`)
  }
  t.ok(json.core?.profile?.top.length, 'CPU profile summarised')
  t.ok(json.core?.expressions?.top.length, 'expression costs')
  t.ok((json.http?.service.requests ?? 0) > 0 && (json.http?.baseline.requests ?? 0) > 0, 'both servers answered')
  t.equal(json.http?.service.errors, 0, 'no connection errors')
  t.equal(json.http?.memory.length, 2, 'two memory samples')
  const threads = process.env.EVALUATION_THREADS === undefined ? threadCount('auto') : Number(process.env.EVALUATION_THREADS)
  // At least the evaluation threads; the audit writer thread answers too when the built service runs it.
  t.ok((json.http?.memory[1]?.threads ?? 0) >= threads, `the memory probe reached every evaluation thread (${threads})`)
  if (threads > 0) t.ok((json.http?.memory[1]?.threadHeapUsed ?? 0) > 0, 'and has their heaps')
  const profiled = (json.http?.profile?.threads ?? []).map((x) => x.thread)
  t.ok(profiled.includes('event loop (main thread)'), `HTTP profile of the event loop (${profiled.join(', ')})`)
  t.ok(profiled.includes('audit writer (SQLite)'), 'and of the audit writer')
  if (threads > 0) t.ok(profiled.includes('evaluation thread'), 'and of the evaluation threads')
  t.equal(json.startup?.runs.length, SMOKE.startup.runs)
  t.ok((json.fallback?.keys ?? 0) > 1, 'the fallback fetched several keys')
  const ids = json.targets.map((x) => x.id)
  for (const id of ['core-p99-150', 'core-p99-150-realistic', 'core-linear', 'http-non-wgs-cpu', 'http-wgs-cpu', 'answer-size', 'http-throughput', 'http-p99', 'memory-rss', 'memory-heap', 'startup', 'fallback-parallel']) t.ok(ids.includes(id), `target ${id}`)
  // CPU per request, per thread, for both calls; answer sizes; more connections.
  for (const [name, c] of [['WGS', json.http], ['non-WGS', json.http?.nonWgs]] as const) {
    t.ok((c?.service.cpuMsPerRequest ?? 0) > 0 && (c?.baseline.cpuMsPerRequest ?? 0) > 0, `${name}: CPU per request of both servers`)
    t.ok(typeof c?.cpuRatio === 'number', `${name}: their ratio`)
    t.ok(c?.service.threads?.some((x) => x.thread === 'event loop (main thread)'), `${name}: CPU per request of the event loop`)
    t.ok((c?.answerBytes ?? 0) > 0, `${name}: answer size`)
  }
  t.equal(json.http?.nonWgs?.answerBytes, Buffer.byteLength('{"cards":[]}'), 'the call without a WGS order is answered {"cards":[]}')
  t.same(json.http?.answers.map((a) => a.resources), [SMOKE.http.resources, ...SMOKE.http.answerSizes], 'answer sizes at every size')
  t.same(json.http?.concurrency.map((c) => c.connections), SMOKE.http.concurrency, 'the WGS call at more connections')
  t.same(json.http?.atRates.map((r) => r.requestsPerSec), SMOKE.http.rates, 'the WGS call at a fixed rate')
  t.ok(json.http?.atRates.every((r) => r.result.requests > 0 && r.result.p99Ms > 0), 'each fixed-rate round answered and was timed')
  for (const target of json.targets) t.ok(target.met === null || typeof target.met === 'boolean', `${target.id}: verdict`)
  const md = readFileSync(join(out, 'latest.md'), 'utf8')
  t.match(md, /CPU per request per thread/)
  t.match(md, /The WGS call at a fixed rate/)
  for (const heading of ['## Targets', '## 1. Core evaluation', '## 2. HTTP', '### Where the time goes (CPU profile per thread', '## 3. Memory', '## 4. Start-up', '## 5. FHIR fallback']) t.match(md, heading)
})
