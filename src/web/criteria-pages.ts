/**
 * The criteria browser, rendered server-side from the loaded definitions:
 * `/` lists the three patient groups with every indication and its criteria;
 * `/criteria/{id}` shows one indication in full — criteria, the data and
 * codes each reads, the seed citation and the NGC link. Cards link here
 * (src/cards/render.ts, PUBLIC_BASE_URL).
 */
import type { PatientGroup, SeedCitation } from '../core/types.js'
import type { LoadedRules } from '../definitions/load.js'
import { BUILT_INS as BUILT_IN_TEXT, type CodeDisplays, indicationView, type CodeRow, type CriterionView, type DataView, type IndicationView } from './catalogue-view.js'
import { html, type SafeHtml } from './html.js'
import { GROUP_TITLES, WEB, type WebLanguage } from './i18n.js'
import { page, withLang } from './layout.js'

const GROUPS = Object.keys(GROUP_TITLES) as PatientGroup[]
/** Longer code lists are folded so a page stays readable. */
const CODES_SHOWN = 12

function seedCitation (seed: SeedCitation, lang: WebLanguage): SafeHtml {
  const s = WEB[lang]
  return html`<span class="seed"><span class="seed-file">${seed.file}</span> — ${seed.heading}${seed.quote ? html`<blockquote lang="da" title="${s.quote}">${seed.quote}</blockquote>` : ''}</span>`
}

function code (c: CodeRow): SafeHtml {
  return html`<li><span class="sys">${c.systemLabel}</span> <code>${c.code}</code>${c.display ? html` ${c.display}` : ''}</li>`
}

function codeList (rows: CodeRow[], rules: string[]): SafeHtml {
  const first = rows.slice(0, CODES_SHOWN)
  const rest = rows.slice(CODES_SHOWN)
  return html`<ul class="codes">${first.map(code)}${rules.map((r) => html`<li class="rule"><code>${r}</code></li>`)}</ul>${rest.length
    ? html`<details><summary>+ ${rest.length}</summary><ul class="codes">${rest.map(code)}</ul></details>`
    : ''}`
}

function dataLabel (d: DataView | undefined, name: string): string {
  if (!d) return name
  return d.valueSet ? `${d.valueSet.title} (${d.resourceType})` : d.resourceType
}

function criterionBlock (v: IndicationView, c: CriterionView, lang: WebLanguage, ids: Map<string, string>): SafeHtml {
  const s = WEB[lang]
  const d = c.definition
  const byName = new Map(v.data.map((x) => [x.name, x]))
  return html`<li class="criterion" id="criterion-${d.id}">
  <div class="criterion-head"><span class="criterion-text">${d.text[lang]}</span> <span class="badge ${d.required ? 'required' : 'advisory'}">${d.required ? s.required : s.advisory}</span> <code class="id">${d.id}</code></div>
  <dl>
    ${c.data.length || c.builtIns.length
      ? html`<dt>${s.reads}</dt><dd><ul class="reads">${c.data.map((n) => html`<li><a href="#data-${n}">${dataLabel(byName.get(n), n)}</a></li>`)}${c.builtIns.map((b) => html`<li>${(BUILT_IN_TEXT[b] ?? { da: b, en: b })[lang]}</li>`)}</ul></dd>`
      : ''}
    ${c.attestations.length ? html`<dt>${s.attestations}</dt><dd><ul class="codes">${c.attestations.map(code)}</ul></dd>` : ''}
    ${c.parts.length ? html`<dt>${s.composition}</dt><dd>${c.parts.map((p, i) => html`${i ? ', ' : ''}<a href="#criterion-${p}">${ids.get(p) ?? p}</a>`)}</dd>` : ''}
    ${d.document ? html`<dt>${s.toDocument}</dt><dd>${d.document[lang]}</dd>` : ''}
    ${d.interpretation ? html`<dt>${s.interpretation}</dt><dd>${d.interpretation[lang]}</dd>` : ''}
    <dt>${s.seed}</dt><dd>${seedCitation(d.seed, lang)}</dd>
  </dl>
  ${d.expression || d.composition
    ? html`<details class="fhirpath"><summary>${s.fhirpath}</summary><pre><code>${d.expression ? d.expression.trim() : JSON.stringify(d.composition)}</code></pre></details>`
    : ''}
</li>`
}

