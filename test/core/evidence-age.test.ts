/**
 * Evidence has an age (issue 13 §1, interface 3): attestation(code, since), recentAs(since) and
 * %orderEvidence (the draft order's supportingInfo), with the last rejected value shown as too old.
 */
import t from 'tap'
import { attestation, condition, procedure, SYSTEMS, wgsOrder } from '../helpers/fhir-builders.js'
import { criterion, indication, result, run } from './mini-catalogue.js'
import { renderCards } from '../../src/cards/render.js'
import { earliest, isCurrent, latestInstant } from '../../src/core/evidence-age.js'

const dx = condition('C92.0', { onsetDateTime: '2026-06-01' })
const evidence = "%att.where(code.coding.code = 'mdt-assessment')"
const within = (since: string) => criterion('mdt', `%att.attestation('mdt-assessment', ${since})`, { evidence })

for (const engine of ['compiled', 'reference'] as const) {
  void t.test(`attestation(code, since) on the ${engine} engine`, async (t) => {
    const opts = { catalogue: { engine } }
    const byDiagnosis = indication([within('%dx.clinicalDate().first()')])
    const old = attestation('mdt-assessment', true, '2025-01-10')
    const r1 = run(byDiagnosis, [dx, old], undefined, opts)
    t.equal(result(r1, 'mdt')?.status, 'unknown', 'an attestation from before the diagnosis does not count')
    t.same(result(r1, 'mdt')?.evidence.map((e) => [e.date, e.tooOld]), [['2025-01-10', true]], 'it is shown, with its date, as too old')
    const fresh = attestation('mdt-assessment', false, '2026-07-01')
    const r2 = run(byDiagnosis, [dx, old, fresh], undefined, opts)
    t.equal(result(r2, 'mdt')?.status, 'not-met', 'the current one decides')
    t.same(result(r2, 'mdt')?.evidence.map((e) => [e.date, e.tooOld ?? false]).sort(), [['2025-01-10', true], ['2026-07-01', false]], 'the old one listed by the evidence is marked')
    const relative = indication([within('%now - 365 days')])
    t.equal(result(run(relative, [dx, attestation('mdt-assessment', true, '2026-01-01')], undefined, opts), 'mdt')?.status, 'met', 'within a year')
    t.equal(result(run(relative, [dx, attestation('mdt-assessment', true, '2025-11-01')], undefined, opts), 'mdt')?.status, 'unknown', 'older than a year')
    t.equal(result(run(relative, [dx, attestation('mdt-assessment', true, '2025-11-22')], undefined, opts), 'mdt')?.status, 'met', 'a date-only attestation on the cut-off day counts')
    const noDate = indication([within('%dx.where(false).clinicalDate()')])
    t.equal(result(run(noDate, [dx, old], undefined, opts), 'mdt')?.status, 'met', 'an empty since applies no window')
    const plain = indication([criterion('mdt', "%att.attestation('mdt-assessment')", { evidence })])
    t.equal(result(run(plain, [dx, old], undefined, opts), 'mdt')?.status, 'met', 'without since, as before')
  })

  void t.test(`draft order supportingInfo counts as current (${engine})`, async (t) => {
    const old = attestation('mdt-assessment', true, '2025-01-10')
    const order = wgsOrder('o-1', { supportingInfo: [{ reference: `Observation/${String(old.id)}` }] })
    const ind = indication([within('%dx.clinicalDate().first()'), criterion('n', '%orderEvidence.count() = 1', { evidence: '%orderEvidence' })])
    const results = run(ind, [dx, old], undefined, { order, catalogue: { engine } })
    t.equal(result(results, 'mdt')?.status, 'met')
    t.notOk(result(results, 'mdt')?.evidence[0]?.tooOld)
    t.equal(result(results, 'n')?.status, 'met', '%orderEvidence holds the referenced resource')
    const absolute = wgsOrder('o-2', { supportingInfo: [{ reference: `https://ehr.example/fhir/Observation/${String(old.id)}/_history/3` }, { reference: 'Observation/not-in-record' }] })
    t.equal(result(run(ind, [dx, old], undefined, { order: absolute, catalogue: { engine } }), 'n')?.status, 'met', 'absolute references; unknown ones ignored')
  })

  void t.test(`recentAs(since), also through a variable (${engine})`, async (t) => {
    const mdt = (date: string) => procedure(SYSTEMS.snomed, '305732004', date)
    const ind = indication([criterion('mdt', 'iif(%recentMdt.exists(), true, {})', { evidence: '%recentMdt' })], { variables: { recentMdt: '%mdt.recentAs(%dx.clinicalDate().first())' } })
    const r1 = run(ind, [dx, mdt('2018-03-01')], undefined, { catalogue: { engine } })
    t.equal(result(r1, 'mdt')?.status, 'unknown', 'an MDT from 2018 does not vouch for a 2026 diagnosis')
    t.same(result(r1, 'mdt')?.evidence.map((e) => [e.date, e.tooOld]), [['2018-03-01', true]], 'the last one is shown as too old')
    const r2 = run(ind, [dx, mdt('2018-03-01'), mdt('2026-06-15')], undefined, { catalogue: { engine } })
    t.equal(result(r2, 'mdt')?.status, 'met')
    t.same(result(r2, 'mdt')?.evidence.map((e) => e.tooOld ?? false), [false], 'only the current one when one counts')
  })
}

void t.test('the card shows the too-old value with its date; the suggestion never attaches it', async (t) => {
  const old = attestation('mdt-assessment', true, '2025-01-10')
  const ind = indication([within('%dx.clinicalDate().first()')])
  const results = run(ind, [dx, old])
  const [da] = renderCards(results, { language: 'da', rulesVersion: 'v', unavailable: [] }, wgsOrder() as any)
  const [en] = renderCards(results, { language: 'en', rulesVersion: 'v', unavailable: [] }, wgsOrder() as any)
  t.match(da!.detail, /2025-01-10, for gammel/)
  t.match(en!.detail, /2025-01-10, too old/)
})

void t.test('partial dates: a window compares with the latest instant the date can denote', async (t) => {
  t.ok(isCurrent('2026-11', earliest('2026-11-10')), 'a month containing the cut-off counts')
  t.notOk(isCurrent('2026-10', earliest('2026-11-10')))
  t.ok(isCurrent('2026', earliest('2026-12-31')))
  t.notOk(isCurrent(undefined, earliest('2026-01-01')), 'undated is never current under a window')
  t.equal(latestInstant('2026-02'), Date.parse('2026-02-28T23:59:59.999Z'))
  t.equal(earliest('2026-02-03T10:00:00+01:00'), Date.parse('2026-02-03T09:00:00Z'))
})
