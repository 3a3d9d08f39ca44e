/**
 * Versioned schema migrations, the same list for SQLite and PostgreSQL: each
 * has a version, a name and one SQL text per dialect (the tables and columns
 * are the same; only types differ). Applied in order at start-up, each in its
 * own transaction together with its row in `schema_migrations`; a database
 * with a version newer than this code knows stops start-up (no silent
 * downgrade). Never edit a released migration — add the next one.
 */
export interface Migration {
  version: number
  name: string
  sqlite: string
  postgres: string
}

export const MIGRATIONS_TABLE = {
  sqlite: 'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)',
  postgres: 'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL)'
} as const

export const MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: 'evaluations, indications, cards and feedback',
    sqlite: `
      CREATE TABLE evaluations (
        id TEXT PRIMARY KEY,
        hook_instance TEXT NOT NULL,
        hook TEXT NOT NULL,
        service_id TEXT NOT NULL,
        rules_version TEXT NOT NULL,
        patient_key TEXT NOT NULL,
        ordering_organization TEXT,
        client_iss TEXT,
        tenant TEXT,
        orders INTEGER NOT NULL,
        duration_ms REAL NOT NULL,
        evaluated_at TEXT NOT NULL
      );
      CREATE INDEX evaluations_hook_instance ON evaluations (hook_instance);
      CREATE INDEX evaluations_patient_key ON evaluations (patient_key);
      CREATE INDEX evaluations_evaluated_at ON evaluations (evaluated_at);
      CREATE TABLE evaluation_indications (
        evaluation_id TEXT NOT NULL REFERENCES evaluations (id),
        indication TEXT NOT NULL,
        status TEXT NOT NULL,
        failed_criteria TEXT NOT NULL,
        PRIMARY KEY (evaluation_id, indication)
      );
      CREATE TABLE cards (
        card_uuid TEXT PRIMARY KEY,
        evaluation_id TEXT NOT NULL REFERENCES evaluations (id),
        indication TEXT NOT NULL
      );
      CREATE INDEX cards_evaluation ON cards (evaluation_id);
      CREATE TABLE feedback (
        id TEXT PRIMARY KEY,
        card_uuid TEXT NOT NULL REFERENCES cards (card_uuid),
        evaluation_id TEXT NOT NULL REFERENCES evaluations (id),
        service_id TEXT NOT NULL,
        outcome TEXT NOT NULL CHECK (outcome IN ('accepted', 'overridden')),
        accepted_suggestions TEXT NOT NULL,
        override_reason_code TEXT,
        override_reason_system TEXT,
        override_reason_display TEXT,
        has_user_comment INTEGER NOT NULL,
        outcome_timestamp TEXT NOT NULL,
        received_at TEXT NOT NULL,
        client_iss TEXT
      );
      CREATE INDEX feedback_card ON feedback (card_uuid);
      CREATE INDEX feedback_evaluation ON feedback (evaluation_id);`,
    postgres: `
      CREATE TABLE evaluations (
        id TEXT PRIMARY KEY,
        hook_instance TEXT NOT NULL,
        hook TEXT NOT NULL,
        service_id TEXT NOT NULL,
        rules_version TEXT NOT NULL,
        patient_key TEXT NOT NULL,
        ordering_organization TEXT,
        client_iss TEXT,
        tenant TEXT,
        orders INTEGER NOT NULL,
        duration_ms DOUBLE PRECISION NOT NULL,
        evaluated_at TIMESTAMPTZ NOT NULL
      );
      CREATE INDEX evaluations_hook_instance ON evaluations (hook_instance);
      CREATE INDEX evaluations_patient_key ON evaluations (patient_key);
      CREATE INDEX evaluations_evaluated_at ON evaluations (evaluated_at);
      CREATE TABLE evaluation_indications (
        evaluation_id TEXT NOT NULL REFERENCES evaluations (id),
        indication TEXT NOT NULL,
        status TEXT NOT NULL,
        failed_criteria JSONB NOT NULL,
        PRIMARY KEY (evaluation_id, indication)
      );
      CREATE TABLE cards (
        card_uuid TEXT PRIMARY KEY,
        evaluation_id TEXT NOT NULL REFERENCES evaluations (id),
        indication TEXT NOT NULL
      );
      CREATE INDEX cards_evaluation ON cards (evaluation_id);
      CREATE TABLE feedback (
        id TEXT PRIMARY KEY,
        card_uuid TEXT NOT NULL REFERENCES cards (card_uuid),
        evaluation_id TEXT NOT NULL REFERENCES evaluations (id),
        service_id TEXT NOT NULL,
        outcome TEXT NOT NULL CHECK (outcome IN ('accepted', 'overridden')),
        accepted_suggestions JSONB NOT NULL,
        override_reason_code TEXT,
        override_reason_system TEXT,
        override_reason_display TEXT,
        has_user_comment BOOLEAN NOT NULL,
        outcome_timestamp TIMESTAMPTZ NOT NULL,
        received_at TIMESTAMPTZ NOT NULL,
        client_iss TEXT
      );
      CREATE INDEX feedback_card ON feedback (card_uuid);
      CREATE INDEX feedback_evaluation ON feedback (evaluation_id);`
  },
  {
    // Reports (src/reports/, docs/reports.md): the ordering organisation's SOR chain and region, the keyed order and the unknown criteria.
    version: 3,
    name: 'report columns: ordering organisation chain and region, order key, unknown criteria',
    sqlite: `
      ALTER TABLE evaluations ADD COLUMN ordering_org_chain TEXT;
      ALTER TABLE evaluations ADD COLUMN ordering_region TEXT;
      ALTER TABLE evaluation_indications ADD COLUMN unknown_criteria TEXT;
      ALTER TABLE evaluation_indications ADD COLUMN order_key TEXT;
      CREATE INDEX evaluations_hook_evaluated_at ON evaluations (hook, evaluated_at);
      CREATE INDEX evaluation_indications_order_key ON evaluation_indications (order_key);`,
    postgres: `
      ALTER TABLE evaluations ADD COLUMN ordering_org_chain TEXT;
      ALTER TABLE evaluations ADD COLUMN ordering_region TEXT;
      ALTER TABLE evaluation_indications ADD COLUMN unknown_criteria JSONB;
      ALTER TABLE evaluation_indications ADD COLUMN order_key TEXT;
      CREATE INDEX evaluations_hook_evaluated_at ON evaluations (hook, evaluated_at);
      CREATE INDEX evaluation_indications_order_key ON evaluation_indications (order_key);`
  },
  {
    // Replay protection shared by replicas and kept over a restart (src/auth/replay-cache.ts, docs/security.md):
    // a SHA-256 of the token's iss and jti (never the token), and the epoch millisecond after which the token
    // could no longer be accepted anyway. The primary key makes the insert-if-absent atomic; purged by expires_at.
    version: 4,
    name: 'seen JWT ids (jti) with their expiry',
    sqlite: `
      CREATE TABLE seen_tokens (
        token_key TEXT PRIMARY KEY,
        expires_at INTEGER NOT NULL
      ) WITHOUT ROWID;
      CREATE INDEX seen_tokens_expires_at ON seen_tokens (expires_at);`,
    postgres: `
      CREATE TABLE seen_tokens (
        token_key TEXT PRIMARY KEY,
        expires_at BIGINT NOT NULL
      );
      CREATE INDEX seen_tokens_expires_at ON seen_tokens (expires_at);`
  },
  {
    // Feedback names only what the card offered (routes/feedback.ts): each card's suggestion uuids and override
    // reasons (this service's own codes and texts — no patient data). NULL on cards recorded before: nothing to accept.
    version: 5,
    name: 'what each card offered: suggestion uuids and override reasons',
    sqlite: `
      ALTER TABLE cards ADD COLUMN suggestion_uuids TEXT;
      ALTER TABLE cards ADD COLUMN override_reasons TEXT;`,
    postgres: `
      ALTER TABLE cards ADD COLUMN suggestion_uuids JSONB;
      ALTER TABLE cards ADD COLUMN override_reasons JSONB;`
  },
  {
    // Reports at scale (issue 17, docs/reports.md): the Danish month (Europe/Copenhagen, `YYYY-MM`) of each evaluation,
    // written with the row (report-data.ts reportMonth) so that the report queries group by a column instead of
    // converting every row's time; backfilled here for the rows already recorded. SQLite has no time zones: a UTC
    // instant is in another Danish month only from 22:00 UTC on the 28th on, shifted then by the offset at the next
    // month's start (+2 h when that month is April to October, +1 h otherwise) — exact for every month
    // (test/reports/store-reports.test.ts). The index covers the reports' range scans (hook, period) with their groups.
    version: 6,
    name: 'the Danish report month of each evaluation',
    sqlite: `
      ALTER TABLE evaluations ADD COLUMN report_month TEXT;
      UPDATE evaluations SET report_month = CASE WHEN substr(evaluated_at, 9, 5) < '28T22' THEN substr(evaluated_at, 1, 7)
        ELSE strftime('%Y-%m', evaluated_at, CASE WHEN substr(evaluated_at, 6, 2) BETWEEN '03' AND '09' THEN '+2 hours' ELSE '+1 hours' END) END;
      CREATE INDEX evaluations_report ON evaluations (hook, evaluated_at, report_month, ordering_org_chain, ordering_region, id);`,
    postgres: `
      ALTER TABLE evaluations ADD COLUMN report_month TEXT;
      UPDATE evaluations SET report_month = to_char(evaluated_at AT TIME ZONE 'Europe/Copenhagen', 'YYYY-MM');
      CREATE INDEX evaluations_report ON evaluations (hook, evaluated_at, report_month, ordering_org_chain, ordering_region, id);`
  },
  {
    // Reports at scale (issue 17, docs/reports.md): what the reports filter and group an indication row by — its
    // evaluation's hook, time, Danish month, ordering organisation chain and region — copied onto the row when it is
    // written (sqlite-writes.ts, postgres-store.ts), so that each report query reads one index of one table instead
    // of joining every row to its evaluation; backfilled from the evaluations here. The indexes are the queries':
    // order-sign verdicts and criteria (hook, period), orders of both hooks (period), and order-select → order-sign
    // pairs (order key first, in the GROUP BY's order). The criteria not met or unknown, one row each with the same
    // keys (evaluation_criteria, filled from the JSON arrays here and with every write), so that the criteria figures
    // are a count over an index rather than a JSON expansion of every row.
    version: 7,
    name: 'report keys on each indication row; criteria not met or unknown as rows',
    sqlite: `
      ALTER TABLE evaluation_indications ADD COLUMN hook TEXT;
      ALTER TABLE evaluation_indications ADD COLUMN evaluated_at TEXT;
      ALTER TABLE evaluation_indications ADD COLUMN report_month TEXT;
      ALTER TABLE evaluation_indications ADD COLUMN ordering_org_chain TEXT;
      ALTER TABLE evaluation_indications ADD COLUMN ordering_region TEXT;
      UPDATE evaluation_indications AS i SET hook = e.hook, evaluated_at = e.evaluated_at, report_month = e.report_month,
        ordering_org_chain = e.ordering_org_chain, ordering_region = e.ordering_region
        FROM evaluations e WHERE e.id = i.evaluation_id;
      CREATE INDEX evaluation_indications_report_hook ON evaluation_indications (hook, evaluated_at, report_month, ordering_org_chain, ordering_region, indication, status);
      CREATE INDEX evaluation_indications_report_orders ON evaluation_indications (evaluated_at, report_month, ordering_org_chain, ordering_region, indication, order_key, evaluation_id);
      CREATE INDEX evaluation_indications_report_pairs ON evaluation_indications (order_key, indication, hook, evaluated_at, report_month, ordering_org_chain, ordering_region);
      CREATE TABLE evaluation_criteria (
        evaluation_id TEXT NOT NULL REFERENCES evaluations (id),
        indication TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('not-met', 'unknown')),
        criterion TEXT NOT NULL,
        hook TEXT NOT NULL,
        evaluated_at TEXT NOT NULL,
        report_month TEXT,
        ordering_org_chain TEXT,
        ordering_region TEXT
      );
      INSERT INTO evaluation_criteria SELECT i.evaluation_id, i.indication, 'not-met', j.value, i.hook, i.evaluated_at, i.report_month, i.ordering_org_chain, i.ordering_region
        FROM evaluation_indications i, json_each(i.failed_criteria) j;
      INSERT INTO evaluation_criteria SELECT i.evaluation_id, i.indication, 'unknown', j.value, i.hook, i.evaluated_at, i.report_month, i.ordering_org_chain, i.ordering_region
        FROM evaluation_indications i, json_each(i.unknown_criteria) j WHERE i.unknown_criteria IS NOT NULL;
      CREATE INDEX evaluation_criteria_evaluation ON evaluation_criteria (evaluation_id);
      CREATE INDEX evaluation_criteria_report ON evaluation_criteria (hook, evaluated_at, report_month, ordering_org_chain, ordering_region, indication, kind, criterion);`,
    postgres: `
      ALTER TABLE evaluation_indications ADD COLUMN hook TEXT;
      ALTER TABLE evaluation_indications ADD COLUMN evaluated_at TIMESTAMPTZ;
      ALTER TABLE evaluation_indications ADD COLUMN report_month TEXT;
      ALTER TABLE evaluation_indications ADD COLUMN ordering_org_chain TEXT;
      ALTER TABLE evaluation_indications ADD COLUMN ordering_region TEXT;
      UPDATE evaluation_indications AS i SET hook = e.hook, evaluated_at = e.evaluated_at, report_month = e.report_month,
        ordering_org_chain = e.ordering_org_chain, ordering_region = e.ordering_region
        FROM evaluations e WHERE e.id = i.evaluation_id;
      CREATE INDEX evaluation_indications_report_hook ON evaluation_indications (hook, evaluated_at, report_month, ordering_org_chain, ordering_region, indication, status);
      CREATE INDEX evaluation_indications_report_orders ON evaluation_indications (evaluated_at, report_month, ordering_org_chain, ordering_region, indication, order_key, evaluation_id);
      CREATE INDEX evaluation_indications_report_pairs ON evaluation_indications (order_key, indication, hook, evaluated_at, report_month, ordering_org_chain, ordering_region);
      CREATE TABLE evaluation_criteria (
        evaluation_id TEXT NOT NULL REFERENCES evaluations (id),
        indication TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('not-met', 'unknown')),
        criterion TEXT NOT NULL,
        hook TEXT NOT NULL,
        evaluated_at TIMESTAMPTZ NOT NULL,
        report_month TEXT,
        ordering_org_chain TEXT,
        ordering_region TEXT
      );
      INSERT INTO evaluation_criteria SELECT i.evaluation_id, i.indication, 'not-met', j.value, i.hook, i.evaluated_at, i.report_month, i.ordering_org_chain, i.ordering_region
        FROM evaluation_indications i CROSS JOIN LATERAL jsonb_array_elements_text(i.failed_criteria) AS j(value);
      INSERT INTO evaluation_criteria SELECT i.evaluation_id, i.indication, 'unknown', j.value, i.hook, i.evaluated_at, i.report_month, i.ordering_org_chain, i.ordering_region
        FROM evaluation_indications i CROSS JOIN LATERAL jsonb_array_elements_text(i.unknown_criteria) AS j(value) WHERE i.unknown_criteria IS NOT NULL;
      CREATE INDEX evaluation_criteria_evaluation ON evaluation_criteria (evaluation_id);
      CREATE INDEX evaluation_criteria_report ON evaluation_criteria (hook, evaluated_at, report_month, ordering_org_chain, ordering_region, indication, kind, criterion);`
  }
]

/** The migrations still to apply on a database at `current`; throws when the database is newer than this code. */
export function pendingMigrations (current: number, migrations: Migration[] = MIGRATIONS): Migration[] {
  const latest = migrations.at(-1)?.version ?? 0
  if (current > latest) throw new Error(`the database schema is at version ${current}, newer than this service knows (${latest}); refusing to start`)
  return migrations.filter((m) => m.version > current)
}
