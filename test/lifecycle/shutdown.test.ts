/**
 * Lifecycle with a real process: on SIGTERM the server stops accepting new
 * connections, finishes the request in flight, closes the store and exits 0.
 * Request timeouts are enforced (408) on a client that never finishes.
 */
import t from 'tap'
import { openSocket, readAll, startServerProcess } from '../helpers/server-process.js'
import { hookRequest, patient, condition } from '../helpers/fhir-builders.js'

const SERVICE_PATH = '/cds-services/ngc-wgs-eligibility'
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

void t.test('SIGTERM: stop accepting, finish in-flight, exit 0', async (t) => {
  const server = await startServerProcess({})
  t.teardown(() => { if (server.child.exitCode === null) server.child.kill('SIGKILL') })

  // A hook call whose body is only half sent: routed, so in flight, but not finished.
  const body = JSON.stringify(hookRequest(patient(), [condition('DD694')]))
  const socket = await openSocket(server.port)
  const response = readAll(socket)
  socket.write(`POST ${SERVICE_PATH} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n`)
  const half = Math.floor(body.length / 2)
  socket.write(body.slice(0, half))
  await sleep(300)

  server.child.kill('SIGTERM')
  // New connections are refused while the in-flight request is still open.
  let refused: string | undefined
  for (let i = 0; i < 100 && !refused; i++) {
    try {
      const s = await openSocket(server.port)
      s.destroy()
      await sleep(20)
    } catch (err) {
      refused = (err as NodeJS.ErrnoException).code
    }
  }
  t.equal(refused, 'ECONNREFUSED', 'new connections are refused after SIGTERM')
  t.equal(server.child.exitCode, null, 'the process waits for the in-flight request')

  socket.write(body.slice(half))
  const raw = await response
  t.match(raw, /^HTTP\/1\.1 200 OK/, 'the in-flight request completes')
  t.match(raw, /\r\nconnection: close\r\n/i, 'and its connection is closed after it (no keep-alive wait)')
  const json = JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4))
  t.ok(Array.isArray(json.cards) && json.cards.length > 0, 'with its cards')

  const { code, signal } = await server.exited
  t.equal(code, 0, `exits 0 ${server.stderr().slice(0, 300)}`)
  t.equal(signal, null)
  t.ok(server.logs.some((l) => l.msg === 'shutting down' && l.signal === 'SIGTERM'), 'logs the shutdown')
  t.notOk(server.logs.some((l) => l.level >= 50), 'no error logged')
  t.equal(server.stderr().trim(), '', 'nothing on stderr')
})

void t.test('a request that never finishes gets 408 after REQUEST_TIMEOUT_MS', async (t) => {
  const server = await startServerProcess({ REQUEST_TIMEOUT_MS: '500' })
  t.teardown(() => { if (server.child.exitCode === null) server.child.kill('SIGKILL') })
  const socket = await openSocket(server.port)
  const response = readAll(socket)
  const started = Date.now()
  socket.write(`POST ${SERVICE_PATH} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"hook":`)
  const raw = await response
  const elapsed = Date.now() - started
  t.match(raw, /^HTTP\/1\.1 408/, '408 Request Timeout')
  t.ok(elapsed >= 450 && elapsed < 1500, `enforced within REQUEST_TIMEOUT_MS + one check interval (${elapsed} ms)`)
  server.child.kill('SIGTERM')
  t.equal((await server.exited).code, 0)
})
