/**
 * The embedded audit store: one SQLite file (`<DATA_DIR>/audit.sqlite`) in
 * WAL mode with synchronous=FULL (a recorded evaluation survives a power
 * cut), foreign keys on and a busy timeout. better-sqlite3 is synchronous:
 * reads are short queries on this connection; writes go through an
 * {@link AuditWriter} (sqlite-writer.ts) — on disk a writer thread with its
 * own connection, which commits concurrent writes together (one fsync each
 * batch) and off the event loop, and settles each write only once committed.
 */
import Database from 'better-sqlite3'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { MIGRATIONS, MIGRATIONS_TABLE, pendingMigrations, type Migration } from './migrations.js'
import type { CardRef, EvaluationRecord, EvaluationStore, FeedbackRecord, StoreHealth } from './store.js'
import { inlineWriter, ThreadWriter, type AuditWriter } from './sqlite-writer.js'
import { sqliteReportData } from './sqlite-reports.js'
import type { ReportData, ReportQuery } from './report-data.js'

type Row = Record<string, any>

export const SQLITE_FILE = 'audit.sqlite'

/** Apply pending migrations, each in an IMMEDIATE transaction with its schema_migrations row. */
export function migrateSqlite (db: Database.Database, migrations: Migration[] = MIGRATIONS): number {
  db.exec(MIGRATIONS_TABLE.sqlite)
  const current = (): number => (db.prepare('SELECT COALESCE(MAX(version), 0) AS v FROM schema_migrations').get() as { v: number }).v
  for (const m of pendingMigrations(current(), migrations)) {
    db.transaction(() => {
      if (current() >= m.version) return // another process applied it meanwhile
      db.exec(m.sqlite)
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(m.version, m.name, new Date().toISOString())
    }).immediate()
  }
  return current()
}

export class SqliteStore implements EvaluationStore {
  readonly kind = 'sqlite' as const
  private readonly db: Database.Database
  private readonly writer: AuditWriter
  private readonly statements = new Map<string, Database.Statement>()
  readonly rememberToken?: (tokenKey: string, expiresAtMs: number, nowMs: number) => Promise<boolean>

  /**
   * @param dataDir - folder for the database file (created if missing), or `:memory:`
   * @param migrations - the migrations to apply (tests pass other lists)
   */
  constructor (dataDir: string, migrations: Migration[] = MIGRATIONS) {
    const file = dataDir === ':memory:' ? undefined : join(dataDir, SQLITE_FILE)
    if (file === undefined) {
      this.db = new Database(':memory:')
    } else {
      mkdirSync(dataDir, { recursive: true, mode: 0o700 })
      this.db = new Database(file)
      this.db.pragma('journal_mode = WAL')
      this.db.pragma('synchronous = FULL')
    }
    this.db.pragma('foreign_keys = ON')
    this.db.pragma('busy_timeout = 5000')
    try {
      migrateSqlite(this.db, migrations)
    } catch (err) {
      this.db.close()
      throw err
    }
    // The writer thread opens the file once it exists and is migrated.
    this.writer = file === undefined ? inlineWriter(this.db) : new ThreadWriter(file)
    // Seen tokens go through the writer like any audit write (off the event loop, sharing its group commit);
    // an in-memory database is not shared with anyone, so the process keeps them in memory instead.
    if (file !== undefined) {
      this.rememberToken = async (key, expiresAtMs, nowMs) => await this.writer.write({ kind: 'seen-token', key, expiresAtMs, nowMs }) === 1
    }
  }

  /** Statements are prepared once per SQL text. */
  private stmt (sql: string): Database.Statement {
    let s = this.statements.get(sql)
    if (!s) { s = this.db.prepare(sql); this.statements.set(sql, s) }
    return s
  }

  async recordEvaluation (e: EvaluationRecord): Promise<void> {
    await this.writer.write({ kind: 'evaluation', evaluation: e })
  }

  async findCard (cardUuid: string): Promise<CardRef | undefined> {
    const r = this.stmt(`SELECT c.card_uuid, c.evaluation_id, c.indication, c.suggestion_uuids, c.override_reasons, e.service_id, e.client_iss
      FROM cards c JOIN evaluations e ON e.id = c.evaluation_id WHERE c.card_uuid = ?`).get(cardUuid) as Row | undefined
    if (!r) return undefined
    return cardFromRow({ ...r, suggestion_uuids: r.suggestion_uuids ? JSON.parse(r.suggestion_uuids as string) : null, override_reasons: r.override_reasons ? JSON.parse(r.override_reasons as string) : null })
  }

