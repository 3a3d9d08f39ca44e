/**
 * The README's example request works as documented: it returns a card for
 * inherited thrombocytopenia that is incomplete, with exactly the one
 * criterion the example leaves undocumented (patient informed).
 */
import t from 'tap'
import { readFileSync } from 'node:fs'
import { buildTestApp, postHook, resultFor } from '../helpers/app.js'

void t.test('README example', async (t) => {
  const app = await buildTestApp(t)
  const body = JSON.parse(readFileSync('examples/order-select-inherited-thrombocytopenia.json', 'utf8'))
  const res = await postHook(app, body)
  t.equal(res.status, 200)
  const r = resultFor(res.body, 'inherited-thrombocytopenia')
  t.equal(r?.status, 'incomplete')
  t.same(r?.criteria.filter((c) => c.status !== 'met' && c.status !== 'not-applicable').map((c) => c.id), ['patient-informed'])
  t.equal(res.body.cards[0].extension['dk.ngc-wgs-cds.eligibility'].indication, 'inherited-thrombocytopenia', 'the card closest to eligible comes first')
  t.ok(r?.alternatives?.includes('inherited-myeloid-or-unexplained-cytopenia'), 'and names the other matching indication')
  const readme = readFileSync('README.md', 'utf8')
  t.match(readme, 'examples/order-select-inherited-thrombocytopenia.json', 'the README shows this file')
  t.match(readme, /npm ci && npm start/)
  t.match(readme, /npm test/)
})
