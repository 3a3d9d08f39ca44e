/**
 * Chromium for the browser tests: the system's (Debian's /usr/bin/chromium,
 * or CHROMIUM_PATH) when there is one, otherwise the headless Chromium that
 * the @sparticuz/chromium npm package ships (brotli-compressed), unpacked once
 * into node_modules/.cache by before.ts and reused by later runs. Either way
 * the browser tests run; none is skipped.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
export const SYSTEM_CHROMIUM = '/usr/bin/chromium'

function packageVersion (): string {
  return (JSON.parse(readFileSync(join(ROOT, 'node_modules', '@sparticuz', 'chromium', 'package.json'), 'utf8')) as { version: string }).version
}

/** Where the npm package's Chromium is unpacked (inside node_modules: removed with it, never in git's view). */
export function cachedChromiumDir (): string {
  return join(ROOT, 'node_modules', '.cache', `wgs-cds-chromium-${packageVersion()}`)
}

/** The browser the tests use, and where it comes from; undefined when none is there yet. */
export function chromiumExecutable (): { path: string, from: string } | undefined {
  if (process.env.CHROMIUM_PATH) return { path: process.env.CHROMIUM_PATH, from: 'CHROMIUM_PATH' }
  if (existsSync(SYSTEM_CHROMIUM)) return { path: SYSTEM_CHROMIUM, from: 'the system' }
  const cached = join(cachedChromiumDir(), 'chromium')
  if (existsSync(cached)) return { path: cached, from: 'the @sparticuz/chromium npm package' }
  return undefined
}

/** Unpack the npm package's Chromium unless a browser is already there. */
export async function prepareChromium (): Promise<string> {
  const found = chromiumExecutable()
  if (found !== undefined) return `Chromium: ${found.path} (${found.from})`
  const started = performance.now()
  const target = cachedChromiumDir()
  mkdirSync(dirname(target), { recursive: true })
  const staging = mkdtempSync(`${target}.partial-`)
  const tmp = process.env.TMPDIR
  try {
    // The package unpacks into os.tmpdir(): point it at a private folder, then move that into place in one rename.
    process.env.TMPDIR = staging
    const { default: Chromium } = await import('@sparticuz/chromium')
    const path = await Chromium.executablePath()
    if (path !== join(staging, 'chromium')) throw new Error(`unexpected Chromium path ${path}`)
  } finally {
    if (tmp === undefined) delete process.env.TMPDIR
    else process.env.TMPDIR = tmp
  }
  try { renameSync(staging, target) } catch { rmSync(staging, { recursive: true, force: true }) } // another run was first
  return `Chromium: unpacked from the @sparticuz/chromium npm package into ${target} in ${Math.round(performance.now() - started)} ms`
}
