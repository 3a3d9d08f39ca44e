/**
 * Reports at scale (issue 17): the report queries over 1,000,000 audit rows
 * (evaluations; each with its indication row and card, half order-select and
 * half order-sign of 500,000 orders over 12 months, 11 indications, 60
 * departments, feedback on a share of the signed not-eligible cards) on both
 * stores. Target: the whole report (store aggregates + region mapping +
 * suppression) within 2 s. A figure for bench/results/reports.md, not a timed test.
 *
 *   tsx bench/reports.ts [--rows N] [--out DIR]    runnable alone; PostgreSQL at DATABASE_URL, or an embedded one
 *
 * SQLite is filled through the store's own write statements (sqlite-writes.ts batchWriter, 20,000 per
 * transaction); PostgreSQL through one multi-row INSERT … SELECT unnest(…) per table and batch, because
 * 1,000,000 single-row transactions would take hours here — the same rows, the same columns.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import Database from 'better-sqlite3'
import pg from 'pg'
import { buildReport } from '../src/reports/aggregate.js'
import { REGIONS } from '../src/reports/region.js'
import { PostgresStore } from '../src/store/postgres-store.js'
import { SqliteStore, SQLITE_FILE } from '../src/store/sqlite-store.js'
import { batchWriter, evaluationRows, type WriteJob } from '../src/store/sqlite-writes.js'
import { reportMonth, type ReportQuery } from '../src/store/report-data.js'
import { REPORT_QUERIES, reportParams, reportSql } from '../src/store/report-sql.js'
import { SQLITE_DIALECT } from '../src/store/sqlite-reports.js'
import { numbered, POSTGRES_DIALECT } from '../src/store/postgres-reports.js'
import type { EvaluationRecord, EvaluationStore, FeedbackRecord } from '../src/store/store.js'
import { readState } from '../test/setup/postgres-state.js'
import { startPostgres, stopPostgres } from '../test/setup/postgres.js'
import { ROOT } from './processes.js'

const TARGET_MS = 2000
const MONTHS = 12
const START = Date.UTC(2025, 11, 1)
const QUERY: ReportQuery = { from: new Date(START).toISOString(), to: new Date(Date.UTC(2026, 11, 1)).toISOString() }
const REASONS = ['clinical-judgement', 'patient-preference', 'documented-elsewhere']

/** Row i of the synthetic audit: deterministic. */
function row (i: number): { evaluation: EvaluationRecord, feedback?: FeedbackRecord } {
  const order = Math.floor(i / 2)
  const sign = i % 2 === 1
  const month = order % MONTHS
  const day = (order * 7) % 28
  const at = START + Date.UTC(1970, month, 1 + day, 9) + (sign ? ((order % 180) + 5) * 60_000 : 0)
  const evaluatedAt = new Date(at).toISOString()
  const pick = (order * 2654435761) % 10
  const status = !sign ? 'incomplete' : pick < 6 ? 'eligible' : pick < 8 ? 'incomplete' : 'not-eligible'
  const card = `card-${i}`
  const id = `eval-${i}`
  const evaluation: EvaluationRecord = {
    id,
    hookInstance: `hook-${i}`,
    hook: sign ? 'order-sign' : 'order-select',
    serviceId: 'ngc-wgs-eligibility',
    rulesVersion: '0.1.0+bench',
    patientKey: (order % 400_000).toString(16).padStart(64, '0'),
    orderingOrganization: `urn:oid:1.2.208.176.1.1|${1000 + (order % 60)}`,
    orderingOrgChain: `${1000 + (order % 60)}>${100 + (order % 12)}`,
    ...(order % 3 === 0 ? { orderingRegion: REGIONS[order % 5]! } : {}),
    orders: 1,
    durationMs: 5,
    evaluatedAt,
    indications: [{
      indication: `indication-${order % 11}`,
      status,
      failedCriteria: status === 'not-eligible' ? [`criterion-${order % 7}`] : [],
      unknownCriteria: status === 'incomplete' ? [`criterion-${order % 9}`, 'criterion-x'] : [],
      cardUuids: [card],
      orderKey: order.toString(16).padStart(64, 'f')
    }]
  }
  const feedback: FeedbackRecord | undefined = sign && status === 'not-eligible' && order % 4 === 0
    ? { id: `fb-${i}`, cardUuid: card, evaluationId: id, serviceId: 'ngc-wgs-eligibility', outcome: 'overridden', acceptedSuggestions: [], overrideReason: { system: 'https://ehr.example.dk/override', code: REASONS[order % 3]! }, hasUserComment: false, outcomeTimestamp: evaluatedAt, receivedAt: evaluatedAt }
    : undefined
  return { evaluation, ...(feedback ? { feedback } : {}) }
}

