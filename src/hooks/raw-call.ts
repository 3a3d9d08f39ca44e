/**
 * A hook call from the request's bytes to the response's bytes, with no I/O:
 * parse (prototype-poisoning keys refused, as Fastify's own parser does),
 * validate, evaluate, render, serialise. It runs in an evaluation thread
 * (src/evaluation-pool/worker.ts) or, when there is none, inline on the event
 * loop (src/http/routes/hooks.ts) — the same function either way, so the two
 * cannot answer differently.
 *
 * Everything it returns is structured-cloneable: the route rebuilds the
 * errors (same statuses and OperationOutcomes as before) and gets, besides
 * the response bytes, only what it logs and audits — ids and outcomes, never
 * the prefetch.
 */
import { parse as secureJsonParse } from 'secure-json-parse'
import type { ErrorObject } from 'ajv'
import { handleHook, type CdsRequest, type HookOutcome, type HookSettings } from './handle-hook.js'
import { HookError } from './operation-outcome.js'
import { fallbackWouldFetch } from './fhir-fallback.js'
import type { RequestValidator } from './request-validator.js'
import { inspectJson, removeNonFiniteNumbers, type JsonShape } from './json-limits.js'
import { mayHoldWgsOrder, wgsDraftOrders } from './orders.js'
import requestSchema from './schemas/cds-request.schema.json' with { type: 'json' }
import { CARD_EXTENSION, type Card } from '../cards/render.js'

/** The parts of a request the route logs and audits (no prefetch, no token). */
export interface CallSummary {
  hook: string
  hookInstance: string
  context: { patientId: string, userId: string }
}

/** A card as the audit needs it: its uuid, its indication and status, and what feedback on it may name (its suggestions' uuids, its override reasons). */
export type CardStub = Pick<Card, 'uuid' | 'extension' | 'overrideReasons'> & { suggestions?: Array<{ uuid: string }> }

/** The outcome with each card reduced to its stub: what the route logs, counts and audits. */
export type OutcomeSummary = Omit<HookOutcome, 'cards'> & { cards: CardStub[] }

export type CallResult =
  /** Not JSON, or a prototype-poisoning key (Fastify's FST_ERR_CTP_INVALID_JSON_BODY). */
  | { kind: 'invalid-json' }
  /** Nested deeper than MAX_JSON_DEPTH (json-limits.ts): refused before it is parsed. */
  | { kind: 'too-deep' }
  /** Not a valid CDS Hooks request: ajv's errors, for the error handler's 400. */
  | { kind: 'invalid', hook?: string, validation: ErrorObject[] }
  /** A refusal of handleHook (unsupported hook, 412 without a Patient). */
  | { kind: 'refused', request: CallSummary, status: number, code: HookError['code'], message: string, expression?: string[] }
  /**
   * Prefetch is incomplete and the FHIR fallback would fetch: the event loop runs this call (it owns the
   * network). An evaluation thread sends the request bytes back with it (they were moved to the thread).
   */
  | { kind: 'needs-fallback', request: CallSummary, bytes?: Uint8Array }
  | { kind: 'evaluated', request: CallSummary, outcome: OutcomeSummary, response: Uint8Array }

export interface CallContext {
  settings: HookSettings
  validate: RequestValidator
}

/**
 * WGS orders evaluated in one call. Each is evaluated against every indication and gets its own cards
 * (up to one per indication), so without a limit the answer and the work grew with the number of
 * draft orders: a 10 MB body holds ~28,000 of them. One patient's order has one or two.
 */
export const MAX_WGS_ORDERS_PER_CALL = 10

const PARSE_OPTIONS = { protoAction: 'error', constructorAction: 'error' } as const

function summary (request: CdsRequest): CallSummary {
  return { hook: request.hook, hookInstance: request.hookInstance, context: { patientId: request.context.patientId, userId: request.context.userId } }
}

/**
 * JSON.parse, refusing prototype-poisoning keys as secure-json-parse does. secure-json-parse scans the
 * whole text with two regular expressions after parsing (~7 % of the parse on the 77 KB bench body)
 * and walks the result when they match; the shape's one pass already says whether the text can hold
 * a `__proto__` or `constructor` key at all (a JSON string of those bytes, or a `\u00XX` escape that
 * could spell one). Only then, or with a byte order mark (which secure-json-parse strips), is it
 * used: the same bodies are refused with the same error.
 */
function parseJson (bytes: Uint8Array, shape: JsonShape): unknown {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  if (shape.protoKey || shape.asciiEscape || (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf)) return secureJsonParse(buf, undefined, PARSE_OPTIONS)
  return JSON.parse(buf.toString('utf8'))
}

/** The request schema's own limit on prefetch keys: a prefetch the envelope parse leaves out must satisfy it. */
const MAX_PREFETCH_KEYS = requestSchema.properties.prefetch.maxProperties

/**
 * The body without its prefetch, parsed: for a call that cannot hold a WGS order, whose prefetch is
 * never read (handleHook answers it no cards). The bytes were checked to be JSON by the pre-parse pass
 * (json-outline.ts), so a body that is not gets the same 400 as ever from the full parse, and the
 * prefetch is left out only when it passes what the request schema asks of it (an object of at most
 * MAX_PREFETCH_KEYS members, each an object or null): otherwise the full parse and ajv answer, with
 * their own error. Undefined when the full parse must decide. Measured: see docs/performance.md,
 * "The call without a WGS order".
 */
