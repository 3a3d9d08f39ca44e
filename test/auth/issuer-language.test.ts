/**
 * Issue 15 §1: a client can get cards in the other language — a trusted issuer's `language`
 * (CDS_TRUSTED_ISSUERS) chooses the card language of its calls; an issuer without one gets
 * CARD_LANGUAGE. Inline and on an evaluation thread, the card is in one language throughout.
 */
import t from 'tap'
import { buildTestApp, SERVICE_URL } from '../helpers/app.js'
import { condition, hookRequest, patient } from '../helpers/fhir-builders.js'
import { clientKey, EHR_ISS, PATIENT_KEY_SECRET, PUBLIC_BASE_URL, SERVICE_AUD, token } from '../helpers/jwt.js'

const EN_ISS = 'https://ehr.english-speaking.example.dk'
const key = await clientKey('ES384', 'lang-key')

for (const threads of ['0', '1']) {
  void t.test(`a trusted issuer's language chooses the card language (EVALUATION_THREADS=${threads})`, async (t) => {
    const app = await buildTestApp(t, {
      CDS_AUTH: 'required',
      PUBLIC_BASE_URL,
      PATIENT_KEY_SECRET,
      EVALUATION_THREADS: threads,
      CDS_TRUSTED_ISSUERS: JSON.stringify([
        { iss: EHR_ISS, jwks: { keys: [key.publicJwk] } },
        { iss: EN_ISS, jwks: { keys: [key.publicJwk] }, language: 'en' }
      ])
    })
    await app.evaluationPool?.ready()
    const call = async (iss: string): Promise<any> => {
      const res = await app.inject({ method: 'POST', url: SERVICE_URL, headers: { authorization: `Bearer ${await token(key, { iss, aud: SERVICE_AUD })}` }, payload: hookRequest(patient(), [condition('DD694')]) })
      t.equal(res.statusCode, 200)
      return res.json().cards[0]
    }
    const en = await call(EN_ISS)
    t.match(en.summary, /^WGS criteria /, 'English for the issuer that asks for it')
    t.notMatch(en.detail, /påkrævede|Dokumentér/, 'no Danish in its detail')
    t.match(en.extension['dk.ngc-wgs-cds.eligibility'].criteria[0].text, /is recorded/, 'the result texts too')
    const da = await call(EHR_ISS)
    t.match(da.summary, /^WGS-kriterier /, 'CARD_LANGUAGE (Danish) for an issuer without a language')
    t.notMatch(da.detail, /required criteria|Document/, 'no English in its detail')
  })
}

void t.test('an issuer language other than da or en stops start-up', async (t) => {
  await t.rejects(buildTestApp(t, { CDS_AUTH: 'required', PUBLIC_BASE_URL, PATIENT_KEY_SECRET, CDS_TRUSTED_ISSUERS: JSON.stringify([{ iss: EN_ISS, jwks: { keys: [key.publicJwk] }, language: 'de' }]) }))
})
