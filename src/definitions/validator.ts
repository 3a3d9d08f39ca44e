/**
 * JSON Schema validation of definition files with ajv. Schemas are compiled
 * once; `allErrors` is safe here because the input is our own files, read only
 * at start-up (and by `npm run validate`).
 */
import { createHash } from 'node:crypto'
import { Ajv, type ValidateFunction } from 'ajv'
import addFormatsModule from 'ajv-formats'
import indication from './indication.schema.json' with { type: 'json' }
import service from './service.schema.json' with { type: 'json' }
import organizationLists from './organization-lists.schema.json' with { type: 'json' }
import fhirResource from './fhir-resource.schema.json' with { type: 'json' }

const SCHEMAS = { indication, service, 'organization-lists': organizationLists, 'fhir-resource': fhirResource } as const

export type SchemaName = keyof typeof SCHEMAS

/** Changes whenever a schema changes: part of the parse-cache key. */
export const SCHEMA_DIGEST = createHash('sha256').update(JSON.stringify(SCHEMAS)).digest('hex').slice(0, 16)

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv
const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true })
addFormats(ajv)
const compiled = new Map<SchemaName, ValidateFunction>()

/** A validator returning every problem as JSON-pointer path + message. */
export function schemaValidator (name: SchemaName): (doc: unknown) => Array<{ path: string, message: string }> {
  let validate = compiled.get(name)
  if (!validate) {
    validate = ajv.compile(SCHEMAS[name])
    compiled.set(name, validate)
  }
  const v = validate
  return (doc) => v(doc)
    ? []
    : (v.errors ?? []).map((e) => ({ path: e.instancePath || '/', message: `${e.message ?? 'invalid'}${e.params && 'additionalProperty' in e.params ? ` '${String(e.params.additionalProperty)}'` : ''}` }))
}
