/**
 * The reports page (/reports): two charts drawn by Chart.js (served by this
 * service, no CDN) from a JSON block that holds only the cells as shown —
 * suppressed counts are null there, never their value — and the tables
 * beside them. Server-rendered with the shared layout; no inline script.
 */
import type { LoadedRules } from '../definitions/load.js'
import type { Report } from '../reports/aggregate.js'
import { REGION_NAMES, type ReportRegion } from '../reports/region.js'
import type { Cell } from '../reports/suppress.js'
import { NO_INDICATION } from '../store/record-evaluation.js'
import { html, jsonForScript, type SafeHtml } from './html.js'
import { page, withLang } from './layout.js'
import type { WebLanguage } from './i18n.js'
import { REPORT_TEXT } from './reports-text.js'

export const REPORTS_STATIC = '/reports/static'

export interface ReportNames {
  region: (id: string) => string
  indication: (id: string) => string
  criterion: (indication: string, id: string) => string
}

export function reportNames (rules: LoadedRules, lang: WebLanguage): ReportNames {
  const t = REPORT_TEXT[lang]
  const indications = new Map(rules.indications.map((i) => [i.id, i]))
  return {
    region: (id) => REGION_NAMES[id as ReportRegion]?.[lang] ?? id,
    indication: (id) => id === NO_INDICATION ? t.noIndication : indications.get(id)?.title[lang] ?? id,
    criterion: (indication, id) => indications.get(indication)?.criteria.find((c) => c.id === id)?.text[lang] ?? id
  }
}

const num = (c: Cell): SafeHtml => html`<td class="num${c.hidden ? ' suppressed' : ''}">${c.shown}</td>`
const value = (c: Cell): number | null => c.hidden ? null : c.n
/** A chart label short enough for the axis; the full text is the tooltip and is in the table. */
const short = (s: string): string => s.length <= 48 ? s : `${s.slice(0, 47).trimEnd()}…`

export interface ReportPageOptions { lang: WebLanguage, report: Report, names: ReportNames, fromMonth: string, toMonth: string }