const BATCH = 20_000

export function fillSqlite (file: string, rows: number): void {
  const db = new Database(file)
  db.pragma('journal_mode = WAL')
  db.pragma('synchronous = NORMAL')
  db.pragma('foreign_keys = ON')
  // A seed, not the service: a page cache that holds the indexes (1 GiB), so that 1,000,000 rows of random keys do not
  // re-read the file for every insert (the > 24 min seed at 1,000,000 rows with the default 2 MiB).
  db.pragma('cache_size = -1048576')
  const write = batchWriter(db)
  for (let start = 0; start < rows; start += BATCH) {
    const jobs: WriteJob[] = []
    const feedback: FeedbackRecord[] = []
    for (let i = start; i < Math.min(rows, start + BATCH); i++) {
      const r = row(i)
      jobs.push({ kind: 'evaluation', evaluation: r.evaluation })
      if (r.feedback) feedback.push(r.feedback)
    }
    if (feedback.length) jobs.push({ kind: 'feedback', items: feedback })
    const failed = write(jobs).find((r) => !r.ok)
    if (failed) throw new Error(`seed write failed: ${JSON.stringify(failed)}`)
  }
  db.close()
}

export async function fillPostgres (url: string, schema: string, rows: number): Promise<void> {
  const client = new pg.Client({ connectionString: url, options: `-c search_path=${schema}` })
  await client.connect()
  try {
    for (let start = 0; start < rows; start += BATCH) {
      const e: EvaluationRecord[] = []
      const f: FeedbackRecord[] = []
      for (let i = start; i < Math.min(rows, start + BATCH); i++) {
        const r = row(i)
        e.push(r.evaluation)
        if (r.feedback) f.push(r.feedback)
      }
      const col = <T>(fn: (x: EvaluationRecord) => T): T[] => e.map(fn)
      await client.query('BEGIN')
      await client.query(`INSERT INTO evaluations (id, hook_instance, hook, service_id, rules_version, patient_key, ordering_organization, orders, duration_ms, evaluated_at, ordering_org_chain, ordering_region, report_month)
        SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::int[], $9::float8[], $10::timestamptz[], $11::text[], $12::text[], $13::text[])`,
      [col((x) => x.id), col((x) => x.hookInstance), col((x) => x.hook), col((x) => x.serviceId), col((x) => x.rulesVersion), col((x) => x.patientKey), col((x) => x.orderingOrganization ?? null),
        col((x) => x.orders), col((x) => x.durationMs), col((x) => x.evaluatedAt), col((x) => x.orderingOrgChain ?? null), col((x) => x.orderingRegion ?? null), col((x) => reportMonth(x.evaluatedAt))])
      const ind = e.map((x) => ({ id: x.id, ...x.indications[0]! }))
      await client.query(`INSERT INTO evaluation_indications (evaluation_id, indication, status, failed_criteria, unknown_criteria, order_key, hook, evaluated_at, report_month, ordering_org_chain, ordering_region)
        SELECT a, b, c, d::jsonb, e::jsonb, f, g, h, k, l, m FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::timestamptz[], $9::text[], $10::text[], $11::text[]) AS t(a, b, c, d, e, f, g, h, k, l, m)`,
      [ind.map((x) => x.id), ind.map((x) => x.indication), ind.map((x) => x.status), ind.map((x) => JSON.stringify(x.failedCriteria)), ind.map((x) => JSON.stringify(x.unknownCriteria ?? [])), ind.map((x) => x.orderKey ?? null),
        col((x) => x.hook), col((x) => x.evaluatedAt), col((x) => reportMonth(x.evaluatedAt)), col((x) => x.orderingOrgChain ?? null), col((x) => x.orderingRegion ?? null)])
      // The criteria (order-sign only) and the per-order rows (migration 8) as the writes make them (evaluationRows);
      // an order's order-select and order-sign are in the same batch, merged here as the upserts would.
      const rowsOf = e.map(evaluationRows)
      const crit = rowsOf.flatMap((r) => r.criteria)
      const columns = (flat: unknown[], width: number): unknown[][] => Array.from({ length: width }, (_, c) => flat.filter((_, k) => k % width === c))
      const c9 = columns(crit, 9)
      await client.query(`INSERT INTO evaluation_criteria (evaluation_id, indication, kind, criterion, hook, evaluated_at, report_month, ordering_org_chain, ordering_region)
        SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[], $7::text[], $8::text[], $9::text[])`, c9)
      const orders = new Map<string, unknown[]>()
      const signs = new Map<string, unknown[]>()
      for (const r of rowsOf) {
        for (let k = 0; k < r.orders.length; k += 6) {
          const o = r.orders.slice(k, k + 6)
          const id = JSON.stringify(o.slice(0, 5))
          const had = orders.get(id)
          if (!had || String(o[5]) < String(had[5])) orders.set(id, o)
        }
        for (let k = 0; k < r.selects.length; k += 3) {
          const id = `${String(r.selects[k])}|${String(r.selects[k + 1])}`
          const had = signs.get(id) ?? [r.selects[k], r.selects[k + 1], null, null, null, null, null]
          if (had[2] === null || String(r.selects[k + 2]) < String(had[2])) had[2] = r.selects[k + 2]
          signs.set(id, had)
        }
        for (let k = 0; k < r.signs.length; k += 6) {
          const id = `${String(r.signs[k])}|${String(r.signs[k + 1])}`
          const had = signs.get(id) ?? [r.signs[k], r.signs[k + 1], null, null, null, null, null]
          if (had[3] === null || String(r.signs[k + 2]) < String(had[3])) had.splice(3, 4, ...r.signs.slice(k + 2, k + 6))
          signs.set(id, had)
        }
      }
      const transpose = (rows: unknown[][], width: number): unknown[][] => Array.from({ length: width }, (_, c) => rows.map((r) => r[c]))
      await client.query(`INSERT INTO report_orders (order_ref, indication, report_month, ordering_org_chain, ordering_region, first_at)
        SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[])`, transpose([...orders.values()], 6))
      await client.query(`INSERT INTO report_signs (order_key, indication, selected_at, signed_at, report_month, ordering_org_chain, ordering_region, sign_minutes)
        SELECT *, ${POSTGRES_DIALECT.minutes('s', 'g')} FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::timestamptz[], $5::text[], $6::text[], $7::text[]) AS t(k, i, s, g, m, c, r)`, transpose([...signs.values()], 7))
      await client.query('INSERT INTO cards (card_uuid, evaluation_id, indication) SELECT * FROM unnest($1::text[], $2::text[], $3::text[])',
        [ind.map((x) => x.cardUuids[0]), ind.map((x) => x.id), ind.map((x) => x.indication)])
      if (f.length) {
        await client.query(`INSERT INTO feedback (id, card_uuid, evaluation_id, service_id, outcome, accepted_suggestions, override_reason_code, override_reason_system, has_user_comment, outcome_timestamp, received_at)
          SELECT a, b, c, d, e, '[]'::jsonb, g, h, false, i, i FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::timestamptz[]) AS t(a, b, c, d, e, g, h, i)`,
        [f.map((x) => x.id), f.map((x) => x.cardUuid), f.map((x) => x.evaluationId), f.map((x) => x.serviceId), f.map((x) => x.outcome), f.map((x) => x.overrideReason!.code), f.map((x) => x.overrideReason!.system), f.map((x) => x.outcomeTimestamp)])
      }
      await client.query('COMMIT')
    }
    // What autovacuum does on a live database (inserts trigger it since PostgreSQL 13): statistics and the visibility
    // map, without which no index-only scan is taken.
    await client.query('VACUUM ANALYZE')
  } finally {
    await client.end()
  }
}

