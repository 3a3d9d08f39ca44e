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
  },
  {
    // Reports at scale (issue 17, docs/reports.md): the orders as rows of their own, kept by the writes in the same
    // transaction as the evaluation (sqlite-writes.ts, postgres-store.ts) and filled here from the rows recorded so far,
    // so that the two figures that grouped every row of the period by order — the distinct orders and the
    // order-select -> order-sign pairing — count one row per order instead.
    // report_orders: one row per order (its order key; an evaluation without one is an order of its own) and
    // indication in each month x chain x region it was seen in, with the time it was first seen there ('' stands for
    // no chain or region: key columns are NOT NULL on PostgreSQL). report_signs: one row per keyed order and
    // indication, its first order-select and its first order-sign with that sign's month, chain and region.
    // The criteria rows of order-select evaluations are deleted (and no longer written): the reports read the
    // criteria at order-sign only, and the indication row's JSON keeps them. Dropped: the indexes no report query
    // reads any more (the pairing and distinct-order indexes of migration 7, the evaluations' report indexes of
    // migrations 3 and 6, read by no query since migration 7); each cost every write an insert into a wide index.
    version: 8,
    name: 'orders as rows for the reports: first seen per month, first order-select and order-sign',
    sqlite: `
      CREATE TABLE report_orders (
        order_ref TEXT NOT NULL,
        indication TEXT NOT NULL,
        report_month TEXT NOT NULL,
        ordering_org_chain TEXT NOT NULL,
        ordering_region TEXT NOT NULL,
        first_at TEXT NOT NULL,
        PRIMARY KEY (order_ref, indication, report_month, ordering_org_chain, ordering_region)
      ) WITHOUT ROWID;
      INSERT INTO report_orders SELECT COALESCE(order_key, evaluation_id), indication, report_month, COALESCE(ordering_org_chain, ''), COALESCE(ordering_region, ''), MIN(evaluated_at)
        FROM evaluation_indications GROUP BY 1, 2, 3, 4, 5;
      CREATE INDEX report_orders_report ON report_orders (report_month, ordering_org_chain, ordering_region, indication, first_at, order_ref);
      CREATE TABLE report_signs (
        order_key TEXT NOT NULL,
        indication TEXT NOT NULL,
        selected_at TEXT,
        signed_at TEXT,
        report_month TEXT,
        ordering_org_chain TEXT,
        ordering_region TEXT,
        sign_minutes INTEGER,
        PRIMARY KEY (order_key, indication)
      ) WITHOUT ROWID;
      INSERT INTO report_signs SELECT k.order_key, k.indication, k.selected_at, s.evaluated_at, s.report_month, s.ordering_org_chain, s.ordering_region, CAST(ROUND((julianday(s.evaluated_at) - julianday(k.selected_at)) * 86400) AS INTEGER) / 60
        FROM (SELECT order_key, indication, MIN(CASE WHEN hook = 'order-select' THEN evaluated_at END) AS selected_at FROM evaluation_indications
          WHERE order_key IS NOT NULL AND hook IN ('order-select', 'order-sign') GROUP BY order_key, indication) k
        LEFT JOIN (SELECT order_key, indication, evaluated_at, report_month, ordering_org_chain, ordering_region,
            ROW_NUMBER() OVER (PARTITION BY order_key, indication ORDER BY evaluated_at, evaluation_id) AS n
          FROM evaluation_indications WHERE order_key IS NOT NULL AND hook = 'order-sign') s
          ON s.order_key = k.order_key AND s.indication = k.indication AND s.n = 1;
      CREATE INDEX report_signs_report ON report_signs (report_month, ordering_org_chain, ordering_region, indication, sign_minutes, signed_at, selected_at);
      DROP INDEX evaluation_indications_report_hook;
      CREATE INDEX evaluation_indications_report_sign ON evaluation_indications (hook, report_month, ordering_org_chain, ordering_region, indication, status, evaluated_at);
      DROP INDEX evaluation_criteria_report;
      CREATE INDEX evaluation_criteria_report_sign ON evaluation_criteria (hook, report_month, ordering_org_chain, ordering_region, indication, kind, criterion, evaluated_at);
      DELETE FROM evaluation_criteria WHERE hook <> 'order-sign';
      DROP INDEX evaluation_indications_report_orders;
      DROP INDEX evaluation_indications_report_pairs;
      DROP INDEX evaluations_report;
      DROP INDEX evaluations_hook_evaluated_at;`,
    postgres: `
      CREATE TABLE report_orders (
        order_ref TEXT NOT NULL,
        indication TEXT NOT NULL,
        report_month TEXT NOT NULL,
        ordering_org_chain TEXT NOT NULL,
        ordering_region TEXT NOT NULL,
        first_at TIMESTAMPTZ NOT NULL,
        PRIMARY KEY (order_ref, indication, report_month, ordering_org_chain, ordering_region)
      );
      INSERT INTO report_orders SELECT COALESCE(order_key, evaluation_id), indication, report_month, COALESCE(ordering_org_chain, ''), COALESCE(ordering_region, ''), MIN(evaluated_at)
        FROM evaluation_indications GROUP BY 1, 2, 3, 4, 5;
      CREATE INDEX report_orders_report ON report_orders (report_month, ordering_org_chain, ordering_region, indication, first_at, order_ref);
      CREATE TABLE report_signs (
        order_key TEXT NOT NULL,
        indication TEXT NOT NULL,
        selected_at TIMESTAMPTZ,
        signed_at TIMESTAMPTZ,
        report_month TEXT,
        ordering_org_chain TEXT,
        ordering_region TEXT,
        sign_minutes INTEGER,
        PRIMARY KEY (order_key, indication)
      );
      INSERT INTO report_signs SELECT k.order_key, k.indication, k.selected_at, s.evaluated_at, s.report_month, s.ordering_org_chain, s.ordering_region, floor(EXTRACT(EPOCH FROM (s.evaluated_at - k.selected_at)) / 60)::int
        FROM (SELECT order_key, indication, MIN(CASE WHEN hook = 'order-select' THEN evaluated_at END) AS selected_at FROM evaluation_indications
          WHERE order_key IS NOT NULL AND hook IN ('order-select', 'order-sign') GROUP BY order_key, indication) k
        LEFT JOIN (SELECT order_key, indication, evaluated_at, report_month, ordering_org_chain, ordering_region,
            ROW_NUMBER() OVER (PARTITION BY order_key, indication ORDER BY evaluated_at, evaluation_id) AS n
          FROM evaluation_indications WHERE order_key IS NOT NULL AND hook = 'order-sign') s
          ON s.order_key = k.order_key AND s.indication = k.indication AND s.n = 1;
      CREATE INDEX report_signs_report ON report_signs (report_month, ordering_org_chain, ordering_region, indication, sign_minutes, signed_at, selected_at);
      DROP INDEX evaluation_indications_report_hook;
      CREATE INDEX evaluation_indications_report_sign ON evaluation_indications (hook, report_month, ordering_org_chain, ordering_region, indication, status, evaluated_at);
      DROP INDEX evaluation_criteria_report;
      CREATE INDEX evaluation_criteria_report_sign ON evaluation_criteria (hook, report_month, ordering_org_chain, ordering_region, indication, kind, criterion, evaluated_at);
      DELETE FROM evaluation_criteria WHERE hook <> 'order-sign';
      DROP INDEX evaluation_indications_report_orders;
      DROP INDEX evaluation_indications_report_pairs;
      DROP INDEX evaluations_report;
      DROP INDEX evaluations_hook_evaluated_at;`
  }
]

/** The migrations still to apply on a database at `current`; throws when the database is newer than this code. */
export function pendingMigrations (current: number, migrations: Migration[] = MIGRATIONS): Migration[] {
  const latest = migrations.at(-1)?.version ?? 0
  if (current > latest) throw new Error(`the database schema is at version ${current}, newer than this service knows (${latest}); refusing to start`)
  return migrations.filter((m) => m.version > current)
}
