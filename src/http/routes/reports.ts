/**
 * The reports (docs/reports.md): GET /reports (page, Danish; ?lang=en),
 * GET /reports/export.csv, GET /reports/measure-report/{YYYY-MM} (FHIR R4
 * MeasureReport), Chart.js and the page's script under /reports/static/.
 * Protected by the operator token REPORTS_TOKEN — `Authorization: Bearer`
 * (exports, scripts) or a session cookie set by POST /reports/login (people
 * in a browser); without REPORTS_TOKEN every report route answers 404. Not
 * the CDS client JWT: those identify EHR systems calling hooks, not the
 * people at NGC or a region who read the figures. The page's period is
 * `from`/`to` months (inclusive, Danish months: Europe/Copenhagen), at most 60 months.
 */
import { createHmac, timingSafeEqual } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { parse as parseForm } from 'node:querystring'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Config } from '../../config/config.js'
import type { LoadedRules } from '../../definitions/load.js'
import { HookError } from '../../hooks/operation-outcome.js'
import { buildReport, type Report } from '../../reports/aggregate.js'
import { reportCsv } from '../../reports/csv.js'
import { measureReport } from '../../reports/measure-report.js'
import { addMonths, danishMonth, danishMonthStart } from '../../reports/danish-time.js'
import type { EvaluationStore } from '../../store/store.js'
import { languageOf, type WebLanguage } from '../../web/i18n.js'
import { loginPage, reportNames, reportsPage, REPORTS_STATIC } from '../../web/reports-page.js'
import { PAGE_CSP } from './web.js'

export interface ReportRouteOptions {
  config: Readonly<Config>
  rules: LoadedRules
  store: EvaluationStore
  clock?: () => Date
}

const COOKIE = 'wgs_reports'
const SESSION_SECONDS = 8 * 3600
const MONTH = '^[0-9]{4}-(0[1-9]|1[0-2])$'
const MAX_MONTHS = 60

const require = createRequire(import.meta.url)
const STATIC: Record<string, { type: string, path: string }> = {
  'chart.umd.min.js': { type: 'text/javascript; charset=utf-8', path: join(dirname(require.resolve('chart.js')), 'chart.umd.min.js') },
  'reports.js': { type: 'text/javascript; charset=utf-8', path: new URL('../../../src/web/static/reports.js', import.meta.url).pathname }
}

const digest = (s: string): Buffer => createHmac('sha256', 'wgs-reports-compare').update(s).digest()
const same = (a: string, b: string): boolean => timingSafeEqual(digest(a), digest(b))

/** A session cookie value: `<expiry epoch s>.<HMAC(token, expiry)>`; valid until the expiry or a new token. */
function session (token: string, expires: number): string {
  return `${expires}.${createHmac('sha256', token).update(`reports-session|${expires}`).digest('base64url')}`
}

function cookieValue (request: FastifyRequest, name: string): string | undefined {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=')
    if (k === name) return v.join('=')
  }
  return undefined
}

function authorised (request: FastifyRequest, token: string, nowSeconds: number): boolean {
  const bearer = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1]
  if (bearer !== undefined) return same(bearer, token)
  const c = cookieValue(request, COOKIE)
  const expires = Number(c?.split('.')[0])
  return c !== undefined && Number.isInteger(expires) && expires > nowSeconds && same(c, session(token, expires))
}

function monthsBetween (from: string, to: string): number {
  const [fy, fm] = from.split('-').map(Number) as [number, number]
  const [ty, tm] = to.split('-').map(Number) as [number, number]
  return (ty - fy) * 12 + (tm - fm) + 1
}


function sendPage (reply: FastifyReply, body: string, status = 200): FastifyReply {
  return reply.code(status).header('content-type', 'text/html; charset=utf-8').header('content-security-policy', PAGE_CSP)
    .header('x-content-type-options', 'nosniff').header('referrer-policy', 'no-referrer').header('cache-control', 'no-store').send(body)
}

interface PeriodQuery { from?: string, to?: string, lang?: string }

