/**
 * Evidence and reasons in the card's language, in words a clinician reads: a code's name (the
 * record's display, the Danish designation of this project's own codes on a Danish card), the value
 * with its words (condition status, yes/no, born …) and the date — "ECOG Performance Status score: 1
 * (2026-11-20)", never a bare code or `system|code`. The card extension keeps the evidence as data.
 */
import type { CriterionResult, Evidence } from '../core/types.js'
import type { CodeSystem } from '../core/fhir.js'
import { NON_FINITE, UNFOUNDED } from '../core/evaluate.js'
import { STRINGS, type Language } from './i18n.js'

/** Danish names of codes by `system|code`, from the CodeSystems' `da` designations (the attestation codes …). */
export type DanishNames = ReadonlyMap<string, string>

const namesOf = new WeakMap<readonly CodeSystem[], DanishNames>()

/** The Danish designations of these CodeSystems' concepts, built once per (immutable) list. */
export function danishNames (codeSystems: readonly CodeSystem[]): DanishNames {
  let names = namesOf.get(codeSystems)
  if (!names) {
    const map = new Map<string, string>()
    for (const cs of codeSystems) {
      for (const c of cs.concept ?? []) {
        const da = c.designation?.find((d) => d.language === 'da')?.value
        if (c.code && da) map.set(`${cs.url ?? ''}|${c.code}`, da)
      }
    }
    names = map
    namesOf.set(codeSystems, names)
  }
  return names
}

const MD_SPECIAL = /[|*_`<>[\]\\]/g
const SPACE_RUN = /\s+/g

/** Markdown-safe inline text: no table, emphasis or link characters from data, whitespace runs as one space. */
export function md (s: string): string {
  return s.replace(MD_SPECIAL, '\\$&').replace(SPACE_RUN, ' ').trim()
}

function valueWords (e: Evidence, lang: Language): string | undefined {
  const s = STRINGS[lang]
  const v = e.value
  if (v === undefined || v === '') return undefined
  if (e.resourceType === 'Patient' && v.startsWith('birthDate ')) return s.born(v.slice('birthDate '.length))
  if (v === 'true') return s.yes
  if (v === 'false') return s.no
  if (e.resourceType === 'Condition') return v.split(', ').map((w) => s.conditionStatus[w] ?? w).join(', ')
  return v
}

/** What the piece of evidence is: its name, else the type in words with the bare code (never `system|code`). */
function nameOf (e: Evidence, lang: Language, names?: DanishNames): string | undefined {
  if (lang === 'da' && e.code) {
    const da = names?.get(e.code)
    if (da) return da
  }
  if (e.display) return e.display
  const code = e.code?.slice(e.code.indexOf('|') + 1)
  const type = e.resourceType ? STRINGS[lang].resourceType[e.resourceType] ?? e.resourceType : undefined
  if (e.resourceType === 'Patient') return undefined
  return [type, code].filter(Boolean).join(' ') || undefined
}

/** One piece of evidence in words: "name: value (date)", with "too old" for evidence outside the rule's window. */
export function evidenceWords (e: Evidence, lang: Language, names?: DanishNames): string {
  const what = nameOf(e, lang, names)
  const value = valueWords(e, lang)
  const date = e.date ? e.date.slice(0, 10) : undefined
  const when = [date, e.tooOld ? STRINGS[lang].tooOld : undefined].filter(Boolean).join(', ')
  const head = what && value ? `${what}: ${value}` : what ?? value ?? ''
  return `${head}${when ? ` (${when})` : ''}`.trim()
}

/** The evidence of a criterion in words, the latest `n` pieces. */
export function criterionEvidence (c: CriterionResult, lang: Language, n: number, names?: DanishNames): string {
  const shown = c.evidence.filter((e) => !e.tooOld).slice(0, n).map((e) => evidenceWords(e, lang, names)).filter(Boolean)
  return shown.join('; ')
}

/**
 * The reasons the engine gives for an unknown (core/evaluate.ts: UNFOUNDED, NON_FINITE and the two
 * `rule error: …` texts); any other reason is data that could not be read (a prefetch key, the FHIR
 * server). A composite joins its parts' reasons with '; '.
 */
export const RULE_ERROR_PREFIX = 'rule error:'

/** Why a criterion is unknown, in the card's language (the card extension keeps the engine's text in `reason`). */
export function reasonWords (reason: string, lang: Language): string {
  const r = STRINGS[lang].reasons
  return [...new Set(reason.split('; ').map((one) => {
    if (one === UNFOUNDED) return r.unfounded
    if (one === NON_FINITE) return r.nonFinite
    if (one.startsWith(RULE_ERROR_PREFIX)) return r.ruleError
    return r.dataUnavailable
  }))].join('; ')
}
