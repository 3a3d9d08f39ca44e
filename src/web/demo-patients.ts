/**
 * The playground's bundled synthetic patients: `examples/patients/playground-*.json`,
 * FHIR Bundles written by `npm run playground:patients` (scripts/make-playground-patients.ts).
 * Each Bundle describes itself in `meta.tag` (the indication it demonstrates,
 * the outcome it has, a description per language) and records in `timestamp`
 * the date its clinical dates are relative to. The playground serves them
 * date-shifted to today, so "ECOG within 90 days" stays true as time passes;
 * every date moves by the same number of days, so ages and intervals are kept.
 */
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'

export const TAG_INDICATION = 'https://ngc-wgs-cds.dk/fhir/CodeSystem/playground-indication'
export const TAG_OUTCOME = 'https://ngc-wgs-cds.dk/fhir/CodeSystem/playground-outcome'
export const TAG_DESCRIPTION = 'https://ngc-wgs-cds.dk/fhir/CodeSystem/playground-description'
export const PLAYGROUND_PREFIX = 'playground-'

export type DemoOutcome = 'eligible' | 'not-eligible' | 'incomplete' | 'no-matching-indication'

export interface DemoPatient {
  /** File stem, e.g. `playground-myeloid-cancer-eligible`. */
  id: string
  /** Indication it demonstrates; null for the no-match patient. */
  indication: string | null
  outcome: DemoOutcome
  description: { da: string, en: string }
  /** The date the bundle's clinical dates are relative to (Bundle.timestamp). */
  referenceDate: string
}

/** The folder of the bundled patients, from src/web or dist/web alike. */
export const DEFAULT_PATIENTS_DIR = new URL('../../examples/patients/', import.meta.url)

interface Tag { system?: string, code?: string, display?: string }
type Json = Record<string, unknown>

export function describeBundle (id: string, bundle: Json): DemoPatient | undefined {
  const tags = ((bundle.meta as { tag?: Tag[] } | undefined)?.tag ?? [])
  const indication = tags.find((t) => t.system === TAG_INDICATION)?.code
  const outcome = tags.find((t) => t.system === TAG_OUTCOME)?.code as DemoOutcome | undefined
  if (!indication || !outcome) return undefined
  const desc = (lang: string): string => tags.find((t) => t.system === TAG_DESCRIPTION && t.code === lang)?.display ?? id
  return {
    id,
    indication: indication === 'none' ? null : indication,
    outcome,
    description: { da: desc('da'), en: desc('en') },
    referenceDate: typeof bundle.timestamp === 'string' ? bundle.timestamp : new Date(0).toISOString()
  }
}

export interface DemoPatients {
  list: DemoPatient[]
  /** The bundle as stored, or undefined for an unknown id. */
  bundle: (id: string) => Json | undefined
}

/** Read every playground bundle once (they are small and immutable while the service runs). */
export function loadDemoPatients (dir: string | URL = DEFAULT_PATIENTS_DIR): DemoPatients {
  const bundles = new Map<string, Json>()
  const list: DemoPatient[] = []
  let names: string[] = []
  try { names = readdirSync(dir).filter((n) => n.startsWith(PLAYGROUND_PREFIX) && n.endsWith('.json')).sort() } catch { /* no examples folder: an empty picker */ }
  for (const name of names) {
    const id = name.slice(0, -'.json'.length)
    const path = typeof dir === 'string' ? join(dir, name) : new URL(name, dir)
    const bundle = JSON.parse(readFileSync(path, 'utf8')) as Json
    const described = describeBundle(id, bundle)
    if (!described) continue
    bundles.set(id, bundle)
    list.push(described)
  }
  return { list, bundle: (id) => bundles.get(id) }
}

const DAY_MS = 86_400_000
const DATE = /^(\d{4})-(\d{2})-(\d{2})(T[0-9:.]+(?:Z|[+-]\d{2}:\d{2})?)?$/

function shiftOne (value: string, days: number): string {
  const m = DATE.exec(value)
  if (!m) return value
  const shifted = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) + days * DAY_MS).toISOString().slice(0, 10)
  return `${shifted}${m[4] ?? ''}`
}

/** Whole days from `from` to `to` (dates or instants). */
export function daysBetween (from: string, to: string): number {
  return Math.round((Date.parse(to.slice(0, 10)) - Date.parse(from.slice(0, 10))) / DAY_MS)
}

/** A copy of `value` with every FHIR date and dateTime string moved by `days`. */
export function shiftDates<T> (value: T, days: number): T {
  if (days === 0) return structuredClone(value)
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return shiftOne(v, days)
    if (Array.isArray(v)) return v.map(walk)
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]))
    return v
  }
  return walk(value) as T
}
