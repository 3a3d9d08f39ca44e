/**
 * The EvaluationStore contract, run against every store: SQLite (in memory
 * and on disk) always, PostgreSQL when TEST_DATABASE_URL is set (CI). Same
 * migrations, same results, same atomicity.
 */
import t from 'tap'
import { MIGRATIONS, type Migration } from '../../src/store/migrations.js'
import type { EvaluationRecord, FeedbackRecord } from '../../src/store/store.js'
import { evaluationRecord as evaluation, reportPostgresCoverage, storeKinds } from '../helpers/stores.js'


function feedback (e: EvaluationRecord, over: Partial<FeedbackRecord> = {}): FeedbackRecord {
  return {
    id: crypto.randomUUID(),
    cardUuid: e.indications[1]!.cardUuids[0]!,
    evaluationId: e.id,
    serviceId: e.serviceId,
    outcome: 'overridden',
    acceptedSuggestions: [],
    overrideReason: { code: 'patient-declined', system: 'https://ngc-wgs-cds.dk/override-reason', display: 'Patient declined' },
    hasUserComment: true,
    outcomeTimestamp: '2026-11-22T10:05:00.000Z',
    receivedAt: '2026-11-22T10:05:01.000Z',
    clientIss: 'https://ehr.example.dk',
    ...over
  }
}

for (const kind of storeKinds()) {
  void t.test(kind.name, async (t) => {
    void t.test('migrations: applied once, versioned, never downgraded', async (t) => {
      const store = await kind.open(t)
      t.equal(await store.schemaVersion(), MIGRATIONS.at(-1)!.version)
      if (kind.reopen) {
        const again = await kind.reopen(t)
        t.equal(await again.schemaVersion(), MIGRATIONS.at(-1)!.version, 'reopening applies nothing twice')
        const next: Migration[] = [...MIGRATIONS, { version: 99, name: 'test column', sqlite: 'ALTER TABLE evaluations ADD COLUMN test_note TEXT', postgres: 'ALTER TABLE evaluations ADD COLUMN test_note TEXT' }]
        const upgraded = await kind.reopen(t, next)
        t.equal(await upgraded.schemaVersion(), 99, 'a later migration is applied on open')
        await t.rejects(kind.reopen(t, MIGRATIONS), /newer than this service knows/, 'older code refuses a newer schema')
      }
    })

    void t.test('an evaluation round-trips; its cards are found', async (t) => {
      const store = await kind.open(t)
      const e = evaluation()
      await store.recordEvaluation(e)
      await store.recordEvaluation(evaluation({ hookInstance: e.hookInstance, id: crypto.randomUUID(), evaluatedAt: '2026-11-22T10:00:01.000Z', clientIss: undefined, tenant: undefined, orderingOrganization: undefined }))
      const found = await store.evaluationsFor(e.hookInstance)
      t.equal(found.length, 2, 'a retried hookInstance is recorded twice')
      t.same(found[0], e)
      t.notOk('clientIss' in found[1]!, 'absent optional fields stay absent')
      const card = e.indications[1]!.cardUuids[1]!
      t.same(await store.findCard(card), { cardUuid: card, evaluationId: e.id, serviceId: e.serviceId, indication: 'inherited-thrombocytopenia', clientIss: 'https://ehr.example.dk', offer: { suggestions: [], overrideReasons: [] } }, 'a card recorded without offers offers nothing')
      t.equal(await store.findCard(crypto.randomUUID()), undefined)
      t.same(await store.evaluationsFor('no-such-instance'), [])
    })

    void t.test('what a card offered is kept with it: suggestion uuids and override reasons', async (t) => {
      const store = await kind.open(t)
      const e = evaluation()
      const [first, second] = [e.indications[1]!.cardUuids[0]!, e.indications[1]!.cardUuids[1]!]
      const reasons = [{ system: 'https://ngc-wgs-cds.dk/fhir/CodeSystem/wgs-override-reason', code: 'mdt-decision', display: 'MDT har besluttet WGS' }, { system: 'https://ngc-wgs-cds.dk/fhir/CodeSystem/wgs-override-reason', code: 'ngc-dialogue' }]
      const suggestion = crypto.randomUUID()
      await store.recordEvaluation({ ...e, cardOffers: { [first]: { suggestions: [suggestion], overrideReasons: [] }, [second]: { suggestions: [], overrideReasons: reasons } } })
      t.same((await store.findCard(first))?.offer, { suggestions: [suggestion], overrideReasons: [] })
      t.same((await store.findCard(second))?.offer, { suggestions: [], overrideReasons: reasons })
    })

    void t.test('feedback round-trips, several times per card', async (t) => {
      const store = await kind.open(t)
      const e = evaluation()
      await store.recordEvaluation(e)
      const first = feedback(e)
      const second = feedback(e, { outcome: 'accepted', acceptedSuggestions: ['s-1'], overrideReason: undefined, hasUserComment: false, receivedAt: '2026-11-22T10:06:00.000Z', clientIss: undefined })
      await store.recordFeedback([first])
      await store.recordFeedback([second])
      const secondAsStored: Partial<FeedbackRecord> = { ...second }
      delete secondAsStored.overrideReason
      delete secondAsStored.clientIss
      t.same(await store.feedbackFor(first.cardUuid), [first, secondAsStored])
      t.same(await store.feedbackFor(e.indications[0]!.cardUuids[0]!), [])
    })

    void t.test('writes are atomic', async (t) => {
      const store = await kind.open(t)
      const e = evaluation()
      await store.recordEvaluation(e)
      const clash = evaluation({ indications: [{ indication: 'aml', status: 'eligible', failedCriteria: [], cardUuids: [e.indications[0]!.cardUuids[0]!] }] })
      await t.rejects(store.recordEvaluation(clash), 'a duplicate card uuid fails the write')
      t.same(await store.evaluationsFor(clash.hookInstance), [], '…and leaves no partial evaluation')
      const good = feedback(e)
      const orphan = feedback(e, { cardUuid: crypto.randomUUID() })
      await t.rejects(store.recordFeedback([good, orphan]), 'feedback on a card not in the store fails (foreign key)')
      t.same(await store.feedbackFor(good.cardUuid), [], '…and stores none of the batch')
    })

    void t.test('health', async (t) => {
      const store = await kind.open(t)
      const h = await store.health()
      t.equal(h.ok, true)
      t.match(h.detail, new RegExp(`^${store.kind}, schema v\\d+$`))
      await store.close()
      t.equal((await store.health()).ok, false, 'a closed store is not healthy')
      await store.close()
      t.pass('closing twice is harmless')
    })
  })
}

void t.test('postgres', async (t) => { reportPostgresCoverage(t) })
