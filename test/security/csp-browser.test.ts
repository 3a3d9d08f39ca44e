/**
 * The security headers keep the pages working: Chromium (the system's, or the
 * npm package's that the test harness unpacks: test/setup/chromium.ts; as in
 * test/web/browser.test.ts, missing Chromium is a failure, never a skip)
 * loads the Swagger UI at /docs, the criteria browser and the playground
 * from the real app on 127.0.0.1, and records every Content-Security-Policy
 * violation the browser reports (`securitypolicyviolation`). None may occur,
 * and each page must render its content.
 */
import t from 'tap'
import { chromium, type Browser } from 'playwright-core'
import { loadConfig } from '../../src/config/config.js'
import { buildServer } from '../../src/http/build.js'
import { testRules } from '../helpers/app.js'
import { chromiumExecutable } from '../setup/chromium.js'

const CHROMIUM = chromiumExecutable()?.path
const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync']

void t.test('no CSP violation on /docs, / and /playground in Chromium', async (t) => {
  if (CHROMIUM === undefined) {
    t.fail('No Chromium: run the tests through tap (`npm test`, `npx tap <file>`), which unpacks one, or set CHROMIUM_PATH (required, never skipped)')
    return
  }
  const config = loadConfig({ LOG_LEVEL: 'silent', CDS_AUTH: 'off', DATA_DIR: ':memory:', HOST: '127.0.0.1', PORT: '0', UNDER_PRESSURE_MAX_EVENT_LOOP_DELAY_MS: '0', UNDER_PRESSURE_MAX_EVENT_LOOP_UTILIZATION: '0' })
  const app = await buildServer(config, { rules: testRules() })
  const address = await app.listen({ port: 0, host: '127.0.0.1' })
  t.teardown(() => app.close())
  const browser: Browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS })
  t.teardown(() => browser.close())
  const page = await browser.newPage()
  // Browser-side code as strings: this project's TypeScript has no DOM library.
  await page.addInitScript("window.__csp = []; document.addEventListener('securitypolicyviolation', (e) => { window.__csp.push(e.violatedDirective + ' ' + e.blockedURI) })")
  const violations = async (): Promise<string[]> => await page.evaluate('window.__csp') as string[]
  const pages: Array<[string, RegExp, string]> = [
    ['/docs', /cds-hooks/, '.opblock'],
    ['/', /Helgenomsekventering|NGC/, 'main'],
    ['/criteria/sarcoma', /sarkom/i, 'main'],
    ['/playground', /Playground/, 'select']
  ]
  for (const [path, text, selector] of pages) {
    await page.goto(`${address}${path}`, { waitUntil: 'networkidle' })
    await page.waitForSelector(selector, { timeout: 15_000 })
    t.match(await page.evaluate('document.body.innerText') as string, text, `${path} renders`)
    t.same(await violations(), [], `${path}: no CSP violation`)
  }
  // The check can fail: an inline script on a page served with the API's policy is reported.
  await page.route(`${address}/inline-probe`, async (route) => {
    const res = await route.fetch({ url: `${address}/cds-services` })
    await route.fulfill({ status: 200, headers: { ...res.headers(), 'content-type': 'text/html' }, body: '<p>probe</p><script>document.title = "ran"</script>' })
  })
  await page.goto(`${address}/inline-probe`)
  await page.waitForTimeout(300)
  t.ok((await violations()).length > 0, 'a violation under the API policy is detected')
  t.not(await page.title(), 'ran', 'the inline script was blocked')
})
