/**
 * Read the declarative rules from disk at start-up: the CDS service
 * definition and indications (`cds-services/`), the organisation lists, and
 * the FHIR conformance resources (`fhir-profiles/`). Every file is validated
 * against its JSON Schema; any problem stops start-up with file, path and
 * message. The result is handed to the pure core's `compileCatalogue`.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs'
import { createHash } from 'node:crypto'
import { basename, join, relative } from 'node:path'
import { parse as parseYaml } from 'yaml'
import type { ObservationDefinition, ValueSet, CodeSystem } from '../core/fhir.js'
import type { IndicationDefinition } from '../core/types.js'
import type { OrganizationList } from '../core/organizations.js'
import { compileCatalogue, type CatalogueInput, type CatalogueSettings, type CompiledCatalogue, CatalogueError } from '../core/compile.js'
import { TerminologyError } from '../core/terminology.js'
import { schemaValidator, SCHEMA_DIGEST, type SchemaName } from './validator.js'
import { cacheKey, openParseCache, type ParseCache } from './parse-cache.js'
import fhirpath from 'fhirpath'

export interface ServiceDefinition {
  id: string
  hooks: Array<'order-select' | 'order-sign'>
  title: string
  description: string
  usageRequirements?: string
  orderValueSet: string
  prefetch: Record<string, { query: string, resourceTypes: string[], required?: boolean }>
}

export interface Definitions {
  service: ServiceDefinition
  indications: IndicationDefinition[]
  organizationLists: OrganizationList[]
  valueSets: ValueSet[]
  codeSystems: CodeSystem[]
  observationDefinitions: ObservationDefinition[]
  /** package version + content hash of cds-services/ and fhir-profiles/. */
  rulesVersion: string
}

export interface LoadedRules extends Definitions { catalogue: CompiledCatalogue }

/** One problem in one definition file. */
export interface DefinitionProblem { file: string, path: string, message: string }

export class DefinitionError extends Error {
  constructor (readonly problems: DefinitionProblem[]) {
    super(`Invalid rule definitions:\n${problems.map((p) => `  ${p.file} ${p.path}: ${p.message}`).join('\n')}`)
    this.name = 'DefinitionError'
  }
}

export interface LoadOptions {
  root: string
  /** Replace the shipped organisation lists (regional configuration). */
  organizationListsFile?: string
  settings: CatalogueSettings
  packageVersion: string
  /** Parsed-definition cache file; default `<root>/dist/rules-parse-cache.json`. `false` disables it. */
  parseCacheFile?: string | false
  /** How rule expressions run (src/core/fhirpath-compiler); default `compiled`. */
  engine?: CatalogueInput['engine']
  onMismatch?: CatalogueInput['onMismatch']
}

function listFiles (dir: string, ext: RegExp): string[] {
  let entries: string[]
  try { entries = readdirSync(dir) } catch { return [] }
  return entries.sort().flatMap((name) => {
    const p = join(dir, name)
    return statSync(p).isDirectory() ? listFiles(p, ext) : ext.test(name) ? [p] : []
  })
}

function parseStructured (file: string, text: string): unknown {
  return file.endsWith('.json') ? JSON.parse(text) : parseYaml(text)
}

/**
 * Read and validate every definition file. Collects all problems before
 * failing so an author sees everything wrong at once (`npm run validate`).
 */
