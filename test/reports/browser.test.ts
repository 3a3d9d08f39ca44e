/// <reference lib="dom" />
/**
 * The reports page in Chromium (playwright-core; the browser as in
 * test/web/browser.test.ts), over the seeded audit data on BOTH stores —
 * SQLite and PostgreSQL: signs in with the operator token, checks the table
 * cells against the hand-worked seed figures, that both charts were drawn by
 * the served Chart.js with no page error and nothing fetched from elsewhere,
 * the English page, and saves screenshots to test-artifacts/reports/.
 */
import t from 'tap'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { chromium, type Browser } from 'playwright-core'
import { loadConfig } from '../../src/config/config.js'
import { buildServer } from '../../src/http/build.js'
import { testRules } from '../helpers/app.js'
import { reportPostgresCoverage, storeKinds } from '../helpers/stores.js'
import { chromiumExecutable } from '../setup/chromium.js'
import { CHROMIUM_FLAGS, freePort } from '../helpers/browser.js'
import { EXPECTED_CRITERIA, EXPECTED_ROWS, EXPECTED_TOTALS, REGION_MAPPING, seed } from './seed.js'

const CHROMIUM = chromiumExecutable()?.path
const ARTIFACTS = 'test-artifacts/reports'
const TOKEN = 'reports-operator-token-0123456789abcdef'

void t.test('reports page in Chromium over both stores', async (t) => {
  if (CHROMIUM === undefined) {
    t.fail('No Chromium: run the tests through tap (`npx tap <file>`), which unpacks one, or set CHROMIUM_PATH — browser tests are required')
    return
  }
  mkdirSync(ARTIFACTS, { recursive: true })
  const browser: Browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS })
  t.teardown(() => browser.close())
  const rules = testRules()
  const kinds = storeKinds().filter((k) => k.name !== 'sqlite-memory')
  for (const kind of kinds) {
    await t.test(kind.name, async (t) => {
      const store = await kind.open(t)
      await seed(store)
      const port = await freePort()
      const base = `http://127.0.0.1:${port}`
      const config = loadConfig({
        LOG_LEVEL: 'silent', CDS_AUTH: 'off', DATA_DIR: ':memory:', HOST: '127.0.0.1', PORT: String(port), EVALUATION_THREADS: '0',
        UNDER_PRESSURE_MAX_EVENT_LOOP_DELAY_MS: '0', UNDER_PRESSURE_MAX_EVENT_LOOP_UTILIZATION: '0', REPORTS_TOKEN: TOKEN, REPORT_REGIONS: JSON.stringify(REGION_MAPPING)
      })
      const app = await buildServer(config, { rules, store })
      await app.listen({ port, host: '127.0.0.1' })
      t.teardown(() => app.close())
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } })
      t.teardown(() => context.close())
      const page = await context.newPage()
      const pageErrors: string[] = []
      const external: string[] = []
      page.on('pageerror', (e) => pageErrors.push(e.message))
      page.on('console', (m) => { if (m.type() === 'error') pageErrors.push(m.text()) })
      page.on('request', (r) => { if (!r.url().startsWith(base) && !r.url().startsWith('data:')) external.push(r.url()) })

      await page.goto(`${base}/reports?from=2026-10&to=2026-11`)
      t.equal(await page.locator('#login').count(), 1, 'sign-in first')
      await page.fill('#login input[name=token]', 'wrong-token')
      await Promise.all([page.waitForURL(`${base}/reports/login`), page.click('#login button')])
      await page.locator('#login-failed').waitFor({ timeout: 5000 })
      t.equal(await page.locator('#login-failed').count(), 1, 'a wrong token is refused')
      await page.fill('#login input[name=token]', TOKEN)
      await page.click('#login button')
      await page.waitForURL(`${base}/reports`)
      pageErrors.splice(0) // the sign-in page and the wrong token answered 401, as they should
      await page.goto(`${base}/reports?from=2026-10&to=2026-11`)
      await page.waitForFunction(() => document.documentElement.dataset.chartsDrawn === 'true')

      for (const row of EXPECTED_ROWS) {
        const cells = await page.locator(`#rows tr[data-month="${row.month}"][data-region="${row.region}"][data-indication="${row.indication}"] td.num`).allInnerTexts()
        t.same(cells, row.cells, `${row.month} ${row.region} ${row.indication}`)
      }
      t.equal(await page.locator('#rows tbody tr').count(), EXPECTED_ROWS.length, 'no other rows')
      for (const m of EXPECTED_TOTALS) t.same(await page.locator(`#totals tr[data-month="${m.month}"] td.num`).allInnerTexts(), m.cells, `whole country ${m.month}`)
      for (const c of EXPECTED_CRITERIA) {
        t.equal(await page.locator(`#criteria tr[data-criterion="${c.criterion}"][data-kind="${c.kind}"] td.num`).innerText(), c.n, `${c.criterion} ${c.kind}`)
      }
      t.equal(await page.locator('#reasons tr[data-code="clinical-judgement"] td.num').innerText(), '5', 'override reason')
      t.match(await page.locator('#rows tr[data-region="midtjylland"] td').nth(1).innerText(), 'Region Midtjylland', 'region by REPORT_REGIONS')
      t.match(await page.locator('#rows tr[data-region="unknown"] td').nth(1).innerText(), 'Ukendt region', 'unknown region its own row')
      t.match(await page.locator('#rows tr[data-region="hovedstaden"][data-month="2026-11"] td').last().innerText(), /^30 min, 1\.5 t \(20 bestillinger\)$/, 'time to sign')
      for (const id of ['verdicts-chart', 'criteria-chart']) {
        const drawn = await page.evaluate((i) => {
          const c = document.getElementById(i) as HTMLCanvasElement | null
          if (!c || c.width === 0) return 0
          const px = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data
          let coloured = 0
          for (let p = 0; p < px.length; p += 4) if (px[p + 3]! > 0) coloured++
          return coloured
        }, id)
        t.ok(drawn > 1000, `${id} drawn (${drawn} pixels)`)
      }
      await page.screenshot({ path: join(ARTIFACTS, `reports-${kind.name}-da.png`), fullPage: true })
      const csv = await page.locator('#csv-link').getAttribute('href')
      t.equal(csv, '/reports/export.csv?from=2026-10&to=2026-11')
      const csvText = await page.evaluate(async (u) => await (await fetch(u)).text(), csv!)
      t.match(csvText, /^table,month,region/, 'CSV with the session cookie')

      await page.click('#lang-switch')
      await page.waitForFunction(() => document.documentElement.dataset.chartsDrawn === 'true')
      t.equal(await page.locator('html').getAttribute('lang'), 'en')
      t.match(await page.locator('h1').innerText(), /^Reports/)
      t.same(await page.locator('#rows tr[data-region="midtjylland"] td.num').allInnerTexts(), EXPECTED_ROWS[2]!.cells, 'same figures in English')
      await page.screenshot({ path: join(ARTIFACTS, `reports-${kind.name}-en.png`), fullPage: true })

      t.same(pageErrors, [], 'no page errors (CSP or script)')
      t.same(external, [], 'nothing loaded from elsewhere')
    })
  }
  reportPostgresCoverage(t)
})
