/**
 * `npm run docs:config`: regenerate the settings table in docs/configuration.md
 * from SETTINGS. `--check` only reports
 * stale files and exits 1.
 */
import { readFileSync, writeFileSync, existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { withSettingsTable } from '../src/config/settings-doc.js'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const check = process.argv.includes('--check')
let stale = 0
for (const file of ['docs/configuration.md']) {
  const path = `${ROOT}/${file}`
  if (!existsSync(path)) continue
  const text = readFileSync(path, 'utf8')
  const updated = withSettingsTable(text)
  if (updated === undefined || updated === text) continue
  stale++
  if (check) console.log(`${file}: settings table is stale (run npm run docs:config)`)
  else { writeFileSync(path, updated); console.log(`${file}: settings table updated`) }
}
process.exitCode = check && stale ? 1 : 0
