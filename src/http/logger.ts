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

export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.body',
  'body',
  'prefetch',
  'context',
  'fhirAuthorization',
  '*.prefetch',
  '*.context',
  '*.fhirAuthorization',
  '*.access_token',
  'access_token'
]

export function loggerOptions (level: string, destination?: NodeJS.WritableStream): FastifyServerOptions['logger'] {
  return {
    level,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
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
interface RequestLine { msg: string, fields: Record<string, unknown> }
type WithLine = FastifyRequest & { [REQUEST_LINE]?: RequestLine }

/**
 * What the request's one log line says besides the request and the response: its message and fields
 * (ids and outcomes only). The last call wins; the line is written once the response is sent.
 */
export function requestLine (request: FastifyRequest, msg: string, fields: Record<string, unknown>): void {
  (request as WithLine)[REQUEST_LINE] = { msg, fields }
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
    if (error) reply.log.error({ ...line?.fields, req: request, res: reply, err: error, responseTime: reply.elapsedTime }, 'request errored')
    else reply.log.info({ ...line?.fields, req: request, res: reply, responseTime: reply.elapsedTime }, line?.msg ?? 'request completed')
  }
}
