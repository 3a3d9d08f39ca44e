/**
 * The requisition form, a SMART on FHIR app served by the service (src/web/smart-app-page.ts):
 *   GET /smart/launch.html  the launch page (EHR launch with `iss` + `launch`, standalone with `iss`)
 *   GET /smart/             the app (also /smart/index.html)
 *   GET /smart/static/:file its own scripts and stylesheet (src/web/static/smart/)
 *   GET /smart/vendor/*     the browser bundles of fhirclient and LHC-Forms, from node_modules
 *                           (only the files those packages ship for browsers, listed at start-up)
 * Not behind the CDS client JWT: these are static pages; the data they show comes
 * from the EHR's FHIR server with the user's own SMART authorisation. The pages'
 * Content-Security-Policy allows same-origin scripts only, and connections to any
 * FHIR server (the EHR's, named by `iss` at launch).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, extname, join, relative, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { FastifyInstance, FastifyReply } from 'fastify'
import { languageOf, type WebLanguage } from '../../web/i18n.js'
import { SMART_PREFIX, SMART_SCOPE, SMART_TEXTS, SMART_VENDOR, smartAppPage, smartLaunchPage, smartText } from '../../web/smart-app-page.js'

export interface SmartAppRouteOptions {
  /** The app's OAuth client id at the EHR's authorisation server (SMART_CLIENT_ID). */
  clientId: string
}

const ROOT = new URL('../../../', import.meta.url)
const OWN_DIR = fileURLToPath(new URL('src/web/static/smart/', ROOT))

/** A file of an installed npm package, found as Node finds the package. */
export function packageFile (pkg: string, file: string): string {
  return join(dirname(createRequire(import.meta.url).resolve(`${pkg}/package.json`)), file)
}

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.gif': 'image/gif',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf'
}

/**
 * The app's pages may run inside an EHR frame of the same origin only (the playground);
 * EHRs open SMART apps from a card link in a window of their own.
 * Styles: LHC-Forms (Angular) adds its component styles as <style> elements.
 */
export const SMART_CSP = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self' https: http:; base-uri 'none'; form-action 'self'; frame-ancestors 'self'"

/** The browser files of a package directory: every file with a served extension, by path relative to it. */
function listFiles (dir: string): Map<string, { type: string, path: string }> {
  const out = new Map<string, { type: string, path: string }>()
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const p = join(d, name)
      if (statSync(p).isDirectory()) walk(p)
      else if (TYPES[extname(name)] !== undefined && !name.endsWith('.map')) out.set(relative(dir, p).split(sep).join('/'), { type: TYPES[extname(name)]!, path: p })
    }
  }
  walk(dir)
  return out
}

/** Where the vendored bundles come from: URL path under /smart/vendor/ → file on disk. */
function vendorFiles (): Map<string, { type: string, path: string }> {
  const files = new Map<string, { type: string, path: string }>()
  files.set('fhir-client.js', { type: TYPES['.js']!, path: packageFile('fhirclient', 'build/fhir-client.min.js') })
  for (const [prefix, dir] of [['lforms/', 'dist/lforms/webcomponent'], ['lforms-fhir/', 'dist/lforms/fhir/R4']] as const) {
    for (const [rel, f] of listFiles(packageFile('lforms', dir))) files.set(`${prefix}${rel}`, f)
  }
  return files
}

/** The LHC-Forms web component's scripts in load order, and its stylesheet (its README's "Installation"). */
export const LFORMS_ASSETS = {
  scripts: ['lforms/assets/lib/zone.min.js', 'lforms/lhc-forms.js', 'lforms-fhir/lformsFHIR.min.js'].map((f) => `${SMART_VENDOR}/${f}`),
  styles: [`${SMART_VENDOR}/lforms/styles.css`]
}

function sendPage (reply: FastifyReply, body: string): FastifyReply {
  return reply.header('content-type', 'text/html; charset=utf-8')
    .header('content-security-policy', SMART_CSP)
    .header('cache-control', 'no-cache')
    .send(body)
}

const notFound = { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'not-found', diagnostics: 'not found' }] }

export async function smartAppRoutes (app: FastifyInstance, opts: SmartAppRouteOptions): Promise<void> {
  const langs: WebLanguage[] = ['da', 'en']
  const launch = Object.fromEntries(langs.map((l) => [l, smartLaunchPage({ clientId: opts.clientId, scope: SMART_SCOPE, lang: l, text: smartText(l) })])) as Record<WebLanguage, string>
  const main = Object.fromEntries(langs.map((l) => [l, smartAppPage({ lang: l, text: SMART_TEXTS, serviceBase: '' }, LFORMS_ASSETS)])) as Record<WebLanguage, string>
  const own = listFiles(OWN_DIR)
  const vendor = vendorFiles()
  const cache = new Map<string, Buffer>()
  const hide = { schema: { hide: true } }
  const sendFile = (reply: FastifyReply, f: { type: string, path: string } | undefined, maxAge: number): FastifyReply => {
    if (!f) return reply.code(404).send(notFound)
    let body = cache.get(f.path)
    if (!body) { body = readFileSync(f.path); cache.set(f.path, body) }
    return reply.header('content-type', f.type).header('x-content-type-options', 'nosniff').header('cache-control', maxAge ? `max-age=${maxAge}` : 'no-cache').send(body)
  }

  app.get(`${SMART_PREFIX}/launch.html`, hide, async (request, reply) => sendPage(reply, launch[languageOf(request.query)]))
  // The redirect target after authorisation (`redirectUri: './'`); the language chosen at launch travels in sessionStorage.
  for (const path of [`${SMART_PREFIX}/`, `${SMART_PREFIX}/index.html`]) {
    app.get(path, hide, async (request, reply) => sendPage(reply, main[languageOf(request.query)]))
  }
  app.get(SMART_PREFIX, hide, async (request, reply) => reply.redirect(`${SMART_PREFIX}/${request.url.slice(SMART_PREFIX.length)}`))
  app.get<{ Params: { file: string } }>(`${SMART_PREFIX}/static/:file`, hide, async (request, reply) => sendFile(reply, own.get(request.params.file), 0))
  app.get<{ Params: { '*': string } }>(`${SMART_VENDOR}/*`, hide, async (request, reply) => sendFile(reply, vendor.get(request.params['*']), 86400))
}
