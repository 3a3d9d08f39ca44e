/**
 * The words of a 400 for a body that does not match its JSON Schema: which
 * field, and what it must be. ajv's own messages leave out what the caller
 * needs ("must be equal to constant", "must be equal to one of the allowed
 * values") or say it twice ("…subject must have required property
 * 'subject'"). One function, used by the one error handler
 * (src/http/error-handler.ts) for hook calls and feedback alike.
 */
import type { ErrorObject } from 'ajv'
import type { IssueCode } from './operation-outcome.js'

export interface ValidationProblem { code: IssueCode, message: string, expression: string }

/** Longest piece of caller text (a property name) put into a message. */
const MAX_NAME = 64

/** `/context/draftOrders/entry/0` → `.context.draftOrders.entry[0]` (JSON Pointer unescaped). */
function fieldPath (instancePath: string): string {
  if (instancePath === '') return ''
  return instancePath.split('/').slice(1).map((raw) => {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~')
    return /^\d+$/.test(seg) ? `[${seg}]` : `.${name(seg)}`
  }).join('')
}

/** A property name as the caller wrote it, bounded and without control characters. */
function name (s: string): string {
  // eslint-disable-next-line no-control-regex
  const clean = s.replace(/[\u0000-\u001f\u007f]/g, '?')
  return clean.length > MAX_NAME ? `${clean.slice(0, MAX_NAME)}…` : clean
}

const literal = (v: unknown): string => {
  const text = JSON.stringify(v) ?? String(v)
  return text.length > 200 ? `${text.slice(0, 200)}…` : text
}

/**
 * @param err - the first ajv error (the validators stop at the first)
 * @param context - where the value came from: `body`, `querystring`, …
 * @returns the issue code, the message and the field's path for the OperationOutcome
 */
export function describeValidationError (err: ErrorObject | undefined, context = 'body'): ValidationProblem {
  const at = `${context}${fieldPath(err?.instancePath ?? '')}`
  const params = (err?.params ?? {}) as Record<string, unknown>
  const keyword: string = err?.keyword ?? ''
  switch (keyword) {
    case 'required': {
      const field = `${at}.${name(String(params.missingProperty))}`
      return { code: 'required', message: `${field} is required`, expression: field }
    }
    case 'const':
      return { code: 'value', message: `${at} must be ${literal(params.allowedValue)}`, expression: at }
    case 'enum':
      return { code: 'value', message: `${at} must be one of ${(Array.isArray(params.allowedValues) ? params.allowedValues : []).map(literal).join(', ')}`, expression: at }
    case 'additionalProperties': {
      const field = `${at}.${name(String(params.additionalProperty))}`
      return { code: 'structure', message: `${field} is not allowed here`, expression: field }
    }
    case 'dependencies':
    case 'dependentRequired': {
      const field = `${at}.${name(String(params.missingProperty))}`
      return { code: 'required', message: `${field} is required when ${at}.${name(String(params.property))} is present`, expression: field }
    }
    default:
      return { code: 'invalid', message: `${at} ${err?.message ?? 'is invalid'}`, expression: at }
  }
}
