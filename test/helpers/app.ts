/**
 * Build the real app for a test, driven through inject (no port), with a
 * fixed evaluation time so scenarios are deterministic.
 */
import type { FastifyInstance } from 'fastify'
import { loadConfig, type Config } from '../../src/config/config.js'
import { buildServer, type BuildOptions } from '../../src/http/build.js'
import { loadRulesFor } from '../../src/definitions/rules-for-config.js'
import type { LoadedRules } from '../../src/definitions/load.js'
import type { Mismatch } from '../../src/core/fhirpath-compiler/expression.js'
import { CARD_EXTENSION, type CardCriterion, type CardResult } from '../../src/cards/render.js'
import type { Evidence } from '../../src/core/types.js'

/** The fixed "now" of every scenario. */
export const NOW = '2026-11-22T10:00:00.000Z'
export const SERVICE_URL = '/cds-services/ngc-wgs-eligibility'

interface Teardown { teardown: (fn: () => unknown) => void }

let shared: LoadedRules | undefined
/**
 * Every difference between the compiled FHIRPath path and fhirpath.js seen by
 * the shared test rules. They run in `verify` mode, so every scenario of every
 * HTTP test is also a differential test of the compiler: postHook fails the
 * test on the first difference.
 */
export const fhirpathMismatches: Array<Mismatch & { indication: string, path: string }> = []

/** Rules compiled once per test process (they are immutable). */
export function testRules (): LoadedRules {
  shared ??= loadRulesFor(loadConfig({ FHIRPATH_ENGINE: 'verify' }), (m) => { fhirpathMismatches.push(m) })
  return shared
}

/** Throws (failing the test) if the compiled path and fhirpath.js disagreed since the last check. */
export function assertNoFhirpathMismatch (): void {
  if (fhirpathMismatches.length === 0) return
  const found = fhirpathMismatches.splice(0)
  throw new Error(`compiled FHIRPath differs from fhirpath.js:\n${found.map((m) => `${m.indication} ${m.path}: ${m.expression}\n  compiled ${JSON.stringify(m.compiled).slice(0, 300)}\n  reference ${JSON.stringify(m.reference).slice(0, 300)}`).join('\n')}`)
}

/**
 * Client authentication off, an in-memory audit store, hook calls evaluated
 * inline (EVALUATION_THREADS=0: with the shared verify-mode rules above; the
 * threads have their own test, test/evaluation-pool), no load shedding
 * (back-to-back inject calls keep the event loop busy by design) and no rate
 * limiting (thousands of calls from one address) unless `env` says otherwise (test/auth, test/store and the under-pressure test set their own).
 */
export async function buildTestApp (t: Teardown, env: Record<string, string> = {}, opts: { logStream?: NodeJS.WritableStream, rules?: LoadedRules } & Pick<BuildOptions, 'store' | 'authNow'> = {}): Promise<FastifyInstance> {
  const config: Readonly<Config> = loadConfig({ LOG_LEVEL: 'silent', CDS_AUTH: 'off', DATA_DIR: ':memory:', EVALUATION_THREADS: '0', UNDER_PRESSURE_MAX_EVENT_LOOP_DELAY_MS: '0', UNDER_PRESSURE_MAX_EVENT_LOOP_UTILIZATION: '0', RATE_LIMIT_MAX: '0', ...env })
  const rules = opts.rules ?? (Object.keys(env).some((k) => ['ORGANIZATION_LISTS_FILE', 'RULES_ROOT', 'PERFORMANCE_STATUS_LOOKBACK_DAYS'].includes(k)) ? undefined : testRules())
  const app = await buildServer(config, { rules, clock: () => new Date(NOW), logStream: opts.logStream, store: opts.store, authNow: opts.authNow })
  t.teardown(() => app.close())
  await app.ready()
  return app
}

export interface HookResponse { status: number, body: any }

export async function postHook (app: FastifyInstance, body: unknown, url = SERVICE_URL): Promise<HookResponse> {
  const res = await app.inject({ method: 'POST', url, payload: body as Record<string, unknown> })
  assertNoFhirpathMismatch()
  return { status: res.statusCode, body: res.json() }
}

/** A criterion of the card extension with its evidence looked up in the card's list (`evidenceListed` → `evidence`). */
export type ResolvedCriterion = CardCriterion & { evidence: Evidence[] }
export type ResolvedResult = Omit<CardResult, 'criteria' | 'others' | 'evidence' | 'indication'> & { indication: string | null, criteria: ResolvedCriterion[] }

/**
 * The machine-readable result for an indication, or undefined: the card's own (the indication in its
 * summary) or one of the other matching indications the card carries (`others`, one card per order),
 * each criterion's evidence looked up in the card's `evidence` list.
 */
export function resultFor (body: any, indication: string | null): ResolvedResult | undefined {
  for (const c of body?.cards ?? []) {
    const ext = c.extension?.[CARD_EXTENSION]
    if (!ext) continue
    const resolve = (r: any): ResolvedResult => ({ ...r, criteria: (r.criteria ?? []).map((cr: CardCriterion) => ({ ...cr, evidence: cr.evidenceListed.map((i) => ext.evidence[i]) })) })
    if (ext.indication === indication) {
      const own = resolve(ext)
      delete (own as any).others
      delete (own as any).evidence
      return own
    }
    const other = (ext.others ?? []).find((o: any) => o.indication === indication)
    if (other) return resolve({ ...other, order: ext.order, rulesVersion: ext.rulesVersion })
  }
  return undefined
}

/** The card whose summary is about an indication (the order's best-matching one). */
export function cardFor (body: any, indication: string | null): any {
  return (body?.cards ?? []).find((c: any) => c.extension?.[CARD_EXTENSION]?.indication === indication)
}

/** The card that carries an indication, as its own or as one of the others. */
export function cardWith (body: any, indication: string): any {
  return (body?.cards ?? []).find((c: any) => c.extension?.[CARD_EXTENSION]?.indication === indication || (c.extension?.[CARD_EXTENSION]?.others ?? []).some((o: any) => o.indication === indication))
}

/** Status of one criterion in a result. */
export function criterionStatus (result: ResolvedResult | undefined, id: string): string | undefined {
  return result?.criteria.find((c) => c.id === id)?.status
}
