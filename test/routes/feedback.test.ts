/**
 * POST /cds-services/{id}/feedback (CDS Hooks 2.0 §Feedback): stored and
 * linked to the evaluation that produced the card, several times per card,
 * all-or-nothing per request; 400 on a bad body, 404 on an unknown card or a
 * card issued to another client, 503 when the store fails; an item may name
 * only its card's own suggestions and override reasons (issue 14 item 6: a
 * foreign suggestion id, a foreign code or a free-text display are refused or
 * not stored). Runs against SQLite always and PostgreSQL when TEST_DATABASE_URL is set.
 */
import t from 'tap'
import { buildTestApp, SERVICE_URL } from '../helpers/app.js'
import { attestation, condition, hookRequest, orderingRole, patient, plateletCount, quantityObservation, SYSTEMS } from '../helpers/fhir-builders.js'
import { clientKey, EHR_ISS, FEEDBACK_AUD, PATIENT_KEY_SECRET, PUBLIC_BASE_URL, SERVICE_AUD, token } from '../helpers/jwt.js'
import { reportPostgresCoverage, storeKinds } from '../helpers/stores.js'
import { SqliteStore } from '../../src/store/sqlite-store.js'
import type { EvaluationStore } from '../../src/store/store.js'

const FEEDBACK_URL = `${SERVICE_URL}/feedback`
/** One of the override reasons a not-eligible card offers, as the card shows it in Danish (the default). */
const REASON = { code: 'clinical-judgement', system: 'https://ngc-wgs-cds.dk/fhir/CodeSystem/wgs-override-reason', display: 'Klinisk vurdering' }
const COMMENT = 'Pt. 010180-1234 ønsker ikke'
/** A record the inherited-thrombocytopenia card finds eligible: its card carries a suggestion. */
const ELIGIBLE = [
  condition('DD694'), plateletCount(88, '2015-05-01'), plateletCount(95, '2021-03-01'),
  quantityObservation(SYSTEMS.loinc, '32623-1', 12.1, 'fL', '2024-02-01'),
  attestation('lifelong-course'), attestation('acquired-causes-excluded'), attestation('patient-informed'),
  ...orderingRole('Afdeling for Blodsygdomme, Rigshospitalet')
]
type IssuedCard = { uuid: string, suggestions?: Array<{ uuid: string }>, overrideReasons?: Array<{ system: string, code: string, display?: string }> }

