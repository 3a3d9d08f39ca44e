/**
 * One error handler for the whole API: every non-2xx answer is a FHIR
 * OperationOutcome naming the problem; a 5xx never echoes internals.
 */
import type { FastifyError, FastifyInstance } from 'fastify'
import { HookError, operationOutcome, type IssueCode } from '../hooks/operation-outcome.js'
import { describeValidationError } from '../hooks/validation-message.js'
import type { ErrorObject } from 'ajv'
import { requestIds, requestLine } from './logger.js'

const CODE_BY_STATUS: Record<number, IssueCode> = { 400: 'invalid', 401: 'login', 403: 'security', 404: 'not-found', 408: 'timeout', 412: 'incomplete', 413: 'too-long', 415: 'not-supported', 429: 'throttled' }

/** The media types the JSON routes accept (src/http/app.ts, routes/hooks.ts), named by a 415. */
export const ACCEPTED_MEDIA_TYPES = ['application/json', 'application/fhir+json']

/** Fastify's own 4xx messages, made to name what the caller can change. */
function messageOf (err: FastifyError, bodyLimit: number): string {
  if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return `Unsupported media type; send ${ACCEPTED_MEDIA_TYPES.join(' or ')}`
  if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return `Request body is larger than the limit of ${bodyLimit} bytes`
  return err.message
}

export function registerErrorHandling (app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | HookError, request, reply) => {
    if (err instanceof HookError) {
      // On the request's one log line (src/http/logger.ts), written when the answer is sent.
      requestLine(request, 'request refused', { status: err.statusCode, problem: err.code })
      return reply.code(err.statusCode).type('application/fhir+json').send(err.toOutcome())
    }
    if (err.validation) {
      const first = err.validation[0]
      const problem = describeValidationError(first as ErrorObject | undefined, err.validationContext ?? 'body')
      // The schema's path, not the body's: instance paths hold the caller's property names (any text).
      requestLine(request, 'invalid request', { status: 400, schemaPath: first?.schemaPath, keyword: first?.keyword })
      return reply.code(400).type('application/fhir+json').send(operationOutcome(problem.code, problem.message, [problem.expression]))
    }
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500
    if (status >= 500) {
      request.log.error({ ...requestIds(request), err: { message: err.message, code: err.code, stack: err.stack } }, 'unexpected error')
      return reply.code(500).type('application/fhir+json').send(operationOutcome('exception', 'Internal Server Error'))
    }
    // Fastify's own 4xx (unparsable JSON, body too large, wrong media type) carry safe messages.
    requestLine(request, 'request refused', { status, code: err.code })
    return reply.code(status).type('application/fhir+json').send(operationOutcome(CODE_BY_STATUS[status] ?? 'invalid', messageOf(err, app.initialConfig.bodyLimit ?? 1048576)))
  })
  // A service URL is called with POST only (CDS Hooks 2.0); GET on it says so instead of "no route".
  for (const url of ['/cds-services/:id', '/cds-services/:id/feedback']) {
    app.get(url, { schema: { hide: true } }, async (_request, reply) => reply.code(405).header('allow', 'POST').type('application/fhir+json')
      .send(operationOutcome('not-supported', 'Method GET is not allowed here; a CDS Service is called with POST')))
  }
  app.setNotFoundHandler((request, reply) => {
    reply.code(404).type('application/fhir+json').send(operationOutcome('not-found', `no route ${request.method} ${request.url.split('?')[0]}`))
  })
}
