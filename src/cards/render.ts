/**
 * Render evaluation results as CDS Hooks cards (shared/reference/cds-hooks.md
 * §1.5): one card per WGS order and matching indication, best outcome first,
 * or one info card when nothing matches. Every card carries the
 * machine-readable result under CARD_EXTENSION (documented in the README).
 * Optional fields are omitted rather than empty (spec §1.0).
 */
import { randomUUID } from 'node:crypto'
import type { AnyResource } from '../core/fhir.js'
import type { CriterionResult, Evidence, IndicationResult } from '../core/types.js'
import { UNFOUNDED } from '../core/evaluate.js'
import { STRINGS, type Language } from './i18n.js'

/** Reverse-domain key of the machine-readable result on every card. */
export const CARD_EXTENSION = 'dk.ngc-wgs-cds.eligibility'
export const INDICATION_SYSTEM = 'https://ngc-wgs-cds.dk/fhir/CodeSystem/wgs-indication'
export const OVERRIDE_REASON_SYSTEM = 'https://ngc-wgs-cds.dk/fhir/CodeSystem/wgs-override-reason'
export const NGC_RECOMMENDATIONS_URL = 'https://ngc.dk/sundhedsfaglige/patientgrupper/faglige-anbefalinger-for-patientgrupper-i-drift'

const SUMMARY_MAX = 139
const EVIDENCE_SHOWN = 5
/**
 * Evidence listed per criterion in the card extension (and attached by the suggestion): the latest,
 * with a count of the rest (`evidenceNotListed`), so an answer does not grow with the patient's
 * history (issue 18; 1,723 platelet counts for one criterion at 10,000 resources).
 */
export const MAX_EVIDENCE_LISTED = 10
/**
 * Largest draft order (serialised) copied into an eligible card's suggestion: a FHIR update carries the
 * whole resource, once per eligible card, so a larger order gets the card without the suggestion.
 */
export const MAX_SUGGESTED_ORDER_BYTES = 64 * 1024
const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/

/** The latest `n` pieces of evidence (by date; undated last), in their original order. */
function latest (evidence: Evidence[], n: number): Evidence[] {
  if (evidence.length <= n) return evidence
  const ranked = evidence.map((e, i) => ({ date: e.date ?? '', i })).sort((a, b) => a.date < b.date ? 1 : a.date > b.date ? -1 : a.i - b.i)
  const keep = new Set(ranked.slice(0, n).map((x) => x.i))
  return evidence.filter((_, i) => keep.has(i))
}

/** The draft order's reference, when its id is a FHIR id (an out-of-format id is not copied into every card). */
function orderReference (order?: AnyResource): { order: string } | Record<string, never> {
  return typeof order?.id === 'string' && FHIR_ID.test(order.id) ? { order: `ServiceRequest/${order.id}` } : {}
}
const MARK = { met: '✓', 'not-met': '✗', unknown: '?', 'not-applicable': '–' } as const

export interface Coding { system: string, code: string, display?: string }
export interface Card {
  uuid: string
  summary: string
  detail?: string
  indicator: 'info' | 'warning' | 'critical'
  source: { label: string, url?: string, topic?: Coding }
  suggestions?: Array<{ label: string, uuid: string, isRecommended?: boolean, actions: Array<{ type: 'update', description: string, resource: AnyResource }> }>
  selectionBehavior?: 'at-most-one' | 'any'
  overrideReasons?: Coding[]
  links?: Array<{ label: string, url: string, type: 'absolute' }>
  extension: Record<string, unknown>
}

export interface RenderContext {
  language: Language
  rulesVersion: string
  /** Prefetch keys that could not be read, with reasons, shown once per card. */
  unavailable: string[]
  /** The record's Conditions could not be read, so "no indication matches" is not a finding. */
  diagnosesUnavailable?: boolean
  publicBaseUrl?: string
}

/** The machine-readable result (README, "Card extension"). */
export interface CardResult {
  indication: string | null
  status: string
  order?: string
  criteria: Array<{ id: string, status: string, required: boolean, text: string, evidence: Evidence[], evidenceNotListed?: number, reason?: string, warnings?: string[] }>
  rulesVersion: string
  alternatives?: string[]
  /** Card notes shown for this indication (e.g. specimen advice). */
  advice?: Array<{ id: string, text: string }>
  /** Other indications named by this one's rules (overlaps, redirects). */
  related?: Array<{ indication: string, text: string }>
  paediatricRedirect?: boolean
}

