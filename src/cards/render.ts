/**
 * Render evaluation results as CDS Hooks cards (shared/reference/cds-hooks.md §1.5): ONE card per
 * evaluated WGS order (issue 15 §1). Its summary is the best-matching indication's verdict — the
 * indication the order's own `reasonCode` names, when it matches, else the one closest to eligible —
 * and the other matching indications are one line each in its short detail (src/cards/detail.ts),
 * never cards of their own. When nothing matches, one info card says so. The machine-readable result
 * of every matching indication, with every criterion, is under CARD_EXTENSION (docs/connecting-an-ehr.md).
 * Optional fields are omitted rather than empty (spec §1.0).
 *
 * The extension is bounded (issue 18): each piece of evidence is listed once per card (`evidence`) and
 * criteria name it by index (`evidenceListed`), since the indications of one patient read the same
 * platelet counts and family history; each criterion lists the latest few (MAX_EVIDENCE_LISTED, fewer for
 * the other indications) and counts the rest; the other indications carry ids, statuses and reasons but
 * not the rules' texts, which the Questionnaire (linkId = criterion id) and the criteria page serve for
 * the same rulesVersion. POST /evaluate answers every indication in full (evaluationResults).
 */
import { randomUUID } from 'node:crypto'
import type { AnyResource, CodeSystem } from '../core/fhir.js'
import type { Evidence, IndicationResult } from '../core/types.js'
import { STRINGS, type Language } from './i18n.js'
import { detailOf } from './detail.js'
import { danishNames, md, reasonWords } from './evidence-words.js'
import { eligibilitySuggestion } from './suggestion.js'

/** Reverse-domain key of the machine-readable result on every card. */
export const CARD_EXTENSION = 'dk.ngc-wgs-cds.eligibility'
export const INDICATION_SYSTEM = 'https://ngc-wgs-cds.dk/fhir/CodeSystem/wgs-indication'
export const OVERRIDE_REASON_SYSTEM = 'https://ngc-wgs-cds.dk/fhir/CodeSystem/wgs-override-reason'
export const NGC_RECOMMENDATIONS_URL = 'https://ngc.dk/sundhedsfaglige/patientgrupper/faglige-anbefalinger-for-patientgrupper-i-drift'

const SUMMARY_MAX = 139
/**
 * Evidence listed per criterion in the card extension (and attached by the suggestion): the latest,
 * with a count of the rest (`evidenceNotListed`), so an answer does not grow with the patient's
 * history (issue 18; 1,723 platelet counts for one criterion at 10,000 resources).
 */
export const MAX_EVIDENCE_LISTED = 10
/**
 * Evidence listed per criterion of the card's other indications (each one line on the card): enough to
 * show what the criterion read, while a second or third matching indication does not double the answer.
 * POST /evaluate lists MAX_EVIDENCE_LISTED for every indication.
 */
export const MAX_EVIDENCE_LISTED_OTHERS = 3
/**
 * Largest draft order (serialised) copied into an eligible card's suggestion: a FHIR update carries the
 * whole resource, so a larger order gets the card without the suggestion.
 */
export const MAX_SUGGESTED_ORDER_BYTES = 64 * 1024
const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/

/** The latest `n` pieces of evidence (by date; undated last), in their original order. */
export function latest (evidence: Evidence[], n: number): Evidence[] {
  if (evidence.length <= n) return evidence
  const ranked = evidence.map((e, i) => ({ date: e.date ?? '', i })).sort((a, b) => a.date < b.date ? 1 : a.date > b.date ? -1 : a.i - b.i)
  const keep = new Set(ranked.slice(0, n).map((x) => x.i))
  return evidence.filter((_, i) => keep.has(i))
}

