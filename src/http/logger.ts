/**
 * Logger options: pino JSON, and no patient data at any level. The request
 * body (prefetch, context), tokens and query strings are redacted; handlers
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
      // Only method and path: query strings could carry identifiers.
      req: (req: { method?: string, url?: string, id?: string }) => ({ method: req.method, path: (req.url ?? '').split('?')[0], id: req.id }),
      res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode })
    },
    ...(destination ? { stream: destination } : {})
  } as FastifyServerOptions['logger']
}
