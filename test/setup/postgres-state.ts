/**
 * The PostgreSQL server the test harness starts for one tap run when
 * TEST_DATABASE_URL is unset (test/setup/before.ts, tap's `before`
 * script). The run's test processes find it through a state file named after
 * the tap runner's process id: the `before` script and every test file are
 * children of that one process.
 */
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export interface HarnessPostgres {
  /** Connection string of the run's test database. */
  url: string
  /** The keeper process that owns the server (stopped by the `after` script). */
  keeperPid: number
  /** Temporary folder holding the data directory and the keeper's log. */
  dir: string
}

export function stateFile (runnerPid: number): string {
  return join(tmpdir(), `wgs-cds-test-postgres-${runnerPid}.json`)
}

/** The keeper's log (the server's messages), shown when it fails to start. */
export function logFile (runnerPid: number): string {
  return join(tmpdir(), `wgs-cds-test-postgres-${runnerPid}.log`)
}

/** State and log files of earlier runs whose runner is gone (killed before its `after` script ran). */
export function removeStaleFiles (): void {
  for (const name of readdirSync(tmpdir())) {
    const m = /^wgs-cds-test-postgres-(\d+)\.(json|log)$/.exec(name)
    if (m === null) continue
    try { process.kill(Number(m[1]), 0) } catch { rmSync(join(tmpdir(), name), { force: true }) }
  }
}

export function readState (runnerPid: number): HarnessPostgres | undefined {
  const file = stateFile(runnerPid)
  if (!existsSync(file)) return undefined
  try { return JSON.parse(readFileSync(file, 'utf8')) as HarnessPostgres } catch { return undefined }
}

/** The URL of this tap run's harness server, if one is running. */
export function harnessDatabaseUrl (): string | undefined {
  return readState(process.ppid)?.url
}
