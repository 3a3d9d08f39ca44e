/**
 * FHIR-server fallback: when a prefetch key the evaluation needs is missing,
 * an OperationOutcome, or a paged Bundle, and the request carries `fhirServer`
 * and `fhirAuthorization`, run that key's query against the EHR's FHIR server
 * (CDS Hooks 2.0 §Prefetch, shared/reference/cds-hooks.md §1.4).
 *
 * Safety rules:
 * - The access token only goes to a base URL on the operator's allow-list
 *   (FHIR_SERVER_ALLOWLIST, exact match), never anywhere else: redirects are
 *   refused and `next` links must stay under the same base (same origin,
 *   normalised path under the base's path; see withinBase).
 * - Every fetch has a timeout, keys are fetched in parallel, and the whole
 *   fallback has a deadline; paging stops at FHIR_MAX_PAGES; at most
 *   FHIR_MAX_RESPONSE_BYTES are read for one key (all its pages together),
 *   counted while the body streams in, so a huge answer cannot exhaust memory.
 * - A failure never fails the hook: the key stays unavailable with a reason
 *   the card shows, and its criteria are `unknown`.
 * - The token is never logged, stored or echoed.
 */
import type { ServiceDefinition } from '../definitions/load.js'
import type { AnyResource } from '../core/fhir.js'
import { HookError } from './operation-outcome.js'

export interface FallbackSettings {
  allowedBaseUrls: readonly string[]
  timeoutMs: number
  deadlineMs: number
  maxPages: number
  /** Most bytes read for one prefetch key, all its pages and reads together; unlimited when unset. */
  maxResponseBytes?: number
  /** Injected for tests; the global fetch otherwise. */
  fetchImpl?: typeof fetch
  /** Called once per key fetched, for metrics. Outcome is 'ok' or a failure code. */
  onFetch?: (key: string, outcome: string) => void
  /**
   * Most keys fetched at the same time; unlimited (all at once) when unset.
   * 1 fetches one key after another: the baseline of the fallback benchmark (bench/fallback.ts).
   */
  concurrency?: number
}

export interface FallbackRequest {
  fhirServer?: string
  /** As sent; only `access_token` and `token_type` are used, and checked only when a fetch needs them. */
  fhirAuthorization?: { access_token?: string, token_type?: string }
  context: { patientId: string, userId: string, encounterId?: string }
}

export interface FallbackResult {
  /** Values to use for keys that were fetched. */
  values: Record<string, unknown>
  /** Reasons for keys that could not be fetched (shown on the card). */
  failures: Record<string, string>
  /** Why the fallback did not run at all, when it did not. */
  skipped?: string
}

export class FetchFailure extends Error {
  constructor (readonly code: string, message: string) { super(message) }
}

const normaliseBase = (u: string): string => u.replace(/\/+$/, '')

/** Bytes still allowed for one key (FHIR_MAX_RESPONSE_BYTES), shared by its pages and include reads. */
interface ByteBudget { left: number }

const tooLarge = (): FetchFailure => new FetchFailure('too-large', 'the FHIR server answered more data than the service accepts (FHIR_MAX_RESPONSE_BYTES)')

/**
 * Read a response body as text, counting bytes as they arrive: stops (and
 * cancels the stream) as soon as the key's budget is spent, instead of
 * buffering whatever the server sends. Aborts with the fetch's signal.
 */
async function readBody (res: Response, budget: ByteBudget): Promise<string> {
  const declared = Number(res.headers.get('content-length') ?? Number.NaN)
  if (Number.isFinite(declared) && declared > budget.left) { void res.body?.cancel().catch(() => undefined); throw tooLarge() }
  if (!res.body) return ''
  const reader = res.body.getReader()
  const decoder = new TextDecoder('utf-8')
  const parts: string[] = []
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    budget.left -= value.byteLength
    if (budget.left < 0) { void reader.cancel().catch(() => undefined); throw tooLarge() }
    parts.push(decoder.decode(value, { stream: true }))
  }
  parts.push(decoder.decode())
  return parts.join('')
}

