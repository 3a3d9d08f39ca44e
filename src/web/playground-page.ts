/**
 * The playground: a minimal CDS client in the browser (like the public CDS
 * Hooks sandbox, but self-contained). This renders the static frame and a
 * JSON configuration block — the service id and hooks, which resource types
 * each prefetch key carries, the bundled patients, code display names and the
 * UI text; src/web/static/playground.js does the rest with DOM APIs only
 * (textContent, never innerHTML for data), so a pasted bundle cannot inject markup.
 * Cards come first, as an EHR shows them; their Markdown is rendered by
 * markdown-it (raw HTML off, http(s) and same-origin links only:
 * static/card-markdown.js). A card's smart link opens the requisition form
 * (/smart/, the SMART app) in a dialog on the playground's record.
 */
import type { LoadedRules } from '../definitions/load.js'
import type { CodeDisplays } from './catalogue-view.js'
import type { DemoPatient } from './demo-patients.js'
import { html, jsonForScript } from './html.js'
import { PLAYGROUND_TEXT } from './playground-text.js'
import { page, STATIC_PREFIX } from './layout.js'
import type { WebLanguage } from './i18n.js'

export interface PlaygroundConfig {
  serviceId: string
  hooks: string[]
  /** Prefetch key → resource types it carries (from cds-services/wgs-eligibility.yaml). */
  prefetch: Record<string, string[]>
  patients: DemoPatient[]
  indications: Record<string, { da: string, en: string }>
  displays: Record<string, string>
  lang: WebLanguage
  text: (typeof PLAYGROUND_TEXT)[WebLanguage]
}

export function playgroundConfig (rules: LoadedRules, patients: DemoPatient[], displays: CodeDisplays, lang: WebLanguage): PlaygroundConfig {
  return {
    serviceId: rules.service.id,
    hooks: [...rules.service.hooks],
    prefetch: Object.fromEntries(Object.entries(rules.service.prefetch).map(([k, v]) => [k, v.resourceTypes])),
    patients,
    indications: Object.fromEntries(rules.indications.map((i) => [i.id, i.title])),
    displays: displays.toJSON(),
    lang,
    text: PLAYGROUND_TEXT[lang]
  }
}

export function playgroundPage (config: PlaygroundConfig): string {
  const t = config.text
  const body = html`<h1>${t.title}</h1>
<p class="intro">${t.intro}</p>
<script type="application/json" id="playground-config">${jsonForScript(config)}</script>
<div class="playground">
  <section class="panel wide" id="controls">
    <div class="controls-row">
      <label for="patient-select">${t.pick}</label>
      <select id="patient-select"><option value="">${t.pickPlaceholder}</option></select>
      <span class="actions">
        <button type="button" id="run-select" disabled>${t.select}</button>
        <button type="button" id="run-sign" disabled>${t.sign}</button>
      </span>
    </div>
    <details id="paste">
      <summary>${t.paste}</summary>
      <textarea id="bundle-input" rows="8" spellcheck="false" placeholder='{"resourceType": "Bundle", "entry": [...]}'></textarea>
      <button type="button" id="use-bundle">${t.useBundle}</button>
    </details>
    <p id="patient-error" class="error" role="alert" hidden></p>
    <p id="call-status" class="status" role="status"></p>
  </section>
  <section class="panel wide" id="cards-panel">
    <h2>${t.cards}</h2>
    <div id="cards"></div>
    <p id="feedback-status" class="status" role="status"></p>
  </section>
  <section class="panel" id="patient-panel">
    <h2>${t.patient}</h2>
    <div id="patient-summary" aria-live="polite"></div>
  </section>
  <section class="panel" id="order-panel">
    <h2>${t.order}</h2>
    <pre id="draft-order" class="json"></pre>
  </section>
  <section class="panel wide" id="raw-panel">
    <h2>${t.raw}</h2>
    <details open><summary>${t.rawRequest}</summary><pre id="raw-request" class="json"></pre></details>
    <details open><summary>${t.rawResponse}</summary><pre id="raw-response" class="json"></pre></details>
    <details><summary>${t.rawFeedback}</summary><pre id="raw-feedback" class="json"></pre></details>
  </section>
</div>
<dialog id="form-dialog" aria-labelledby="form-dialog-title">
  <div class="dialog-head"><h2 id="form-dialog-title">${t.formTitle}</h2><button type="button" id="form-close">${t.close}</button></div>
  <iframe id="form-frame" title="${t.formTitle}"></iframe>
</dialog>`
  return page({ lang: config.lang, title: `${t.title} – WGS`, path: '/playground', body, scripts: [`${STATIC_PREFIX}/playground.js`], active: 'playground' })
}
