/**
 * Security headers on every answer (helmet): HSTS, nosniff,
 * frame-ancestors, no referrer, cross-origin isolation headers, and a
 * Content-Security-Policy. The API answers JSON only, so its policy allows
 * nothing (`default-src 'none'`). Pages set their own, looser policies:
 *   - `/`, `/criteria/*`, `/playground` (routes/web.ts): same-origin scripts
 *     and styles (PAGE_CSP), set by the route itself, which overrides this one;
 *   - `/docs` (Swagger UI): same-origin scripts only, same-origin and inline
 *     styles (the Swagger UI bundle injects a <style> element), `data:` images
 *     (DOCS_CSP), set here in onSend because @fastify/swagger-ui sets none.
 * Registered first, so that answers given by early hooks (503 under load,
 * 401, 429) carry the headers too.
 *
 * The headers are the same on every answer (no CSP nonces), so helmet works
 * them out once, at start-up, and each answer gets the finished set: the
 * Fastify plugin built helmet's middleware again for every request, parsing
 * every option each time (~2 % of the event loop of a hook call, profiled).
 */
import fp from 'fastify-plugin'
import helmet, { type HelmetOptions } from 'helmet'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { FastifyInstance } from 'fastify'

export const API_CSP_DIRECTIVES = {
  defaultSrc: ["'none'"],
  baseUri: ["'none'"],
  formAction: ["'none'"],
  frameAncestors: ["'none'"]
}

export const DOCS_CSP = "default-src 'self'; base-uri 'self'; script-src 'self'; script-src-attr 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; form-action 'self'; frame-ancestors 'self'"

const HELMET_OPTIONS: HelmetOptions = {
  contentSecurityPolicy: { useDefaults: false, directives: API_CSP_DIRECTIVES },
  // The API is called cross-origin by browser CDS clients (CORS); CORP does not apply to CORS requests.
  crossOriginResourcePolicy: { policy: 'same-origin' },
  strictTransportSecurity: { maxAge: 31_536_000, includeSubDomains: true },
  referrerPolicy: { policy: 'no-referrer' }
}

/** The headers helmet sets with these options, by name (lower case): what its middleware does to a response, done once. */
export function helmetHeaders (options: HelmetOptions = HELMET_OPTIONS): Record<string, string> {
  const headers: Record<string, string> = {}
  const response = {
    setHeader: (name: string, value: string | number | readonly string[]) => { headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value) },
    removeHeader: (name: string) => { Reflect.deleteProperty(headers, name.toLowerCase()) }
  }
  // helmet 8 runs its middleware synchronously and throws on a bad option.
  helmet(options)({} as IncomingMessage, response as unknown as ServerResponse, (err?: unknown) => { if (err) throw err instanceof Error ? err : new Error(String(err)) })
  return headers
}

export interface SecurityHeadersOptions {
  /** Path prefix of the Swagger UI (plugins/openapi.ts DOCS_PREFIX). */
  docsPrefix: string
}

async function securityHeaders (app: FastifyInstance, opts: SecurityHeadersOptions): Promise<void> {
  const headers = helmetHeaders()
  // helmet removes X-Powered-By; Node and Fastify set none.
  app.addHook('onRequest', (_request, reply, done) => {
    void reply.headers(headers)
    done()
  })
  const docs = opts.docsPrefix
  app.addHook('onSend', async (request, reply, payload) => {
    if (request.url.startsWith(docs)) {
      const path = request.url.split('?')[0] ?? ''
      if (path === docs || path.startsWith(`${docs}/`)) reply.header('content-security-policy', DOCS_CSP)
    }
    return payload
  })
}

export default fp(securityHeaders, { name: 'wgs-security-headers', fastify: '5.x' })