/** Resolve CDS Hooks 2.0 prefetch tokens; undefined when a token has no value in this request. */
export function resolveTemplate (template: string, ctx: FallbackRequest['context']): string | undefined {
  const [userType, userId] = ctx.userId.split('/')
  const tokens: Record<string, string | undefined> = {
    'context.patientId': ctx.patientId,
    'context.userId': ctx.userId,
    'context.encounterId': ctx.encounterId,
    userPractitionerId: userType === 'Practitioner' ? userId : undefined,
    userPractitionerRoleId: userType === 'PractitionerRole' ? userId : undefined,
    userPatientId: userType === 'Patient' ? userId : undefined,
    userRelatedPersonId: userType === 'RelatedPerson' ? userId : undefined
  }
  let unresolved = false
  const out = template.replace(/\{\{\s*([^}\s]+)\s*\}\}/g, (_, name: string) => {
    const v = tokens[name]
    if (v === undefined) { unresolved = true; return '' }
    return encodeURIComponent(v)
  })
  return unresolved ? undefined : out
}

/**
 * The URL the token may be sent to, or undefined. A text prefix check is not
 * enough: `fetch` normalises dot segments (`/R4/%2e%2e/secret` is
 * `/secret`), so the parsed URL's origin and normalised pathname are compared
 * with the base's. Encoded slashes and backslashes and `..;` segments are
 * refused as well: some servers decode them into a parent segment after the
 * check. The returned URL is the one fetched, so what was checked is what is sent.
 */
export function withinBase (url: string, base: string): URL | undefined {
  let u: URL
  let b: URL
  try { u = new URL(url); b = new URL(base) } catch { return undefined }
  if (u.origin !== b.origin || u.username !== '' || u.password !== '') return undefined
  if (/%2f|%5c/i.test(u.pathname) || /(^|\/)\.{1,2};/.test(u.pathname)) return undefined
  const path = b.pathname.replace(/\/+$/, '')
  return u.pathname === path || u.pathname.startsWith(`${path}/`) ? u : undefined
}

async function getJson (url: string, token: string, base: string, settings: FallbackSettings, signal: AbortSignal, budget: ByteBudget): Promise<AnyResource> {
  const target = withinBase(url, base)
  if (!target) throw new FetchFailure('foreign-url', 'a link pointed outside the FHIR server')
  const doFetch = settings.fetchImpl ?? fetch
  let res: Response
  try {
    res = await doFetch(target.href, {
      headers: { Authorization: `Bearer ${token}`, Accept: 'application/fhir+json, application/json' },
      redirect: 'manual',
      signal: AbortSignal.any([signal, AbortSignal.timeout(settings.timeoutMs)])
    })
  } catch (err) {
    const name = (err as Error).name
    throw new FetchFailure(name === 'TimeoutError' || name === 'AbortError' ? 'timeout' : 'network', name === 'TimeoutError' || name === 'AbortError' ? 'the FHIR server did not answer in time' : 'the FHIR server could not be reached')
  }
  if (res.status >= 300 && res.status < 400) { void res.body?.cancel(); throw new FetchFailure('redirect', 'the FHIR server answered with a redirect, which is refused') }
  if (!res.ok) { void res.body?.cancel(); throw new FetchFailure(`http-${res.status}`, `the FHIR server answered HTTP ${res.status}`) }
  const type = res.headers.get('content-type') ?? ''
  if (!/json/i.test(type)) { void res.body?.cancel(); throw new FetchFailure('content-type', 'the FHIR server did not answer with JSON') }
  let body: unknown
  try { body = JSON.parse(await readBody(res, budget)) } catch (err) {
    if (err instanceof FetchFailure) throw err
    const name = (err as Error).name
    const timedOut = name === 'TimeoutError' || name === 'AbortError' || signal.aborted
    // A connection reset while the body streams in is a network failure, not bad JSON.
    const network = !timedOut && name === 'TypeError'
    throw new FetchFailure(timedOut ? 'timeout' : network ? 'network' : 'invalid-json', timedOut ? 'the FHIR server did not answer in time' : network ? 'the connection to the FHIR server failed' : 'the FHIR server answered invalid JSON')
  }
  if (typeof body !== 'object' || body === null || typeof (body as AnyResource).resourceType !== 'string') {
    throw new FetchFailure('invalid-resource', 'the FHIR server answered something that is not a FHIR resource')
  }
  if ((body as AnyResource).resourceType === 'OperationOutcome') throw new FetchFailure('operation-outcome', 'the FHIR server answered with an OperationOutcome')
  return body as AnyResource
}

