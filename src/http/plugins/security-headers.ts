/**
 * Security headers on every answer (@fastify/helmet): HSTS, nosniff,
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
 */
import fp from 'fastify-plugin'
import helmet from '@fastify/helmet'
import type { FastifyInstance } from 'fastify'

export const API_CSP_DIRECTIVES = {
  defaultSrc: ["'none'"],
  baseUri: ["'none'"],
  formAction: ["'none'"],
  frameAncestors: ["'none'"]
}

export const DOCS_CSP = "default-src 'self'; base-uri 'self'; script-src 'self'; script-src-attr 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; form-action 'self'; frame-ancestors 'self'"

export interface SecurityHeadersOptions {
  /** Path prefix of the Swagger UI (plugins/openapi.ts DOCS_PREFIX). */
  docsPrefix: string
}

async function securityHeaders (app: FastifyInstance, opts: SecurityHeadersOptions): Promise<void> {
  await app.register(helmet, {
    global: true,
    contentSecurityPolicy: { useDefaults: false, directives: API_CSP_DIRECTIVES },
    // The API is called cross-origin by browser CDS clients (CORS); CORP does not apply to CORS requests.
    crossOriginResourcePolicy: { policy: 'same-origin' },
    strictTransportSecurity: { maxAge: 31_536_000, includeSubDomains: true },
    referrerPolicy: { policy: 'no-referrer' }
  })
  const docs = opts.docsPrefix
  app.addHook('onSend', async (request, reply, payload) => {
    const path = request.url.split('?')[0] ?? ''
    if (path === docs || path.startsWith(`${docs}/`)) reply.header('content-security-policy', DOCS_CSP)
    return payload
  })
}

export default fp(securityHeaders, { name: 'wgs-security-headers', fastify: '5.x' })