export interface Coding { system: string, code: string, display?: string }
export interface CardLink { label: string, url: string, type: 'absolute' | 'smart', appContext?: string }
export interface Card {
  uuid: string
  summary: string
  detail?: string
  indicator: 'info' | 'warning' | 'critical'
  source: { label: string, url?: string, topic?: Coding }
  suggestions?: Array<{ label: string, uuid: string, isRecommended?: boolean, actions: Array<{ type: 'update', description: string, resource: AnyResource }> }>
  selectionBehavior?: 'at-most-one' | 'any'
  overrideReasons?: Coding[]
  links?: CardLink[]
  extension: Record<string, unknown>
}

export interface RenderContext {
  language: Language
  rulesVersion: string
  /** Why data could not be read (technical, English): kept in the card extension for integrators. */
  unavailable: string[]
  /** Resource types that could not be read: named in words on the card. */
  unavailableTypes?: string[]
  /** The record's Conditions could not be read, so "no indication matches" is not a finding. */
  diagnosesUnavailable?: boolean
  publicBaseUrl?: string
  /** How the client knows the draft order (`ServiceRequest/{id}` or its fullUrl), for the links and the result. */
  orderReference?: string
  /** The evaluation time (ISO instant): the date of the eligibility information. */
  evaluatedAt?: string
  /** The rules' CodeSystems: the Danish names of this project's own codes in evidence. */
  codeSystems?: readonly CodeSystem[]
}

/** One matching indication's result with every text and its evidence inline (what POST /evaluate returns per indication). */
export interface IndicationCardResult {
  indication: string
  title: string
  status: string
  criteria: Array<{ id: string, status: string, required: boolean, text: string, evidence: Evidence[], evidenceNotListed?: number, reason?: string, reasonText?: string, document?: string, warnings?: string[] }>
  /** Card notes shown for this indication (e.g. specimen advice). */
  advice?: Array<{ id: string, text: string }>
  /** Other indications named by this one's rules (overlaps, redirects). */
  related?: Array<{ indication: string, text: string }>
  paediatricRedirect?: boolean
}

/** A criterion in the card extension: its evidence as indexes into the card's `evidence` list. */
export interface CardCriterion {
  id: string
  status: string
  required: boolean
  /** The card's own indication only (the rules' text, card language). */
  text?: string
  /** Indexes into CardResult.evidence: the latest pieces of evidence, in their original order. */
  evidenceListed: number[]
  /** How many more pieces of evidence the criterion read (absent when all are listed). */
  evidenceNotListed?: number
  reason?: string
  reasonText?: string
  document?: string
  warnings?: string[]
}

/** Another matching indication on the card: ids, statuses, reasons and warnings; the rules' texts are served by id. */
export interface OtherIndicationResult {
  indication: string
  title: string
  status: string
  criteria: CardCriterion[]
  advice?: Array<{ id: string }>
  related?: Array<{ indication: string }>
  paediatricRedirect?: boolean
}

/** The machine-readable result on a card (docs/connecting-an-ehr.md, "Card extension"): the card's indication at the top, the others under `others`. */
export interface CardResult {
  indication: string | null
  title?: string
  status: string
  criteria: CardCriterion[]
  advice?: Array<{ id: string, text: string }>
  related?: Array<{ indication: string, text: string }>
  paediatricRedirect?: boolean
  order?: string
  rulesVersion: string
  alternatives?: string[]
  /** Every other matching indication, with all its criteria. */
  others?: OtherIndicationResult[]
  /** Every piece of evidence a criterion on the card lists, once (criteria name them by index). */
  evidence: Evidence[]
  /** Why data could not be read (technical, English). */
  unavailable?: string[]
}

