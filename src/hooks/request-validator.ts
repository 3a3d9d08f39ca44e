/**
 * The validation of a hook request body against the CDS Hooks request schema
 * (per-hook context). It used to be Fastify's route validation; it is done
 * here because the body is parsed where it is evaluated — in an evaluation
 * thread (src/evaluation-pool/), or inline — and never on the event loop
 * first. Same ajv options as Fastify's validator compiler
 * (@fastify/ajv-compiler defaults overridden by src/http/build.ts: no type
 * coercion, no defaults, nothing removed, first error only) and the same
 * formats, so a bad request gets the same 400 as before.
 */
import { Ajv, type ErrorObject } from 'ajv'
import addFormatsModule from 'ajv-formats'
import requestSchema from './schemas/cds-request.schema.json' with { type: 'json' }
import contextSchema from './schemas/cds-order-context.schema.json' with { type: 'json' }

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv

export type RequestValidator = (body: unknown) => ErrorObject[] | undefined

export function requestValidator (): RequestValidator {
  const ajv = new Ajv({ coerceTypes: false, useDefaults: false, removeAdditional: false, allErrors: false, addUsedSchema: false, strict: false })
  addFormats(ajv)
  ajv.addSchema(contextSchema)
  const validate = ajv.compile(requestSchema)
  return (body) => validate(body) ? undefined : (validate.errors ?? [])
}
