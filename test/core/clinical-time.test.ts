/** Age arithmetic on partial dates, and which date a resource refers to. */
import t from 'tap'
import { ageInYears, clinicalDate, daysBefore } from '../../src/core/clinical-time.js'

void t.test('ageInYears', async (t) => {
  t.equal(ageInYears('2008-11-22', '2026-11-22'), 18, 'the 18th birthday counts')
  t.equal(ageInYears('2008-11-23', '2026-11-22'), 17, 'the day before')
  t.equal(ageInYears('2000-02-29', '2026-02-28'), 25, 'leap-day birth before the birthday')
  t.equal(ageInYears('1980', '2026-11-22'), undefined, 'year only: 45 or 46 — ambiguous, never guessed')
  t.equal(ageInYears('1980-01', '2026-11-22'), 46, 'month precision suffices here')
  t.equal(ageInYears(undefined, '2026-11-22'), undefined)
  t.equal(ageInYears('garbage', '2026-11-22'), undefined)
})

void t.test('clinicalDate picks the element that says when', async (t) => {
  t.equal(clinicalDate({ resourceType: 'Observation', effectivePeriod: { start: '2020-01-01', end: '2020-01-03' } }), '2020-01-03')
  t.equal(clinicalDate({ resourceType: 'Observation', issued: '2021-05-05T10:00:00Z' }), '2021-05-05T10:00:00Z')
  t.equal(clinicalDate({ resourceType: 'Condition', onsetDateTime: '2019-04', recordedDate: '2020-01-01' }), '2019-04')
  t.equal(clinicalDate({ resourceType: 'Condition', recordedDate: '2020-01-01' }), '2020-01-01')
  t.equal(clinicalDate({ resourceType: 'Procedure', performedPeriod: { start: '2018-02-02' } }), '2018-02-02')
  t.equal(clinicalDate({ resourceType: 'Patient' }), undefined)
  t.equal(daysBefore('2026-11-22T00:00:00.000Z', 90), '2026-08-24T00:00:00.000Z')
})