  async recordFeedback (items: FeedbackRecord[]): Promise<void> {
    await this.writer.write({ kind: 'feedback', items })
  }

  async evaluationsFor (hookInstance: string): Promise<EvaluationRecord[]> {
    const rows = this.stmt('SELECT * FROM evaluations WHERE hook_instance = ? ORDER BY evaluated_at, rowid').all(hookInstance) as Row[]
    return rows.map((r) => {
      const indications = (this.stmt('SELECT indication, status, failed_criteria FROM evaluation_indications WHERE evaluation_id = ? ORDER BY indication').all(r.id) as Row[])
        .map((i) => ({
          indication: i.indication as string,
          status: i.status as string,
          failedCriteria: JSON.parse(i.failed_criteria as string) as string[],
          cardUuids: (this.stmt('SELECT card_uuid FROM cards WHERE evaluation_id = ? AND indication = ? ORDER BY card_uuid').all(r.id, i.indication) as Row[]).map((c) => c.card_uuid as string)
        }))
      return evaluationFromRow(r, indications)
    })
  }

  async feedbackFor (cardUuid: string): Promise<FeedbackRecord[]> {
    const rows = this.stmt('SELECT * FROM feedback WHERE card_uuid = ? ORDER BY received_at, rowid').all(cardUuid) as Row[]
    return rows.map((r) => feedbackFromRow({ ...r, accepted_suggestions: JSON.parse(r.accepted_suggestions as string), has_user_comment: r.has_user_comment === 1 }))
  }

  async reportData (q: ReportQuery): Promise<ReportData> {
    return sqliteReportData(this.db, q)
  }

  async schemaVersion (): Promise<number> {
    return (this.stmt('SELECT COALESCE(MAX(version), 0) AS v FROM schema_migrations').get() as { v: number }).v
  }

  async health (): Promise<StoreHealth> {
    try {
      this.db.prepare('SELECT 1').get()
      return { ok: true, detail: `sqlite, schema v${await this.schemaVersion()}` }
    } catch {
      return { ok: false, detail: 'sqlite unavailable' }
    }
  }

  async close (): Promise<void> {
    await this.writer.close()
    if (this.db.open) this.db.close()
  }
}

const iso = (v: unknown): string => v instanceof Date ? v.toISOString() : String(v)

/** Shared by both stores: a row of `evaluations` (snake_case) as a record. */
export function evaluationFromRow (r: Row, indications: EvaluationRecord['indications']): EvaluationRecord {
  return {
    id: r.id,
    hookInstance: r.hook_instance,
    hook: r.hook,
    serviceId: r.service_id,
    rulesVersion: r.rules_version,
    patientKey: r.patient_key,
    ...(r.ordering_organization ? { orderingOrganization: r.ordering_organization } : {}),
    ...(r.client_iss ? { clientIss: r.client_iss } : {}),
    ...(r.tenant ? { tenant: r.tenant } : {}),
    orders: Number(r.orders),
    durationMs: Number(r.duration_ms),
    evaluatedAt: iso(r.evaluated_at),
    indications
  }
}

/** Shared by both stores: a row of `cards` joined with its evaluation (JSON columns already parsed) as a card reference. */
export function cardFromRow (r: Row): CardRef {
  return {
    cardUuid: r.card_uuid,
    evaluationId: r.evaluation_id,
    serviceId: r.service_id,
    indication: r.indication,
    ...(r.client_iss ? { clientIss: r.client_iss } : {}),
    offer: { suggestions: Array.isArray(r.suggestion_uuids) ? r.suggestion_uuids : [], overrideReasons: Array.isArray(r.override_reasons) ? r.override_reasons : [] }
  }
}

/** Shared by both stores: a row of `feedback` (JSON columns already parsed) as a record. */
export function feedbackFromRow (r: Row): FeedbackRecord {
  return {
    id: r.id,
    cardUuid: r.card_uuid,
    evaluationId: r.evaluation_id,
    serviceId: r.service_id,
    outcome: r.outcome,
    acceptedSuggestions: r.accepted_suggestions,
    ...(r.override_reason_code ? { overrideReason: { code: r.override_reason_code, system: r.override_reason_system, ...(r.override_reason_display ? { display: r.override_reason_display } : {}) } } : {}),
    hasUserComment: Boolean(r.has_user_comment),
    outcomeTimestamp: iso(r.outcome_timestamp),
    receivedAt: iso(r.received_at),
    ...(r.client_iss ? { clientIss: r.client_iss } : {})
  }
}
