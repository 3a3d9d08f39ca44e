/**
 * POST /cds-services/{id}/feedback (CDS Hooks 2.0 §Feedback): stored and
 * linked to the evaluation that produced the card, several times per card,
 * all-or-nothing per request; 400 on a bad body, 404 on an unknown card or a
 * card issued to another client, 503 when the store fails. Runs against
 * SQLite always and PostgreSQL when TEST_DATABASE_URL is set.
 */
import t from 'tap'
import { buildTestApp, SERVICE_URL } from '../helpers/app.js'
import { condition, hookRequest, patient } from '../helpers/fhir-builders.js'
import { clientKey, EHR_ISS, FEEDBACK_AUD, PATIENT_KEY_SECRET, PUBLIC_BASE_URL, SERVICE_AUD, token } from '../helpers/jwt.js'
import { reportPostgresCoverage, storeKinds } from '../helpers/stores.js'
import { SqliteStore } from '../../src/store/sqlite-store.js'
import type { EvaluationStore } from '../../src/store/store.js'

const FEEDBACK_URL = `${SERVICE_URL}/feedback`
const REASON = { code: 'patient-declined', system: 'https://ngc-wgs-cds.dk/fhir/CodeSystem/wgs-override-reason', display: 'Patient declined' }
const COMMENT = 'Pt. 010180-1234 ønsker ikke'

for (const kind of storeKinds()) {
  void t.test(kind.name, async (t) => {
    const store = await kind.open(t)
    const app = await buildTestApp(t, { PATIENT_KEY_SECRET }, { store })
    const body = hookRequest(patient({ birthDate: '2010-05-01' }), [condition('DD694')])
    const hook = await app.inject({ method: 'POST', url: SERVICE_URL, payload: body })
    const cards = hook.json().cards as Array<{ uuid: string, suggestions?: Array<{ uuid: string }> }>
    const [evaluation] = await store.evaluationsFor(body.hookInstance)
    const post = async (payload: unknown): Promise<{ status: number, body: any }> => {
      const res = await app.inject({ method: 'POST', url: FEEDBACK_URL, payload: payload as Record<string, unknown> })
      return { status: res.statusCode, body: res.json() }
    }

    void t.test('feedback is stored and linked to the evaluation', async (t) => {
      const card = cards[0]!.uuid
      const res = await post({ feedback: [{ card, outcome: 'overridden', overrideReason: { reason: REASON, userComment: COMMENT }, outcomeTimestamp: '2026-11-22T11:05:00+01:00' }] })
      t.equal(res.status, 200)
      t.same(res.body, {}, 'the spec defines no response body: an empty object')
      const again = await post({ feedback: [{ card, outcome: 'accepted', acceptedSuggestions: [{ id: cards[0]!.suggestions?.[0]?.uuid ?? 'suggestion-1' }], outcomeTimestamp: '2026-11-22T10:06:00Z' }] })
      t.equal(again.status, 200, 'feedback on the same card again is accepted (spec)')
      const rows = await store.feedbackFor(card)
      t.equal(rows.length, 2)
      t.match(rows[0], { cardUuid: card, evaluationId: evaluation!.id, serviceId: 'ngc-wgs-eligibility', outcome: 'overridden', overrideReason: REASON, hasUserComment: true, outcomeTimestamp: '2026-11-22T10:05:00.000Z', acceptedSuggestions: [] })
      t.match(rows[1], { outcome: 'accepted', hasUserComment: false, acceptedSuggestions: [String], outcomeTimestamp: '2026-11-22T10:06:00.000Z' })
      t.notOk(JSON.stringify(rows).includes('010180'), 'the free-text comment is not stored')
    })

    void t.test('several items in one request', async (t) => {
      const items = cards.map((c) => ({ card: c.uuid, outcome: 'overridden', outcomeTimestamp: '2026-11-22T10:07:00Z' }))
      t.equal((await post({ feedback: items })).status, 200)
      for (const c of cards) t.ok((await store.feedbackFor(c.uuid)).some((f) => f.outcomeTimestamp === '2026-11-22T10:07:00.000Z'), `stored for ${c.uuid}`)
    })

    void t.test('an unknown card: 404, and nothing of the request is stored', async (t) => {
      const unknown = crypto.randomUUID()
      const before = (await store.feedbackFor(cards[0]!.uuid)).length
      const res = await post({ feedback: [{ card: cards[0]!.uuid, outcome: 'overridden', outcomeTimestamp: '2026-11-22T10:08:00Z' }, { card: unknown, outcome: 'overridden', outcomeTimestamp: '2026-11-22T10:08:00Z' }] })
      t.equal(res.status, 404)
      t.match(res.body, { resourceType: 'OperationOutcome', issue: [{ code: 'not-found', expression: ['feedback[1].card'] }] })
      t.equal((await store.feedbackFor(cards[0]!.uuid)).length, before, 'the valid item was not stored either')
    })

    void t.test('bad bodies are 400 with an OperationOutcome', async (t) => {
      const card = cards[0]!.uuid
      const ts = '2026-11-22T10:00:00Z'
      const cases: Array<[string, unknown]> = [
        ['no feedback array', {}],
        ['empty feedback array', { feedback: [] }],
        ['feedback not an array', { feedback: { card, outcome: 'overridden', outcomeTimestamp: ts } }],
        ['no card', { feedback: [{ outcome: 'overridden', outcomeTimestamp: ts }] }],
        ['card not a string', { feedback: [{ card: 7, outcome: 'overridden', outcomeTimestamp: ts }] }],
        ['unknown outcome', { feedback: [{ card, outcome: 'ignored', outcomeTimestamp: ts }] }],
        ['accepted without acceptedSuggestions', { feedback: [{ card, outcome: 'accepted', outcomeTimestamp: ts }] }],
        ['acceptedSuggestions without ids', { feedback: [{ card, outcome: 'accepted', acceptedSuggestions: [{}], outcomeTimestamp: ts }] }],
        ['no outcomeTimestamp', { feedback: [{ card, outcome: 'overridden' }] }],
        ['outcomeTimestamp not a date-time', { feedback: [{ card, outcome: 'overridden', outcomeTimestamp: 'yesterday' }] }],
        ['override reason without system', { feedback: [{ card, outcome: 'overridden', overrideReason: { reason: { code: 'x' } }, outcomeTimestamp: ts }] }]
      ]
      for (const [name, payload] of cases) {
        const res = await post(payload)
        t.equal(res.status, 400, name)
        t.equal(res.body.resourceType, 'OperationOutcome', `${name}: OperationOutcome`)
      }
      const text = await app.inject({ method: 'POST', url: FEEDBACK_URL, payload: 'feedback', headers: { 'content-type': 'text/plain' } })
      t.equal(text.statusCode, 415, 'not JSON')
      const other = await app.inject({ method: 'POST', url: '/cds-services/another-service/feedback', payload: { feedback: [{ card, outcome: 'overridden', outcomeTimestamp: ts }] } })
      t.equal(other.statusCode, 404, 'unknown service id')
      t.equal((await store.feedbackFor(card)).filter((f) => f.outcomeTimestamp === '2026-11-22T10:00:00.000Z').length, 0, 'none of them stored')
    })
  })
}

