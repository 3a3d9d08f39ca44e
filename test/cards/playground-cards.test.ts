/**
 * Issue 15 §1, over every playground patient (examples/patients), in Danish and in English, over
 * HTTP as the playground calls the service: ONE card per WGS order; a detail of at most 12 lines
 * of plain Markdown (no table) with at most five things to document; nothing a clinician reads
 * names this project's internals (file names, criterion or indication ids, attestation codes,
 * `system|code`, engine reasons); one language per card (none of the other language's rule or
 * frame texts); the links and the suggestion of the contract (docs/connecting-an-ehr.md#cards).
 */
import t from 'tap'
import { buildTestApp, postHook, testRules } from '../helpers/app.js'
import { playgroundRequest } from '../helpers/playground.js'
import { loadDemoPatients } from '../../src/web/demo-patients.js'
import { CARD_EXTENSION } from '../../src/cards/render.js'
/** Issue 15 §1's numbers, not the renderer's constants (a change there must fail here). */
const DETAIL_MAX_LINES = 12
const TO_DOCUMENT_MAX = 5
import { ELIGIBILITY_EXTENSION_URL } from '../../src/cards/suggestion.js'
import { STRINGS, type Language } from '../../src/cards/i18n.js'
import { NON_FINITE, UNFOUNDED } from '../../src/core/evaluate.js'

const BASE = 'https://cds.region.example.dk/wgs'
const demo = loadDemoPatients()
const rules = testRules()

/** Every text of one language that the rules or the card frame can put on a card. */
function textsOf (lang: Language): string[] {
  const out: string[] = [STRINGS[lang].noMatchSummary, STRINGS[lang].noMatchDetail, STRINGS[lang].linkForm, STRINGS[lang].suggestion, ...Object.values(STRINGS[lang].heading), ...Object.values(STRINGS[lang].overrideReasons)]
  for (const i of rules.indications) {
    out.push(i.title[lang])
    for (const c of i.criteria) out.push(c.text[lang], ...(c.document ? [c.document[lang]] : []))
    for (const a of i.advice ?? []) out.push(a.text[lang])
    for (const r of i.related ?? []) out.push(r.text[lang])
  }
  return out
}

/** Texts only the other language has (a text the same in both, e.g. a proper name, proves nothing). */
function foreignTexts (lang: Language): string[] {
  const own = new Set(textsOf(lang))
  return [...new Set(textsOf(lang === 'da' ? 'en' : 'da'))].filter((x) => x.length >= 12 && !own.has(x))
}

