/** Types of card-markdown.js (a plain browser ES module, also imported by the Node tests). */
export function cardMarkdownRenderer (markdownit: (options: object) => unknown): (markdown: string) => string
