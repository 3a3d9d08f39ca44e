/**
 * Overlaps (criteria.md "Overlaps"; issue 15 §1): a patient matching several indications gets every
 * matching indication evaluated, but ONE card per WGS order — its summary is the best-matching
 * indication (the one the order's reasonCode names, when it matches; else the one closest to
 * eligible), the others are one line each in its detail and complete in its extension. A child in an
 * adult-only indication is pointed to the paediatric groups while all-ages indications are still evaluated.
 */
import t from 'tap'
import { buildTestApp, postHook, resultFor } from '../helpers/app.js'
import { condition, hookRequest, patient, wgsOrder } from '../helpers/fhir-builders.js'
import { CARD_EXTENSION, INDICATION_SYSTEM } from '../../src/cards/render.js'

const RANK: Record<string, number> = { eligible: 0, incomplete: 1, 'not-eligible': 2 }

void t.test('metastatic pancreatic cancer: one card, pancreatic-cancer and metastatic-solid-tumour both in it', async (t) => {
  const app = await buildTestApp(t)
  const res = await postHook(app, hookRequest(patient(), [condition('DC250'), condition('DC787')]))
  t.equal(res.body.cards.length, 1, 'one card for the one order')
  const ext = res.body.cards[0].extension[CARD_EXTENSION]
  const all = [ext, ...(ext.others ?? [])]
  t.same(all.map((r: any) => r.indication).sort(), ['metastatic-solid-tumour', 'pancreatic-cancer'], 'both indications evaluated, all criteria in the extension')
  t.ok(all.every((r: any) => r.criteria.length > 0))
  t.same(ext.alternatives, ext.others.map((o: any) => o.indication), 'alternatives name the others')
  const ranks = all.map((r: any) => RANK[r.status]!)
  t.same(ranks, [...ranks].sort((a, b) => a - b), 'the card is about the best outcome, the others follow it')
  const other = ext.others[0]
  t.match(res.body.cards[0].detail, `${other.title} — `, 'the other indication is one line of the detail')
  t.notOk(res.body.cards[0].detail.includes('|'), 'no table')
})

void t.test("the order's reasonCode names the card's indication when it matches", async (t) => {
  const app = await buildTestApp(t)
  const resources = [condition('DC250'), condition('DC787')]
  const plain = await postHook(app, hookRequest(patient(), resources))
  const first = plain.body.cards[0].extension[CARD_EXTENSION]
  const wanted = first.others[0].indication as string
  const order = { ...wgsOrder(), reasonCode: [{ coding: [{ system: INDICATION_SYSTEM, code: wanted }] }] }
  const res = await postHook(app, hookRequest(patient(), resources, { order }))
  t.equal(res.body.cards.length, 1)
  t.equal(res.body.cards[0].extension[CARD_EXTENSION].indication, wanted, 'the ordered indication is the card\'s')
  t.same(res.body.cards[0].extension[CARD_EXTENSION].alternatives, [first.indication], 'the other one is listed')
  const unmatched = { ...wgsOrder(), reasonCode: [{ coding: [{ system: INDICATION_SYSTEM, code: 'sarcoma', display: 'Patienter med sarkom' }] }] }
  const other = await postHook(app, hookRequest(patient(), resources, { order: unmatched }))
  t.equal(other.body.cards[0].extension[CARD_EXTENSION].indication, first.indication, 'an ordered indication that does not match: the best match')
  t.match(other.body.cards[0].detail, /Bestillingens indikation \(Patienter med sarkom\) matcher ikke/, 'and the card says the ordered one does not match')
})

void t.test('MDS at 45: myeloid-cancer and inherited-myeloid-or-unexplained-cytopenia', async (t) => {
  const app = await buildTestApp(t)
  const res = await postHook(app, hookRequest(patient({ birthDate: '1981-06-01' }), [condition('DD461')]))
  t.ok(resultFor(res.body, 'myeloid-cancer'), 'myeloid-cancer evaluated')
  t.ok(resultFor(res.body, 'inherited-myeloid-or-unexplained-cytopenia'), 'the inherited myeloid indication evaluated too')
  t.equal(res.body.cards.length, 1, 'on one card')
  const ext = res.body.cards[0].extension[CARD_EXTENSION]
  t.ok([ext.indication, ...ext.alternatives].includes('inherited-myeloid-or-unexplained-cytopenia'))
})

void t.test('a 12-year-old with D69.4: the adult indication points to the paediatric groups; the all-ages one is evaluated', async (t) => {
  const app = await buildTestApp(t)
  const res = await postHook(app, hookRequest(patient({ birthDate: '2014-05-01' }), [condition('DD694')]))
  const adult = resultFor(res.body, 'inherited-thrombocytopenia')
  t.equal(adult?.paediatricRedirect, true)
  t.equal(adult?.status, 'not-eligible')
  const allAges = resultFor(res.body, 'inherited-myeloid-or-unexplained-cytopenia')
  t.ok(allAges, 'inherited myeloid / unexplained cytopenia (0–17 in scope) is evaluated')
  t.notOk(allAges?.paediatricRedirect, 'and does not redirect')
})