/** Names no clinician should read: this project's ids and codes, file names, engine reasons. */
const INTERNAL: RegExp[] = [
  /criteria\.md/i, /\.ya?ml\b/i, /\.json\b/i, /\.txt\b/i, /\bseeds?\//i, /\bcds-services\b/, /\bfhir-profiles\b/,
  /https?:\/\/\S+\|/, /\brule error\b/i, /\bprefetch\b/i, /\battestation\b/i,
  ...[UNFOUNDED, NON_FINITE].map((r) => new RegExp(r.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
]
const ids = new Set<string>()
for (const i of rules.indications) {
  if (i.id.includes('-')) ids.add(i.id) // 'sarcoma' is also a word
  for (const c of i.criteria) if (c.id.includes('-')) ids.add(c.id)
}
for (const cs of rules.codeSystems) for (const c of cs.concept ?? []) if (c.code.includes('-')) ids.add(c.code)

/** What a clinician reads on a card: summary, detail, labels and displays (not URLs or the extension). */
function readable (card: any): string {
  return [card.summary, card.detail, card.source?.label, card.source?.topic?.display, ...(card.links ?? []).map((l: any) => l.label),
    ...(card.suggestions ?? []).flatMap((s: any) => [s.label, ...s.actions.map((a: any) => a.description)]), ...(card.overrideReasons ?? []).map((r: any) => r.display)].filter(Boolean).join('\n')
}

/** The bullets under the "what to document" heading. */
function toDocumentBullets (detail: string, lang: Language): string[] {
  const block = detail.split('\n\n').find((p) => p.startsWith(`**${STRINGS[lang].heading.toDocument}**`))
  return block ? block.split('\n').filter((l) => l.startsWith('- ')) : []
}

for (const lang of ['da', 'en'] as const) {
  void t.test(`every playground patient's card obeys issue 15 §1 (${lang})`, async (t) => {
    const app = await buildTestApp(t, { CARD_LANGUAGE: lang, PUBLIC_BASE_URL: BASE })
    const foreign = foreignTexts(lang)
    t.ok(demo.list.length >= 34, `${demo.list.length} playground patients`)
    for (const p of demo.list) {
      const served = (await app.inject({ url: `/playground/patients/${p.id}.json` })).json()
      const res = await postHook(app, playgroundRequest(served, rules.service.prefetch))
      t.equal(res.status, 200, `${p.id}: HTTP 200`)
      t.equal(res.body.cards.length, 1, `${p.id}: one card for the one WGS order`)
      const card = res.body.cards[0]
      const ext = card.extension[CARD_EXTENSION]
      const detail: string = card.detail
      const lines = detail.split('\n').filter((l) => l.trim() !== '')
      t.ok(lines.length <= DETAIL_MAX_LINES, `${p.id}: ${lines.length} detail lines (at most ${DETAIL_MAX_LINES})`)
      t.notOk(lines.some((l) => l.trimStart().startsWith('|') || /^\s*\|?\s*:?-{3,}/.test(l)), `${p.id}: no table`)
      t.ok(toDocumentBullets(detail, lang).length <= TO_DOCUMENT_MAX, `${p.id}: at most ${TO_DOCUMENT_MAX} things to document`)
      const text = readable(card)
      t.same(INTERNAL.filter((re) => re.test(text)).map(String), [], `${p.id}: no internal names`)
      t.same([...ids].filter((id) => new RegExp(`(^|[^\\w-])${id}([^\\w-]|$)`).test(text)), [], `${p.id}: no indication, criterion or attestation ids`)
      t.same(foreign.filter((x) => text.includes(x)), [], `${p.id}: one language (${lang})`)
      if (ext.indication === null) continue
      // The card is about one indication; every other matching one is one line in it and complete in the extension.
      for (const o of ext.others ?? []) {
        t.match(detail, `- ${o.title.replace(/[|*_`<>[\]\\]/g, '\\$&')} — `, `${p.id}: ${o.indication} is one line of the detail`)
        t.ok(o.criteria.length > 0, `${p.id}: ${o.indication} has all its criteria in the extension`)
      }
      const criteria = card.links.find((l: any) => l.url === `${BASE}/criteria/${String(ext.indication)}${lang === 'en' ? '?lang=en' : ''}`)
      t.equal(criteria?.type, 'absolute', `${p.id}: an absolute link to the criteria page`)
      const smart = card.links.filter((l: any) => l.type === 'smart')
      if (ext.status === 'eligible') {
        t.same(smart, [], `${p.id}: no form link on an eligible card`)
        const order = card.suggestions?.[0]?.actions?.[0]?.resource
        const info = order?.extension?.find((x: any) => x.url === ELIGIBILITY_EXTENSION_URL)
        t.same(info?.extension?.map((x: any) => x.url), ['status', 'indication', 'doc-needed', 'questionnaire', 'date', 'rules-version', 'assertion-id'], `${p.id}: the eligibility information`)
        t.equal(info?.extension?.find((x: any) => x.url === 'assertion-id')?.valueString, card.uuid, `${p.id}: its assertion id is the card's uuid`)
      } else {
        t.equal(smart.length, 1, `${p.id}: one form link`)
        t.equal(smart[0]?.url, `${BASE}/smart/launch.html`)
        t.same(JSON.parse(smart[0]?.appContext ?? '{}'), { indication: ext.indication, order: 'ServiceRequest/playground-wgs-order' }, `${p.id}: appContext names the indication and the order`)
      }
    }
  })
}
