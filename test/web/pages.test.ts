/**
 * The criteria browser and the playground frame over HTTP (inject): every
 * indication and criterion of the loaded definitions appears, in Danish and
 * English; cards link to a page that exists; pages load nothing from other
 * origins; patient and definition text is escaped.
 */
import t from 'tap'
import { buildTestApp, cardFor, postHook, SERVICE_URL } from '../helpers/app.js'
import { attestation, condition, hookRequest, orderingRole, patient, plateletCount, quantityObservation, SYSTEMS } from '../helpers/fhir-builders.js'
import { testRules } from '../helpers/app.js'
import { escapeHtml, html, jsonForScript } from '../../src/web/html.js'
import { indicationView } from '../../src/web/catalogue-view.js'
import { daysBetween, shiftDates } from '../../src/web/demo-patients.js'

void t.test('html escaping', async (t) => {
  t.equal(escapeHtml('<a href="x">&\'</a>'), '&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;')
  const evil = '<script>alert(1)</script>'
  t.equal(html`<p title="${evil}">${evil}${[evil, html`<b>${'ok'}</b>`]}</p>`.value,
    '<p title="&lt;script&gt;alert(1)&lt;/script&gt;">&lt;script&gt;alert(1)&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;<b>ok</b></p>')
  const json = jsonForScript({ x: '</script><script>alert(1)</script>&' }).value
  t.notMatch(json, /<|>|&/, 'no markup characters in embedded JSON')
  t.same(JSON.parse(json), { x: '</script><script>alert(1)</script>&' }, 'and it parses back')
})

void t.test('date shifting keeps intervals', async (t) => {
  const b = { birthDate: '1980-03-01', effectiveDateTime: '2026-11-01T10:00:00Z', code: { coding: [{ code: '2026-01-01x' }] }, n: 5, list: ['2024-02-29'] }
  const shifted = shiftDates(b, daysBetween('2026-11-22T10:00:00.000Z', '2027-01-01T09:00:00.000Z'))
  t.same(shifted, { birthDate: '1980-04-10', effectiveDateTime: '2026-12-11T10:00:00Z', code: { coding: [{ code: '2026-01-01x' }] }, n: 5, list: ['2024-04-09'] })
  t.same(shiftDates(b, 0), b, 'zero days is a copy')
})

