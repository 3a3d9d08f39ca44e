/**
 * Logger options: pino JSON, and no patient data at any level. The request
 * body (prefetch, context), tokens, paths and query strings are redacted; handlers
 * log only ids and outcomes (hookInstance, indication ids, statuses).
 *
 * One line per request ({@link OneLinePerRequest}): Fastify's "incoming
 * request" and "request completed" lines and the handler's own line (a hook
 * call's "hook evaluated", an error handler's "request refused") are one line,
 * written when the response has been sent.
 */
import { LogController, type FastifyReply, type FastifyRequest, type FastifyServerOptions } from 'fastify'

/** Keys redacted wherever they are at the top of a log line (pino's own redaction, cheap at this depth). */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.body',
  'body',
  'prefetch',
  'context',
  'fhirAuthorization',
  'access_token'
]

/**
 * The same keys one level down (what pino's `*.prefetch` paths redacted): an error or any object logged
 * with a request's prefetch, context or token on it. Done by {@link censorNested}, not by pino's wildcard
 * paths: those re-serialised every value of every line through the redaction (42 µs a line against 2 µs,
 * measured with the hook call's line; one line per request). `req` and `res` are left to their
 * serializers, which keep only the method, route, id and status.
 */
export const NESTED_REDACT_KEYS = ['prefetch', 'context', 'fhirAuthorization', 'access_token'] as const
const CENSOR = '[redacted]'
const SERIALIZED = new Set(['req', 'res'])

/** A copy of `line` with {@link NESTED_REDACT_KEYS} censored one level down; `line` itself when none is there (no copy). */
export function censorNested (line: Record<string, unknown>): Record<string, unknown> {
  let out = line
  for (const key in line) {
    const value = line[key]
    if (value === null || typeof value !== 'object' || Array.isArray(value) || SERIALIZED.has(key)) continue
    let censored: Record<string, unknown> | undefined
    for (const k of NESTED_REDACT_KEYS) {
      if ((value as Record<string, unknown>)[k] === undefined) continue
      // A copy with every own property (an Error's message and stack are not enumerable): the logged object is not changed.
      censored ??= Object.create(Object.getPrototypeOf(value) as object, Object.getOwnPropertyDescriptors(value)) as Record<string, unknown>
      censored[k] = CENSOR
    }
    if (!censored) continue
    if (out === line) out = { ...line }
    out[key] = censored
  }
  return out
}

export function loggerOptions (level: string, destination?: NodeJS.WritableStream): FastifyServerOptions['logger'] {
  return {
    level,
    redact: { paths: REDACT_PATHS, censor: CENSOR },
    formatters: { log: censorNested },
    serializers: {
      // Only the method and the route template (`/criteria/:id`), never the URL: a path segment or a
      // query string could carry an identifier (a CPR number in `/criteria/0101904321`).
      req: (req: { method?: string, id?: string, routeOptions?: { url?: string } }) => ({ method: req.method, route: req.routeOptions?.url ?? '(no route)', id: req.id }),
      res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode })
    },
    ...(destination ? { stream: destination } : {})
  } as FastifyServerOptions['logger']
}

const REQUEST_LINE = Symbol('wgs-cds.requestLine')
const REQUEST_IDS = Symbol('wgs-cds.requestIds')
interface RequestLine { msg: string, fields: Record<string, unknown> }
type WithLine = FastifyRequest & { [REQUEST_LINE]?: RequestLine, [REQUEST_IDS]?: Record<string, string> }

/**
 * What the request's one log line says besides the request and the response: its message and fields
 * (ids and outcomes only). The last call wins; the line is written once the response is sent.
 */
export function requestLine (request: FastifyRequest, msg: string, fields: Record<string, unknown>): void {
  (request as WithLine)[REQUEST_LINE] = { msg, fields }
}

/**
 * Ids the request's line carries from now on whatever its message (a hook call's hookInstance, once the
 * body is parsed), and any other line logged with {@link requestIds}. Not a child logger per call: pino
 * serialises a child's bindings when it is made (13 µs a call, measured), for a line written once.
 */
export function tagRequest (request: FastifyRequest, ids: Record<string, string>): void {
  const r = request as WithLine
  r[REQUEST_IDS] = { ...r[REQUEST_IDS], ...ids }
}

export function requestIds (request: FastifyRequest): Record<string, string> | undefined {
  return (request as WithLine)[REQUEST_IDS]
}

/**
 * Fastify's request logging as one line per request: nothing when the request comes in (the
 * request's method, route and id are on the completion line), and at completion the fields a
 * handler gave {@link requestLine} with the request, the status and the response time. Before,
 * a hook call wrote three lines (incoming, hook evaluated, completed), to be joined by reqId.
 */
export class OneLinePerRequest extends LogController {
  override incomingRequest (): void {}

  override requestCompleted (error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (this.isLogDisabled(request)) return
    const line = (request as WithLine)[REQUEST_LINE]
    const ids = (request as WithLine)[REQUEST_IDS]
    if (error) reply.log.error({ ...ids, ...line?.fields, req: request, res: reply, err: error, responseTime: reply.elapsedTime }, 'request errored')
    else reply.log.info({ ...ids, ...line?.fields, req: request, res: reply, responseTime: reply.elapsedTime }, line?.msg ?? 'request completed')
  }
}
