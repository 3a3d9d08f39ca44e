/**
 * Pages for people (src/web/): the criteria browser at `/` and
 * `/criteria/{id}` (Danish; `?lang=en` for English), the playground at
 * `/playground` with its bundled synthetic patients, and their static files;
 * the requisition form under `/smart/` (routes/smart-app.ts).
 * Not behind the CDS client JWT (only /cds-services is). Pages are rendered
 * once from the loaded rules, which do not change while the service runs.
 * A Content-Security-Policy allows same-origin resources only.
 */
import { readFileSync } from 'node:fs'
import type { FastifyInstance, FastifyReply } from 'fastify'
import type { LoadedRules } from '../../definitions/load.js'
import { CodeDisplays } from '../../web/catalogue-view.js'
import { indexPage, indicationPage } from '../../web/criteria-pages.js'
import { daysBetween, loadDemoPatients, shiftDates, DEFAULT_PATIENTS_DIR } from '../../web/demo-patients.js'
import { languageOf, WEB, type WebLanguage } from '../../web/i18n.js'
import { page, STATIC_PREFIX } from '../../web/layout.js'
import { html } from '../../web/html.js'
import { playgroundConfig, playgroundPage } from '../../web/playground-page.js'
import { packageFile, smartAppRoutes } from './smart-app.js'

export interface WebRouteOptions {
  rules: LoadedRules
  /** Today, for date-shifting the bundled patients; the real clock unless a test fixes it. */
  clock?: () => Date
  /** Folder of `playground-*.json` (default examples/patients/). */
  patientsDir?: string | URL
  /** OAuth client id of the requisition form under /smart/ (SMART_CLIENT_ID; routes/smart-app.ts). */
  smartClientId?: string
}

const STATIC_DIR = new URL('../../../src/web/static/', import.meta.url)
const STATIC_FILES: Record<string, string> = {
  'web.css': 'text/css; charset=utf-8',
  'playground.js': 'text/javascript; charset=utf-8',
  'card-markdown.js': 'text/javascript; charset=utf-8',
  'markdown-it.js': 'text/javascript; charset=utf-8',
  'favicon.svg': 'image/svg+xml'
}
/** Static files served from an npm package's browser bundle instead of src/web/static/. */
const PACKAGE_FILES: Record<string, () => string> = {
  'markdown-it.js': () => packageFile('markdown-it', 'dist/browser/markdown-it.esm.min.mjs')
}

/** `frame-src 'self'`: the playground opens the requisition form (/smart/) in a frame. */
export const PAGE_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'self'"

function sendHtml (reply: FastifyReply, body: string, status = 200): FastifyReply {
  return reply.code(status)
    .header('content-type', 'text/html; charset=utf-8')
    .header('content-security-policy', PAGE_CSP)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .send(body)
}

export async function webRoutes (app: FastifyInstance, opts: WebRouteOptions): Promise<void> {
  const { rules } = opts
  const clock = opts.clock ?? (() => new Date())
  const displays = new CodeDisplays(rules.valueSets, rules.codeSystems)
  const demo = loadDemoPatients(opts.patientsDir ?? DEFAULT_PATIENTS_DIR)
  const langs: WebLanguage[] = ['da', 'en']
  const index = Object.fromEntries(langs.map((l) => [l, indexPage(rules, l)])) as Record<WebLanguage, string>
  const playground = Object.fromEntries(langs.map((l) => [l, playgroundPage(playgroundConfig(rules, demo.list, displays, l))])) as Record<WebLanguage, string>
  const indicationPages = new Map(langs.flatMap((l) => rules.indications.map((i) => [`${l}:${i.id}`, indicationPage(rules, i.id, l, displays)!] as const)))
  const statics = new Map(Object.entries(STATIC_FILES).map(([name, type]) => [name, { type, body: readFileSync(PACKAGE_FILES[name]?.() ?? new URL(name, STATIC_DIR)) }]))
  const hide = { schema: { hide: true } }
  await app.register(smartAppRoutes, { clientId: opts.smartClientId ?? 'wgs-eligibility' })

  app.get('/', hide, async (request, reply) => sendHtml(reply, index[languageOf(request.query)]))
  app.get<{ Params: { id: string } }>('/criteria/:id', hide, async (request, reply) => {
    const lang = languageOf(request.query)
    const found = indicationPages.get(`${lang}:${request.params.id}`)
    if (found) return sendHtml(reply, found)
    const s = WEB[lang]
    return sendHtml(reply, page({ lang, title: s.notFound, path: '/', active: 'criteria', body: html`<h1>${s.notFound}</h1><p><code>${request.params.id}</code></p><p><a href="/">${s.back}</a></p>` }), 404)
  })
  app.get('/playground', hide, async (request, reply) => sendHtml(reply, playground[languageOf(request.query)]))
  app.get<{ Params: { file: string } }>('/playground/patients/:file', hide, async (request, reply) => {
    const id = request.params.file.replace(/\.json$/, '')
    const meta = demo.list.find((p) => p.id === id)
    const bundle = demo.bundle(id)
    if (!meta || !bundle) return reply.code(404).send({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'not-found', diagnostics: `no playground patient '${id}'` }] })
    // Served as of today: every date moves by the days since the bundle's reference date.
    return reply.header('cache-control', 'no-store').send(shiftDates(bundle, daysBetween(meta.referenceDate, clock().toISOString())))
  })
  // Browsers ask for /favicon.ico when a page names no icon (the pages do name one: layout.ts).
  app.get('/favicon.ico', hide, async (_request, reply) => {
    const icon = statics.get('favicon.svg')!
    return reply.header('content-type', icon.type).header('x-content-type-options', 'nosniff').header('cache-control', 'max-age=86400').send(icon.body)
  })
  app.get<{ Params: { file: string } }>(`${STATIC_PREFIX}/:file`, hide, async (request, reply) => {
    const file = statics.get(request.params.file)
    if (!file) return reply.code(404).send({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'not-found', diagnostics: 'not found' }] })
    return reply.header('content-type', file.type).header('x-content-type-options', 'nosniff').header('cache-control', 'no-cache').send(file.body)
  })
}