interface Timing { store: string, rows: number, seedSec: number, runsMs: number[], medianMs: number, groups: number, met: boolean, queriesMs?: Record<string, number> }

/** Each report query alone on SQLite (ms, one run after the timed ones: warm cache). */
function sqliteQueries (file: string): Record<string, number> {
  const db = new Database(file, { readonly: true })
  try {
    const sql = reportSql(SQLITE_DIALECT)
    const params = reportParams(QUERY)
    return Object.fromEntries(REPORT_QUERIES.map((name) => {
      const own = Object.fromEntries(Object.entries(params).filter(([k]) => sql[name].includes(`@${k}`)))
      const started = performance.now()
      db.prepare(sql[name]).all(own)
      return [name, Math.round(performance.now() - started)]
    }))
  } finally {
    db.close()
  }
}

/** EXPLAIN ANALYZE of each report query on PostgreSQL: the plans (for bench/results/reports-explain.txt) and each one's execution time. */
async function postgresPlans (url: string, schema: string): Promise<{ plans: string, queriesMs: Record<string, number> }> {
  const client = new pg.Client({ connectionString: url, options: `-c search_path=${schema}` })
  await client.connect()
  try {
    const params = reportParams(QUERY)
    const queriesMs: Record<string, number> = {}
    const plans: string[] = []
    for (const name of REPORT_QUERIES) {
      const { text, names } = numbered(reportSql(POSTGRES_DIALECT)[name])
      const { rows } = await client.query(`EXPLAIN (ANALYZE, BUFFERS) ${text}`, names.map((n) => params[n]))
      const lines = rows.map((r) => String(r['QUERY PLAN']))
      queriesMs[name] = Math.round(Number(/Execution Time: ([0-9.]+)/.exec(lines.join('\n'))?.[1] ?? NaN))
      plans.push(`-- ${name}`, ...lines, '')
    }
    return { plans: plans.join('\n'), queriesMs }
  } finally {
    await client.end()
  }
}

