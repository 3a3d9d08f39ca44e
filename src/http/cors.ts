/**
 * CORS for browser-based CDS clients (CDS Hooks 2.0 §Security: "CDS Services
 * and browser-based CDS Clients will require CORS support"): an origin
 * allow-list (CORS_ORIGINS; by default the public CDS Hooks sandbox and
 * localhost), methods GET/POST/OPTIONS, request headers Authorization and
 * Content-Type, no credentials (the JWT travels in a header, not a cookie).
 * Preflights are answered before client authentication runs.
 */
import cors from '@fastify/cors'
import type { FastifyInstance } from 'fastify'

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')

/**
 * CORS_ORIGINS entries as @fastify/cors origins: `*` allows any origin,
 * `scheme://host:*` any port of that host (or none), anything else is exact.
 */
export function corsOrigin (patterns: readonly string[]): '*' | Array<string | RegExp> {
  if (patterns.includes('*')) return '*'
  return patterns.map((p) => p.endsWith(':*') ? new RegExp(`^${escape(p.slice(0, -2))}(:\\d{1,5})?$`) : p)
}

export async function registerCors (app: FastifyInstance, origins: readonly string[]): Promise<void> {
  await app.register(cors, {
    origin: corsOrigin(origins),
    methods: ['GET', 'POST', 'OPTIONS'],
    allowedHeaders: ['Authorization', 'Content-Type'],
    credentials: false,
    maxAge: 600,
    strictPreflight: true
  })
}
