/** No `not-met` without evidence (issue 13 §1): the engine turns an unfounded not-met into unknown, with a reason. */
import t from 'tap'
import { condition, plateletCount } from '../helpers/fhir-builders.js'
import { criterion, indication, result, run } from './mini-catalogue.js'
import { UNFOUNDED } from '../../src/core/evaluate.js'
import { renderCards } from '../../src/cards/render.js'

void t.test('a false with no evidence is unknown with a reason; with evidence it stays not-met', async (t) => {
  const ind = indication([
    criterion('bare', 'false', { document: { da: 'dokumentér', en: 'document' } }),
    criterion('empty-evidence', 'false', { evidence: '%att' }),
    criterion('founded', '%plt.numericValue() > 150', { evidence: '%plt' })
  ])
  const results = run(ind, [condition('C92.0'), plateletCount(100, '2026-11-01')])
  t.equal(result(results, 'bare')?.status, 'unknown')
  t.equal(result(results, 'bare')?.reason, UNFOUNDED)
  t.equal(result(results, 'empty-evidence')?.status, 'unknown', 'an evidence expression that yields nothing is no evidence')
  t.equal(result(results, 'founded')?.status, 'not-met')
  t.equal(result(results, 'founded')?.evidence[0]?.value, '100 10*9/L')
  t.equal(results[0]?.status, 'not-eligible', 'the founded not-met still decides')
  const noPlatelets = run(ind, [condition('C92.0')])
  t.equal(noPlatelets[0]?.status, 'incomplete', 'without the platelet count nothing is shown to fail')
})

void t.test('compositions: not-met needs evidence from the parts; through not() the met part is the evidence', async (t) => {
  const ind = indication([
    criterion('F', 'false', { required: false }),
    criterion('T', 'true', { required: false, evidence: '%dx' }),
    { id: 'all-f', text: { da: 'x', en: 'x' }, seed: { file: '000_6087517ef50949d1.txt', heading: 'h' }, required: true, composition: { all: ['F', 'T'] } },
    { id: 'not-t', text: { da: 'x', en: 'x' }, seed: { file: '000_6087517ef50949d1.txt', heading: 'h' }, required: true, composition: { not: 'T' } }
  ])
  const results = run(ind, [condition('C92.0')])
  t.equal(result(results, 'all-f')?.status, 'unknown', 'F is unfounded, so the composition is unknown')
  t.equal(result(results, 'not-t')?.status, 'not-met')
  t.equal(result(results, 'not-t')?.evidence[0]?.resourceType, 'Condition')
})

void t.test('the card says no recorded data shows the failure, in the card language', async (t) => {
  const results = run(indication([criterion('bare', 'false')]), [condition('C92.0')])
  const [da] = renderCards(results, { language: 'da', rulesVersion: 'v', unavailable: [] })
  const [en] = renderCards(results, { language: 'en', rulesVersion: 'v', unavailable: [] })
  t.match(da!.detail, /ingen registrerede data viser/)
  t.match(en!.detail, /no recorded data shows/)
  t.notMatch(da!.detail, /no recorded data/, 'no English in the Danish card')
  t.notMatch(da!.detail, /✗/)
})
