/**
 * `npm run catalogue`: regenerate docs/criteria-catalogue.md from the
 * definitions. `--check` exits 1 when the file is stale (used by the test).
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { loadConfig } from '../src/config/config.js'
import { loadRulesFor } from '../src/definitions/rules-for-config.js'
import { catalogueMarkdown } from '../src/catalogue/markdown.js'

export const CATALOGUE_PATH = 'docs/criteria-catalogue.md'

const text = catalogueMarkdown(loadRulesFor(loadConfig({})))
if (process.argv.includes('--check')) {
  let current = ''
  try { current = readFileSync(CATALOGUE_PATH, 'utf8') } catch { /* missing counts as stale */ }
  if (current !== text) {
    console.error(`${CATALOGUE_PATH} is stale: run npm run catalogue`)
    process.exit(1)
  }
} else {
  writeFileSync(CATALOGUE_PATH, text)
  console.log(`wrote ${CATALOGUE_PATH} (${text.length} characters)`)
}