export async function reportRoutes (app: FastifyInstance, opts: ReportRouteOptions): Promise<void> {
  const { config, rules, store } = opts
  const clock = opts.clock ?? (() => new Date())
  const token = config.reportsToken
  const hide = { hide: true }
  const periodSchema = { querystring: { type: 'object', properties: { from: { type: 'string', pattern: MONTH }, to: { type: 'string', pattern: MONTH }, lang: { enum: ['da', 'en'] } } }, ...hide }
  const statics = new Map(Object.entries(STATIC).map(([name, f]) => [name, { type: f.type, body: readFileSync(f.path) }]))
  // Forms post application/x-www-form-urlencoded: parsed in this plugin only.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 4096 }, (_request, body, done) => {
    done(null, parseForm(body as string))
  })

  const enabled = (): string => {
    if (token === undefined) throw new HookError(404, 'not-found', 'reports are not enabled on this server (REPORTS_TOKEN is not set)')
    return token
  }

  async function load (q: PeriodQuery): Promise<{ report: Report, fromMonth: string, toMonth: string }> {
    const now = clock()
    const toMonth = q.to ?? danishMonth(now)
    const fromMonth = q.from ?? addMonths(danishMonth(now), -11)
    const span = monthsBetween(fromMonth, toMonth)
    if (span < 1) throw new HookError(400, 'invalid', "'from' is after 'to'", ['from'])
    if (span > MAX_MONTHS) throw new HookError(400, 'too-long', `at most ${MAX_MONTHS} months in one report`, ['from'])
    if (!store.reportData) throw new HookError(501, 'not-supported', 'this audit store does not answer reports')
    // Danish months: from local midnight on the 1st to local midnight on the 1st after `to`.
    const range = { from: danishMonthStart(fromMonth), to: danishMonthStart(addMonths(toMonth, 1)) }
    const data = await store.reportData(range)
    return { report: buildReport(data, range, config.reportRegions), fromMonth, toMonth }
  }

  const guard = async (request: FastifyRequest, reply: FastifyReply, lang: WebLanguage, page: boolean): Promise<boolean> => {
    const t = enabled()
    if (authorised(request, t, Math.floor(clock().getTime() / 1000))) return true
    if (page) { await sendPage(reply, loginPage(lang, false), 401); return false }
    throw new HookError(401, 'login', 'reports require the operator token (Authorization: Bearer)')
  }

  app.get<{ Querystring: PeriodQuery }>('/reports', { schema: periodSchema }, async (request, reply) => {
    const lang = languageOf(request.query)
    if (!await guard(request, reply, lang, true)) return reply
    const { report, fromMonth, toMonth } = await load(request.query)
    return sendPage(reply, reportsPage({ lang, report, names: reportNames(rules, lang), fromMonth, toMonth }))
  })

  app.post<{ Body: { token?: unknown }, Querystring: { lang?: string } }>('/reports/login', { schema: hide }, async (request, reply) => {
    const t = enabled()
    const lang = languageOf(request.query)
    const given = request.body?.token
    if (typeof given !== 'string' || !same(given, t)) {
      request.log.info('reports sign-in refused')
      return sendPage(reply, loginPage(lang, true), 401)
    }
    const expires = Math.floor(clock().getTime() / 1000) + SESSION_SECONDS
    const secure = config.publicBaseUrl?.startsWith('https://') ? '; Secure' : ''
    return reply.code(303)
      .header('set-cookie', `${COOKIE}=${session(t, expires)}; Path=/reports; HttpOnly; SameSite=Strict; Max-Age=${SESSION_SECONDS}${secure}`)
      .header('location', lang === 'en' ? '/reports?lang=en' : '/reports').send()
  })

  app.post('/reports/logout', { schema: hide }, async (_request, reply) => {
    enabled()
    return reply.code(303).header('set-cookie', `${COOKIE}=; Path=/reports; HttpOnly; SameSite=Strict; Max-Age=0`).header('location', '/reports').send()
  })

  app.get<{ Querystring: PeriodQuery }>('/reports/export.csv', { schema: periodSchema }, async (request, reply) => {
    await guard(request, reply, 'da', false)
    const { report, fromMonth, toMonth } = await load(request.query)
    return reply.header('content-type', 'text/csv; charset=utf-8').header('cache-control', 'no-store')
      .header('content-disposition', `attachment; filename="wgs-reports-${fromMonth}-${toMonth}.csv"`).send(reportCsv(report))
  })

  app.get<{ Params: { month: string } }>('/reports/measure-report/:month', { schema: { params: { type: 'object', properties: { month: { type: 'string', pattern: MONTH } } }, ...hide } }, async (request, reply) => {
    await guard(request, reply, 'da', false)
    const { month } = request.params
    const { report } = await load({ from: month, to: month })
    const names = reportNames(rules, 'en')
    return reply.header('content-type', 'application/fhir+json; charset=utf-8').header('cache-control', 'no-store')
      .send(measureReport(report, month, clock().toISOString(), names))
  })

  app.get<{ Params: { file: string } }>(`${REPORTS_STATIC}/:file`, { schema: hide }, async (request, reply) => {
    enabled()
    const file = statics.get(request.params.file)
    if (!file) throw new HookError(404, 'not-found', 'not found')
    return reply.header('content-type', file.type).header('x-content-type-options', 'nosniff').header('cache-control', 'no-cache').send(file.body)
  })
}
