/**
 * The clinician's loop, end to end in Chromium (playwright-core; the browser as
 * in test/web/browser.test.ts), as a person would go through it:
 *   1. an EHR calls order-select for a patient with two items missing (the
 *      eligible inherited-thrombocytopenia playground patient without two of its
 *      attestations), reading the record from an open in-process FHIR server
 *      through the FHIR fallback; the card is incomplete and carries a smart link;
 *   2. the requisition form is launched from that link (the link's URL and
 *      appContext; the open server needs no authorisation), shows what the record
 *      proves and asks the two open questions; they are answered and submitted;
 *   3. the QuestionnaireResponse is on the FHIR server (subject, author,
 *      authored, questionnaire, status, the two answers) and the form shows the
 *      new verdict;
 *   4. order-sign again: the card is eligible, and applying its suggestion gives a
 *      ServiceRequest with the indication as reasonCode and the
 *      QuestionnaireResponse in supportingInfo (written to the FHIR server, as an
 *      EHR applying it would).
 * Also: the English form, and the pages' headers. Screenshots go to
 * test-artifacts/smart-app/ (git-ignored).
 */
import t from 'tap'
import { mkdirSync } from 'node:fs'
import { chromium, type Browser, type Page } from 'playwright-core'
import type { FastifyInstance } from 'fastify'
import type { Resource } from '@medplum/fhirtypes'
import { loadConfig } from '../../src/config/config.js'
import { buildServer } from '../../src/http/build.js'
import { testRules } from '../helpers/app.js'
import { daysBetween, loadDemoPatients, shiftDates } from '../../src/web/demo-patients.js'
import { chromiumExecutable } from '../setup/chromium.js'
import { CHROMIUM_FLAGS, freePort, shooter } from '../helpers/browser.js'
import { startOpenFhirServer } from './smart-app-fhir-server.js'

const CHROMIUM = chromiumExecutable()?.path
const ARTIFACTS = 'test-artifacts/smart-app'
const INDICATION = 'inherited-thrombocytopenia'
const ATTESTATION = 'https://ngc-wgs-cds.dk/fhir/CodeSystem/wgs-attestation'
/** The two attestations taken out of the eligible patient's record: what the form must ask for. */
const REMOVED = ['acquired-causes-excluded', 'patient-informed']
const CARD_EXTENSION = 'dk.ngc-wgs-cds.eligibility'

const shot = shooter(ARTIFACTS)

type Json = Record<string, any>

