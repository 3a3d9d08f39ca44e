/**
 * The SQL of the SQLite audit writes, shared by the two writers of
 * sqlite-store.ts: inline (DATA_DIR=:memory:) and the writer thread
 * (sqlite-writer.ts, every on-disk store). Statements are prepared once per
 * connection, not per write.
 *
 * Group commit: {@link writeBatch} applies several writes in one transaction,
 * so they share one commit — one fsync under synchronous=FULL — and each in
 * its own SAVEPOINT, so a write that fails (a duplicate card uuid, feedback on
 * an unknown card) is undone alone and reported to its own caller while the
 * others commit. Nothing is reported as written before the COMMIT returned.
 */
import type Database from 'better-sqlite3'
import type { EvaluationRecord, FeedbackRecord } from './store.js'
import { reportMonth } from './report-data.js'

export type WriteJob =
  | { kind: 'evaluation', evaluation: EvaluationRecord }
  | { kind: 'feedback', items: FeedbackRecord[] }
  /** A seen token (replay protection): inserted unless a live row holds the key; `nowMs` decides what is expired. */
  | { kind: 'seen-token', key: string, expiresAtMs: number, nowMs: number }

/** Per job, in order: written (with the rows it changed), or why not (the SQLite error's code and message). */
export type WriteResult = { ok: true, changes?: number } | { ok: false, code?: string, message: string }

/** Expired seen tokens are deleted at most this often, by the write that finds the interval passed. */
export const SEEN_TOKEN_PURGE_INTERVAL_MS = 60_000

/**
 * Insert-if-absent in one statement: a new key is inserted; a key whose row has expired (a purge not yet run)
 * is taken over; a live row is left alone and nothing changes — a replay. Shared with PostgreSQL (postgres-store.ts).
 */
export const REMEMBER_TOKEN_SQL = {
  sqlite: 'INSERT INTO seen_tokens (token_key, expires_at) VALUES (?, ?) ON CONFLICT (token_key) DO UPDATE SET expires_at = excluded.expires_at WHERE seen_tokens.expires_at <= ?',
  postgres: 'INSERT INTO seen_tokens (token_key, expires_at) VALUES ($1, $2) ON CONFLICT (token_key) DO UPDATE SET expires_at = excluded.expires_at WHERE seen_tokens.expires_at <= $3'
} as const

export type BatchWriter = (jobs: WriteJob[]) => WriteResult[]

