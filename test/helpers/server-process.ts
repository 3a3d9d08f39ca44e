/**
 * Start the real server (src/server.ts through tsx, as `npm run dev` does) in
 * a child process on a free port, and talk to it over raw TCP so a test can
 * hold a request half-sent (in flight) while it signals the process.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { connect, type Socket } from 'node:net'
import { fileURLToPath } from 'node:url'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))

export interface ServerProcess {
  child: ChildProcess
  port: number
  /** Every pino line the process wrote, parsed. */
  logs: Array<Record<string, any>>
  stderr: () => string
  exited: Promise<{ code: number | null, signal: NodeJS.Signals | null }>
}

export async function startServerProcess (env: Record<string, string>, timeoutMs = 60_000): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', CDS_AUTH: 'off', DATA_DIR: ':memory:', ...env },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  const logs: Array<Record<string, any>> = []
  let err = ''
  let buffered = ''
  const exited = new Promise<{ code: number | null, signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })))
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start within ${timeoutMs} ms: ${err}`)), timeoutMs)
    child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString()
      let nl: number
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl)
        buffered = buffered.slice(nl + 1)
        try { logs.push(JSON.parse(line)) } catch { continue }
        const m = /listening at http:\/\/127\.0\.0\.1:(\d+)/.exec(String(logs.at(-1)?.msg ?? ''))
        if (m) { clearTimeout(timer); resolve(Number(m[1])) }
      }
    })
    child.stderr!.on('data', (chunk: Buffer) => { err += chunk.toString() })
    void exited.then(({ code }) => { clearTimeout(timer); reject(new Error(`server exited (${code}) before listening: ${err}`)) })
  })
  return { child, port, logs, stderr: () => err, exited }
}

/** Open a TCP connection; rejects with the socket error (e.g. ECONNREFUSED). */
export function openSocket (port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port })
    socket.once('connect', () => resolve(socket))
    socket.once('error', reject)
  })
}

/** Everything the server sends until it closes the connection. */
export function readAll (socket: Socket): Promise<string> {
  return new Promise((resolve) => {
    let data = ''
    socket.on('data', (c: Buffer) => { data += c.toString() })
    socket.once('close', () => resolve(data))
  })
}
