// Card `detail` Markdown for the playground, rendered with markdown-it
// (CommonMark with GitHub tables): raw HTML in the text is not rendered (it
// stays text), images are off, links are kept for http(s) and same-origin paths only and open
// in a new window. The markdown-it constructor is passed in: the browser loads
// the package's browser module (served as markdown-it.js), Node tests import
// the package.

/** @param {string} url */
function safeLink (url) {
  return /^(https?:\/\/|\/(?!\/))/i.test(String(url).trim())
}

/**
 * @param {(options: object) => any} markdownit
 * @returns {(markdown: string) => string}
 */
export function cardMarkdownRenderer (markdownit) {
  const md = markdownit({ html: false, linkify: false, typographer: false })
  md.validateLink = safeLink
  // Images would load from wherever the text points; cards do not carry any.
  md.disable('image')
  const link = md.renderer.rules.link_open ?? ((tokens, idx, options, _env, self) => self.renderToken(tokens, idx, options))
  md.renderer.rules.link_open = (tokens, idx, options, env, self) => {
    tokens[idx].attrSet('target', '_blank')
    tokens[idx].attrSet('rel', 'noopener noreferrer')
    return link(tokens, idx, options, env, self)
  }
  return (markdown) => md.render(String(markdown ?? ''))
}