function truncate (s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1).trimEnd()}…`
}

/** The draft order's reference: how the client named it, else `ServiceRequest/{id}` when its id is a FHIR id. */
function orderReferenceOf (ctx: Pick<RenderContext, 'orderReference'>, order?: AnyResource): string | undefined {
  if (ctx.orderReference) return ctx.orderReference
  return typeof order?.id === 'string' && FHIR_ID.test(order.id) ? `ServiceRequest/${order.id}` : undefined
}

/**
 * One indication's result in the card's language with every text; `evidenceOf` says how a
 * criterion's evidence is given (inline for POST /evaluate, as indexes into the card's list on a card).
 */
function withTexts<E extends object> (r: IndicationResult, language: Language, evidenceOf: (evidence: Evidence[]) => E) {
  return {
    indication: r.indication,
    title: r.title[language],
    status: r.status,
    criteria: r.criteria.map((c) => ({
      id: c.id,
      status: c.status,
      required: c.required,
      text: c.text[language],
      ...evidenceOf(c.evidence),
      ...(c.reason ? { reason: c.reason, reasonText: reasonWords(c.reason, language) } : {}),
      ...(c.status === 'unknown' && c.document ? { document: c.document[language] } : {}),
      ...(c.warnings?.length ? { warnings: c.warnings.map((w) => w[language]) } : {})
    })),
    ...(r.advice.length ? { advice: r.advice.map((a) => ({ id: a.id, text: a.text[language] })) } : {}),
    ...(r.related.length ? { related: r.related.map((x) => ({ indication: x.indication, text: x.text[language] })) } : {}),
    ...(r.paediatricRedirect ? { paediatricRedirect: true } : {})
  }
}

/** One indication's result in the card's language: every criterion, its evidence inline and capped (MAX_EVIDENCE_LISTED). */
export function indicationResult (r: IndicationResult, language: Language): IndicationCardResult {
  return withTexts(r, language, (evidence) => ({
    evidence: latest(evidence, MAX_EVIDENCE_LISTED),
    ...(evidence.length > MAX_EVIDENCE_LISTED ? { evidenceNotListed: evidence.length - MAX_EVIDENCE_LISTED } : {})
  }))
}

/** The card's evidence list: each piece of evidence once, in the order criteria first list it. */
class EvidenceList {
  readonly entries: Evidence[] = []
  private readonly index = new Map<string, number>()

  /** The entry's index; an equal entry (same fields, `tooOld` included) is listed once. */
  add (e: Evidence): number {
    const key = [e.reference, e.resourceType, e.code, e.display, e.value, e.date, e.author, e.tooOld].map((x) => x === undefined ? '' : String(x)).join('\u0000')
    let i = this.index.get(key)
    if (i === undefined) {
      i = this.entries.length
      this.entries.push(e)
      this.index.set(key, i)
    }
    return i
  }

  /** The latest `n` of a criterion's evidence, listed, and the count of the rest. */
  listed (evidence: Evidence[], n: number): Pick<CardCriterion, 'evidenceListed' | 'evidenceNotListed'> {
    return {
      evidenceListed: latest(evidence, n).map((e) => this.add(e)),
      ...(evidence.length > n ? { evidenceNotListed: evidence.length - n } : {})
    }
  }
}

/** The card's own indication: as indicationResult, with its evidence in the card's list. */
function mainResult (r: IndicationResult, language: Language, list: EvidenceList): Omit<CardResult, 'rulesVersion' | 'evidence'> {
  return withTexts(r, language, (evidence) => list.listed(evidence, MAX_EVIDENCE_LISTED))
}

/**
 * Another matching indication: every criterion's id, status, reason (technical, stable) and warnings
 * (computed for this patient, so not in the rules), its latest MAX_EVIDENCE_LISTED_OTHERS pieces of
 * evidence. The rules' texts (criterion, what to document, advice, related) are left to the
 * Questionnaire and the criteria page: they are the same for every patient.
 */
function otherResult (r: IndicationResult, language: Language, list: EvidenceList): OtherIndicationResult {
  return {
    indication: r.indication,
    title: r.title[language],
    status: r.status,
    criteria: r.criteria.map((c) => ({
      id: c.id,
      status: c.status,
      required: c.required,
      ...list.listed(c.evidence, MAX_EVIDENCE_LISTED_OTHERS),
      ...(c.reason ? { reason: c.reason } : {}),
      ...(c.warnings?.length ? { warnings: c.warnings.map((w) => w[language]) } : {})
    })),
    ...(r.advice.length ? { advice: r.advice.map((a) => ({ id: a.id })) } : {}),
    ...(r.related.length ? { related: r.related.map((x) => ({ indication: x.indication })) } : {}),
    ...(r.paediatricRedirect ? { paediatricRedirect: true } : {})
  }
}

function resultExtension (r: IndicationResult, others: IndicationResult[], ctx: RenderContext, order?: string): CardResult {
  const list = new EvidenceList()
  const main = mainResult(r, ctx.language, list)
  const rest = others.map((o) => otherResult(o, ctx.language, list))
  return {
    ...main,
    ...(order ? { order } : {}),
    rulesVersion: ctx.rulesVersion,
    ...(others.length ? { alternatives: others.map((o) => o.indication), others: rest } : {}),
    evidence: list.entries,
    ...(ctx.unavailable.length ? { unavailable: ctx.unavailable } : {})
  }
}

/** The card's indication: the one the order's reasonCode names when it matches, else the best (results come best first). */
function primaryOf (results: IndicationResult[], order?: AnyResource): IndicationResult {
  const ordered = orderedIndications(order)
  return results.find((r) => ordered.some((o) => o.code === r.indication)) ?? results[0]!
}

/**
 * Every matching indication in full, the card's first (POST /evaluate): each with every text and its
 * evidence inline; the first also with the order, the rules version and the alternatives.
 */
export function evaluationResults (results: IndicationResult[], ctx: Pick<RenderContext, 'language' | 'rulesVersion' | 'unavailable' | 'orderReference'>, order?: AnyResource): Array<IndicationCardResult & Partial<Pick<CardResult, 'order' | 'rulesVersion' | 'alternatives' | 'unavailable'>>> {
  if (results.length === 0) return []
  const primary = primaryOf(results, order)
  const others = results.filter((o) => o !== primary)
  const orderRef = orderReferenceOf(ctx, order)
  return [
    {
      ...indicationResult(primary, ctx.language),
      ...(orderRef ? { order: orderRef } : {}),
      rulesVersion: ctx.rulesVersion,
      ...(others.length ? { alternatives: others.map((o) => o.indication) } : {}),
      ...(ctx.unavailable.length ? { unavailable: ctx.unavailable } : {})
    },
    ...others.map((o) => indicationResult(o, ctx.language))
  ]
}

/** The indication codes the order's reasonCode names (this project's indication CodeSystem). */
function orderedIndications (order?: AnyResource): Array<{ code: string, display?: string }> {
  const reasons = Array.isArray(order?.reasonCode) ? order.reasonCode as Array<{ coding?: unknown, text?: unknown }> : []
  return reasons.flatMap((rc) => Array.isArray(rc?.coding) ? rc.coding as Array<Record<string, unknown>> : [])
    .filter((c) => c?.system === INDICATION_SYSTEM && typeof c.code === 'string')
    .map((c) => ({ code: c.code as string, ...(typeof c.display === 'string' ? { display: c.display } : {}) }))
}

function linksFor (r: IndicationResult | undefined, ctx: RenderContext, order?: string): CardLink[] {
  const s = STRINGS[ctx.language]
  const links: CardLink[] = []
  const base = ctx.publicBaseUrl?.replace(/\/+$/, '')
  if (base && r) {
    // The requisition form (SMART app) for this order and indication, where what is missing can be answered.
    if (r.status !== 'eligible') links.push({ label: s.linkForm, url: `${base}/smart/launch.html`, type: 'smart', appContext: JSON.stringify({ indication: r.indication, ...(order ? { order } : {}) }) })
    links.push({ label: s.linkCriteriaPage, url: `${base}/criteria/${encodeURIComponent(r.indication)}${ctx.language === 'en' ? '?lang=en' : ''}`, type: 'absolute' })
  }
  links.push({ label: s.linkNgc, url: NGC_RECOMMENDATIONS_URL, type: 'absolute' })
  if (r && r.url !== NGC_RECOMMENDATIONS_URL) links.push({ label: `NGC: ${s.linkCriteria.toLowerCase()}`, url: r.url, type: 'absolute' })
  return links
}

function overrideReasons (lang: Language): Coding[] {
  return Object.entries(STRINGS[lang].overrideReasons).map(([code, display]) => ({ system: OVERRIDE_REASON_SYSTEM, code, display }))
}

function noMatchCard (ctx: RenderContext, order?: string): Card {
  const s = STRINGS[ctx.language]
  const ext: CardResult = { indication: null, status: 'no-matching-indication', ...(order ? { order } : {}), criteria: [], rulesVersion: ctx.rulesVersion, evidence: [], ...(ctx.unavailable.length ? { unavailable: ctx.unavailable } : {}) }
  const types = ctx.unavailableTypes ?? []
  const unavailable = types.length ? ['', `_${md(s.unavailableData(types.map((t) => (s.resourceType[t] ?? t).toLowerCase())))}_`] : []
  return {
    uuid: randomUUID(),
    summary: truncate(ctx.diagnosesUnavailable ? s.noMatchUnreadable : s.noMatchSummary, SUMMARY_MAX),
    detail: [ctx.diagnosesUnavailable ? s.noMatchUnreadableDetail : s.noMatchDetail, ...unavailable].join('\n'),
    indicator: ctx.diagnosesUnavailable ? 'warning' : 'info',
    source: { label: s.source, url: NGC_RECOMMENDATIONS_URL },
    links: linksFor(undefined, ctx),
    extension: { [CARD_EXTENSION]: ext }
  }
}

/**
 * The card for one evaluated WGS order (a list of one, so callers handle every order alike).
 * `results` come best first (core/evaluate.ts); the order's reasonCode can name the card's indication.
 */
export function renderCards (results: IndicationResult[], ctx: RenderContext, order?: AnyResource): Card[] {
  const s = STRINGS[ctx.language]
  const orderRef = orderReferenceOf(ctx, order)
  if (results.length === 0) return [noMatchCard(ctx, orderRef)]
  const ordered = orderedIndications(order)
  const primary = primaryOf(results, order)
  const others = results.filter((o) => o !== primary)
  const notMatched = ordered.find((o) => o.display && !results.some((r) => r.indication === o.code))
  const eligible = primary.status === 'eligible'
  const uuid = randomUUID()
  const card: Card = {
    uuid,
    summary: truncate(`${s.summary[primary.status]}: ${primary.title[ctx.language]}`, SUMMARY_MAX),
    detail: detailOf({
      primary,
      others,
      language: ctx.language,
      unavailableTypes: ctx.unavailableTypes ?? [],
      ...(notMatched?.display ? { orderedNotMatched: notMatched.display } : {}),
      ...(ctx.codeSystems ? { names: danishNames(ctx.codeSystems) } : {})
    }),
    indicator: eligible ? 'info' : 'warning',
    source: { label: s.source, url: primary.url, topic: { system: INDICATION_SYSTEM, code: primary.indication, display: primary.title[ctx.language] } },
    links: linksFor(primary, ctx, orderRef),
    extension: { [CARD_EXTENSION]: resultExtension(primary, others, ctx, orderRef) }
  }
  if (eligible && order && JSON.stringify(order).length <= MAX_SUGGESTED_ORDER_BYTES) {
    card.suggestions = eligibilitySuggestion(primary, order, { ...ctx, assertionId: uuid })
    card.selectionBehavior = 'at-most-one'
  }
  if (!eligible) card.overrideReasons = overrideReasons(ctx.language)
  return [card]
}
