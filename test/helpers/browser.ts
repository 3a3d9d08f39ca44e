/**
 * What the Chromium tests share: the headless flags, a free loopback port for the service under
 * test, and screenshots kept as test artefacts (git-ignored `test-artifacts/`, never sources).
 */
import { createServer, type AddressInfo } from 'node:net'
import { join } from 'node:path'
import type { Page } from 'playwright-core'

export const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync']

export async function freePort (): Promise<number> {
  return await new Promise((resolve, reject) => {
    const s = createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo
      s.close(() => resolve(port))
    })
  })
}

/** A full-page screenshot into `dir` (created by the test) as `<name>.png`. */
export function shooter (dir: string): (page: Page, name: string) => Promise<void> {
  return async (page, name) => { await page.screenshot({ path: join(dir, `${name}.png`), fullPage: true }) }
}