export function readDefinitions (opts: LoadOptions, sharedCache?: ParseCache): { definitions?: Definitions, problems: DefinitionProblem[] } {
  const problems: DefinitionProblem[] = []
  const rel = (f: string): string => relative(opts.root, f)
  const cache = sharedCache ?? openCache(opts)
  const read = <T>(file: string, schema: SchemaName): T | undefined => {
    let text: string
    try { text = readFileSync(file, 'utf8') } catch (err) {
      problems.push({ file: rel(file), path: '', message: `cannot read: ${(err as Error).message}` })
      return undefined
    }
    const key = cacheKey(`${SCHEMA_DIGEST}:${schema}`, rel(file), text)
    const cached = cache?.get(key)
    if (cached !== undefined) return cached as T
    let doc: unknown
    try { doc = parseStructured(file, text) } catch (err) {
      problems.push({ file: rel(file), path: '', message: `cannot parse: ${(err as Error).message}` })
      return undefined
    }
    const errors = schemaValidator(schema)(doc)
    for (const e of errors) problems.push({ file: rel(file), path: e.path, message: e.message })
    if (errors.length) return undefined
    cache?.set(key, doc)
    return doc as T
  }
  const servicesDir = join(opts.root, 'cds-services')
  const serviceFiles = listFiles(servicesDir, /\.ya?ml$|\.json$/).filter((f) => !f.includes(`${join('cds-services', 'indications')}`) && !basename(f).startsWith('organization-lists'))
  const services = serviceFiles.map((f) => read<ServiceDefinition>(f, 'service'))
  const indicationFiles = listFiles(join(servicesDir, 'indications'), /\.ya?ml$|\.json$/)
  const indications = indicationFiles.map((f) => {
    const doc = read<IndicationDefinition>(f, 'indication')
    if (doc && basename(f).replace(/\.(ya?ml|json)$/, '') !== doc.id) {
      problems.push({ file: rel(f), path: '/id', message: `file name must equal the indication id '${doc.id}'` })
    }
    return doc
  })
  const listsFile = opts.organizationListsFile ?? join(servicesDir, 'organization-lists.yaml')
  const lists = read<{ lists: OrganizationList[] }>(listsFile, 'organization-lists')
  // fhir-profiles/questionnaires/ is generated from these rules (src/core/questionnaire.ts) and carries their version: not an input.
  const generated = join('fhir-profiles', 'questionnaires')
  const profiles = listFiles(join(opts.root, 'fhir-profiles'), /\.json$/).filter((f) => !relative(opts.root, f).startsWith(generated)).map((f) => {
    const doc = read<{ resourceType: string }>(f, 'fhir-resource')
    return doc ? { file: f, doc } : undefined
  }).filter((x) => x !== undefined)
  if (serviceFiles.length === 0) problems.push({ file: 'cds-services', path: '', message: 'no service definition' })
  if (problems.length) return { problems }
  if (!sharedCache) cache?.save()
  const ofType = <T>(t: string): T[] => profiles.filter((p) => p.doc.resourceType === t).map((p) => p.doc as T)
  return {
    problems,
    definitions: {
      service: services[0]!,
      indications: indications as IndicationDefinition[],
      organizationLists: lists!.lists,
      valueSets: ofType<ValueSet>('ValueSet'),
      codeSystems: ofType<CodeSystem>('CodeSystem'),
      observationDefinitions: ofType<ObservationDefinition>('ObservationDefinition'),
      rulesVersion: `${opts.packageVersion}+${contentHash([...serviceFiles, ...indicationFiles, listsFile, ...profiles.map((p) => p.file)], opts.root)}`
    }
  }
}

/** Short SHA-256 over file names and contents, so any rule change changes the version. */
function contentHash (files: string[], root: string): string {
  const h = createHash('sha256')
  for (const f of [...files].sort()) h.update(relative(root, f)).update('\0').update(readFileSync(f)).update('\0')
  return h.digest('hex').slice(0, 12)
}

/** Read, validate and compile; throws DefinitionError listing every problem. */
function openCache (opts: LoadOptions): ParseCache | undefined {
  return opts.parseCacheFile === false ? undefined : openParseCache(opts.parseCacheFile ?? join(opts.root, 'dist', 'rules-parse-cache.json'))
}

/**
 * fhirpath.parse with its syntax trees kept in the start-up cache, keyed by the fhirpath.js version
 * and the expression (the tree depends on nothing else). A miss parses as usual.
 */
function cachedFhirPathParser (cache: ParseCache | undefined): ((expression: string) => unknown) | undefined {
  if (!cache) return undefined
  return (expression) => {
    const key = createHash('sha256').update(`fhirpath-ast\0${fhirpath.version}\0${expression}`).digest('hex')
    const cached = cache.get(key)
    if (cached !== undefined) return cached
    const ast = fhirpath.parse(expression)
    cache.set(key, ast)
    return ast
  }
}

export function loadRules (opts: LoadOptions): LoadedRules {
  const cache = openCache(opts)
  const { definitions, problems } = readDefinitions(opts, cache)
  if (!definitions) throw new DefinitionError(problems)
  try {
    const catalogue = compileCatalogue({
      indications: definitions.indications,
      valueSets: definitions.valueSets,
      codeSystems: definitions.codeSystems,
      observationDefinitions: definitions.observationDefinitions,
      organizationLists: definitions.organizationLists,
      settings: opts.settings,
      engine: opts.engine,
      onMismatch: opts.onMismatch,
      parseFhirPath: cachedFhirPathParser(cache)
    })
    cache?.save()
    if (!definitions.valueSets.some((v) => v.url === definitions.service.orderValueSet)) {
      throw new DefinitionError([{ file: 'cds-services', path: '/orderValueSet', message: `unknown ValueSet ${definitions.service.orderValueSet}` }])
    }
    return { ...definitions, catalogue }
  } catch (err) {
    if (err instanceof CatalogueError) {
      throw new DefinitionError([{ file: `cds-services/indications/${err.indication}.yaml`, path: err.path, message: err.message }])
    }
    if (err instanceof TerminologyError) throw new DefinitionError([{ file: 'fhir-profiles', path: '', message: err.message }])
    throw err
  }
}
