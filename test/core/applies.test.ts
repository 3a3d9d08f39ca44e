/** `applies:` on a criterion: false → not-applicable, not counted; empty or true → evaluated as usual. */
import t from 'tap'
import { condition, patient } from '../helpers/fhir-builders.js'
import { criterion, indication, result, run } from './mini-catalogue.js'
import { renderCards } from '../../src/cards/render.js'

const boneMarrowIfOver50 = criterion('bone-marrow', '{}', { applies: '%ageYears > 50', document: { da: 'dokumentér knoglemarv', en: 'document marrow' } })

void t.test('applies false → not-applicable, and the indication ignores it', async (t) => {
  const ind = indication([criterion('a', 'true', { evidence: '%patient' }), boneMarrowIfOver50])
  const young = run(ind, [condition('C92.0')], patient({ birthDate: '1980-03-01' })) // 46
  t.equal(result(young, 'bone-marrow')?.status, 'not-applicable')
  t.same(result(young, 'bone-marrow')?.evidence, [])
  t.equal(young[0]?.status, 'eligible', 'a not-applicable criterion does not leave the indication incomplete')
  const old = run(ind, [condition('C92.0')], patient({ birthDate: '1950-03-01' })) // 76
  t.equal(result(old, 'bone-marrow')?.status, 'unknown', 'applies true → evaluated')
  t.equal(old[0]?.status, 'incomplete')
  const ageless = run(ind, [condition('C92.0')], patient({ birthDate: undefined }))
  t.equal(result(ageless, 'bone-marrow')?.status, 'unknown', 'applies empty → evaluated as usual')
})

void t.test('not-applicable in compositions is left out', async (t) => {
  const na = criterion('NA', 'false', { required: false, applies: 'false' })
  const parts = [criterion('T', 'true', { required: false, evidence: '%patient' }), criterion('U', '{}', { required: false }), na]
  const cases: Array<[unknown, string]> = [
    [{ all: ['T', 'NA'] }, 'met'], [{ all: ['U', 'NA'] }, 'unknown'], [{ any: ['NA', 'U'] }, 'unknown'],
    [{ all: ['NA'] }, 'not-applicable'], [{ not: 'NA' }, 'not-applicable'], [{ any: ['NA', 'T'] }, 'met']
  ]
  for (const [composition, expected] of cases) {
    const ind = indication([...parts, { id: 'x', text: parts[0]!.text, seed: parts[0]!.seed, required: true, composition: composition as any }])
    t.equal(result(run(ind, [condition('C92.0')]), 'x')?.status, expected, JSON.stringify(composition))
  }
})

void t.test('the card shows not applicable, never ✓ or "no data"', async (t) => {
  const ind = indication([criterion('a', 'true', { evidence: '%patient' }), boneMarrowIfOver50])
  const results = run(ind, [condition('C92.0')])
  for (const language of ['da', 'en'] as const) {
    const [card] = renderCards(results, { language, rulesVersion: 'v', unavailable: [] }, { resourceType: 'ServiceRequest', id: 'o' })
    // Issue 15: the short card lists no checklist; the result says not applicable, and it is not counted or asked for.
    const ext = card!.extension['dk.ngc-wgs-cds.eligibility'] as { criteria: Array<{ id: string, status: string }> }
    t.equal(ext.criteria.find((c) => c.id === boneMarrowIfOver50.id)?.status, 'not-applicable', `${language}: not applicable in the result`)
    t.match(card!.detail!, language === 'da' ? /1 af 1 påkrævede/ : /1 of 1 required/, 'not counted among the required criteria')
    t.notMatch(card!.detail!, /ingen data|no data/)
    t.notMatch(card!.detail!, /dokumentér knoglemarv|document marrow/, 'nothing to document for it')
  }
})
