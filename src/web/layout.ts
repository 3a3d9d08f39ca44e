/**
 * The page frame shared by the criteria browser and the playground: one
 * same-origin stylesheet, no external resources (the pages must work offline
 * inside a hospital network), no inline script or style (so a strict
 * Content-Security-Policy can be set in front of them).
 */
import { html, type SafeHtml } from './html.js'
import { WEB, type WebLanguage } from './i18n.js'

export const STATIC_PREFIX = '/static/web'

export interface PageOptions {
  lang: WebLanguage
  title: string
  /** Path of this page without the query, for the language switch. */
  path: string
  body: SafeHtml
  /** Extra same-origin module scripts. */
  scripts?: string[]
  active: 'criteria' | 'playground' | 'reports'
}

export function withLang (path: string, lang: WebLanguage): string {
  return lang === 'en' ? `${path}${path.includes('?') ? '&' : '?'}lang=en` : path
}

export function page (o: PageOptions): string {
  const s = WEB[o.lang]
  const other: WebLanguage = o.lang === 'da' ? 'en' : 'da'
  return html`<!doctype html>
<html lang="${o.lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${o.title}</title>
<link rel="icon" href="${STATIC_PREFIX}/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="${STATIC_PREFIX}/web.css">
${(o.scripts ?? []).map((src) => html`<script type="module" src="${src}"></script>`)}
</head>
<body>
<header class="site">
  <a class="brand" href="${withLang('/', o.lang)}">${s.siteTitle}</a>
  <nav>
    <a href="${withLang('/', o.lang)}"${o.active === 'criteria' ? html` aria-current="page"` : ''}>${s.navCriteria}</a>
    <a href="${withLang('/playground', o.lang)}"${o.active === 'playground' ? html` aria-current="page"` : ''}>${s.navPlayground}</a>
    <a class="lang" id="lang-switch" hreflang="${other}" href="${withLang(o.path, other)}">${s.switchTo}</a>
  </nav>
</header>
<main>
${o.body}
</main>
</body>
</html>
`.value
}
