/**
 * ValueSet membership without a terminology server: every ValueSet in
 * `fhir-profiles/` is compiled once into sets and prefix rules, so a lookup at
 * request time is a hash probe (LOINC, NPU, SNOMED, local codes) or a short
 * prefix scan (ICD-10 / SKS / ATC, whose hierarchies are their code prefixes).
 *
 * Diagnosis codes arrive as WHO ICD-10 (`C92.0`) or as Danish SKS
 * (`urn:oid:1.2.208.176.2.4.12`, `DC920`, national sub-codes like `DD581A`).
 * Both are normalised to one dotted ICD-10 form so one ValueSet serves both
 * (see shared/reference/terminology.md §3.2: "accept both representations on
 * input, and normalise by stripping the `D` prefix and inserting a dot after
 * the third character").
 */
import type { Coding, CodeableConcept, ValueSet } from './fhir.js'

export const ICD10 = 'http://hl7.org/fhir/sid/icd-10'
/** SKS D-hierarchy (diagnoses), DK-core 3.x. terminology.md §3.2 [DKCORE]. */
export const SKS_D = 'urn:oid:1.2.208.176.2.4.12'
/** Danish ICD-10 deviations, DK-core `feature-sks-cleanup` branch (unreleased). terminology.md §3.2. */
export const SKS_DEVIATIONS = 'http://hl7.dk/fhir/core/CodeSystem/sks-icd10-deviations'
/** WHO ATC classification. Hierarchy is the code prefix (A → A01 → A01A → ...). */
export const ATC = 'http://www.whocc.no/atc'
/** SKS root (terminology.md §3.2): procedure codes, and D-codes (diagnoses) some systems send under it. */
export const SKS_ROOT = 'urn:oid:1.2.208.176.2.4'
/** NPU, as current DK-core writes it (terminology.md §3.3). */
export const NPU = 'http://npu-terminology.org'
/**
 * NPU's OID, as MedCom and the national eHealth infrastructure write it (review finding C2):
 * e.g. MedCom's homecare-observation example `{"system": "urn:oid:1.2.208.176.2.1", "code": "NPU02840"}`.
 */
export const NPU_OID = 'urn:oid:1.2.208.176.2.1'
export const SNOMED = 'http://snomed.info/sct'
/**
 * SNOMED CT edition URIs used as a system, e.g. the Danish edition `http://snomed.info/sct/554471000005108`
 * (module) with `/version/20150731`, as the national eHealth infrastructure's ValueSets include it
 * (ValueSet sor-organization-specialty). Same code system: read as `http://snomed.info/sct`.
 */
const SNOMED_EDITION = /^https?:\/\/snomed\.info\/sct\/\d+(\/version\/\d+)?$/
/** ICD-O-3 (morphology `8070/3`), as mCODE and HL7 terminology name it. */
export const ICDO3 = 'http://terminology.hl7.org/CodeSystem/icd-o-3'
/**
 * An SKS morphology code: `M` + the four ICD-O morphology digits + the behaviour digit, as an SKS
 * additional code (`ZM82461` "neuroendokrin tumor", Sundhedsdatastyrelsen, "Registrering af kræft
 * (Fællesindhold)": `DD131 (+)ZM82461`) or a Patobank M-code (`M80703`).
 */
const SKS_MORPHOLOGY = /^Z?M(\d{4})(\d)$/
/** An SKS diagnosis code (`D` + ICD-10 code without a dot), wherever it is sent. */
const SKS_DIAGNOSIS = /^D[A-Z][0-9]{2}/

const MATCH_CACHE_SIZE = 5000
const ICD10_FAMILY = new Set([ICD10, SKS_D, SKS_DEVIATIONS])
/** Systems whose hierarchy is the code prefix, so `is-a` can be computed locally. */
const PREFIX_HIERARCHY = new Set([...ICD10_FAMILY, ATC])

/** A ValueSet compiled for membership tests. */
export interface CompiledValueSet {
  url: string
  /** Does the coding belong to the set? Returns the display to show, or undefined. */
  match: (coding: Coding) => { display?: string } | undefined
  /** The same, for a normalised `system|code` key (codingKey). */
  matchKey: (key: string) => { display?: string } | undefined
  /** Exact `system|code` keys when the set has no prefix rules, for index probes. */
  exactKeys: ReadonlySet<string> | undefined
}

/** Error raised at start-up for a ValueSet the engine cannot compile. */
export class TerminologyError extends Error {
  override name = 'TerminologyError'
}

/**
 * Normalise a coding to the key the sets are built on. ICD-10 and SKS
 * diagnosis codes become `icd-10|C92.0` (SKS `DC920A` → `C92.0A`).
 */
// Normalised keys by system, then code: codes recur across requests, and normalising an ICD-10/SKS
// code costs a few regular expressions. Bounded, so hostile input cannot grow it.
const KEY_CACHE_SIZE = 20_000
const keyCache = new Map<string, Map<string, string | null>>()
let keyCacheEntries = 0

