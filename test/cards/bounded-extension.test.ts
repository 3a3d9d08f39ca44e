/**
 * The card extension is bounded (issue 18, "Bounded answers"): the same synthetic patient with a
 * longer history (bench/synthetic-patient.ts) gets an answer at most twice the size, although the
 * longer history makes a second indication match; each piece of evidence is listed once per card,
 * criteria name it by index, the latest MAX_EVIDENCE_LISTED (MAX_EVIDENCE_LISTED_OTHERS for the other
 * indications) with a count of the rest; the other indications carry no rule texts, which the
 * Questionnaire serves by criterion id. POST /evaluate still answers every indication in full.
 */
import t from 'tap'
import { buildTestApp, SERVICE_URL, testRules } from '../helpers/app.js'
import { generatePatient, orderSelectRequest, realisticDiagnoses, wgsDraftOrder, type SyntheticPatient } from '../../bench/synthetic-patient.js'
import { CARD_EXTENSION, MAX_EVIDENCE_LISTED, MAX_EVIDENCE_LISTED_OTHERS, latest, type CardCriterion, type CardResult } from '../../src/cards/render.js'
import type { Evidence } from '../../src/core/types.js'

const app = await buildTestApp(t)
const rules = testRules()

async function hook (p: SyntheticPatient): Promise<{ bytes: number, ext: CardResult }> {
  const res = await app.inject({ method: 'POST', url: SERVICE_URL, payload: orderSelectRequest(rules.service, p) })
  t.equal(res.statusCode, 200)
  const body = res.json()
  t.equal(body.cards.length, 1, 'one card for the one order')
  return { bytes: Buffer.byteLength(res.body), ext: body.cards[0].extension[CARD_EXTENSION] }
}

async function evaluate (p: SyntheticPatient): Promise<Array<{ indication: string, criteria: Array<{ id: string, status: string, text: string, evidence: Evidence[], evidenceNotListed?: number }> }>> {
  const order = wgsDraftOrder()
  const bundle = { resourceType: 'Bundle', type: 'collection', entry: [p.patient, ...p.resources, order].map((resource) => ({ resource })) }
  const res = await app.inject({ method: 'POST', url: `/evaluate?order=${String(order.id)}`, headers: { 'content-type': 'application/fhir+json' }, payload: JSON.stringify(bundle) })
  t.equal(res.statusCode, 200)
  return res.json().indications
}

const short = generatePatient(150, realisticDiagnoses())
const long = generatePatient(10_000, realisticDiagnoses())

void t.test('the answer at 10,000 resources is at most twice the answer at 150', async (t) => {
  const a = await hook(short)
  const b = await hook(long)
  // The longer history matches a second indication: without it this test would not look at `others`.
  t.ok((b.ext.others ?? []).length >= 1, `the long record matches ${1 + (b.ext.others ?? []).length} indications`)
  t.ok(b.bytes <= 2 * a.bytes, `${b.bytes} bytes at 10,000 resources, ${a.bytes} at 150 (${(b.bytes / a.bytes).toFixed(2)}×)`)
})

void t.test('each piece of evidence once; per criterion the latest, the rest counted, as /evaluate lists them', async (t) => {
  const { ext } = await hook(long)
  const full = await evaluate(long)
  const keys = ext.evidence.map((e) => JSON.stringify(e))
  t.equal(new Set(keys).size, keys.length, `${keys.length} pieces of evidence, none listed twice`)
  const used = new Set<number>()
  const cardIndications = [{ result: ext, max: MAX_EVIDENCE_LISTED }, ...(ext.others ?? []).map((o) => ({ result: o, max: MAX_EVIDENCE_LISTED_OTHERS }))]
  t.same(cardIndications.map((x) => x.result.indication), full.map((r) => r.indication), 'the card carries every indication /evaluate answers, in its order')
  let capped = 0
  for (const [i, { result, max }] of cardIndications.entries()) {
    const byId = new Map<string, CardCriterion>(result.criteria.map((c) => [c.id, c]))
    t.same([...byId.keys()], full[i]!.criteria.map((c) => c.id), `${String(result.indication)}: every criterion`)
    for (const want of full[i]!.criteria) {
      const got = byId.get(want.id)!
      const listed = got.evidenceListed.map((n) => { used.add(n); return ext.evidence[n] })
      const total = want.evidence.length + (want.evidenceNotListed ?? 0)
      t.equal(got.status, want.status, `${want.id}: status`)
      t.ok(listed.length <= max, `${want.id}: ${listed.length} listed (at most ${max})`)
      t.same(listed, latest(want.evidence, max), `${want.id}: the latest ${max}, in their order`)
      t.equal(listed.length + (got.evidenceNotListed ?? 0), total, `${want.id}: listed + not listed = the ${total} it read`)
      if (got.evidenceNotListed) capped++
    }
  }
  t.ok(capped > 0, `${capped} criteria with evidence not listed (the long history is capped)`)
  t.equal(used.size, ext.evidence.length, 'every listed piece of evidence is named by a criterion')
})

void t.test('the other indications carry ids, statuses and reasons; their texts come from the Questionnaire by criterion id', async (t) => {
  const { ext } = await hook(long)
  t.ok(ext.criteria.every((c) => typeof c.text === 'string' && c.text.length > 0), "the card's own criteria keep their texts")
  for (const o of ext.others ?? []) {
    t.ok(o.criteria.every((c) => c.text === undefined && c.document === undefined && c.reasonText === undefined), `${o.indication}: no rule texts`)
    t.ok((o.advice ?? []).every((a) => Object.keys(a).join() === 'id'), `${o.indication}: advice by id`)
    const res = await app.inject({ method: 'GET', url: `/fhir/Questionnaire/wgs-${o.indication}`, headers: { accept: 'application/fhir+json' } })
    t.equal(res.statusCode, 200)
    const q = res.json()
    t.equal(q.version, ext.rulesVersion, 'the Questionnaire of the same rules version')
    const texts = new Map<string, string>()
    const walk = (items: Array<{ linkId: string, text?: string, item?: unknown[] }> | undefined): void => {
      for (const item of items ?? []) { if (item.text) texts.set(item.linkId, item.text); walk(item.item as typeof items) }
    }
    walk(q.item)
    const missing = o.criteria.map((c) => c.id).filter((id) => !texts.has(id))
    t.same(missing, [], `${o.indication}: every criterion's text is a Questionnaire item (linkId = criterion id)`)
  }
})
