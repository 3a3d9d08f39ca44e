/**
 * The card's `detail`: short plain Markdown an EHR can show in a narrow panel (issue 15 §1) — no
 * tables, at most DETAIL_MAX_LINES lines of text: the verdict, what blocks eligibility (with the
 * evidence in words), at most TO_DOCUMENT_MAX things to document, one line per other matching
 * indication, then notes while room is left. The full criterion-by-criterion checklist with
 * evidence is behind the card's links (the requisition form, the criteria page) and in the card
 * extension.
 */
import type { CriterionResult, IndicationResult } from '../core/types.js'
import { STRINGS, type Language } from './i18n.js'
import { criterionEvidence, evidenceWords, md, reasonWords, type DanishNames } from './evidence-words.js'

/** Lines of text in a detail (blank lines between sections not counted: they render as spacing). */
export const DETAIL_MAX_LINES = 12
export const TO_DOCUMENT_MAX = 5
const BLOCKS_MAX = 3
const EVIDENCE_PER_BLOCK = 2

export interface DetailInput {
  primary: IndicationResult
  others: IndicationResult[]
  language: Language
  /** Resource types of data that could not be read (in words on the card). */
  unavailableTypes: string[]
  /** The order named an indication by reasonCode that the record does not match (its display). */
  orderedNotMatched?: string
  names?: DanishNames
}

interface Section { heading: string, items: string[], total: number, min: number }

/** Unique texts, first occurrence kept. */
function unique (xs: string[]): string[] {
  return [...new Set(xs)]
}

/**
 * The rule's "what to document" in clinical words: the technical hints some texts carry for
 * integrators — this project's attestation codes, LOINC/SNOMED/NPU codes, FHIR element names — are
 * left out of the card (the card extension and the criteria page keep the whole text; the
 * requisition form asks the question itself).
 */
const TECHNICAL = /\b(?:attestation|LOINC|SNOMED|NPU\d*|clinicalStatus|verificationStatus|Observation|Procedure|DiagnosticReport|Condition|PractitionerRole|QuestionnaireResponse)\b/
const TECHNICAL_CLAUSE = /,?\s*(?:eller|or)\s+(?:en\s+|an\s+|the\s+)?attestation\s+'[^']*'(?:\s*=\s*\w+)?/g
export function clinicalWords (text: string): string {
  let out = text.replace(TECHNICAL_CLAUSE, '')
  // Innermost parentheses first, so a hint inside a longer aside goes and the aside stays.
  for (let before = ''; before !== out;) {
    before = out
    out = out.replace(/\s*\(([^()]*)\)/g, (all, inner: string) => TECHNICAL.test(inner) ? '' : all.replace('(', '\uE000').replace(')', '\uE001'))
  }
  return out.replace(/\uE000/g, '(').replace(/\uE001/g, ')').replace(/\s+([.,;])/g, '$1').replace(/\s{2,}/g, ' ').trim()
}

/** What to document: the required criteria not yet documented, each in the rule's own words (a composite by its open parts). */
function toDocument (r: IndicationResult, lang: Language, names?: DanishNames): string[] {
  const byId = new Map(r.criteria.map((c) => [c.id, c]))
  const items: string[] = []
  // A value outside the rule's window did not count: shown with its date, so the clinician sees what to renew.
  const notes = (c: CriterionResult): string => {
    const old = c.evidence.filter((e) => e.tooOld).slice(0, 1).map((e) => ` — ${md(evidenceWords(e, lang, names))}`).join('')
    const warnings = c.warnings?.length ? ` ⚠ ${c.warnings.map((w) => md(w[lang])).join(' ')}` : ''
    return `${old}${warnings}`
  }
  const add = (c: CriterionResult): boolean => {
    if (!c.document) return false
    items.push(`${md(clinicalWords(c.document[lang]))}${notes(c)}`)
    return true
  }
  for (const c of r.criteria) {
    if (!c.required || c.status !== 'unknown') continue
    if (add(c)) continue
    const parts = (c.parts ?? []).map((id) => byId.get(id)).filter((p): p is CriterionResult => p?.status === 'unknown')
    if (!parts.map(add).some(Boolean)) items.push(`${md(c.text[lang])}: ${c.reason ? reasonWords(c.reason, lang) : STRINGS[lang].criterion.unknown}${notes(c)}`)
  }
  return unique(items)
}