export function codingKey (system: string | undefined, code: string | undefined): string | undefined {
  if (!system || !code) return undefined
  const bySystem = keyCache.get(system)
  const known = bySystem?.get(code)
  if (known !== undefined) return known ?? undefined
  const key = computeKey(system, code)
  if (keyCacheEntries < KEY_CACHE_SIZE) {
    if (bySystem) bySystem.set(code, key ?? null)
    else keyCache.set(system, new Map([[code, key ?? null]]))
    keyCacheEntries++
  }
  return key
}

/**
 * Codings as Danish EHRs send them, normalised in one place (issue 13 §2, interface 6): NPU under
 * its URL or its OID; SKS diagnosis codes under the SKS D-hierarchy, the SKS root or the ICD-10 URI
 * (`DC920` in `http://hl7.org/fhir/sid/icd-10`); SNOMED CT under an edition URI.
 */
function computeKey (system: string, code: string): string | undefined {
  if (ICD10_FAMILY.has(system)) {
    const icd = normaliseDiagnosisCode(system, code)
    return icd ? `${ICD10}|${icd}` : undefined
  }
  if (system === ATC) return `${ATC}|${code.trim().toUpperCase()}`
  if (system === NPU || system === NPU_OID) return `${NPU}|${code.trim().toUpperCase()}`
  if (system === SKS_ROOT && SKS_DIAGNOSIS.test(code.trim().toUpperCase())) {
    const icd = normaliseDiagnosisCode(SKS_D, code)
    return icd ? `${ICD10}|${icd}` : undefined
  }
  if (SNOMED_EDITION.test(system)) return `${SNOMED}|${code.trim()}`
  if (system === ICDO3) {
    const m = normaliseMorphologyCode(code)
    return m ? `${ICDO3}|${m}` : `${system}|${code}`
  }
  if (system === SKS_ROOT) {
    const m = SKS_MORPHOLOGY.exec(code.trim().toUpperCase())
    if (m) return `${ICDO3}|${m[1]!}/${m[2]!}`
  }
  return `${system}|${code}`
}

/** ICD-O-3 morphology as `8070/3`: also from `80703`, `M8070/3`, `M-8070/3`; anything else as sent. */
export function normaliseMorphologyCode (code: string): string | undefined {
  const m = /^M?-?(\d{4})\/?(\d)$/.exec(code.trim().toUpperCase())
  return m ? `${m[1]!}/${m[2]!}` : undefined
}

/** An SKS morphology code (`ZM94403`, `M80703`) as an ICD-O-3 Coding; undefined for anything else. */
export function sksMorphology (code: string): { system: string, code: string } | undefined {
  const m = SKS_MORPHOLOGY.exec(code.trim().toUpperCase())
  return m ? { system: ICDO3, code: `${m[1]!}/${m[2]!}` } : undefined
}

/** `DC920` (SKS) → `C92.0`; `C920` → `C92.0`; `c92.0` → `C92.0`; garbage → undefined. */
export function normaliseDiagnosisCode (system: string, code: string): string | undefined {
  // An SKS code with additional codes (`DC719+ZM94403`, terminology.md §3.2): the diagnosis is the first part.
  let c = code.trim().toUpperCase().replace(/\s+/g, '').split('+')[0]!
  if (system === SKS_D) {
    // SKS D-hierarchy codes carry a leading 'D' for "diagnosis": DC920 = ICD-10 C92.0.
    if (!c.startsWith('D') || c.length < 4) return undefined
    c = c.slice(1)
  } else if (SKS_DIAGNOSIS.test(c)) {
    // An SKS code sent under the ICD-10 URI (review finding I): `DC920` is C92.0. No WHO ICD-10 code
    // has a letter second (D69.6 has a digit), so the two cannot be confused.
    c = c.slice(1)
  }
  c = c.replace('.', '')
  if (!/^[A-Z][0-9]{2}[0-9A-Z]*$/.test(c)) return undefined
  return c.length > 3 ? `${c.slice(0, 3)}.${c.slice(3)}` : c
}

interface Rules {
  exact: Map<string, string | undefined>
  prefixes: Array<{ system: string, prefix: string, display?: string }>
  /** compose.exclude, checked after a hit. */
  exclude?: Rules
}

function emptyRules (): Rules { return { exact: new Map(), prefixes: [] } }

