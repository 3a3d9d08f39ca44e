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
import { SQLITE_DIALECT } from './sqlite-reports.js'

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

/**
 * The per-order report rows (migration 8) are kept by upserts: an order's row per month × chain × region keeps
 * the earliest time it was seen there, its report_signs row the earliest order-select and the earliest order-sign
 * (with that sign's month, chain and region, and the minutes between the two). Earliest, not latest written: concurrent writes may commit out of
 * order. The same SQL on both stores (excluded.*; a NULL never compares less, hence the IS NULL).
 */
export const REPORT_ORDERS_UPSERT = ' ON CONFLICT (order_ref, indication, report_month, ordering_org_chain, ordering_region) DO UPDATE SET first_at = excluded.first_at WHERE excluded.first_at < report_orders.first_at'

/** The order-select and order-sign upserts of report_signs; `minutes` is the store's whole minutes between two times (report-sql.ts ReportDialect). */
export function reportSignsUpserts (minutes: (from: string, to: string) => string): { selects: string, signs: string } {
  return {
    selects: ` ON CONFLICT (order_key, indication) DO UPDATE SET selected_at = excluded.selected_at,
      sign_minutes = CASE WHEN report_signs.signed_at IS NULL THEN NULL ELSE ${minutes('excluded.selected_at', 'report_signs.signed_at')} END
      WHERE report_signs.selected_at IS NULL OR excluded.selected_at < report_signs.selected_at`,
    signs: ` ON CONFLICT (order_key, indication) DO UPDATE SET signed_at = excluded.signed_at, report_month = excluded.report_month,
      ordering_org_chain = excluded.ordering_org_chain, ordering_region = excluded.ordering_region,
      sign_minutes = CASE WHEN report_signs.selected_at IS NULL THEN NULL ELSE ${minutes('report_signs.selected_at', 'excluded.signed_at')} END
      WHERE report_signs.signed_at IS NULL OR excluded.signed_at < report_signs.signed_at`
  }
}

/** An evaluation's rows, per table, as the flat parameter lists of the multi-row INSERTs (both stores). */
export interface EvaluationRows {
  evaluation: unknown[]
  indications: unknown[]
  criteria: unknown[]
  cards: unknown[]
  orders: unknown[]
  selects: unknown[]
  signs: unknown[]
}

export function evaluationRows (e: EvaluationRecord): EvaluationRows {
  const month = reportMonth(e.evaluatedAt)
  const chain = e.orderingOrgChain ?? null
  const region = e.orderingRegion ?? null
  const at = e.evaluatedAt
  const sign = e.hook === 'order-sign'
  const select = e.hook === 'order-select'
  const rows: EvaluationRows = {
    evaluation: [e.id, e.hookInstance, e.hook, e.serviceId, e.rulesVersion, e.patientKey, e.orderingOrganization ?? null, e.clientIss ?? null,
      e.tenant ?? null, e.orders, e.durationMs, at, chain, region, month],
    indications: [],
    criteria: [],
    cards: [],
    orders: [],
    selects: [],
    signs: []
  }
  const { indications, criteria, cards, orders, selects, signs } = rows
  for (const i of e.indications) {
    const unknown = i.unknownCriteria
    const key = i.orderKey ?? null
    // With the report keys of its evaluation (migration 7).
    indications.push(e.id, i.indication, i.status, JSON.stringify(i.failedCriteria), unknown ? JSON.stringify(unknown) : null, key, e.hook, at, month, chain, region)
    // The reports read the criteria at order-sign only (migration 8); the JSON above keeps every hook's.
    if (sign) {
      for (const c of i.failedCriteria) criteria.push(e.id, i.indication, 'not-met', c, e.hook, at, month, chain, region)
      if (unknown) for (const c of unknown) criteria.push(e.id, i.indication, 'unknown', c, e.hook, at, month, chain, region)
    }
    for (const uuid of i.cardUuids) {
      const offer = e.cardOffers?.[uuid]
      cards.push(uuid, e.id, i.indication, offer ? JSON.stringify(offer.suggestions) : '[]', offer ? JSON.stringify(offer.overrideReasons) : '[]')
    }
    orders.push(key ?? e.id, i.indication, month, chain ?? '', region ?? '', at)
    if (key !== null && select) selects.push(key, i.indication, at)
    if (key !== null && sign) signs.push(key, i.indication, at, month, chain, region)
  }
  return rows
}

