/**
 * Start-up cache of parsed, schema-valid definition files. Parsing YAML and
 * validating it costs about a third of start-up; the result depends only on
 * the file's bytes and the schemas, so it is stored under a SHA-256 of both
 * (`dist/rules-parse-cache.json`, written by `npm run build` and refreshed by
 * any successful load). A changed file or schema misses the cache and is
 * parsed and validated as usual; only valid documents are ever cached.
 * Writing is best-effort (a read-only container filesystem just skips it).
 */
import { createHash } from 'node:crypto'
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'

export interface ParseCache {
  get: (key: string) => unknown
  set: (key: string, doc: unknown) => void
  /** Persist when something changed; returns whether a file was written. */
  save: () => boolean
}

export function cacheKey (schemaDigest: string, file: string, text: string): string {
  return createHash('sha256').update(schemaDigest).update('\0').update(file).update('\0').update(text).digest('hex')
}

export function openParseCache (path: string): ParseCache {
  let entries: Record<string, unknown> = {}
  try { entries = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown> } catch { entries = {} }
  const used: Record<string, unknown> = {}
  let changed = false
  return {
    get: (key) => {
      if (!(key in entries)) return undefined
      used[key] = entries[key]
      return structuredClone(entries[key])
    },
    set: (key, doc) => { used[key] = doc; changed = true },
    save: () => {
      // Keep exactly the entries of this load, so the file never grows with stale versions.
      if (!changed && Object.keys(used).length === Object.keys(entries).length) return false
      try {
        mkdirSync(dirname(path), { recursive: true })
        // Write then rename: a concurrent reader sees the old or the new file, never half of one.
        const tmp = `${path}.${process.pid}.tmp`
        writeFileSync(tmp, JSON.stringify(used))
        renameSync(tmp, path)
        return true
      } catch { return false }
    }
  }
}