function addInclude (rules: Rules, include: NonNullable<ValueSet['compose']>['include'][number], url: string, resolve: (url: string) => Rules): void {
  for (const nested of include.valueSet ?? []) {
    const other = resolve(nested)
    if (other.exclude) throw new TerminologyError(`ValueSet ${url}: nested ValueSet ${nested} has excludes; flatten it`)
    for (const [k, v] of other.exact) rules.exact.set(k, v)
    rules.prefixes.push(...other.prefixes)
  }
  const system = include.system
  if (!system) return
  const hierarchical = PREFIX_HIERARCHY.has(system)
  const family = ICD10_FAMILY.has(system) ? ICD10 : system
  for (const concept of include.concept ?? []) {
    const key = codingKey(system, concept.code)
    if (!key) throw new TerminologyError(`ValueSet ${url}: code '${concept.code}' is not a valid ${system} code`)
    // ICD-10/SKS: a listed code includes its subdivisions (national sub-codes roll up to their parent).
    if (ICD10_FAMILY.has(system)) rules.prefixes.push({ system: family, prefix: key.split('|')[1]!, display: concept.display })
    else rules.exact.set(key, concept.display)
  }
  if (!include.concept?.length && !include.filter?.length) {
    // The whole code system (e.g. the project's own attestation CodeSystem).
    rules.prefixes.push({ system: family, prefix: '' })
  }
  for (const filter of include.filter ?? []) {
    if (filter.property !== 'concept' || (filter.op !== 'is-a' && filter.op !== 'descendent-of')) {
      throw new TerminologyError(`ValueSet ${url}: filter ${filter.property} ${filter.op} is not supported`)
    }
    if (!hierarchical) {
      throw new TerminologyError(`ValueSet ${url}: is-a on ${system} needs a terminology server; list the concepts instead`)
    }
    const key = codingKey(system, filter.value)
    if (!key) throw new TerminologyError(`ValueSet ${url}: filter value '${filter.value}' is not a valid ${system} code`)
    rules.prefixes.push({ system: family, prefix: key.split('|')[1]! })
  }
}

function matchesRules (rules: Rules, key: string): { display?: string } | undefined {
  const hit = matchesIncluded(rules, key)
  if (hit && rules.exclude && matchesRules(rules.exclude, key)) return undefined
  return hit
}

function matchesIncluded (rules: Rules, key: string): { display?: string } | undefined {
  if (rules.exact.has(key)) return { display: rules.exact.get(key) }
  const bar = key.indexOf('|')
  const system = key.slice(0, bar)
  const code = key.slice(bar + 1)
  for (const p of rules.prefixes) {
    if (p.system === system && code.startsWith(p.prefix)) return { display: p.display }
  }
  return undefined
}

/**
 * Compile every ValueSet once. Nested `include.valueSet` references are
 * resolved recursively; a cycle or a reference to an unknown ValueSet is a
 * start-up error.
 */
export function compileValueSets (valueSets: ValueSet[]): Map<string, CompiledValueSet> {
  const byUrl = new Map(valueSets.map((vs) => [vs.url ?? '', vs]))
  const rulesCache = new Map<string, Rules>()
  const inProgress = new Set<string>()
  const resolve = (url: string): Rules => {
    const cached = rulesCache.get(url)
    if (cached) return cached
    const vs = byUrl.get(url)
    if (!vs) throw new TerminologyError(`ValueSet ${url} is referenced but not defined in fhir-profiles/`)
    if (inProgress.has(url)) throw new TerminologyError(`ValueSet ${url} includes itself`)
    inProgress.add(url)
    const include = emptyRules()
    const exclude = emptyRules()
    for (const inc of vs.compose?.include ?? []) addInclude(include, inc, url, resolve)
    for (const exc of vs.compose?.exclude ?? []) addInclude(exclude, exc, url, resolve)
    inProgress.delete(url)
    const rules: Rules = exclude.exact.size + exclude.prefixes.length === 0 ? include : { ...include, exclude }
    rulesCache.set(url, rules)
    return rules
  }
  const compiled = new Map<string, CompiledValueSet>()
  for (const url of byUrl.keys()) {
    const rules = resolve(url)
    // Codes recur across requests: remember each answer (bounded, so hostile input cannot grow it).
    const answers = new Map<string, { display?: string } | null>()
    const matchKey = (key: string): { display?: string } | undefined => {
      const known = answers.get(key)
      if (known !== undefined) return known ?? undefined
      const answer = matchesRules(rules, key)
      if (answers.size < MATCH_CACHE_SIZE) answers.set(key, answer ?? null)
      return answer
    }
    compiled.set(url, {
      url,
      match: (coding) => {
        const key = keyOf(coding)
        return key === undefined ? undefined : matchKey(key)
      },
      matchKey,
      exactKeys: rules.prefixes.length === 0 && !rules.exclude ? new Set(rules.exact.keys()) : undefined
    })
  }
  return compiled
}

/** The codings of a CodeableConcept or a single Coding, tolerating malformed input. */
/** codingKey of a Coding object (anything else has none). */
export function keyOf (coding: Coding): string | undefined {
  if (typeof coding !== 'object' || coding === null) return undefined
  return codingKey(typeof coding.system === 'string' ? coding.system : undefined, typeof coding.code === 'string' ? coding.code : undefined)
}

export function codingsOf (concept: CodeableConcept | Coding | undefined | null): Coding[] {
  if (!concept || typeof concept !== 'object') return []
  if ('coding' in concept && Array.isArray(concept.coding)) {
    // The common case (every entry an object) returns the array itself: no copy per call.
    const codings = concept.coding
    for (const c of codings) if (!c || typeof c !== 'object') return codings.filter((x) => x && typeof x === 'object')
    return codings
  }
  if ('code' in concept) return [concept as Coding]
  return []
}