const nextLink = (b: AnyResource): string | undefined =>
  (Array.isArray(b.link) ? b.link : []).find((l: any) => l?.relation === 'next')?.url as string | undefined

/** Fetch one key: a read, or a search with its pages; or continue a paged prefetch Bundle. */
async function fetchKey (first: string | AnyResource, token: string, base: string, settings: FallbackSettings, signal: AbortSignal, budget: ByteBudget): Promise<AnyResource> {
  let page = typeof first === 'string' ? await getJson(first, token, base, settings, signal, budget) : first
  if (page.resourceType !== 'Bundle') return page
  const entries: unknown[] = [...(Array.isArray(page.entry) ? page.entry : [])]
  let pages = 1
  let next = nextLink(page)
  while (next) {
    if (pages >= settings.maxPages) throw new FetchFailure('too-many-pages', `more than ${settings.maxPages} pages of results`)
    page = await getJson(next, token, base, settings, signal, budget)
    if (page.resourceType !== 'Bundle') throw new FetchFailure('invalid-resource', 'a result page was not a Bundle')
    entries.push(...(Array.isArray(page.entry) ? page.entry : []))
    pages++
    next = nextLink(page)
  }
  return { resourceType: 'Bundle', type: 'searchset', total: entries.length, entry: entries }
}

const MAX_INCLUDE_READS = 10

/**
 * Many FHIR servers ignore `_include`. When the query asked for
 * `_include=Type:element` and a referenced resource is absent from the
 * result, read it (at most MAX_INCLUDE_READS) so the evaluation does not
 * depend on the server's _include support.
 */
async function backfillIncludes (bundle: AnyResource, url: string, token: string, base: string, settings: FallbackSettings, signal: AbortSignal, budget: ByteBudget): Promise<AnyResource> {
  if (bundle.resourceType !== 'Bundle') return bundle
  const includes = new URL(url).searchParams.getAll('_include').map((v) => v.split(':')).filter((p) => p.length === 2)
  if (includes.length === 0) return bundle
  const entries: Array<{ resource?: AnyResource }> = Array.isArray(bundle.entry) ? [...bundle.entry] : []
  const present = new Set(entries.map((e) => `${e.resource?.resourceType}/${e.resource?.id}`))
  const wanted = new Set<string>()
  for (const [type, element] of includes) {
    for (const e of entries) {
      if (e.resource?.resourceType !== type) continue
      const refs = ([] as unknown[]).concat(e.resource[element!] ?? [])
      for (const ref of refs) {
        const r = (ref as { reference?: unknown })?.reference
        if (typeof r === 'string' && /^[A-Z][A-Za-z]+\/[A-Za-z0-9\-.]{1,64}$/.test(r) && !present.has(r)) wanted.add(r)
      }
    }
  }
  const reads = [...wanted].slice(0, MAX_INCLUDE_READS)
  const fetched = await Promise.all(reads.map(async (ref) => await getJson(`${base}/${ref}`, token, base, settings, signal, budget)))
  return { ...bundle, entry: [...entries, ...fetched.map((resource) => ({ resource, search: { mode: 'include' } }))] }
}

function needsFetch (value: unknown): 'missing' | 'paged' | undefined {
  if (value === undefined) return 'missing'
  if (value === null || typeof value !== 'object') return undefined
  const r = value as AnyResource
  if (r.resourceType === 'OperationOutcome') return 'missing'
  if (r.resourceType === 'Bundle' && nextLink(r)) return 'paged'
  return undefined
}

type Plan =
  | { skip: FallbackResult }
  /** The fetch would need the token, and the request's fhirAuthorization cannot be used: a 400 naming the field. */
  | { refuse: HookError }
  | { pending: Array<[string, ServiceDefinition['prefetch'][string]]>, token: string, base: string }

/**
 * Which keys the fallback would fetch, or why it fetches nothing — decided
 * without any I/O. `fhirAuthorization` is checked only here, when a fetch
 * would use it, and only for what the fetch uses: a non-empty access_token
 * and a Bearer token_type in any case (RFC 6749 §5.1; absent is taken as
 * Bearer). expires_in, scope and subject are not used, so never refused.
 */
