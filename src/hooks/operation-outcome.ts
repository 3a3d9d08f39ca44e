/**
 * FHIR OperationOutcome bodies for every non-2xx answer (CDS Hooks 3.0 draft,
 * FHIR-50287: "services SHOULD put an OperationOutcome in the body of any
 * non-2xx response"; shared/reference/cds-hooks.md §1.5).
 */
import type { OperationOutcome } from '../core/fhir.js'

export type IssueCode = 'invalid' | 'structure' | 'required' | 'value' | 'not-found' | 'not-supported' | 'processing' | 'exception' | 'security' | 'too-long' | 'incomplete' | 'throttled' | 'timeout' | 'login' | 'transient'

export function operationOutcome (code: IssueCode, diagnostics: string, expression?: string[]): OperationOutcome {
  return {
    resourceType: 'OperationOutcome',
    issue: [{ severity: code === 'exception' ? 'fatal' : 'error', code, diagnostics, ...(expression?.length ? { expression } : {}) }]
  }
}

/** An error that carries its HTTP status and OperationOutcome; the status belongs to the error. */
export class HookError extends Error {
  constructor (readonly statusCode: number, readonly code: IssueCode, message: string, readonly expression?: string[]) {
    super(message)
  }

  toOutcome (): OperationOutcome { return operationOutcome(this.code, this.message, this.expression) }
}