function dataSection (v: IndicationView, lang: WebLanguage): SafeHtml {
  const s = WEB[lang]
  return html`<section class="data"><h2>${s.data}</h2>
<table><thead><tr><th>%</th><th>${s.resource}</th><th>${s.valueSet}</th><th>${s.codes}</th></tr></thead><tbody>
${v.data.map((d) => html`<tr id="data-${d.name}"><td><code>%${d.name}</code></td><td>${d.resourceType}${d.status ? html`<br><small>status: ${d.status.join(', ')}</small>` : ''}</td>
<td>${d.valueSet ? html`${d.valueSet.title}<br><small><code>${d.valueSet.url.split('/').pop() ?? ''}</code></small>` : '—'}</td>
<td>${d.valueSet ? codeList(d.valueSet.codes, d.valueSet.rules) : s.allCodes}</td></tr>`)}
</tbody></table></section>`
}

export function indicationPage (rules: LoadedRules, id: string, lang: WebLanguage, displays?: CodeDisplays): string | undefined {
  const ind = rules.indications.find((i) => i.id === id)
  if (!ind) return undefined
  const s = WEB[lang]
  const v = indicationView(ind, rules, lang, displays)
  const ids = new Map(ind.criteria.map((c) => [c.id, c.text[lang]]))
  const byName = new Map(v.data.map((x) => [x.name, x]))
  const body = html`<p class="crumbs"><a href="${withLang('/', lang)}">← ${s.back}</a></p>
<article class="indication" data-indication="${ind.id}">
<h1>${ind.title[lang]}</h1>
<dl class="facts">
  <dt>${s.groupLabel}</dt><dd>${GROUP_TITLES[ind.group][lang]}</dd>
  <dt>${s.populationLabel}</dt><dd>${s.population[ind.population]}</dd>
  <dt>${s.seed}</dt><dd>${seedCitation(ind.seed, lang)}</dd>
  <dt>NGC</dt><dd><a class="ngc" href="${ind.url}" rel="noopener">${s.ngcLink}</a></dd>
  <dt>${s.matches}</dt><dd>${v.matchData.map((n, i) => html`${i ? ', ' : ''}<a href="#data-${n}">${dataLabel(byName.get(n), n)}</a>`)}</dd>
</dl>
<section><h2>${s.criteria}</h2>
<ol class="criteria">${v.criteria.map((c) => criterionBlock(v, c, lang, ids))}</ol></section>
${dataSection(v, lang)}
${ind.advice?.length ? html`<section><h2>${s.advice}</h2><ul>${ind.advice.map((a) => html`<li>${a.text[lang]} <small>${seedCitation(a.seed, lang)}</small></li>`)}</ul></section>` : ''}
${ind.related?.length ? html`<section><h2>${s.related}</h2><ul>${ind.related.map((r) => html`<li><a href="${withLang(`/criteria/${r.indication}`, lang)}">${rules.indications.find((i) => i.id === r.indication)?.title[lang] ?? r.indication}</a>: ${r.text[lang]}</li>`)}</ul></section>` : ''}
</article>
<p class="version">${s.rulesVersion}: <code>${rules.rulesVersion}</code></p>`
  return page({ lang, title: `${ind.title[lang]} – ${s.siteTitle}`, path: `/criteria/${ind.id}`, body, active: 'criteria' })
}

export function indexPage (rules: LoadedRules, lang: WebLanguage): string {
  const s = WEB[lang]
  const body = html`<h1>${s.siteTitle}</h1>
<p class="intro">${s.intro}</p>
${GROUPS.map((g) => {
  const inds = rules.indications.filter((i) => i.group === g).sort((a, b) => a.title[lang].localeCompare(b.title[lang], lang))
  return html`<section class="group" id="group-${g}"><h2>${GROUP_TITLES[g][lang]}</h2>
${inds.length === 0 ? html`<p>${s.noIndications}</p>` : ''}
${inds.map((ind) => html`<article class="indication-summary" data-indication="${ind.id}">
<h3><a href="${withLang(`/criteria/${ind.id}`, lang)}">${ind.title[lang]}</a></h3>
<p class="meta">${s.population[ind.population]} · <a href="${ind.url}" rel="noopener">NGC</a> · ${s.seed}: ${ind.seed.file} — ${ind.seed.heading}</p>
<details><summary>${s.criteriaCount(ind.criteria.length)}</summary><ul class="criteria-short">${ind.criteria.map((c) => html`<li>${c.text[lang]}${c.required ? '' : html` <span class="badge advisory">${s.advisory}</span>`}</li>`)}</ul></details>
</article>`)}
</section>`
})}
<p class="version">${s.rulesVersion}: <code>${rules.rulesVersion}</code></p>`
  return page({ lang, title: s.siteTitle, path: '/', body, active: 'criteria' })
}
