/**
 * The criteria browser and the playground, used as a person would: the real
 * app on 127.0.0.1 (real clock, so the playground patients' date shifting is
 * exercised), Chromium driven by playwright-core: the system's, or the one the
 * @sparticuz/chromium npm package ships, unpacked by the test harness
 * (test/setup/chromium.ts; no browser download). Runs a patient of
 * each outcome, checks the rendered cards, applies a suggestion and overrides
 * a card (feedback round trip), pastes a hostile bundle, and saves
 * screenshots to test-artifacts/. A missing Chromium is a failure, never a skip.
 */
import t from 'tap'
import { mkdirSync } from 'node:fs'
import { chromium, type Browser } from 'playwright-core'
import type { FastifyInstance } from 'fastify'
import { loadConfig } from '../../src/config/config.js'
import { buildServer } from '../../src/http/build.js'
import { testRules } from '../helpers/app.js'
import { loadDemoPatients } from '../../src/web/demo-patients.js'
import { chromiumExecutable } from '../setup/chromium.js'
import { CHROMIUM_FLAGS, freePort, shooter } from '../helpers/browser.js'

const CHROMIUM = chromiumExecutable()?.path
const ARTIFACTS = 'test-artifacts/web'

const shot = shooter(ARTIFACTS)

void t.test('criteria browser and playground in Chromium', async (t) => {
  if (CHROMIUM === undefined) {
    t.fail('No Chromium: run the tests through tap (`npm test`, `npx tap <file>`), which unpacks one, or set CHROMIUM_PATH — browser tests are required')
    return
  }
  mkdirSync(ARTIFACTS, { recursive: true })
  const port = await freePort()
  const base = `http://127.0.0.1:${port}`
  const config = loadConfig({
    LOG_LEVEL: 'silent', CDS_AUTH: 'off', DATA_DIR: ':memory:', HOST: '127.0.0.1', PORT: String(port), PUBLIC_BASE_URL: base,
    UNDER_PRESSURE_MAX_EVENT_LOOP_DELAY_MS: '0', UNDER_PRESSURE_MAX_EVENT_LOOP_UTILIZATION: '0'
  })
  const app: FastifyInstance = await buildServer(config, { rules: testRules() })
  await app.listen({ port, host: '127.0.0.1' })
  t.teardown(() => app.close())
  const feedbackRoute = app.hasRoute({ method: 'POST', url: '/cds-services/:id/feedback' })
  // playwright gives every launch a fresh, empty user-data-dir of its own (it refuses --user-data-dir in args).
  const browser: Browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS })
  t.teardown(() => browser.close())
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
  const pageErrors: string[] = []
  const external: string[] = []
  page.on('pageerror', (e) => pageErrors.push(e.message))
  page.on('dialog', (d) => { pageErrors.push(`dialog: ${d.message()}`); void d.dismiss() })
  page.on('request', (r) => { if (!r.url().startsWith(base) && !r.url().startsWith('data:')) external.push(r.url()) })
  const rules = testRules()

  await t.test('criteria browser: groups, indications, detail page, English switch', async (t) => {
    await page.goto(`${base}/`)
    t.equal(await page.locator('section.group').count(), 3, 'three patient groups')
    for (const ind of rules.indications) {
      t.equal(await page.locator(`article.indication-summary[data-indication="${ind.id}"] h3 a`).innerText(), ind.title.da, `${ind.id} listed in Danish`)
    }
    await shot(page, 'criteria-index-da')
    const target = rules.indications.find((i) => i.id === 'inherited-thrombocytopenia') ?? rules.indications[0]!
    await page.click(`article.indication-summary[data-indication="${target.id}"] h3 a`)
    await page.waitForURL(`${base}/criteria/${target.id}`)
    t.equal(await page.locator('h1').innerText(), target.title.da)
    t.equal(await page.locator('li.criterion').count(), target.criteria.length, 'every criterion shown')
    t.equal(await page.locator('a.ngc').getAttribute('href'), target.url, 'NGC link')
    t.ok(await page.locator('#data-platelets, table tbody tr').count() > 0, 'data and codes table')
    await shot(page, 'criteria-indication-da')
    await page.click('#lang-switch')
    await page.waitForURL(`${base}/criteria/${target.id}?lang=en`)
    t.equal(await page.locator('h1').innerText(), target.title.en, 'English title after the switch')
    t.equal(await page.locator('html').getAttribute('lang'), 'en')
    await shot(page, 'criteria-indication-en')
  })

  const demo = loadDemoPatients()
  const pick = (indication: string | null, outcome: string): string => {
    const p = demo.list.find((x) => x.indication === indication && x.outcome === outcome) ?? demo.list.find((x) => x.outcome === outcome)
    if (!p) throw new Error(`no playground patient with outcome ${outcome}`)
    return p.id
  }

  /** The page's document as the predicates below use it (they run in the page; the tests are compiled without the DOM's types). */
  type PageDocument = { document: { querySelector: (s: string) => { textContent: string | null } | null } }
  async function runPatient (id: string): Promise<void> {
    // The page fetches the patient and then shows it, clearing the last call: until it has, the facts and cards on
    // the page are the previous patient's, and a click would call the service for that patient (seen on a loaded
    // machine: the no-match patient's call answered with the previous patient's card).
    const loaded = page.waitForResponse((r) => r.url().endsWith(`/playground/patients/${encodeURIComponent(id)}.json`))
    await page.selectOption('#patient-select', id)
    await loaded
    await page.waitForFunction(() => { const d = (globalThis as unknown as PageDocument).document; return d.querySelector('#patient-facts') !== null && d.querySelector('#raw-request')?.textContent === '' })
    await page.click('#run-select')
    // The call clears the raw response and shows the answer's in the same task as it renders the cards.
    await page.waitForFunction(() => ((globalThis as unknown as PageDocument).document.querySelector('#raw-response')?.textContent ?? '') !== '')
    await page.waitForSelector('#cards article.card, #cards p.empty')
  }

  await t.test('playground: one patient of each outcome', async (t) => {
    await page.goto(`${base}/playground`)
    await page.waitForSelector('body[data-ready="true"]')
    const cases: Array<{ outcome: string, indicator: string, summary: RegExp }> = [
      { outcome: 'eligible', indicator: 'info', summary: /^WGS-kriterier opfyldt/ },
      { outcome: 'not-eligible', indicator: 'warning', summary: /^WGS-kriterier ikke opfyldt/ },
      { outcome: 'incomplete', indicator: 'warning', summary: /^WGS-kriterier mangler dokumentation/ }
    ]
    for (const c of cases) {
      const id = pick('inherited-thrombocytopenia', c.outcome)
      const meta = demo.list.find((p) => p.id === id)!
      await runPatient(id)
      t.match(await page.locator('#call-status').innerText(), /order-select: HTTP 200/, `${id}: HTTP 200`)
      const card = page.locator(`#cards article.card[data-indication="${meta.indication}"]`)
      t.equal(await card.count(), 1, `${id}: a card for ${meta.indication}`)
      t.equal(await card.getAttribute('data-status'), c.outcome, `${id}: rendered outcome ${c.outcome}`)
      t.equal(await card.getAttribute('data-indicator'), c.indicator, `${id}: indicator ${c.indicator}`)
      t.match(await card.locator('.summary').innerText(), c.summary, `${id}: summary`)
      t.ok(await card.locator('.detail p strong').count() >= 1, `${id}: detail Markdown rendered (markdown-it): the verdict in bold`)
      t.equal(await card.locator('.detail script, .detail img').count(), 0, `${id}: no markup from the text`)
      const box = await card.boundingBox()
      t.ok(box !== null && box.y + 40 < 900, `${id}: the card is visible without scrolling (top at ${Math.round(box?.y ?? -1)} px)`)
      t.match(await card.locator('.source').innerText(), /Nationalt Genom Center/, `${id}: source`)
      t.equal(await card.locator(`.links a[href="${base}/criteria/${meta.indication}"]`).count(), 1, `${id}: links to its criteria page`)
      const colour = await card.evaluate((e) => (globalThis as unknown as { getComputedStyle: (x: unknown) => { borderLeftColor: string } }).getComputedStyle(e).borderLeftColor)
      t.equal(colour, c.indicator === 'info' ? 'rgb(11, 107, 203)' : 'rgb(199, 119, 0)', `${id}: indicator colour`)
      t.match(await page.locator('#raw-request').innerText(), /"hook": "order-select"/, 'raw request shown')
      t.match(await page.locator('#raw-response').innerText(), /"cards"/, 'raw response shown')
      await shot(page, `playground-${c.outcome}`)
    }
    await runPatient(pick(null, 'no-matching-indication'))
    const none = page.locator('#cards article.card')
    t.equal(await none.count(), 1, 'one card when nothing matches')
    t.equal(await none.getAttribute('data-status'), 'no-matching-indication')
    await shot(page, 'playground-no-match')
  })

  await t.test('playground: the card\'s smart link opens the requisition form on the playground\'s record', async (t) => {
    const id = pick('inherited-thrombocytopenia', 'incomplete')
    await runPatient(id)
    const meta = demo.list.find((p) => p.id === id)!
    const card = page.locator(`#cards article.card[data-indication="${meta.indication}"]`)
    t.equal(await card.getAttribute('data-status'), 'incomplete')
    await card.locator('button.smart-link').first().click()
    t.ok(await page.locator('#form-dialog').isVisible(), 'the form opens in a dialog')
    const form = page.frameLocator('#form-frame')
    await form.locator('body[data-ready="true"]').waitFor({ timeout: 60_000 })
    t.match(await form.locator('#verdict-text').innerText(), /Mangler dokumentation/, 'the form shows the card\'s verdict')
    t.match(await form.locator('#patient-name').innerText(), (await page.locator('#patient-name').innerText()).split(' ')[0]!, 'for the playground\'s patient')
    await shot(page, 'playground-form')
    // Answer every open question yes and submit: the answers go back to the playground, which calls the hook again.
    const open = await form.locator('[id$="/1||true"]:not(.ant-radio-wrapper-disabled)').all()
    for (const radio of open) await radio.click()
    const again = page.waitForResponse((r) => r.url().includes('/cds-services/') && r.request().method() === 'POST')
    await form.locator('#submit-answers').click()
    await again
    await form.locator('body[data-reassessed]').waitFor({ timeout: 60_000 })
    t.match(await page.locator('#raw-request').innerText(), /"resourceType": "QuestionnaireResponse"/, 'the hook is called again with the form\'s answers')
    t.ok(['eligible', 'incomplete', 'not-eligible'].includes(String(await form.locator('body').getAttribute('data-reassessed'))), 'the form shows the new verdict')
    await shot(page, 'playground-form-submitted')
    await page.click('#form-close')
    t.notOk(await page.locator('#form-dialog').isVisible(), 'the dialog closes')
    t.equal(await page.locator(`#cards article.card[data-indication="${meta.indication}"]`).count(), 1, 'the card for the order, re-rendered')
    await shot(page, 'playground-after-form')
  })

  await t.test('playground: apply a suggestion (accepted feedback)', async (t) => {
    const id = pick('inherited-thrombocytopenia', 'eligible')
    await runPatient(id)
    const meta = demo.list.find((p) => p.id === id)!
    const card = page.locator(`#cards article.card[data-indication="${meta.indication}"]`)
    const feedback = page.waitForResponse((r) => r.url().endsWith('/feedback'))
    await card.locator('button.suggestion').first().click()
    t.match(await page.locator('#draft-order').innerText(), new RegExp(`"code": "${meta.indication}"`), 'the draft order now carries the indication as reasonCode')
    const res = await feedback
    const sent = res.request().postDataJSON() as { feedback: Array<{ card: string, outcome: string, acceptedSuggestions: Array<{ id: string }> }> }
    t.equal(sent.feedback[0]?.outcome, 'accepted')
    t.equal(sent.feedback[0]?.card, await card.getAttribute('data-uuid'), 'feedback names the card')
    t.ok(sent.feedback[0]?.acceptedSuggestions[0]?.id, 'and the suggestion')
    if (feedbackRoute) t.equal(res.status(), 200, 'feedback endpoint answers 200')
    else t.comment('POST /cds-services/{id}/feedback is not registered: round trip not asserted')
    t.match(await page.locator('#feedback-status').innerText(), /HTTP 200/)
    await page.click('#run-sign')
    await page.locator('#call-status', { hasText: /^order-sign: HTTP 200/ }).waitFor()
    t.match(await page.locator('#raw-request').innerText(), /"hook": "order-sign"/, 'order-sign sent on Sign')
    t.match(await page.locator('#raw-request').innerText(), /"reasonCode"/, 'with the updated order')
    await shot(page, 'playground-accepted-signed')
  })

  await t.test('playground: override with reason (overridden feedback)', async (t) => {
    const id = pick('inherited-thrombocytopenia', 'not-eligible')
    await runPatient(id)
    const meta = demo.list.find((p) => p.id === id)!
    const card = page.locator(`#cards article.card[data-indication="${meta.indication}"]`)
    await card.locator('select.override-reason').selectOption({ index: 1 })
    await card.locator('input.override-comment').fill('Drøftet med NGC')
    const feedback = page.waitForResponse((r) => r.url().endsWith('/feedback'))
    await card.locator('button.override').click()
    const res = await feedback
    const sent = res.request().postDataJSON() as { feedback: Array<{ outcome: string, overrideReason: { reason: { code: string, system: string }, userComment: string }, outcomeTimestamp: string }> }
    t.equal(sent.feedback[0]?.outcome, 'overridden')
    t.ok(sent.feedback[0]?.overrideReason.reason.code, 'with a coded reason')
    t.equal(sent.feedback[0]?.overrideReason.userComment, 'Drøftet med NGC')
    t.ok(!Number.isNaN(Date.parse(sent.feedback[0]?.outcomeTimestamp ?? '')), 'and a timestamp')
    if (feedbackRoute) t.equal(res.status(), 200, 'feedback endpoint answers 200')
    await shot(page, 'playground-overridden')
  })

  await t.test('playground: a pasted bundle is data, never markup', async (t) => {
    const hostile = '<img src=x onerror="alert(1)"><script>alert(2)</script>'
    const bundle = {
      resourceType: 'Bundle',
      type: 'collection',
      entry: [
        { resource: { resourceType: 'Patient', id: 'pasted-1', birthDate: '1980-01-01', gender: 'female', name: [{ family: hostile, given: ['Pasted'] }] } },
        { resource: { resourceType: 'Condition', id: 'c1', subject: { reference: 'Patient/pasted-1' }, code: { coding: [{ system: 'http://hl7.org/fhir/sid/icd-10', code: 'D69.4', display: hostile }] }, verificationStatus: { coding: [{ code: 'provisional' }] } } }
      ]
    }
    await page.click('#paste summary')
    await page.fill('#bundle-input', JSON.stringify(bundle))
    await page.click('#use-bundle')
    await page.waitForSelector('#patient-facts')
    t.match(await page.locator('#patient-name').innerText(), hostile, 'the name is shown as text')
    await page.click('#run-select')
    await page.waitForSelector('#cards article.card')
    t.equal(await page.locator('#cards article.card[data-indication="inherited-thrombocytopenia"]').count(), 1, 'evaluated like any patient')
    t.equal(await page.locator('img').count(), 0, 'no element injected')
    await page.fill('#bundle-input', '{ not json')
    await page.click('#use-bundle')
    t.match(await page.locator('#patient-error').innerText(), /JSON/, 'invalid JSON is reported')
    await shot(page, 'playground-pasted')
  })

  t.same(pageErrors, [], 'no script errors or dialogs')
  t.same(external, [], 'no request leaves the service (works offline)')
})
