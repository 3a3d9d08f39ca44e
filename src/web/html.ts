/**
 * Safe-by-default HTML: the `html` tag escapes every interpolated value unless
 * it is already SafeHtml (the result of another `html` call or `raw`). Arrays
 * are joined. Used by every server-rendered page, so patient-supplied and
 * definition text can never become markup.
 */

export class SafeHtml {
  constructor (readonly value: string) {}
  toString (): string { return this.value }
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }

/** Escape text for HTML element content and quoted attribute values. */
export function escapeHtml (value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ESCAPES[c]!)
}

type Interpolated = SafeHtml | string | number | boolean | null | undefined | Interpolated[]

function render (v: Interpolated): string {
  if (v instanceof SafeHtml) return v.value
  if (Array.isArray(v)) return v.map(render).join('')
  if (v === null || v === undefined || v === false) return ''
  return escapeHtml(v)
}

/** Tagged template: `html\`<p>${text}</p>\`` escapes `text`. */
export function html (strings: TemplateStringsArray, ...values: Interpolated[]): SafeHtml {
  let out = strings[0] ?? ''
  values.forEach((v, i) => { out += render(v) + (strings[i + 1] ?? '') })
  return new SafeHtml(out)
}

/** Markup that is trusted as is (constants written in this code base only). */
export function raw (markup: string): SafeHtml { return new SafeHtml(markup) }

/**
 * JSON for a `<script type="application/json">` block: `<`, `>` and `&` are
 * escaped as \u sequences so no value can close the element.
 */
export function jsonForScript (value: unknown): SafeHtml {
  return new SafeHtml(JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`))
}