for (const kind of storeKinds()) {
  void t.test(kind.name, async (t) => {
    const store = await kind.open(t)
    const app = await buildTestApp(t, { PATIENT_KEY_SECRET }, { store })
    const body = hookRequest(patient({ birthDate: '2010-05-01' }), [condition('DD694')])
    const hook = await app.inject({ method: 'POST', url: SERVICE_URL, payload: body })
    const cards = hook.json().cards as IssuedCard[]
    const [evaluation] = await store.evaluationsFor(body.hookInstance)
    const eligibleCall = await app.inject({ method: 'POST', url: SERVICE_URL, payload: hookRequest(patient(), ELIGIBLE) })
    const withSuggestion = (eligibleCall.json().cards as IssuedCard[]).find((c) => (c.suggestions?.length ?? 0) > 0)
    const post = async (payload: unknown): Promise<{ status: number, body: any }> => {
      const res = await app.inject({ method: 'POST', url: FEEDBACK_URL, payload: payload as Record<string, unknown> })
      return { status: res.statusCode, body: res.json() }
    }

    void t.test('feedback is stored and linked to the evaluation', async (t) => {
      const card = cards[0]!.uuid
      t.ok(cards[0]!.overrideReasons?.some((r) => r.code === REASON.code && r.system === REASON.system), 'the card offers the reason sent')
      const res = await post({ feedback: [{ card, outcome: 'overridden', overrideReason: { reason: REASON, userComment: COMMENT }, outcomeTimestamp: '2026-11-22T11:05:00+01:00' }] })
      t.equal(res.status, 200)
      t.same(res.body, {}, 'the spec defines no response body: an empty object')
      const again = await post({ feedback: [{ card, outcome: 'overridden', outcomeTimestamp: '2026-11-22T10:06:00Z' }] })
      t.equal(again.status, 200, 'feedback on the same card again is accepted (spec)')
      const rows = await store.feedbackFor(card)
      t.equal(rows.length, 2)
      t.match(rows[0], { cardUuid: card, evaluationId: evaluation!.id, serviceId: 'ngc-wgs-eligibility', outcome: 'overridden', overrideReason: REASON, hasUserComment: true, outcomeTimestamp: '2026-11-22T10:05:00.000Z', acceptedSuggestions: [] })
      t.match(rows[1], { outcome: 'overridden', hasUserComment: false, outcomeTimestamp: '2026-11-22T10:06:00.000Z', acceptedSuggestions: [] })
      t.notOk(JSON.stringify(rows).includes('010180'), 'the free-text comment is not stored')
    })

    void t.test('an accepted suggestion of the card is stored by its uuid', async (t) => {
      t.ok(withSuggestion, 'the eligible record got a card with a suggestion')
      if (!withSuggestion) return
      const id = withSuggestion.suggestions![0]!.uuid
      const res = await post({ feedback: [{ card: withSuggestion.uuid, outcome: 'accepted', acceptedSuggestions: [{ id }], outcomeTimestamp: '2026-11-22T10:06:00Z' }] })
      t.equal(res.status, 200)
      t.match(await store.feedbackFor(withSuggestion.uuid), [{ outcome: 'accepted', acceptedSuggestions: [id] }])
    })

    void t.test('feedback names only what its card offered (issue 14 item 6)', async (t) => {
      const card = cards[0]!.uuid
      const before = (await store.feedbackFor(card)).length
      const foreignSuggestion = withSuggestion?.suggestions?.[0]?.uuid ?? crypto.randomUUID()
      const attacks: Array<[string, unknown, string[]]> = [
        ['a suggestion id of another card', { card, outcome: 'accepted', acceptedSuggestions: [{ id: foreignSuggestion }] }, ['feedback[0].acceptedSuggestions[0].id']],
        ['a made-up suggestion id holding patient data', { card, outcome: 'accepted', acceptedSuggestions: [{ id: 'CPR 010180-1234' }] }, ['feedback[0].acceptedSuggestions[0].id']],
        ['a code the card did not offer', { card, outcome: 'overridden', overrideReason: { reason: { ...REASON, code: 'patient-declined' } } }, ['feedback[0].overrideReason.reason']],
        ['an offered code under another system', { card, outcome: 'overridden', overrideReason: { reason: { ...REASON, system: 'http://example.org/reasons' } } }, ['feedback[0].overrideReason.reason']],
        ['a code that is patient data', { card, outcome: 'overridden', overrideReason: { reason: { system: REASON.system, code: '010180-1234' } } }, ['feedback[0].overrideReason.reason']]
      ]
      for (const [name, item, fields] of attacks) {
        const res = await post({ feedback: [{ ...(item as object), outcomeTimestamp: '2026-11-22T10:09:00Z' }] })
        t.equal(res.status, 400, `${name}: 400`)
        t.match(res.body, { resourceType: 'OperationOutcome', issue: [{ code: 'value', expression: fields }] }, `${name}: the field is named`)
        t.match(res.body.issue[0].diagnostics, fields[0]!, `${name}: the diagnostics name it`)
      }
      const several = await post({ feedback: [
        { card, outcome: 'overridden', outcomeTimestamp: '2026-11-22T10:09:00Z' },
        { card, outcome: 'accepted', acceptedSuggestions: [{ id: crypto.randomUUID() }, { id: crypto.randomUUID() }], outcomeTimestamp: '2026-11-22T10:09:00Z' }
      ] })
      t.equal(several.status, 400)
      t.same(several.body.issue[0].expression, ['feedback[1].acceptedSuggestions[0].id', 'feedback[1].acceptedSuggestions[1].id'], 'every foreign id named')
      t.equal((await store.feedbackFor(card)).length, before, 'nothing of a refused request is stored')

      // An offered code with the client's own text as display: accepted, but the display stored is the card's.
      const res = await post({ feedback: [{ card, outcome: 'overridden', overrideReason: { reason: { ...REASON, display: 'Pt. 010180-1234 ønsker ikke, ring 12345678' } }, outcomeTimestamp: '2026-11-22T10:10:00Z' }] })
      t.equal(res.status, 200, 'an offered code with a free-text display is accepted')
      const rows = await store.feedbackFor(card)
      t.same(rows.at(-1)?.overrideReason, REASON, 'the card\'s own display is stored, not the one sent')
      t.notOk(JSON.stringify(rows).includes('010180'), 'no text of the client stored')
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