void t.test('requisition form: from the incomplete card to the eligible one', async (t) => {
  if (CHROMIUM === undefined) {
    t.fail('No Chromium: run the tests through tap (`npx tap <file>`), which unpacks one, or set CHROMIUM_PATH — browser tests are required')
    return
  }
  mkdirSync(ARTIFACTS, { recursive: true })
  const rules = testRules()
  // The record: the eligible playground patient as of today, without two attestations, plus the ordering doctor.
  const demo = loadDemoPatients()
  const meta = demo.list.find((p) => p.indication === INDICATION && p.outcome === 'eligible')!
  const bundle = shiftDates(demo.bundle(meta.id) as Json, daysBetween(meta.referenceDate, new Date().toISOString()))
  const isRemoved = (r: Json): boolean => r.resourceType === 'Observation' && (r.code?.coding ?? []).some((c: Json) => c.system === ATTESTATION && REMOVED.includes(c.code))
  const resources = (bundle.entry as Json[]).map((e) => e.resource as Json).filter((r) => !isRemoved(r))
  t.equal(resources.length, (bundle.entry as Json[]).length - REMOVED.length, 'two attestations removed')
  const patient = resources.find((r) => r.resourceType === 'Patient')!
  const role = resources.find((r) => r.resourceType === 'PractitionerRole')!
  const userId = role.practitioner.reference as string
  resources.push({ resourceType: 'Practitioner', id: userId.split('/')[1], name: [{ family: 'Hansen', given: ['Mette'] }] })
  const fhir = await startOpenFhirServer(resources as Resource[])
  t.teardown(() => fhir.close())

  const port = await freePort()
  const base = `http://127.0.0.1:${port}`
  const config = loadConfig({
    LOG_LEVEL: 'silent', CDS_AUTH: 'off', DATA_DIR: ':memory:', HOST: '127.0.0.1', PORT: String(port), PUBLIC_BASE_URL: base,
    FHIR_SERVER_ALLOWLIST: fhir.baseUrl, EVALUATION_THREADS: '0',
    UNDER_PRESSURE_MAX_EVENT_LOOP_DELAY_MS: '0', UNDER_PRESSURE_MAX_EVENT_LOOP_UTILIZATION: '0'
  })
  const app: FastifyInstance = await buildServer(config, { rules })
  await app.listen({ port, host: '127.0.0.1' })
  t.teardown(() => app.close())

  const order = { resourceType: 'ServiceRequest', id: 'wgs-order-1', status: 'draft', intent: 'order', subject: { reference: `Patient/${patient.id as string}` }, code: { coding: [{ system: 'http://loinc.org', code: '86206-0' }] }, requester: { reference: userId } }
  /** A hook call as an EHR without prefetch makes it: the service reads the record from the FHIR server. */
  async function callHook (hook: 'order-select' | 'order-sign', draft: Json): Promise<Json> {
    const res = await fetch(`${base}/cds-services/${rules.service.id}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        hook,
        hookInstance: crypto.randomUUID(),
        fhirServer: fhir.baseUrl,
        fhirAuthorization: { access_token: 'open-server', token_type: 'Bearer', expires_in: 300, scope: 'patient/*.read', subject: 'wgs-eligibility' },
        context: { userId, patientId: patient.id, draftOrders: { resourceType: 'Bundle', type: 'collection', entry: [{ resource: draft }] }, ...(hook === 'order-select' ? { selections: [`ServiceRequest/${draft.id as string}`] } : {}) }
      })
    })
    const answer = await res.json() as Json
    t.equal(res.status, 200, `${hook}: HTTP 200`, { answer: res.status === 200 ? undefined : answer, requests: res.status === 200 ? undefined : fhir.requests.slice(-12) })
    return answer
  }
  const cardFor = (answer: Json): Json | undefined => (answer.cards as Json[]).find((c) => c.extension?.[CARD_EXTENSION]?.indication === INDICATION)

  // 1. The incomplete card and its smart link.
  const first = cardFor(await callHook('order-select', order))
  t.equal(first?.extension?.[CARD_EXTENSION]?.status, 'incomplete', 'the card is incomplete')
  t.same((first?.extension?.[CARD_EXTENSION]?.criteria as Json[]).filter((c) => c.required && c.status === 'unknown').map((c) => c.id).sort(), [...REMOVED].sort(), 'exactly the two removed items are missing')
  const smart = (first?.links as Json[] | undefined)?.find((l) => l.type === 'smart')
  t.ok(smart, 'the card carries a smart link')
  t.equal(smart?.url, `${base}/smart/launch.html`, 'to the form served by the service')
  const appContext = JSON.parse(smart?.appContext ?? '{}') as Json
  t.equal(appContext.indication, INDICATION, 'appContext names the indication')

  const browser: Browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS })
  t.teardown(() => browser.close())
  const page = await browser.newPage({ viewport: { width: 1100, height: 900 } })
  const pageErrors: string[] = []
  page.on('pageerror', (e) => pageErrors.push(e.message))
  // A failed request is logged by Chromium as a console error; which requests failed is checked at the end.
  page.on('console', (m) => { if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) pageErrors.push(`console: ${m.text()}`) })
  const failed: string[] = []
  page.on('response', (r) => { if (r.status() >= 400) failed.push(`${r.status()} ${r.url()}`) })
  page.on('dialog', (d) => { pageErrors.push(`dialog: ${d.message()}`); void d.dismiss() })

  const launchUrl = (lang?: string): string => {
    const q = new URLSearchParams({ iss: fhir.baseUrl, patient: String(patient.id), user: userId, appContext: smart?.appContext ?? '' })
    if (lang) q.set('lang', lang)
    return `${String(smart?.url ?? `${base}/smart/launch.html`)}?${q.toString()}`
  }

  await t.test('the form: what the record shows, and the two open questions', async (t) => {
    await page.goto(launchUrl())
    await page.waitForSelector('body[data-ready="true"]', { timeout: 60_000 })
    t.match(await page.locator('#verdict-text').innerText(), /Mangler dokumentation/, 'verdict in Danish')
    t.match(await page.locator('#missing-count').innerText(), /^2 /, 'two items missing')
    t.match(await page.locator('#patient-name').innerText(), /Trine Blodplade/, 'the patient')
    t.match(await page.locator('#indication-title').innerText(), /arvelig trombocytopeni/i, 'the indication')
    const text = await page.locator('main').innerText()
    t.notMatch(text, /wgs-attestation|criteria\.md|seeds\/|\.yaml|linkId|undefined/, 'no internal names on the page')
    t.match(text, /Journalen viser/, 'read-only items show what the record proves')
    await shot(page, 'form-da-before')
  })

  let qrId = ''
  await t.test('answer the two questions and submit', async (t) => {
    for (const linkId of REMOVED) await answerYes(page, linkId)
    await shot(page, 'form-da-answered')
    await page.click('#submit-answers')
    await page.waitForSelector('body[data-reassessed]', { timeout: 60_000 })
    t.equal(await page.locator('body').getAttribute('data-reassessed'), 'eligible', 'new verdict: eligible')
    t.match(await page.locator('#verdict-text').innerText(), /opfyldt/, 'shown in words')
    t.match(await page.locator('#verdict').innerText(), /kan nu underskrives/, 'and what to do next')
    qrId = String(await page.locator('body').getAttribute('data-saved'))
    await shot(page, 'form-da-after')
  })

  await t.test('the QuestionnaireResponse on the FHIR server', async (t) => {
    const res = await fetch(`${fhir.baseUrl}/QuestionnaireResponse?subject=${String(patient.id)}`)
    const found = ((await res.json() as Json).entry as Json[] ?? []).map((e) => e.resource as Json)
    t.equal(found.length, 1, 'one QuestionnaireResponse')
    const qr = found[0]!
    t.equal(qr.id, qrId, 'the one the form saved')
    t.equal(qr.status, 'completed')
    t.equal(qr.subject?.reference, `Patient/${String(patient.id)}`, 'subject')
    t.equal(qr.author?.reference, userId, 'author: the ordering doctor')
    t.ok(Math.abs(Date.parse(qr.authored) - Date.now()) < 10 * 60_000, 'authored now')
    t.match(qr.questionnaire, new RegExp(`^https://ngc-wgs-cds\\.dk/fhir/Questionnaire/wgs-${INDICATION}(\\|.+)?$`), 'questionnaire canonical')
    for (const linkId of REMOVED) {
      t.same((qr.item as Json[]).find((i) => i.linkId === linkId)?.answer, [{ valueBoolean: true }], `${linkId} answered yes`)
    }
    t.notOk((qr.item as Json[]).some((i) => String(i.linkId).endsWith('--note')), 'no display items in the answers')
  })

  await t.test('order-sign again: eligible, and the suggestion completes the order', async (t) => {
    const answer = await callHook('order-sign', order)
    const card = cardFor(answer)
    t.equal(card?.extension?.[CARD_EXTENSION]?.status, 'eligible', 'the card is eligible')
    const suggestion = (card?.suggestions as Json[] | undefined)?.[0]
    const action = (suggestion?.actions as Json[] | undefined)?.find((a) => a.resource?.resourceType === 'ServiceRequest')
    t.ok(action, 'a suggestion updates the order')
    // Applied as an EHR does: the suggested resource is stored.
    const put = await fetch(`${fhir.baseUrl}/ServiceRequest/${order.id}`, { method: 'PUT', headers: { 'content-type': 'application/fhir+json' }, body: JSON.stringify({ ...action?.resource, id: order.id }) })
    t.equal(put.status < 300, true, 'stored on the FHIR server')
    const updated = await (await fetch(`${fhir.baseUrl}/ServiceRequest/${order.id}`)).json() as Json
    t.ok((updated.reasonCode as Json[] ?? []).some((rc) => (rc.coding as Json[] ?? []).some((c) => c.code === INDICATION && /wgs-indication$/.test(String(c.system)))), 'reasonCode: the indication')
    t.ok((updated.supportingInfo as Json[] ?? []).some((s) => s.reference === `QuestionnaireResponse/${qrId}`), 'supportingInfo: the QuestionnaireResponse')
  })

  await t.test('English on ?lang=en', async (t) => {
    await page.goto(launchUrl('en'))
    await page.waitForSelector('body[data-ready="true"]', { timeout: 60_000 })
    t.match(await page.locator('#verdict-text').innerText(), /Criteria met/, 'the new verdict, in English')
    t.match(await page.locator('#app-title').innerText(), /Requisition/)
    t.notMatch(await page.locator('#form-container').innerText(), /Journalen|Patienten er/, 'no Danish in the English form')
    await shot(page, 'form-en')
  })

  await t.test('the pages: served with their own policy and the vendored bundles', async (t) => {
    for (const path of ['/smart/launch.html', '/smart/']) {
      const res = await fetch(`${base}${path}`)
      t.equal(res.status, 200, path)
      t.match(res.headers.get('content-security-policy'), /script-src 'self'/, `${path}: same-origin scripts only`)
      const html = await res.text()
      for (const src of html.matchAll(/(?:src|href)="(\/smart\/[^"]+)"/g)) {
        const asset = await fetch(`${base}${src[1]!}`)
        t.equal(asset.status, 200, `${src[1]!} served`)
      }
    }
    t.equal((await fetch(`${base}/smart/vendor/../../package.json`)).status, 404, 'nothing outside the bundles')
    t.equal((await fetch(`${base}/smart/vendor/lforms/package.json`)).status, 404, 'only browser files')
  })

  t.same(pageErrors, [], 'no script errors')
  // The only failed requests: the open server's missing SMART configuration (the client then reads the CapabilityStatement)
  // and the draft order, which the EHR has not stored (the form then evaluates it as a new WGS order).
  t.same([...new Set(failed)].sort(), [`404 ${fhir.baseUrl}/.well-known/smart-configuration`, `404 ${fhir.baseUrl}/ServiceRequest/${order.id}`].sort(), 'no other request failed')
})

/** Answer "yes" to a boolean question of the LHC-Forms form, as a person clicks it. */
async function answerYes (page: Page, linkId: string): Promise<void> {
  await page.locator(`[id="${linkId}/1||true"]`).click()
}
