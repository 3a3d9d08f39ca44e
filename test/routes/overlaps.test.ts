/**
 * Overlaps (criteria.md "Overlaps"): a patient matching several indications
 * gets every matching indication evaluated, best outcome first, and each card
 * names the alternatives; a child in an adult-only indication is pointed to
 * the paediatric groups while all-ages indications are still evaluated.
 */
import t from 'tap'
import { buildTestApp, postHook, resultFor } from '../helpers/app.js'
import { condition, hookRequest, patient } from '../helpers/fhir-builders.js'
import { CARD_EXTENSION } from '../../src/cards/render.js'

const RANK: Record<string, number> = { eligible: 0, incomplete: 1, 'not-eligible': 2 }

function statuses (body: any): string[] {
  return body.cards.map((c: any) => c.extension[CARD_EXTENSION].status)
}

void t.test('metastatic pancreatic cancer: pancreatic-cancer and metastatic-solid-tumour, each naming the other', async (t) => {
  const app = await buildTestApp(t)
  const res = await postHook(app, hookRequest(patient(), [condition('DC250'), condition('DC787')]))
  const pancreas = resultFor(res.body, 'pancreatic-cancer')
  const metastatic = resultFor(res.body, 'metastatic-solid-tumour')
  t.ok(pancreas, 'pancreatic-cancer evaluated')
  t.ok(metastatic, 'metastatic-solid-tumour evaluated')
  t.ok(pancreas?.alternatives?.includes('metastatic-solid-tumour'), 'the pancreatic card names the metastatic indication')
  t.ok(metastatic?.alternatives?.includes('pancreatic-cancer'), 'and vice versa')
  const ranks = statuses(res.body).map((s) => RANK[s]!)
  t.same(ranks, [...ranks].sort((a, b) => a - b), 'best outcome first')
})

void t.test('MDS at 45: myeloid-cancer and inherited-myeloid-or-unexplained-cytopenia', async (t) => {
  const app = await buildTestApp(t)
  const res = await postHook(app, hookRequest(patient({ birthDate: '1981-06-01' }), [condition('DD461')]))
  t.ok(resultFor(res.body, 'myeloid-cancer'), 'myeloid-cancer evaluated')
  t.ok(resultFor(res.body, 'inherited-myeloid-or-unexplained-cytopenia'), 'the inherited myeloid indication evaluated too')
  t.ok(resultFor(res.body, 'myeloid-cancer')?.alternatives?.includes('inherited-myeloid-or-unexplained-cytopenia'))
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
