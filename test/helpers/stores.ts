/**
 * The audit stores a storage test runs against: SQLite always (in memory and
 * on disk) and PostgreSQL — at TEST_DATABASE_URL when it is set, otherwise the
 * server the test harness starts for the tap run (test/setup/before.ts) —
 * each PostgreSQL store in a throw-away schema dropped at teardown. Without
 * either the PostgreSQL half is a failure that says how to run it, never a
 * skip: a test that did not run did not pass.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import type { Test } from 'tap'
import { PostgresStore } from '../../src/store/postgres-store.js'
import { SqliteStore } from '../../src/store/sqlite-store.js'
import type { EvaluationRecord, EvaluationStore } from '../../src/store/store.js'
import type { Migration } from '../../src/store/migrations.js'
import { harnessDatabaseUrl } from '../setup/postgres-state.js'

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL || harnessDatabaseUrl()

type T = Test

export interface StoreKind {
  name: 'sqlite-memory' | 'sqlite-file' | 'postgres'
  /** A fresh, empty, migrated store (closed at teardown). */
  open: (t: T, migrations?: Migration[]) => Promise<EvaluationStore>
  /** Reopen the same database (to check migrations are not re-applied); only after open. */
  reopen?: (t: T, migrations?: Migration[]) => Promise<EvaluationStore>
}

/** A new schema in the test database; dropped at teardown. */
export async function throwawaySchema (t: T): Promise<string> {
  const schema = `wgs_test_${crypto.randomUUID().replace(/-/g, '').slice(0, 16)}`
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL })
  await client.connect()
  await client.query(`CREATE SCHEMA ${schema}`)
  await client.end()
  t.teardown(async () => {
    const c = new pg.Client({ connectionString: TEST_DATABASE_URL })
    await c.connect()
    await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
    await c.end()
  })
  return schema
}

export function storeKinds (): StoreKind[] {
  let dir: string | undefined
  let schema: string | undefined
  const kinds: StoreKind[] = [
    {
      name: 'sqlite-memory',
      open: async (t, migrations) => {
        const s = new SqliteStore(':memory:', migrations)
        t.teardown(() => s.close())
        return s
      }
    },
    {
      name: 'sqlite-file',
      open: async (t, migrations) => {
        dir = mkdtempSync(join(tmpdir(), 'wgs-store-'))
        const d = dir
        t.teardown(() => rmSync(d, { recursive: true, force: true }))
        const s = new SqliteStore(join(d, 'nested', 'data'), migrations)
        t.teardown(() => s.close())
        return s
      },
      reopen: async (t, migrations) => {
        const s = new SqliteStore(join(dir!, 'nested', 'data'), migrations)
        t.teardown(() => s.close())
        return s
      }
    }
  ]
  if (TEST_DATABASE_URL) {
    kinds.push({
      name: 'postgres',
      open: async (t, migrations) => {
        schema = await throwawaySchema(t)
        const s = await PostgresStore.open({ connectionString: TEST_DATABASE_URL, schema }, migrations)
        t.teardown(() => s.close())
        return s
      },
      reopen: async (t, migrations) => {
        const s = await PostgresStore.open({ connectionString: TEST_DATABASE_URL, schema: schema! }, migrations)
        t.teardown(() => s.close())
        return s
      }
    })
  }
  return kinds
}

/** The PostgreSQL half did not run: a failure saying how to run it. */
export function reportPostgresCoverage (t: T): void {
  if (TEST_DATABASE_URL) return
  t.fail('No PostgreSQL: the PostgreSQL storage tests did not run. Run the tests through tap (`npm test`, `npx tap <file>`), which starts one, or set TEST_DATABASE_URL (docs/storage.md "Tests against both stores")')
}

/** A complete audit record with fresh ids; `over` replaces fields. */
export function evaluationRecord (over: Partial<EvaluationRecord> = {}): EvaluationRecord {
  return {
    id: crypto.randomUUID(),
    hookInstance: crypto.randomUUID(),
    hook: 'order-select',
    serviceId: 'ngc-wgs-eligibility',
    rulesVersion: '0.1.0+abc',
    patientKey: 'a'.repeat(64),
    orderingOrganization: 'urn:oid:1.2.208.176.1.1|123456789',
    clientIss: 'https://ehr.example.dk',
    tenant: 'rh',
    orders: 1,
    durationMs: 12.34,
    evaluatedAt: '2026-11-22T10:00:00.000Z',
    indications: [
      { indication: 'aml', status: 'eligible', failedCriteria: [], cardUuids: [crypto.randomUUID()] },
      { indication: 'inherited-thrombocytopenia', status: 'not-eligible', failedCriteria: ['adult', 'lifelong-course'], cardUuids: [crypto.randomUUID(), crypto.randomUUID()].sort() }
    ],
    ...over
  }
}