function parseEnvelope (bytes: Uint8Array, shape: JsonShape): unknown {
  if (!shape.codesSought || mayHoldWgsOrder(shape) || shape.protoKey) return undefined
  // The pre-parse pass outlined the text only if it is JSON (json-limits.ts inspectJson).
  const prefetch = shape.outline?.prefetch
  if (!prefetch?.isObject || !prefetch.membersObjectsOrNull || prefetch.members > MAX_PREFETCH_KEYS) return undefined
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  // The range starts and ends at ASCII bytes ({ and }): no UTF-8 sequence is cut.
  return JSON.parse(buf.toString('utf8', 0, prefetch.start) + '{}' + buf.toString('utf8', prefetch.end))
}

/**
 * Parse and validate the bytes: the request, or why it is not one. `shape` is inspectJson's look at
 * these bytes when the caller made it already (the route, to decide where the call runs; with the
 * WGS order codes looked for, a call without any is parsed without its prefetch, `prefetchUnread`).
 */
export function parseRequest (ctx: CallContext, bytes: Uint8Array, shape: JsonShape = inspectJson(bytes)): { request: CdsRequest, prefetchUnread: boolean } | Extract<CallResult, { kind: 'invalid-json' | 'too-deep' | 'invalid' }> {
  if (shape.tooDeep) return { kind: 'too-deep' }
  let body: unknown
  let prefetchUnread = false
  try {
    body = parseEnvelope(bytes, shape)
    prefetchUnread = body !== undefined
    body ??= parseJson(bytes, shape)
  } catch {
    return { kind: 'invalid-json' }
  }
  // `1e309` parses to Infinity (and ajv takes it as an integer): invalid data, removed before anything reads it.
  if (shape.mayOverflow) removeNonFiniteNumbers(body)
  const errors = ctx.validate(body)
  if (errors) {
    const hook = (body as { hook?: unknown } | null)?.hook
    return { kind: 'invalid', ...(typeof hook === 'string' ? { hook } : {}), validation: errors }
  }
  return { request: body as CdsRequest, prefetchUnread }
}

/** The response body of an evaluated call, as UTF-8 JSON (what Fastify would have serialised). */
function responseBytes (cards: Card[]): Uint8Array {
  return Buffer.from(JSON.stringify({ cards }))
}

/** The result of a call that was evaluated: what the route logs and audits, and the answer's bytes. */
export function evaluatedCall (request: CdsRequest, outcome: HookOutcome): Extract<CallResult, { kind: 'evaluated' }> {
  return { kind: 'evaluated', request: summary(request), outcome: outcomeSummary(outcome), response: responseBytes(outcome.cards) }
}

function outcomeSummary (outcome: HookOutcome): OutcomeSummary {
  return {
    ...outcome,
    cards: outcome.cards.map((c) => {
      const result = c.extension[CARD_EXTENSION] as { indication?: unknown, status?: unknown } | undefined
      return {
        uuid: c.uuid,
        extension: result ? { [CARD_EXTENSION]: { indication: result.indication, status: result.status } } : {},
        ...(c.suggestions ? { suggestions: c.suggestions.map((s) => ({ uuid: s.uuid })) } : {}),
        ...(c.overrideReasons ? { overrideReasons: c.overrideReasons } : {})
      }
    })
  }
}

export async function evaluateRawCall (ctx: CallContext, bytes: Uint8Array, now: string, shape?: JsonShape): Promise<CallResult> {
  let parsed = parseRequest(ctx, bytes, shape)
  if (!('request' in parsed)) return parsed
  const { settings } = ctx
  const ordersIn = (r: CdsRequest): number => wgsDraftOrders(r.context, r.hook, settings.orderValueSet, settings.localOrderCodes).length
  let orders = ordersIn(parsed.request)
  // The scan is exact (orders.ts wgsOrderCodes), so this does not happen; if it ever did, the prefetch is read after all.
  if (orders > 0 && parsed.prefetchUnread) {
    parsed = parseRequest(ctx, bytes)
    if (!('request' in parsed)) return parsed
    orders = ordersIn(parsed.request)
  }
  const { request } = parsed
  if (orders > MAX_WGS_ORDERS_PER_CALL) {
    return { kind: 'refused', request: summary(request), status: 400, code: 'too-long', message: `context.draftOrders holds ${orders} WGS orders; at most ${MAX_WGS_ORDERS_PER_CALL} WGS orders are evaluated in one call`, expression: ['context.draftOrders'] }
  }
  // No WGS order: nothing is fetched or evaluated (handleHook answers no cards), whatever the prefetch holds.
  if (orders > 0 && fallbackWouldFetch(settings.rules.service, request, request.prefetch, settings.fallback.allowedBaseUrls)) {
    return { kind: 'needs-fallback', request: summary(request) }
  }
  try {
    return evaluatedCall(request, await handleHook(settings, request, now))
  } catch (err) {
    if (!(err instanceof HookError)) throw err
    return { kind: 'refused', request: summary(request), status: err.statusCode, code: err.code, message: err.message, ...(err.expression ? { expression: err.expression } : {}) }
  }
}
