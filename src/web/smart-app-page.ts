/**
 * The two pages of the requisition form, a SMART on FHIR app served by the
 * service (routes/smart-app.ts):
 *   /smart/launch.html — the launch page an EHR (or a person, with `?iss=`)
 *                        opens; static/smart/launch.js calls fhirclient's
 *                        `FHIR.oauth2.authorize`;
 *   /smart/            — the app; static/smart/app.js calls `FHIR.oauth2.ready`,
 *                        reads the record, asks POST /evaluate, renders the
 *                        indication's Questionnaire with LHC-Forms (lforms) and
 *                        writes the QuestionnaireResponse back to the FHIR server.
 * No site navigation (the app runs inside the EHR's window), no inline script
 * or style: configuration travels as JSON in a `<script type="application/json">`.
 */
import { html, jsonForScript, type SafeHtml } from './html.js'
import type { WebLanguage } from './i18n.js'
import { SMART_APP_TEXT, type SmartAppText } from './smart-app-text.js'

export const SMART_PREFIX = '/smart'
export const SMART_STATIC = `${SMART_PREFIX}/static`
export const SMART_VENDOR = `${SMART_PREFIX}/vendor`

export interface SmartLaunchConfig {
  clientId: string
  scope: string
  lang: WebLanguage
  text: SmartAppText
}

export interface SmartAppConfig {
  /** The page's language; the one chosen at launch (kept in sessionStorage) wins over it. */
  lang: WebLanguage
  /** Both languages: the redirect after authorisation carries no `lang`. */
  text: Record<WebLanguage, SmartAppText>
  /** Where the app asks for evaluations and Questionnaires (this service; '' = same origin). */
  serviceBase: string
}

/** Scopes asked for: read the patient's record and the user, write the form's answers. */
export const SMART_SCOPE = 'launch launch/patient openid fhirUser patient/*.read patient/QuestionnaireResponse.write user/Practitioner.read user/PractitionerRole.read user/Organization.read'

function frame (lang: WebLanguage, title: string, body: SafeHtml, styles: string[], scripts: Array<{ src: string, module?: boolean }>): string {
  return html`<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<link rel="icon" href="/static/web/favicon.svg" type="image/svg+xml">
${styles.map((href) => html`<link rel="stylesheet" href="${href}">`)}
</head>
<body class="smart">
${body}
${scripts.map((s) => s.module === true ? html`<script type="module" src="${s.src}"></script>` : html`<script src="${s.src}"></script>`)}
</body>
</html>
`.value
}

export function smartLaunchPage (config: SmartLaunchConfig): string {
  const t = config.text
  const body = html`<main class="smart-app">
<h1>${t.title}</h1>
<p id="launch-status" role="status">${t.launching}</p>
<script type="application/json" id="smart-config">${jsonForScript(config)}</script>
</main>`
  return frame(config.lang, t.title, body, [`${SMART_STATIC}/smart.css`], [{ src: `${SMART_VENDOR}/fhir-client.js` }, { src: `${SMART_STATIC}/launch.js`, module: true }])
}

export function smartAppPage (config: SmartAppConfig, vendor: { scripts: string[], styles: string[] }): string {
  const t = config.text[config.lang]
  const body = html`<main class="smart-app">
<script type="application/json" id="smart-config">${jsonForScript(config)}</script>
<header class="smart-head">
  <h1 id="app-title">${t.title}</h1>
  <dl id="context" class="context"></dl>
</header>
<section id="verdict" class="verdict" aria-live="polite" hidden></section>
<p id="app-status" class="status" role="status">${t.loading}</p>
<p id="app-warning" class="warning" role="alert" hidden></p>
<section id="form-section" hidden>
  <p class="intro" id="form-intro">${t.formIntro}</p>
  <div id="form-container"></div>
  <p class="actions"><button type="button" id="submit-answers">${t.submit}</button></p>
</section>
<section id="others" hidden></section>
</main>`
  return frame(config.lang, t.title, body, [...vendor.styles, `${SMART_STATIC}/smart.css`], [
    ...vendor.scripts.map((src) => ({ src })),
    { src: `${SMART_VENDOR}/fhir-client.js` },
    { src: `${SMART_STATIC}/app.js`, module: true }
  ])
}

export function smartText (lang: WebLanguage): SmartAppText {
  return SMART_APP_TEXT[lang]
}

export const SMART_TEXTS: Record<WebLanguage, SmartAppText> = SMART_APP_TEXT