void t.test('criteria index lists the three groups and every indication', async (t) => {
  const app = await buildTestApp(t)
  const rules = testRules()
  for (const lang of ['da', 'en'] as const) {
    const res = await app.inject({ url: lang === 'en' ? '/?lang=en' : '/' })
    t.equal(res.statusCode, 200)
    t.match(res.headers['content-type'], /text\/html/)
    t.match(res.headers['content-security-policy'], /default-src 'none'/, 'a strict CSP')
    t.match(res.body, `<html lang="${lang}">`)
    t.equal((res.body.match(/<section class="group"/g) ?? []).length, 3, 'three patient groups')
    for (const ind of rules.indications) {
      t.match(res.body, `href="/criteria/${ind.id}${lang === 'en' ? '?lang=en' : ''}"`, `${lang}: links ${ind.id}`)
      t.match(res.body, escapeHtml(ind.title[lang]), `${lang}: title of ${ind.id}`)
    }
    t.notMatch(res.body, /(src|href)="(https?:)?\/\/(?!ngc\.dk)/, 'no resources from other origins (only links to NGC)')
  }
})

void t.test('an indication page shows criteria, data and codes, seed and NGC link', async (t) => {
  const app = await buildTestApp(t)
  const rules = testRules()
  for (const ind of rules.indications) {
    for (const lang of ['da', 'en'] as const) {
      const res = await app.inject({ url: `/criteria/${ind.id}${lang === 'en' ? '?lang=en' : ''}` })
      t.equal(res.statusCode, 200, `${ind.id} (${lang})`)
      const body = res.body
      t.match(body, `href="${escapeHtml(ind.url)}"`, `${ind.id}: NGC link`)
      t.match(body, escapeHtml(ind.seed.heading), `${ind.id}: seed`)
      const view = indicationView(ind, rules, lang)
      for (const c of view.criteria) {
        t.match(body, escapeHtml(c.definition.text[lang]), `${ind.id}/${c.definition.id}: text`)
        t.match(body, escapeHtml(c.definition.seed.heading), `${ind.id}/${c.definition.id}: seed`)
        for (const d of c.data) t.match(body, `href="#data-${d}"`, `${ind.id}/${c.definition.id}: reads %${d}`)
      }
      for (const d of view.data) {
        for (const code of d.valueSet?.codes ?? []) t.match(body, `<code>${escapeHtml(code.code)}</code>`, `${ind.id}: code ${code.code} of %${d.name}`)
      }
    }
  }
  const thrombo = await app.inject({ url: '/criteria/inherited-thrombocytopenia?lang=en' })
  t.match(thrombo.body, /<code>NPU03568<\/code> B—Trombocytter/i, 'codes carry display names')
  t.match(thrombo.body, /<code>patient-informed<\/code> Patient informed/i, 'attestation codes carry display names')
  const missing = await app.inject({ url: '/criteria/%3Cscript%3Ealert(1)%3C%2Fscript%3E' })
  t.equal(missing.statusCode, 404)
  t.notMatch(missing.body, '<script>alert', 'the unknown id is escaped')
})

void t.test('cards link to the criteria page of their indication (PUBLIC_BASE_URL)', async (t) => {
  const app = await buildTestApp(t, { PUBLIC_BASE_URL: 'https://wgs.example.org/' })
  const res = await postHook(app, hookRequest(patient(), [
    condition('DD694', { verificationStatus: { coding: [{ system: SYSTEMS.conditionVerification, code: 'provisional' }] } }),
    plateletCount(88, '2015-05-01'), plateletCount(95, '2021-03-01'), quantityObservation(SYSTEMS.loinc, '32623-1', 12.1, 'fL', '2024-02-01'),
    attestation('lifelong-course'), ...orderingRole('Afdeling for Blodsygdomme, Rigshospitalet')
  ]))
  const card = cardFor(res.body, 'inherited-thrombocytopenia')
  const link = (card?.links ?? []).find((l: { url: string }) => l.url.startsWith('https://wgs.example.org/criteria/'))
  t.equal(link?.url, 'https://wgs.example.org/criteria/inherited-thrombocytopenia')
  const page = await app.inject({ url: new URL(link.url).pathname })
  t.equal(page.statusCode, 200, 'and that page exists')
})

void t.test('playground page and its patients', async (t) => {
  const app = await buildTestApp(t)
  const res = await app.inject({ url: '/playground' })
  t.equal(res.statusCode, 200)
  t.match(res.headers['content-security-policy'], /script-src 'self'/)
  t.notMatch(res.body, /<script>(?!<\/script>)/, 'no inline executable script')
  t.match(res.body, '<script type="module" src="/static/web/playground.js"></script>')
  const configJson = /<script type="application\/json" id="playground-config">(.*?)<\/script>/s.exec(res.body)?.[1]
  const config = JSON.parse(configJson ?? '{}')
  t.equal(config.serviceId, 'ngc-wgs-eligibility')
  t.same(Object.keys(config.prefetch).sort(), Object.keys(testRules().service.prefetch).sort(), 'prefetch keys from the service definition')
  t.ok(config.patients.length >= 4, 'bundled patients listed')
  const first = config.patients[0]
  const bundle = await app.inject({ url: `/playground/patients/${first.id}.json` })
  t.equal(bundle.statusCode, 200)
  t.equal(bundle.json().resourceType, 'Bundle')
  t.equal((await app.inject({ url: '/playground/patients/nope.json' })).statusCode, 404)
  for (const file of ['playground.js', 'card-markdown.js', 'markdown-it.js', 'web.css']) {
    const r = await app.inject({ url: `/static/web/${file}` })
    t.equal(r.statusCode, 200, file)
    t.match(r.headers['content-type'], file.endsWith('.css') ? /text\/css/ : /javascript/)
  }
  t.equal((await app.inject({ url: '/static/web/..%2Fpackage.json' })).statusCode, 404, 'only the listed files')
  t.equal((await app.inject({ method: 'POST', url: SERVICE_URL.replace(/ngc.*/, 'nope'), payload: {} })).statusCode, 404, 'CDS routes untouched')
})
