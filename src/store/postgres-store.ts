/**
 * The PostgreSQL audit store (DATABASE_URL): a pg Pool, the same migrations
 * as SQLite, applied at start-up under a transaction-scoped advisory lock so
 * several replicas starting together migrate once.
 */
import pg from 'pg'
import { MIGRATIONS, MIGRATIONS_TABLE, pendingMigrations, type Migration } from './migrations.js'
import { cardFromRow, evaluationFromRow, feedbackFromRow } from './sqlite-store.js'
import type { CardRef, EvaluationRecord, EvaluationStore, FeedbackRecord, StoreHealth } from './store.js'
import { POSTGRES_DIALECT, postgresReportData } from './postgres-reports.js'
import { evaluationRows, REMEMBER_TOKEN_SQL, REPORT_ORDERS_UPSERT, reportSignsUpserts, SEEN_TOKEN_PURGE_INTERVAL_MS } from './sqlite-writes.js'
import type { ReportData, ReportQuery } from './report-data.js'

const INSERT_EVALUATION = `INSERT INTO evaluations (id, hook_instance, hook, service_id, rules_version, patient_key, ordering_organization, client_iss, tenant, orders, duration_ms, evaluated_at, ordering_org_chain, ordering_region, report_month)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`

/** A multi-row INSERT `columns` wide: its text per row count (kept), with the flat values. JSON columns take the text as jsonb (the column's type). */
function multiInsert (head: string, columns: number, tail = ''): (values: unknown[]) => [string, unknown[]] {
  const texts: string[] = []
  return (values) => {
    const rows = values.length / columns
    const text = texts[rows] ??= `${head} VALUES ${Array.from({ length: rows }, (_, r) => `(${Array.from({ length: columns }, (_, c) => `$${r * columns + c + 1}`).join(', ')})`).join(', ')}${tail}`
    return [text, values]
  }
}

const INSERT_INDICATIONS = multiInsert(`INSERT INTO evaluation_indications (evaluation_id, indication, status, failed_criteria, unknown_criteria, order_key,
  hook, evaluated_at, report_month, ordering_org_chain, ordering_region)`, 11)
const INSERT_CRITERIA = multiInsert('INSERT INTO evaluation_criteria (evaluation_id, indication, kind, criterion, hook, evaluated_at, report_month, ordering_org_chain, ordering_region)', 9)
const INSERT_CARDS = multiInsert('INSERT INTO cards (card_uuid, evaluation_id, indication, suggestion_uuids, override_reasons)', 5)
const UPSERT_ORDERS = multiInsert('INSERT INTO report_orders (order_ref, indication, report_month, ordering_org_chain, ordering_region, first_at)', 6, REPORT_ORDERS_UPSERT)
const SIGNS_UPSERTS = reportSignsUpserts(POSTGRES_DIALECT.minutes)
const UPSERT_SELECTS = multiInsert('INSERT INTO report_signs (order_key, indication, selected_at)', 3, SIGNS_UPSERTS.selects)
const UPSERT_SIGNS = multiInsert('INSERT INTO report_signs (order_key, indication, signed_at, report_month, ordering_org_chain, ordering_region)', 6, SIGNS_UPSERTS.signs)

/** Arbitrary constant key of the advisory lock held while migrating. */
const MIGRATION_LOCK = 7_230_515_201

export interface PostgresStoreOptions {
  connectionString: string
  /** Schema to work in (search_path); tests use a throw-away schema. */
  schema?: string
  /** Called when an idle pooled connection fails (logged by the caller, never thrown). */
  onPoolError?: (err: Error) => void
  poolSize?: number
}

export class PostgresStore implements EvaluationStore {
  readonly kind = 'postgres' as const
  private closed = false
  private lastTokenPurge = 0
  private constructor (private readonly pool: pg.Pool) {}

  /** Connect and migrate; throws (without the connection string) when the database is unusable. */
  static async open (opts: PostgresStoreOptions, migrations: Migration[] = MIGRATIONS): Promise<PostgresStore> {
    if (opts.schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(opts.schema)) throw new Error('invalid schema name')
    const pool = new pg.Pool({
      connectionString: opts.connectionString,
      max: opts.poolSize ?? 10,
      connectionTimeoutMillis: 5000,
      idleTimeoutMillis: 30_000,
      statement_timeout: 10_000,
      ...(opts.schema ? { options: `-c search_path=${opts.schema}` } : {})
    })
    pool.on('error', (err) => opts.onPoolError?.(err))
    const store = new PostgresStore(pool)
    try {
      await store.migrate(migrations)
    } catch (err) {
      await pool.end()
      throw err
    }
    return store
  }