void t.test('a card issued to one client takes feedback only from that client', async (t) => {
  const ehrA = await clientKey('ES384', 'a')
  const ehrB = await clientKey('RS384', 'b')
  const store = new SqliteStore(':memory:')
  t.teardown(() => store.close())
  const app = await buildTestApp(t, {
    CDS_AUTH: 'required',
    PUBLIC_BASE_URL,
    PATIENT_KEY_SECRET,
    CDS_TRUSTED_ISSUERS: JSON.stringify([{ iss: EHR_ISS, jwks: { keys: [ehrA.publicJwk] } }, { iss: 'https://other-ehr.example.dk', jwks: { keys: [ehrB.publicJwk] } }])
  }, { store })
  const hook = await app.inject({ method: 'POST', url: SERVICE_URL, payload: hookRequest(patient(), []), headers: { authorization: `Bearer ${await token(ehrA, { aud: SERVICE_AUD })}` } })
  const card = hook.json().cards[0].uuid as string
  const payload = { feedback: [{ card, outcome: 'overridden', outcomeTimestamp: '2026-11-22T10:00:00Z' }] }
  const fromB = await app.inject({ method: 'POST', url: FEEDBACK_URL, payload, headers: { authorization: `Bearer ${await token(ehrB, { iss: 'https://other-ehr.example.dk', aud: FEEDBACK_AUD })}` } })
  t.equal(fromB.statusCode, 404, 'another client: reported like an unknown card')
  const fromA = await app.inject({ method: 'POST', url: FEEDBACK_URL, payload, headers: { authorization: `Bearer ${await token(ehrA, { aud: FEEDBACK_AUD })}` } })
  t.equal(fromA.statusCode, 200)
  t.match(await store.feedbackFor(card), [{ clientIss: EHR_ISS }])
})

void t.test('a failed feedback write is a 503', async (t) => {
  const real = new SqliteStore(':memory:')
  t.teardown(() => real.close())
  const failing: EvaluationStore = Object.assign(Object.create(real) as EvaluationStore, { recordFeedback: async () => { throw new Error('disk full') } })
  const app = await buildTestApp(t, { PATIENT_KEY_SECRET }, { store: failing })
  const hook = await app.inject({ method: 'POST', url: SERVICE_URL, payload: hookRequest(patient(), []) })
  const card = hook.json().cards[0].uuid as string
  const res = await app.inject({ method: 'POST', url: FEEDBACK_URL, payload: { feedback: [{ card, outcome: 'overridden', outcomeTimestamp: '2026-11-22T10:00:00Z' }] } })
  t.equal(res.statusCode, 503)
  t.match(res.json(), { resourceType: 'OperationOutcome', issue: [{ code: 'transient' }] })
})

void t.test('postgres', async (t) => { reportPostgresCoverage(t) })