/** Prepare the statements on `db` and return the batch writer. */
export function batchWriter (db: Database.Database): BatchWriter {
  const insertEvaluation = db.prepare(`INSERT INTO evaluations (id, hook_instance, hook, service_id, rules_version, patient_key, ordering_organization, client_iss, tenant, orders, duration_ms, evaluated_at, ordering_org_chain, ordering_region, report_month)
    VALUES (@id, @hookInstance, @hook, @serviceId, @rulesVersion, @patientKey, @orderingOrganization, @clientIss, @tenant, @orders, @durationMs, @evaluatedAt, @orderingOrgChain, @orderingRegion, @reportMonth)`)
  const insertIndication = db.prepare(`INSERT INTO evaluation_indications (evaluation_id, indication, status, failed_criteria, unknown_criteria, order_key,
    hook, evaluated_at, report_month, ordering_org_chain, ordering_region) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
  const insertCriterion = db.prepare(`INSERT INTO evaluation_criteria (evaluation_id, indication, kind, criterion, hook, evaluated_at, report_month, ordering_org_chain, ordering_region)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`)
  const insertCard = db.prepare('INSERT INTO cards (card_uuid, evaluation_id, indication, suggestion_uuids, override_reasons) VALUES (?, ?, ?, ?, ?)')
  const rememberToken = db.prepare(REMEMBER_TOKEN_SQL.sqlite)
  // On the expires_at index: only the expired rows are visited.
  const purgeTokens = db.prepare('DELETE FROM seen_tokens WHERE expires_at <= ?')
  let lastPurge = 0
  const insertFeedback = db.prepare(`INSERT INTO feedback (id, card_uuid, evaluation_id, service_id, outcome, accepted_suggestions, override_reason_code, override_reason_system, override_reason_display, has_user_comment, outcome_timestamp, received_at, client_iss)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)

  // Called inside the batch transaction, better-sqlite3 runs each of these as a SAVEPOINT.
  const evaluation = db.transaction((e: EvaluationRecord) => {
    const month = reportMonth(e.evaluatedAt)
    insertEvaluation.run({
      id: e.id,
      hookInstance: e.hookInstance,
      hook: e.hook,
      serviceId: e.serviceId,
      rulesVersion: e.rulesVersion,
      patientKey: e.patientKey,
      orderingOrganization: e.orderingOrganization ?? null,
      clientIss: e.clientIss ?? null,
      tenant: e.tenant ?? null,
      orders: e.orders,
      durationMs: e.durationMs,
      evaluatedAt: e.evaluatedAt,
      orderingOrgChain: e.orderingOrgChain ?? null,
      orderingRegion: e.orderingRegion ?? null,
      reportMonth: month
    })
    for (const i of e.indications) {
      insertIndication.run(e.id, i.indication, i.status, JSON.stringify(i.failedCriteria), i.unknownCriteria ? JSON.stringify(i.unknownCriteria) : null, i.orderKey ?? null,
        // The report keys of its evaluation (migration 7).
        e.hook, e.evaluatedAt, month, e.orderingOrgChain ?? null, e.orderingRegion ?? null)
      for (const c of i.failedCriteria) insertCriterion.run(e.id, i.indication, 'not-met', c, e.hook, e.evaluatedAt, month, e.orderingOrgChain ?? null, e.orderingRegion ?? null)
      for (const c of i.unknownCriteria ?? []) insertCriterion.run(e.id, i.indication, 'unknown', c, e.hook, e.evaluatedAt, month, e.orderingOrgChain ?? null, e.orderingRegion ?? null)
      for (const uuid of i.cardUuids) {
        const offer = e.cardOffers?.[uuid]
        insertCard.run(uuid, e.id, i.indication, JSON.stringify(offer?.suggestions ?? []), JSON.stringify(offer?.overrideReasons ?? []))
      }
    }
  })
  const feedback = db.transaction((items: FeedbackRecord[]) => {
    for (const f of items) {
      insertFeedback.run(f.id, f.cardUuid, f.evaluationId, f.serviceId, f.outcome, JSON.stringify(f.acceptedSuggestions),
        f.overrideReason?.code ?? null, f.overrideReason?.system ?? null, f.overrideReason?.display ?? null,
        f.hasUserComment ? 1 : 0, f.outcomeTimestamp, f.receivedAt, f.clientIss ?? null)
    }
  })

  const seenToken = (job: WriteJob & { kind: 'seen-token' }): number => {
    if (job.nowMs - lastPurge >= SEEN_TOKEN_PURGE_INTERVAL_MS) {
      lastPurge = job.nowMs
      purgeTokens.run(job.nowMs)
    }
    return rememberToken.run(job.key, job.expiresAtMs, job.nowMs).changes
  }

  const batch = db.transaction((jobs: WriteJob[]): WriteResult[] => jobs.map((job) => {
    try {
      if (job.kind === 'evaluation') evaluation(job.evaluation)
      else if (job.kind === 'feedback') feedback(job.items)
      else return { ok: true, changes: seenToken(job) }
      return { ok: true }
    } catch (err) {
      // SQLite abandons the whole transaction on some errors (I/O, disk full): then the batch fails as a whole.
      if (!db.inTransaction) throw err
      return failure(err)
    }
  }))
  return (jobs) => batch.immediate(jobs)
}

export function failure (err: unknown): WriteResult & { ok: false } {
  const e = err as { code?: unknown, message?: unknown }
  return { ok: false, ...(typeof e.code === 'string' ? { code: e.code } : {}), message: typeof e.message === 'string' ? e.message : String(err) }
}

/** A failed write as an Error for its caller (record-evaluation.ts logs code and message). */
export function writeError (r: WriteResult & { ok: false }): Error {
  return Object.assign(new Error(r.message), r.code ? { code: r.code } : {})
}
