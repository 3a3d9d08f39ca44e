/**
 * One evaluation thread (started by pool.ts): compiles the rules from the
 * configuration it is given, then turns request bytes into a CallResult
 * (src/hooks/raw-call.ts) for each task — parse, validate, evaluate, render,
 * serialise — off the event loop. It does no I/O: calls whose prefetch the
 * FHIR fallback would complete are handed back to the event loop.
 */
import { parentPort, workerData } from 'node:worker_threads'
import type { Config } from '../config/config.js'
import { loadRulesFor } from '../definitions/rules-for-config.js'
import { hookSettings } from '../hooks/hook-settings.js'
import { requestValidator } from '../hooks/request-validator.js'
import { evaluateRawCall, type CallResult } from '../hooks/raw-call.js'
import { transferList } from './transfer.js'
import type { JsonShape } from '../hooks/json-limits.js'

export interface WorkerData { config: Readonly<Config> }
/** `language`: the calling client's card language (trusted issuer), when it is not the configured one. */
export interface Task { id: number, bytes: Uint8Array, now: string, language?: 'da' | 'en', shape?: JsonShape }
export type WorkerMessage =
  | { type: 'ready' }
  | { type: 'result', id: number, result: CallResult }
  /** evaluateRawCall threw: a defect, answered 500 like the same defect inline. */
  | { type: 'failed', id: number, message: string, stack?: string }
  /** FHIRPATH_ENGINE=verify: where the compiled path and fhirpath.js differed (never the values: patient data). */
  | { type: 'mismatch', indication: string, path: string, expression: string }

const port = parentPort!
const post = (m: WorkerMessage, transfer: ArrayBuffer[] = []): void => { port.postMessage(m, transfer) }
const { config } = workerData as WorkerData
const rules = loadRulesFor(config, (m) => { post({ type: 'mismatch', indication: m.indication, path: m.path, expression: m.expression }) })
const ctx = { settings: hookSettings(config, rules), validate: requestValidator() }
const otherLanguage = { ...ctx, settings: { ...ctx.settings, language: ctx.settings.language === 'da' ? 'en' as const : 'da' as const } }

port.on('message', (task: Task) => {
  evaluateRawCall(task.language && task.language !== ctx.settings.language ? otherLanguage : ctx, task.bytes, task.now, task.shape).then(
    (result) => {
      // The request bytes go back with a call the event loop must finish; the response bytes are moved, not copied.
      const answer: CallResult = result.kind === 'needs-fallback' ? { ...result, bytes: task.bytes } : result
      post({ type: 'result', id: task.id, result: answer }, answer.kind === 'evaluated' ? transferList(answer.response) : answer.kind === 'needs-fallback' ? transferList(task.bytes) : [])
    },
    (err: unknown) => {
      const e = err instanceof Error ? err : new Error(String(err))
      post({ type: 'failed', id: task.id, message: e.message, ...(e.stack ? { stack: e.stack } : {}) })
    }
  )
})
post({ type: 'ready' })
