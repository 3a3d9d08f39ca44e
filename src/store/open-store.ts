/**
 * Open the audit store the configuration names: PostgreSQL when DATABASE_URL
 * is set, otherwise embedded SQLite in DATA_DIR (created if missing) — so
 * `npm start` needs nothing else. Migrations run here, before the service
 * listens. Also settles the patient-key secret (patient-key.ts).
 */
import type { FastifyBaseLogger } from 'fastify'
import { ConfigError, type Config } from '../config/config.js'
import { patientKeySecret, patientKeyer, type PatientKeyer } from './patient-key.js'
import { SqliteStore } from './sqlite-store.js'
import type { EvaluationStore } from './store.js'

export interface OpenedStore { store: EvaluationStore, patientKey: PatientKeyer }

/**
 * @param authRequired - client authentication is on (the secret is then mandatory)
 * @param given - a store opened by the caller (tests), used as is
 */
export async function openStore (config: Readonly<Config>, log: FastifyBaseLogger, authRequired: boolean, given?: EvaluationStore): Promise<OpenedStore> {
  const choice = patientKeySecret(config.patientKeySecret, authRequired || config.databaseUrl !== undefined, config.dataDir)
  if (choice.source === 'generated' || choice.source === 'data-dir') {
    log.warn({ dataDir: config.dataDir }, 'PATIENT_KEY_SECRET is not set: using a secret generated into the data directory. Set PATIENT_KEY_SECRET (keep it) before real use — a new secret makes earlier patient keys unlinkable.')
  }
  let store: EvaluationStore
  if (given) {
    store = given
  } else if (config.databaseUrl) {
    try {
      // Loaded only when configured: the pg driver is not needed (nor paid for at start-up) with SQLite.
      const { PostgresStore } = await import('./postgres-store.js')
      store = await PostgresStore.open({ connectionString: config.databaseUrl, onPoolError: (err) => log.error({ err: { message: err.message } }, 'PostgreSQL pool error') })
    } catch (err) {
      // The message of a connection error never includes the URL (which may hold a password).
      throw new ConfigError(`DATABASE_URL: the PostgreSQL audit store could not be opened: ${(err as Error).message}`)
    }
  } else {
    try {
      store = new SqliteStore(config.dataDir)
    } catch (err) {
      throw new ConfigError(`DATA_DIR ${config.dataDir}: the SQLite audit store could not be opened: ${(err as Error).message}`)
    }
  }
  log.info({ store: store.kind, schemaVersion: await store.schemaVersion() }, 'audit store ready')
  return { store, patientKey: patientKeyer(choice.secret) }
}