function truncate (s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1).trimEnd()}…`
}

const MD_SPECIAL = /[|*_`<>[\]\\]/
const MD_SPECIAL_ALL = /[|*_`<>[\]\\]/g
/** Whitespace other than a single space: a run of spaces, or a tab, newline or other space character. */
const ODD_SPACE = /[^\S ]| {2}/
const SPACE_RUN = /\s+/g

/**
 * Markdown-safe inline text: no table or emphasis characters from data, whitespace runs as one space.
 * Most texts need neither change, so each is tested before it is rewritten (md runs for every criterion
 * and piece of evidence on every card: the replace calls were half of rendering).
 */
function md (s: string): string {
  const escaped = MD_SPECIAL.test(s) ? s.replace(MD_SPECIAL_ALL, '\\$&') : s
  return ODD_SPACE.test(escaped) ? escaped.replace(SPACE_RUN, ' ') : escaped
}

function describeEvidence (e: Evidence, lang: Language): string {
  const what = e.display ?? e.code?.split('|')[1] ?? e.resourceType ?? ''
  // A value outside the rule's window is shown with its date, marked too old (it did not count).
  return [what, e.value, e.date, e.tooOld ? STRINGS[lang].tooOld : undefined].filter(Boolean).join(' · ')
}

function evidenceCell (c: CriterionResult, lang: Language): string {
  // Never a ✓ or "no data" for a conditional criterion that does not apply: it says so.
  if (c.status === 'not-applicable') return STRINGS[lang].criterion['not-applicable']
  const cell = evidenceText(c, lang)
  // A warning (e.g. the department was not recognised; the listed ones are named) follows the evidence.
  return c.warnings?.length ? `${cell} ⚠ ${c.warnings.map((w) => md(w[lang])).join(' ')}` : cell
}

function evidenceText (c: CriterionResult, lang: Language): string {
  if (c.reason === UNFOUNDED) return `_${STRINGS[lang].unfounded}_`
  if (c.evidence.length === 0) return c.reason ? `_${md(c.reason)}_` : STRINGS[lang].evidenceNone
  const shown = c.evidence.slice(0, EVIDENCE_SHOWN).map((e) => md(describeEvidence(e, lang)))
  if (c.evidence.length > EVIDENCE_SHOWN) shown.push(STRINGS[lang].moreEvidence(c.evidence.length - EVIDENCE_SHOWN))
  return shown.join('; ')
}

function detailOf (r: IndicationResult, others: IndicationResult[], ctx: RenderContext): string {
  const s = STRINGS[ctx.language]
  const lines: string[] = [`**${md(r.title[ctx.language])}** — ${s.status[r.status]}`, '']
  if (r.paediatricRedirect) lines.push(`> ${s.paediatric}`, '')
  lines.push(`| | ${s.heading.criteria} | Evidens / evidence |`, '|---|---|---|')
  for (const c of r.criteria) {
    const note = c.required ? '' : ` (${s.optional})`
    lines.push(`| ${MARK[c.status]} | ${md(c.text[ctx.language])}${note} | ${evidenceCell(c, ctx.language)} |`)
  }
  const toDocument = r.criteria.filter((c) => c.status === 'unknown' && c.document)
  if (toDocument.length) {
    lines.push('', `**${s.heading.toDocument}**`)
    for (const c of toDocument) lines.push(`- ${md(c.text[ctx.language])}: ${md(c.document![ctx.language])}`)
  }
  if (r.advice.length) {
    lines.push('', `**${s.heading.advice}**`)
    for (const a of r.advice) lines.push(`- ${md(a.text[ctx.language])}`)
  }
  const alternatives = [...others.map((o) => `${md(o.title[ctx.language])} — ${s.status[o.status]}`), ...r.related.map((x) => md(x.text[ctx.language]))]
  if (alternatives.length) {
    lines.push('', `**${s.heading.alternatives}**`)
    for (const a of alternatives) lines.push(`- ${a}`)
  }
  if (ctx.unavailable.length) {
    lines.push('', `**${s.heading.unavailable}**`)
    for (const u of ctx.unavailable) lines.push(`- ${md(u)}`)
  }
  lines.push('', `_${s.rulesVersion}: ${ctx.rulesVersion}_`)
  return lines.join('\n')
}

function resultExtension (r: IndicationResult, others: IndicationResult[], ctx: RenderContext, order?: AnyResource): CardResult {
  return {
    indication: r.indication,
    status: r.status,
    ...orderReference(order),
    criteria: r.criteria.map((c) => ({
      id: c.id,
      status: c.status,
      required: c.required,
      text: c.text[ctx.language],
      evidence: latest(c.evidence, MAX_EVIDENCE_LISTED),
      ...(c.evidence.length > MAX_EVIDENCE_LISTED ? { evidenceNotListed: c.evidence.length - MAX_EVIDENCE_LISTED } : {}),
      ...(c.reason ? { reason: c.reason } : {}),
      ...(c.warnings?.length ? { warnings: c.warnings.map((w) => w[ctx.language]) } : {})
    })),
    rulesVersion: ctx.rulesVersion,
    ...(others.length ? { alternatives: others.map((o) => o.indication) } : {}),
    ...(r.advice.length ? { advice: r.advice.map((a) => ({ id: a.id, text: a.text[ctx.language] })) } : {}),
    ...(r.related.length ? { related: r.related.map((x) => ({ indication: x.indication, text: x.text[ctx.language] })) } : {}),
    ...(r.paediatricRedirect ? { paediatricRedirect: true } : {})
  }
}

/** For an eligible card: the draft order with the indication as reasonCode and the evidence as supportingInfo. */
function suggestionFor (r: IndicationResult, order: AnyResource, ctx: RenderContext): NonNullable<Card['suggestions']> {
  const s = STRINGS[ctx.language]
  // Never evidence that was too old: attached to the order it would count as current on the next call.
  const refs = [...new Set(r.criteria.flatMap((c) => latest(c.evidence, MAX_EVIDENCE_LISTED).filter((e) => !e.tooOld).map((e) => e.reference)).filter((x): x is string => Boolean(x)))]
  const diagnosis = r.matchEvidence.map((e) => e.reference).filter((x): x is string => Boolean(x))
  const existingReasons = Array.isArray(order.reasonCode) ? order.reasonCode : []
  const existingSupport = Array.isArray(order.supportingInfo) ? order.supportingInfo : []
  const updated: AnyResource = {
    ...order,
    reasonCode: [...existingReasons, { coding: [{ system: INDICATION_SYSTEM, code: r.indication, display: r.title[ctx.language] }], text: r.title[ctx.language] }],
    ...(diagnosis.length ? { reasonReference: [...(Array.isArray(order.reasonReference) ? order.reasonReference : []), ...diagnosis.map((reference) => ({ reference }))] } : {}),
    supportingInfo: [...existingSupport, ...refs.filter((ref) => !ref.startsWith('Patient/')).map((reference) => ({ reference }))]
  }
  return [{ label: s.suggestion, uuid: randomUUID(), isRecommended: true, actions: [{ type: 'update', description: s.suggestionAction, resource: updated }] }]
}

function linksFor (indication: string | null, url: string, ctx: RenderContext): NonNullable<Card['links']> {
  const s = STRINGS[ctx.language]
  const links: NonNullable<Card['links']> = [{ label: s.linkNgc, url: NGC_RECOMMENDATIONS_URL, type: 'absolute' }]
  if (url !== NGC_RECOMMENDATIONS_URL) links.push({ label: `NGC: ${s.linkCriteria.toLowerCase()}`, url, type: 'absolute' })
  if (indication && ctx.publicBaseUrl) links.push({ label: s.linkCriteria, url: `${ctx.publicBaseUrl.replace(/\/$/, '')}/criteria/${indication}`, type: 'absolute' })
  return links
}

function overrideReasons (lang: Language): Coding[] {
  return Object.entries(STRINGS[lang].overrideReasons).map(([code, display]) => ({ system: OVERRIDE_REASON_SYSTEM, code, display }))
}

/** Cards for one evaluated WGS order. */
export function renderCards (results: IndicationResult[], ctx: RenderContext, order?: AnyResource): Card[] {
  const s = STRINGS[ctx.language]
  if (results.length === 0) {
    const ext: CardResult = { indication: null, status: 'no-matching-indication', ...orderReference(order), criteria: [], rulesVersion: ctx.rulesVersion }
    return [{
      uuid: randomUUID(),
      summary: truncate(ctx.diagnosesUnavailable ? s.noMatchUnreadable : s.noMatchSummary, SUMMARY_MAX),
      detail: [ctx.diagnosesUnavailable ? s.noMatchUnreadableDetail : s.noMatchDetail, ...(ctx.unavailable.length ? ['', `**${s.heading.unavailable}**`, ...ctx.unavailable.map((u) => `- ${md(u)}`)] : []), '', `_${s.rulesVersion}: ${ctx.rulesVersion}_`].join('\n'),
      indicator: ctx.diagnosesUnavailable ? 'warning' : 'info',
      source: { label: s.source, url: NGC_RECOMMENDATIONS_URL },
      links: linksFor(null, NGC_RECOMMENDATIONS_URL, ctx),
      extension: { [CARD_EXTENSION]: ext }
    }]
  }
  // Measured once per order, and only if a card is eligible.
  let copyable: boolean | undefined
  return results.map((r) => {
    const others = results.filter((o) => o !== r)
    const eligible = r.status === 'eligible'
    const card: Card = {
      uuid: randomUUID(),
      summary: truncate(`${s.summary[r.status]}: ${r.title[ctx.language]}`, SUMMARY_MAX),
      detail: detailOf(r, others, ctx),
      indicator: eligible ? 'info' : 'warning',
      source: { label: s.source, url: r.url, topic: { system: INDICATION_SYSTEM, code: r.indication, display: r.title[ctx.language] } },
      links: linksFor(r.indication, r.url, ctx),
      extension: { [CARD_EXTENSION]: resultExtension(r, others, ctx, order) }
    }
    if (eligible && order && (copyable ??= JSON.stringify(order).length <= MAX_SUGGESTED_ORDER_BYTES)) {
      card.suggestions = suggestionFor(r, order, ctx)
      card.selectionBehavior = 'at-most-one'
    }
    if (!eligible) card.overrideReasons = overrideReasons(ctx.language)
    return card
  })
}