async function time (name: string, store: EvaluationStore, rows: number, seedSec: number): Promise<Timing> {
  const runsMs: number[] = []
  let groups = 0
  for (let run = 0; run < 3; run++) {
    const started = performance.now()
    const data = await store.reportData!(QUERY)
    const report = buildReport(data, QUERY, {})
    runsMs.push(Math.round(performance.now() - started))
    groups = report.rows.length
  }
  const medianMs = [...runsMs].sort((a, b) => a - b)[1]!
  return { store: name, rows, seedSec, runsMs, medianMs, groups, met: medianMs <= TARGET_MS }
}

export async function runReportsBench (rows: number, outDir: string): Promise<Timing[]> {
  const out: Timing[] = []
  const loadAtStart = loadavg()
  process.stdout.write(`[reports] load average at the start: ${loadAtStart.map((l) => l.toFixed(2)).join(', ')}\n`)
  const dir = mkdtempSync(join(tmpdir(), 'wgs-bench-reports-'))
  try {
    let started = performance.now()
    const sqlite = new SqliteStore(dir) // creates and migrates the file
    await sqlite.close()
    fillSqlite(join(dir, SQLITE_FILE), rows)
    const seeded = new SqliteStore(dir)
    out.push(await time('SQLite', seeded, rows, Math.round((performance.now() - started) / 1000)))
    await seeded.close()
    out.at(-1)!.queriesMs = sqliteQueries(join(dir, SQLITE_FILE))
    process.stdout.write(`[reports] SQLite: ${JSON.stringify(out.at(-1))}\n`)

    let url = process.env.DATABASE_URL
    let ownServer = false
    if (!url) {
      await startPostgres(process.pid)
      ownServer = true
      url = readState(process.pid)!.url
    }
    try {
      const schema = `wgs_bench_${process.pid}`
      const admin = new pg.Client({ connectionString: url })
      await admin.connect()
      await admin.query(`CREATE SCHEMA ${schema}`)
      await admin.end()
      try {
        started = performance.now()
        const store = await PostgresStore.open({ connectionString: url, schema })
        await fillPostgres(url, schema, rows)
        out.push(await time('PostgreSQL', store, rows, Math.round((performance.now() - started) / 1000)))
        await store.close()
        const explained = await postgresPlans(url, schema)
        out.at(-1)!.queriesMs = explained.queriesMs
        mkdirSync(outDir, { recursive: true })
        writeFileSync(join(outDir, 'reports-explain.txt'), explained.plans)
        process.stdout.write(`[reports] PostgreSQL: ${JSON.stringify(out.at(-1))}\n`)
      } finally {
        const c = new pg.Client({ connectionString: url })
        await c.connect()
        await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
        await c.end()
      }
    } finally {
      if (ownServer) await stopPostgres(process.pid)
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
  mkdirSync(outDir, { recursive: true })
  const md = [
    '# Reports at scale',
    '',
    `${new Date().toISOString()} · ${cpus()[0]?.model ?? 'cpu'} · ${availableParallelism()} cores · Node ${process.version}`,
    '',
    `The whole report for 12 months (store aggregates, region mapping, suppression) over ${rows.toLocaleString('en')} audit rows (evaluations, each with its indication row and card). Target: ≤ ${TARGET_MS} ms.`,
    '',
    '| store | rows | seed (s) | runs (ms) | median (ms) | report rows | target |',
    '|---|---|---|---|---|---|---|',
    ...out.map((t) => `| ${t.store} | ${t.rows.toLocaleString('en')} | ${t.seedSec} | ${t.runsMs.join(', ')} | ${t.medianMs} | ${t.groups} | ${t.met ? 'met' : 'NOT met'} |`),
    '',
    'Each query alone (ms; SQLite: one run after the timed ones; PostgreSQL: EXPLAIN ANALYZE execution time, plans in reports-explain.txt):',
    '',
    `| store | ${REPORT_QUERIES.join(' | ')} |`,
    `|---|${REPORT_QUERIES.map(() => '---').join('|')}|`,
    ...out.map((t) => `| ${t.store} | ${REPORT_QUERIES.map((q) => t.queriesMs?.[q] ?? '').join(' | ')} |`),
    '',
    `Load average at the start: ${loadAtStart.map((l) => l.toFixed(2)).join(', ')}; at the end: ${loadavg().map((l) => l.toFixed(2)).join(', ')}`,
    ''
  ].join('\n')
  writeFileSync(join(outDir, 'reports.md'), md)
  writeFileSync(join(outDir, 'reports.json'), JSON.stringify(out, null, 2))
  return out
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/'))) {
  const { values } = parseArgs({ options: { rows: { type: 'string' }, out: { type: 'string' } } })
  runReportsBench(Number(values.rows ?? 1_000_000), values.out ?? join(ROOT, 'bench/results'))
    .then(() => process.exit(0))
    .catch((err: unknown) => { process.stderr.write(`[reports] failed: ${(err as Error).stack ?? String(err)}\n`); process.exit(1) })
}