/** Rows per multi-row INSERT: far below SQLite's 32,766 parameters at the widest row (9 columns). */
const MAX_ROWS = 200

/**
 * One INSERT of several rows, `columns` wide: a statement per row count, prepared once and kept, so that an
 * evaluation's rows of one table are one statement (one parse of the parameters, one VM run), not one each.
 */
export function multiInsert (db: Database.Database, head: string, columns: number, tail = ''): (values: unknown[]) => void {
  const row = `(${Array<string>(columns).fill('?').join(', ')})`
  const prepared: Database.Statement[] = []
  const statement = (rows: number): Database.Statement =>
    (prepared[rows] ??= db.prepare(`${head} VALUES ${Array<string>(rows).fill(row).join(', ')}${tail}`))
  return (values) => {
    const rows = values.length / columns
    for (let at = 0; at < rows; at += MAX_ROWS) {
      const n = Math.min(MAX_ROWS, rows - at)
      statement(n).run(n === rows ? values : values.slice(at * columns, (at + n) * columns))
    }
  }
}

/** Prepare the statements on `db` and return the batch writer. */
export function batchWriter (db: Database.Database): BatchWriter {
  const insertEvaluation = db.prepare(`INSERT INTO evaluations (id, hook_instance, hook, service_id, rules_version, patient_key, ordering_organization, client_iss, tenant, orders, duration_ms, evaluated_at, ordering_org_chain, ordering_region, report_month)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
  const insertIndications = multiInsert(db, `INSERT INTO evaluation_indications (evaluation_id, indication, status, failed_criteria, unknown_criteria, order_key,
    hook, evaluated_at, report_month, ordering_org_chain, ordering_region)`, 11)
  const insertCriteria = multiInsert(db, 'INSERT INTO evaluation_criteria (evaluation_id, indication, kind, criterion, hook, evaluated_at, report_month, ordering_org_chain, ordering_region)', 9)
  const insertCards = multiInsert(db, 'INSERT INTO cards (card_uuid, evaluation_id, indication, suggestion_uuids, override_reasons)', 5)
  const reportOrders = multiInsert(db, 'INSERT INTO report_orders (order_ref, indication, report_month, ordering_org_chain, ordering_region, first_at)', 6, REPORT_ORDERS_UPSERT)
  const upserts = reportSignsUpserts(SQLITE_DIALECT.minutes)
  const reportSelects = multiInsert(db, 'INSERT INTO report_signs (order_key, indication, selected_at)', 3, upserts.selects)
  const reportSigns = multiInsert(db, 'INSERT INTO report_signs (order_key, indication, signed_at, report_month, ordering_org_chain, ordering_region)', 6, upserts.signs)
  const rememberToken = db.prepare(REMEMBER_TOKEN_SQL.sqlite)
  // On the expires_at index: only the expired rows are visited.
  const purgeTokens = db.prepare('DELETE FROM seen_tokens WHERE expires_at <= ?')
  let lastPurge = 0
  const insertFeedback = db.prepare(`INSERT INTO feedback (id, card_uuid, evaluation_id, service_id, outcome, accepted_suggestions, override_reason_code, override_reason_system, override_reason_display, has_user_comment, outcome_timestamp, received_at, client_iss)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)

  // Called inside the batch transaction, better-sqlite3 runs each of these as a SAVEPOINT.
  const evaluation = db.transaction((e: EvaluationRecord) => {
    const rows = evaluationRows(e)
    insertEvaluation.run(rows.evaluation)
    insertIndications(rows.indications)
    if (rows.criteria.length) insertCriteria(rows.criteria)
    if (rows.cards.length) insertCards(rows.cards)
    if (rows.orders.length) reportOrders(rows.orders)
    if (rows.selects.length) reportSelects(rows.selects)
    if (rows.signs.length) reportSigns(rows.signs)
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
