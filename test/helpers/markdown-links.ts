/**
 * Relative links in Markdown files: every `[text](target)`, `![alt](target)` and
 * `[label]: target` that is not a URL must name a file or folder that exists, and
 * a `#fragment` must name a heading of the target Markdown file (GitHub's
 * heading ids: lower case, punctuation dropped, spaces to hyphens, repeats
 * numbered) or an explicit `id`/`name` anchor. Code blocks and code spans are
 * not read.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'

/** Folders never searched: dependencies, build and test output, local data. */
const SKIP_DIRS = new Set(['node_modules', 'dist', 'coverage', 'test-artifacts', 'data'])

export function markdownFiles (root: string, dir = root): string[] {
  const out: string[] = []
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name.startsWith('.') || SKIP_DIRS.has(entry.name)) continue
    const path = join(dir, entry.name)
    if (entry.isDirectory()) out.push(...markdownFiles(root, path))
    else if (entry.isFile() && entry.name.toLowerCase().endsWith('.md')) out.push(path)
  }
  return out.sort()
}

/** The text without fenced code blocks and HTML comments (line count kept). */
function withoutBlocks (markdown: string): string {
  const lines = markdown.split('\n')
  let fence: string | undefined
  const kept = lines.map((line) => {
    const m = /^ {0,3}(`{3,}|~{3,})/.exec(line)
    if (fence !== undefined) {
      if (m !== null && m[1][0] === fence[0] && m[1].length >= fence.length) fence = undefined
      return ''
    }
    if (m !== null) { fence = m[1]; return '' }
    return line
  })
  return kept.join('\n').replace(/<!--[\s\S]*?-->/g, (c) => c.replace(/[^\n]/g, ''))
}

/** The text without fenced code blocks, code spans and HTML comments (line count kept). */
export function proseOf (markdown: string): string {
  return withoutBlocks(markdown).replace(/(`+)[^`\n][\s\S]*?\1/g, (c) => c.replace(/[^\n]/g, ' '))
}

/** GitHub's id for a heading's text (github-slugger). */
export function slug (heading: string): string {
  const text = heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1') // links and images: their text
    .replace(/`/g, '')
    .replace(/<[^>]+>/g, '')
  return text.toLowerCase().trim().replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '').replace(/ /g, '-')
}

/** Every anchor a Markdown document defines. */
export function anchorsOf (markdown: string): Set<string> {
  const anchors = new Set<string>()
  const seen = new Map<string, number>()
  for (const line of withoutBlocks(markdown).split('\n')) {
    const h = /^ {0,3}#{1,6}[ \t]+(.*?)[ \t]*#*[ \t]*$/.exec(line)
    if (h !== null) {
      const base = slug(h[1])
      const n = seen.get(base) ?? 0
      seen.set(base, n + 1)
      anchors.add(n === 0 ? base : `${base}-${n}`)
    }
  }
  for (const m of markdown.matchAll(/<a\s[^>]*(?:name|id)="([^"]+)"/g)) anchors.add(m[1])
  return anchors
}

export interface Link { file: string, line: number, target: string }

/** The relative links of one document (URLs with a scheme and protocol-relative ones left out). */
export function linksOf (file: string, markdown: string): Link[] {
  const links: Link[] = []
  proseOf(markdown).split('\n').forEach((text, i) => {
    const found: string[] = []
    for (const m of text.matchAll(/\]\(\s*(<[^>]*>|[^)\s]+)(?:\s+(?:"[^"]*"|'[^']*'))?\s*\)/g)) found.push(m[1])
    const def = /^ {0,3}\[[^\]]+\]:\s*(<[^>]*>|\S+)/.exec(text)
    if (def !== null) found.push(def[1])
    for (let target of found) {
      target = target.replace(/^<|>$/g, '')
      if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('//')) continue
      links.push({ file, line: i + 1, target })
    }
  })
  return links
}

/** Links that do not resolve, as `file:line: target (why)`, paths relative to root. */
export function deadLinks (root: string, files = markdownFiles(root)): string[] {
  const dead: string[] = []
  const anchorCache = new Map<string, Set<string>>()
  const anchors = (path: string): Set<string> => {
    let a = anchorCache.get(path)
    if (a === undefined) { a = anchorsOf(readFileSync(path, 'utf8')); anchorCache.set(path, a) }
    return a
  }
  for (const file of files) {
    for (const link of linksOf(file, readFileSync(file, 'utf8'))) {
      const hash = link.target.indexOf('#')
      const pathPart = decodeURIComponent(hash < 0 ? link.target : link.target.slice(0, hash)).replace(/\?.*$/, '')
      const fragment = hash < 0 ? undefined : decodeURIComponent(link.target.slice(hash + 1))
      const target = pathPart === '' ? file : pathPart.startsWith('/') ? join(root, pathPart) : resolve(dirname(file), pathPart)
      const where = `${relative(root, link.file)}:${link.line}: ${link.target}`
      if (!existsSync(target)) { dead.push(`${where} (no such file)`); continue }
      if (fragment === undefined || fragment === '') continue
      if (statSync(target).isDirectory() || !target.toLowerCase().endsWith('.md')) {
        if (/^L\d+(-L\d+)?$/.test(fragment)) continue // a line of a source file
        dead.push(`${where} (an anchor on a file that has no headings)`)
        continue
      }
      if (!anchors(target).has(fragment)) dead.push(`${where} (no heading with that id)`)
    }
  }
  return dead
}