export function reportsPage (o: ReportPageOptions): string {
  const { lang, report: r, names } = o
  const t = REPORT_TEXT[lang]
  const time = (s: Report['rows'][number]['signTime']): string => s.n.n === 0 ? '–' : s.medianMinutes === undefined ? `${s.n.shown} ${t.signTimeOrders}` : `${t.minutes(s.medianMinutes)}, ${t.minutes(s.p90Minutes ?? s.medianMinutes)} (${s.n.shown} ${t.signTimeOrders})`
  const query = `from=${o.fromMonth}&to=${o.toMonth}${lang === 'en' ? '&lang=en' : ''}`
  const chart = {
    labels: { eligible: t.eligible, incomplete: t.incomplete, notEligible: t.notEligible, signedDespite: t.signedDespite, count: t.count },
    months: r.totals.map((m) => ({ month: m.month, eligible: value(m.cells.eligible), incomplete: value(m.cells.incomplete), notEligible: value(m.cells.notEligible), signedDespite: value(m.cells.signedDespite) })),
    criteria: r.criteria.filter((c) => !c.n.hidden).slice(0, 10).map((c) => ({ label: `${short(names.criterion(c.indication, c.criterion))} (${t.kindShort[c.kind]})`, title: `${names.indication(c.indication)}: ${names.criterion(c.indication, c.criterion)} (${t.kind[c.kind]})`, n: c.n.n }))
  }
  const body = html`<h1>${t.title}</h1>
<p>${t.intro}</p>
<p class="note" id="suppression-note">${t.suppression}</p>
<form method="get" action="/reports" class="report-period">
  <fieldset><legend>${t.period}</legend>
  <label>${t.from} <input type="month" name="from" value="${o.fromMonth}" required></label>
  <label>${t.to} <input type="month" name="to" value="${o.toMonth}" required></label>
  ${lang === 'en' ? html`<input type="hidden" name="lang" value="en">` : ''}
  <button type="submit">${t.show}</button></fieldset>
</form>
<p>${t.downloads}: <a id="csv-link" href="/reports/export.csv?${query}" download>${t.csv}</a>${r.months.map((m) => html` · <a class="measure-report-link" href="/reports/measure-report/${m}">${t.measureReport} ${m}</a>`)}</p>
<form method="post" action="/reports/logout"><button type="submit">${t.logout}</button></form>
${r.rows.length === 0
  ? html`<p id="no-data">${t.none}</p>`
  : html`<section><h2>${t.verdictsChart}</h2><canvas id="verdicts-chart" role="img" aria-label="${t.verdictsChart}"></canvas>
<table id="totals"><thead><tr><th>${t.month}</th><th>${t.orders}</th><th>${t.signed}</th><th>${t.eligible}</th><th>${t.incomplete}</th><th>${t.notEligible}</th><th>${t.signedDespite}</th><th>${t.signTime}</th></tr></thead>
<tbody>${r.totals.map((m) => html`<tr data-month="${m.month}"><td>${m.month}</td>${num(m.cells.orders)}${num(m.cells.signed)}${num(m.cells.eligible)}${num(m.cells.incomplete)}${num(m.cells.notEligible)}${num(m.cells.signedDespite)}<td>${time(m.signTime)}</td></tr>`)}</tbody></table></section>
<section><h2>${t.rowsTitle}</h2>
<table id="rows"><thead><tr><th>${t.month}</th><th>${t.region}</th><th>${t.indication}</th><th>${t.orders}</th><th>${t.signed}</th><th>${t.eligible}</th><th>${t.incomplete}</th><th>${t.notEligible}</th><th>${t.signedDespite}</th><th>${t.signTime}</th></tr></thead>
<tbody>${r.rows.map((x) => html`<tr data-month="${x.month}" data-region="${x.region}" data-indication="${x.indication}"><td>${x.month}</td><td>${names.region(x.region)}</td><td>${names.indication(x.indication)}</td>${num(x.cells.orders)}${num(x.cells.signed)}${num(x.cells.eligible)}${num(x.cells.incomplete)}${num(x.cells.notEligible)}${num(x.cells.signedDespite)}<td>${time(x.signTime)}</td></tr>`)}</tbody></table></section>
<section><h2>${t.criteriaTitle}</h2><canvas id="criteria-chart" role="img" aria-label="${t.criteriaChart}"></canvas>
<table id="criteria"><thead><tr><th>${t.indication}</th><th>${t.criterion}</th><th>${t.criterionStatus}</th><th>${t.count}</th></tr></thead>
<tbody>${r.criteria.map((c) => html`<tr data-indication="${c.indication}" data-criterion="${c.criterion}" data-kind="${c.kind}"><td>${names.indication(c.indication)}</td><td>${names.criterion(c.indication, c.criterion)}</td><td>${t.kind[c.kind]}</td>${num(c.n)}</tr>`)}</tbody></table></section>
<section><h2>${t.reasonsTitle}</h2>
<table id="reasons"><thead><tr><th>${t.reason}</th><th>${t.count}</th></tr></thead>
<tbody>${r.overrideReasons.map((x) => html`<tr data-code="${x.code ?? ''}"><td>${x.code === null ? t.noReason : x.display ?? x.code}${x.code !== null ? html` <code>${x.code}</code>` : ''}</td>${num(x.n)}</tr>`)}</tbody></table></section>
<script type="application/json" id="report-data">${jsonForScript(chart)}</script>`}`
  return page({ lang, title: t.title, path: `/reports?from=${o.fromMonth}&to=${o.toMonth}`, active: 'reports', body, scripts: [`${REPORTS_STATIC}/chart.umd.min.js`, `${REPORTS_STATIC}/reports.js`] })
}

export function loginPage (lang: WebLanguage, failed: boolean): string {
  const t = REPORT_TEXT[lang]
  return page({
    lang,
    title: t.loginTitle,
    path: '/reports',
    active: 'reports',
    body: html`<h1>${t.loginTitle}</h1><p>${t.loginIntro}</p>${failed ? html`<p class="error" id="login-failed">${t.loginFailed}</p>` : ''}
<form method="post" action="${withLang('/reports/login', lang)}" id="login"><label>${t.token} <input type="password" name="token" autocomplete="current-password" required></label> <button type="submit">${t.login}</button></form>`
  })
}