function blocks (r: IndicationResult, lang: Language, names?: DanishNames): string[] {
  return r.criteria.filter((c) => c.required && c.status === 'not-met').map((c) => {
    const evidence = criterionEvidence(c, lang, EVIDENCE_PER_BLOCK, names)
    return evidence ? `${md(c.text[lang])} — ${md(evidence)}` : md(c.text[lang])
  })
}

function otherLines (input: DetailInput): string[] {
  const { primary: r, others, language: lang } = input
  const s = STRINGS[lang]
  const matched = new Set(others.map((o) => o.indication))
  // This indication's rules say why the other matters (an overlap): said on its line.
  const why = new Map(r.related.map((x) => [x.indication, x.text[lang]]))
  return [
    ...others.map((o) => {
      const note = [o.paediatricRedirect ? s.paediatricShort : undefined, why.get(o.indication)].filter(Boolean).map((x) => md(x!)).join('. ')
      return `${md(o.title[lang])} — ${s.status[o.status].toLowerCase()}${note ? `: ${note}` : ''}`
    }),
    ...r.related.filter((x) => !matched.has(x.indication)).map((x) => md(x.text[lang]))
  ]
}

function section (heading: string, items: string[], max: number, min: number): Section {
  return { heading, items: items.slice(0, max), total: items.length, min }
}

/** Cut the lists until the detail fits: notes first, then the others, what to document and what blocks, never below their minimum. */
function fit (fixedLines: number, sections: Section[]): void {
  const lines = (): number => fixedLines + sections.reduce((n, x) => n + (x.items.length ? 1 + x.items.length : 0), 0)
  for (const x of sections) {
    while (lines() > DETAIL_MAX_LINES && x.items.length > x.min) x.items.pop()
  }
  // Still too long (many minimums at once): take one more from the longest list until it fits.
  while (lines() > DETAIL_MAX_LINES) {
    const longest = sections.reduce((a, b) => (b.items.length > a.items.length ? b : a))
    if (longest.items.length === 0) break
    longest.items.pop()
  }
}

/** The card detail for one order: the best-matching indication, the others one line each. */
export function detailOf (input: DetailInput): string {
  const { primary: r, language: lang } = input
  const s = STRINGS[lang]
  const required = r.criteria.filter((c) => c.required && c.status !== 'not-applicable')
  const head = [s.verdict(r.status, required.filter((c) => c.status === 'met').length, required.length)]
  if (input.orderedNotMatched) head.push(md(s.orderedNotMatched(input.orderedNotMatched)))
  if (r.paediatricRedirect) head.push(md(s.paediatric))
  const tail = input.unavailableTypes.length ? [`_${md(s.unavailableData(input.unavailableTypes.map((t) => (s.resourceType[t] ?? t).toLowerCase())))}_`] : []
  // In the order they are cut when the card is too long (fit), not the order they are shown.
  const advice = section(s.heading.advice, r.advice.map((a) => md(a.text[lang])), Infinity, 0)
  const others = section(s.heading.alternatives, otherLines(input), Infinity, 1)
  const docs = section(s.heading.toDocument, toDocument(r, lang, input.names), TO_DOCUMENT_MAX, 2)
  const blocking = section(s.heading.blocks, blocks(r, lang, input.names), BLOCKS_MAX, 1)
  fit(head.length + tail.length, [advice, others, docs, blocking])
  const paragraphs = [...head]
  for (const x of [blocking, docs, others, advice]) {
    if (x.items.length === 0) continue
    const cut = x.items.length < x.total ? ` ${s.shownOf(x.items.length, x.total)}` : ''
    paragraphs.push([`**${x.heading}**${cut}`, ...x.items.map((i) => `- ${i}`)].join('\n'))
  }
  if (tail.length) paragraphs.push(tail.join('\n'))
  return paragraphs.join('\n\n')
}