  private async transaction<T> (fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect()
    try {
      await client.query('BEGIN')
      const result = await fn(client)
      await client.query('COMMIT')
      return result
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined)
      throw err
    } finally {
      client.release()
    }
  }

  private async migrate (migrations: Migration[]): Promise<void> {
    await this.transaction(async (c) => {
      await c.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK])
      await c.query(MIGRATIONS_TABLE.postgres)
      const { rows } = await c.query<{ v: number }>('SELECT COALESCE(MAX(version), 0)::int AS v FROM schema_migrations')
      for (const m of pendingMigrations(rows[0]!.v, migrations)) {
        await c.query(m.postgres)
        await c.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, now())', [m.version, m.name])
      }
    })
  }

  async recordEvaluation (e: EvaluationRecord): Promise<void> {
    // The same rows as SQLite's (sqlite-writes.ts evaluationRows), one multi-row statement per table: a round trip
    // per table, not per row.
    const rows = evaluationRows(e)
    await this.transaction(async (c) => {
      await c.query(INSERT_EVALUATION, rows.evaluation)
      for (const [sql, values] of [INSERT_INDICATIONS(rows.indications), INSERT_CRITERIA(rows.criteria), INSERT_CARDS(rows.cards),
        UPSERT_ORDERS(rows.orders), UPSERT_SELECTS(rows.selects), UPSERT_SIGNS(rows.signs)]) {
        if (values.length) await c.query(sql, values)
      }
    })
  }

  async findCard (cardUuid: string): Promise<CardRef | undefined> {
    const { rows } = await this.pool.query(`SELECT c.card_uuid, c.evaluation_id, c.indication, c.suggestion_uuids, c.override_reasons, e.service_id, e.client_iss
      FROM cards c JOIN evaluations e ON e.id = c.evaluation_id WHERE c.card_uuid = $1`, [cardUuid])
    const r = rows[0]
    return r ? cardFromRow(r) : undefined
  }

  async recordFeedback (items: FeedbackRecord[]): Promise<void> {
    await this.transaction(async (c) => {
      for (const f of items) {
        await c.query(`INSERT INTO feedback (id, card_uuid, evaluation_id, service_id, outcome, accepted_suggestions, override_reason_code, override_reason_system, override_reason_display, has_user_comment, outcome_timestamp, received_at, client_iss)
          VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8, $9, $10, $11, $12, $13)`,
        [f.id, f.cardUuid, f.evaluationId, f.serviceId, f.outcome, JSON.stringify(f.acceptedSuggestions), f.overrideReason?.code ?? null,
          f.overrideReason?.system ?? null, f.overrideReason?.display ?? null, f.hasUserComment, f.outcomeTimestamp, f.receivedAt, f.clientIss ?? null])
      }
    })
  }

  async evaluationsFor (hookInstance: string): Promise<EvaluationRecord[]> {
    const { rows } = await this.pool.query('SELECT * FROM evaluations WHERE hook_instance = $1 ORDER BY evaluated_at, id', [hookInstance])
    const out: EvaluationRecord[] = []
    for (const r of rows) {
      const ind = await this.pool.query(`SELECT i.indication, i.status, i.failed_criteria,
          COALESCE((SELECT json_agg(c.card_uuid ORDER BY c.card_uuid) FROM cards c WHERE c.evaluation_id = i.evaluation_id AND c.indication = i.indication), '[]'::json) AS card_uuids
        FROM evaluation_indications i WHERE i.evaluation_id = $1 ORDER BY i.indication`, [r.id])
      out.push(evaluationFromRow(r, ind.rows.map((i) => ({ indication: i.indication, status: i.status, failedCriteria: i.failed_criteria, cardUuids: i.card_uuids }))))
    }
    return out
  }

  async feedbackFor (cardUuid: string): Promise<FeedbackRecord[]> {
    const { rows } = await this.pool.query('SELECT * FROM feedback WHERE card_uuid = $1 ORDER BY received_at, id', [cardUuid])
    return rows.map((r) => feedbackFromRow(r))
  }

  async rememberToken (tokenKey: string, expiresAtMs: number, nowMs: number): Promise<boolean> {
    if (nowMs - this.lastTokenPurge >= SEEN_TOKEN_PURGE_INTERVAL_MS) {
      this.lastTokenPurge = nowMs
      // Off the request's path: expired rows on the expires_at index; a failed purge is retried at the next interval.
      this.pool.query('DELETE FROM seen_tokens WHERE expires_at <= $1', [nowMs]).catch(() => { this.lastTokenPurge = 0 })
    }
    const { rowCount } = await this.pool.query(REMEMBER_TOKEN_SQL.postgres, [tokenKey, expiresAtMs, nowMs])
    return rowCount === 1
  }

  async reportData (q: ReportQuery): Promise<ReportData> {
    return await postgresReportData(this.pool, q)
  }

  async schemaVersion (): Promise<number> {
    const { rows } = await this.pool.query<{ v: number }>('SELECT COALESCE(MAX(version), 0)::int AS v FROM schema_migrations')
    return rows[0]!.v
  }

  async health (): Promise<StoreHealth> {
    try {
      return { ok: true, detail: `postgres, schema v${await this.schemaVersion()}` }
    } catch {
      return { ok: false, detail: 'postgres unavailable' }
    }
  }

  async close (): Promise<void> {
    if (this.closed) return
    this.closed = true
    await this.pool.end()
  }
}
