/**
 * Logger options: pino JSON, and no patient data at any level. The request
 * body (prefetch, context), tokens, paths and query strings are redacted; handlers
 * log only ids and outcomes (hookInstance, indication ids, statuses).
 */
import type { FastifyServerOptions } from 'fastify'

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
