/**
 * `npm run questionnaires`: write the requisition forms, one FHIR R4 Questionnaire per indication
 * (src/core/questionnaire.ts), to fhir-profiles/questionnaires/. `--check` exits 1 when a file is
 * not what the rules give (test/questionnaires/drift.test.ts runs the same comparison).
 */
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { loadConfig } from '../src/config/config.js'
import { loadRulesFor } from '../src/definitions/rules-for-config.js'
import type { LoadedRules } from '../src/definitions/load.js'
import { questionnaires } from '../src/core/questionnaire.js'

export const QUESTIONNAIRE_DIR = 'fhir-profiles/questionnaires'

/** File name → contents, for the rules given (the shipped ones by default). */
export function questionnaireFiles (rules: LoadedRules = loadRulesFor(loadConfig({}))): Map<string, string> {
  return new Map(questionnaires(rules.indications, rules.codeSystems, rules.rulesVersion)
    .map((q) => [`Questionnaire-${String(q.id)}.json`, `${JSON.stringify(q, null, 2)}\n`]))
}

/** Names of files missing, different or not generated at all. */
export function staleFiles (dir = QUESTIONNAIRE_DIR, files = questionnaireFiles()): string[] {
  const present = (() => { try { return readdirSync(dir).filter((f) => f.endsWith('.json')) } catch { return [] } })()
  const stale = [...files].filter(([name, text]) => {
    try { return readFileSync(join(dir, name), 'utf8') !== text } catch { return true }
  }).map(([name]) => name)
  return [...stale, ...present.filter((f) => !files.has(f))]
}

if (process.argv[1]?.endsWith('make-questionnaires.ts')) {
  const files = questionnaireFiles()
  if (process.argv.includes('--check')) {
    const stale = staleFiles(QUESTIONNAIRE_DIR, files)
    if (stale.length) {
      console.error(`${QUESTIONNAIRE_DIR} is not current (${stale.join(', ')}): run npm run questionnaires`)
      process.exit(1)
    }
  } else {
    mkdirSync(QUESTIONNAIRE_DIR, { recursive: true })
    for (const f of readdirSync(QUESTIONNAIRE_DIR)) if (f.endsWith('.json') && !files.has(f)) console.warn(`not generated (remove it): ${join(QUESTIONNAIRE_DIR, f)}`)
    for (const [name, text] of files) writeFileSync(join(QUESTIONNAIRE_DIR, name), text)
    console.log(`wrote ${files.size} Questionnaires to ${QUESTIONNAIRE_DIR}`)
  }
}