function plan (service: ServiceDefinition, request: FallbackRequest, prefetch: Record<string, unknown> | undefined, allowedBaseUrls: readonly string[]): Plan {
  // A key whose template this request cannot fill (a user token of another user type) is not applicable, not pending.
  const pending = Object.entries(service.prefetch).filter(([key, def]) => {
    const need = needsFetch(prefetch?.[key])
    return need === 'paged' || (need === 'missing' && resolveTemplate(def.query, request.context) !== undefined)
  })
  if (pending.length === 0) return { skip: { values: {}, failures: {} } }
  const auth = request.fhirAuthorization
  if (!request.fhirServer || !auth) return { skip: { values: {}, failures: {}, skipped: 'no fhirServer / fhirAuthorization in the request' } }
  const base = normaliseBase(request.fhirServer)
  if (!allowedBaseUrls.map(normaliseBase).includes(base)) {
    return { skip: { values: {}, failures: {}, skipped: 'fhirServer is not on the allow-list (FHIR_SERVER_ALLOWLIST)' } }
  }
  const keys = pending.map(([key]) => `'${key}'`).join(', ')
  const token = auth.access_token
  if (typeof token !== 'string' || token === '') {
    return { refuse: new HookError(400, 'required', `fhirAuthorization.access_token is empty or missing; it is needed to fetch prefetch ${keys} from fhirServer`, ['fhirAuthorization.access_token']) }
  }
  if (auth.token_type !== undefined && auth.token_type.toLowerCase() !== 'bearer') {
    return { refuse: new HookError(400, 'value', `fhirAuthorization.token_type must be Bearer (any case) to fetch prefetch ${keys} from fhirServer`, ['fhirAuthorization.token_type']) }
  }
  return { pending, token, base }
}

/**
 * True when {@link fetchMissingPrefetch} would contact the FHIR server for this
 * request. An evaluation thread hands such calls back to the event loop
 * (src/evaluation-pool/), which owns the network and the fallback metrics.
 */
export function fallbackWouldFetch (service: ServiceDefinition, request: FallbackRequest, prefetch: Record<string, unknown> | undefined, allowedBaseUrls: readonly string[]): boolean {
  return 'pending' in plan(service, request, prefetch, allowedBaseUrls)
}

/**
 * Fetch every prefetch key that is not usable as sent. Returns fetched values
 * and failure reasons; never throws for the FHIR server's behaviour. Throws
 * a 400 HookError when a fetch is needed and the request's fhirAuthorization
 * cannot be used for it.
 */
export async function fetchMissingPrefetch (service: ServiceDefinition, request: FallbackRequest, prefetch: Record<string, unknown> | undefined, settings: FallbackSettings): Promise<FallbackResult> {
  const p = plan(service, request, prefetch, settings.allowedBaseUrls)
  if ('skip' in p) return p.skip
  if ('refuse' in p) throw p.refuse
  const { pending, token, base } = p
  const deadline = AbortSignal.timeout(settings.deadlineMs)
  const values: Record<string, unknown> = {}
  const failures: Record<string, string> = {}
  await forEachLimited(pending, settings.concurrency, async ([key, def]) => {
    const current = prefetch?.[key]
    let first: string | AnyResource
    if (needsFetch(current) === 'paged') {
      first = current as AnyResource
    } else {
      const path = resolveTemplate(def.query, request.context)
      if (path === undefined) { failures[key] = `prefetch '${key}' needs a user token this request does not carry`; return }
      first = `${base}/${path}`
    }
    const budget: ByteBudget = { left: settings.maxResponseBytes ?? Number.POSITIVE_INFINITY }
    try {
      const value = await fetchKey(first, token, base, settings, deadline, budget)
      values[key] = typeof first === 'string' ? await backfillIncludes(value, first, token, base, settings, deadline, budget) : value
      settings.onFetch?.(key, 'ok')
    } catch (err) {
      const f = err instanceof FetchFailure ? err : new FetchFailure('error', 'the FHIR server request failed')
      failures[key] = `'${key}' could not be retrieved from the FHIR server: ${f.message}`
      settings.onFetch?.(key, f.code)
    }
  })
  return { values, failures }
}

/** Run `fn` over `items`, at most `limit` at a time (all at once when limit is unset). */
async function forEachLimited<T> (items: T[], limit: number | undefined, fn: (item: T) => Promise<void>): Promise<void> {
  if (limit === undefined || limit >= items.length) {
    await Promise.all(items.map(fn))
    return
  }
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < items.length) await fn(items[next++]!)
  }
  await Promise.all(Array.from({ length: Math.max(1, limit) }, worker))
}
