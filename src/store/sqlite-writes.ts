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

export type WriteJob =
  | { kind: 'evaluation', evaluation: EvaluationRecord }
  | { kind: 'feedback', items: FeedbackRecord[] }

/** Per job, in order: written, or why not (the SQLite error's code and message). */
export type WriteResult = { ok: true } | { ok: false, code?: string, message: string }

export type BatchWriter = (jobs: WriteJob[]) => WriteResult[]

/** Prepare the statements on `db` and return the batch writer. */
export function batchWriter (db: Database.Database): BatchWriter {
  const insertEvaluation = db.prepare(`INSERT INTO evaluations (id, hook_instance, hook, service_id, rules_version, patient_key, ordering_organization, client_iss, tenant, orders, duration_ms, evaluated_at, ordering_org_chain, ordering_region)
    VALUES (@id, @hookInstance, @hook, @serviceId, @rulesVersion, @patientKey, @orderingOrganization, @clientIss, @tenant, @orders, @durationMs, @evaluatedAt, @orderingOrgChain, @orderingRegion)`)
  const insertIndication = db.prepare('INSERT INTO evaluation_indications (evaluation_id, indication, status, failed_criteria, unknown_criteria, order_key) VALUES (?, ?, ?, ?, ?, ?)')
  const insertCard = db.prepare('INSERT INTO cards (card_uuid, evaluation_id, indication) VALUES (?, ?, ?)')
  const insertFeedback = db.prepare(`INSERT INTO feedback (id, card_uuid, evaluation_id, service_id, outcome, accepted_suggestions, override_reason_code, override_reason_system, override_reason_display, has_user_comment, outcome_timestamp, received_at, client_iss)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)

  // Called inside the batch transaction, better-sqlite3 runs each of these as a SAVEPOINT.
  const evaluation = db.transaction((e: EvaluationRecord) => {
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
      orderingRegion: e.orderingRegion ?? null
    })
    for (const i of e.indications) {
      insertIndication.run(e.id, i.indication, i.status, JSON.stringify(i.failedCriteria), i.unknownCriteria ? JSON.stringify(i.unknownCriteria) : null, i.orderKey ?? null)
      for (const uuid of i.cardUuids) insertCard.run(uuid, e.id, i.indication)
    }
  })
  const feedback = db.transaction((items: FeedbackRecord[]) => {
    for (const f of items) {
      insertFeedback.run(f.id, f.cardUuid, f.evaluationId, f.serviceId, f.outcome, JSON.stringify(f.acceptedSuggestions),
        f.overrideReason?.code ?? null, f.overrideReason?.system ?? null, f.overrideReason?.display ?? null,
        f.hasUserComment ? 1 : 0, f.outcomeTimestamp, f.receivedAt, f.clientIss ?? null)
    }
  })

  const batch = db.transaction((jobs: WriteJob[]): WriteResult[] => jobs.map((job) => {
    try {
      if (job.kind === 'evaluation') evaluation(job.evaluation)
      else feedback(job.items)
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
