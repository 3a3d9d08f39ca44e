/** Types of markdown.js (a plain browser ES module, also imported by the Node tests). */
export function escapeHtml (s: string): string
export function inline (text: string): string
export function renderMarkdown (markdown: string): string
