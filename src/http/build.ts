/**
 * Build the Fastify server from configuration: load and compile the rules
 * (start-up fails with file/path/message on a bad definition), set limits and
 * the ajv options (no type coercion: a wrong type is a 400, not a guess).
 */
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify'
import fp from 'fastify-plugin'
import type { Config } from '../config/config.js'
import type { LoadedRules } from '../definitions/load.js'
import { loadRulesFor } from '../definitions/rules-for-config.js'
import { cdsApp, type AppOptions } from './app.js'
import { loggerOptions, OneLinePerRequest } from './logger.js'
import { originForm } from './request-target.js'
import type { Duplex } from 'node:stream'
import { operationOutcome, type IssueCode } from '../hooks/operation-outcome.js'

export interface BuildOptions {
  rules?: LoadedRules
  clock?: () => Date
  logStream?: NodeJS.WritableStream
  /** Tests: an audit store instead of the configured one, and a fixed clock for JWT times. */
  store?: AppOptions['store']
  authNow?: AppOptions['authNow']
}

const CLIENT_ERRORS: Record<string, { status: number, text: string, code: IssueCode, message: string }> = {
  ERR_HTTP_REQUEST_TIMEOUT: { status: 408, text: 'Request Timeout', code: 'timeout', message: 'The request was not received within the request timeout' },
  HPE_HEADER_OVERFLOW: { status: 431, text: 'Request Header Fields Too Large', code: 'too-long', message: 'The request headers are larger than the limit' }
}

function clientErrorAnswer (err: NodeJS.ErrnoException, socket: Duplex): void {
  const known = CLIENT_ERRORS[err.code ?? '']
  if (!socket.writable) { socket.destroy(); return }
  const { status, text, code, message } = known ?? { status: 400, text: 'Bad Request', code: 'invalid' as IssueCode, message: 'The request could not be read' }
  const body = JSON.stringify(operationOutcome(code, message))
  socket.end(`HTTP/1.1 ${status} ${text}\r\nContent-Type: application/fhir+json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`)
}

export async function buildServer (config: Readonly<Config>, opts: BuildOptions = {}): Promise<FastifyInstance> {
  // FHIRPATH_ENGINE=verify: a difference between the compiled path and fhirpath.js is logged with the
  // indication and the expression only — the values compared are patient data and stay out of the log.
  const sink: { log?: FastifyInstance['log'] } = {}
  const rules = opts.rules ?? loadRulesFor(config, (m) => sink.log?.warn({ indication: m.indication, rulePath: m.path, expression: m.expression }, 'compiled FHIRPath result differs from fhirpath.js'))
  const app = Fastify({
    logger: config.logLevel === 'silent' ? false : loggerOptions(config.logLevel, opts.logStream),
    // One log line per request, written when it completes (src/http/logger.ts).
    logController: new OneLinePerRequest(),
    bodyLimit: config.bodyLimitBytes,
    requestTimeout: config.requestTimeoutMs,
    connectionTimeout: config.requestTimeoutMs * 2,
    // Node enforces requestTimeout only when given to http.createServer (Fastify's own option sets it too late to
    // take effect on Node 20: a client trickling its body was never cut off), and checks it every
    // connectionsCheckingInterval (30 s by default): a quarter of the timeout, so the 408 comes before
    // connectionTimeout silently drops the socket. test/lifecycle/shutdown.test.ts proves it on a real process.
    http: { requestTimeout: config.requestTimeoutMs, connectionsCheckingInterval: Math.max(25, Math.min(1000, Math.floor(config.requestTimeoutMs / 4))) },
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, useDefaults: false, allErrors: false } },
    // Absolute-form targets and fragments are read as the path they name, before routing and every check.
    rewriteUrl: (req) => originForm(req.url ?? '/'),
    // A target the router cannot decode (`/%zz`) is a 400 OperationOutcome like every other error; the text is not echoed.
    frameworkErrors: (err, _request, reply) => {
      const status = err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 400
      void (reply as FastifyReply).code(status).type('application/fhir+json')
        .send(operationOutcome('invalid', err.code === 'FST_ERR_BAD_URL' ? 'The request target is not a valid URL' : 'The request could not be routed'))
    },
    // 408 and 431 are written by Node before any route runs: OperationOutcomes like every other error.
    clientErrorHandler: clientErrorAnswer,
    return503OnClosing: true,
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error'
  })
  sink.log = app.log
  await app.register(fp(cdsApp), { config, rules, clock: opts.clock, store: opts.store, authNow: opts.authNow })
  return app
}
