/**
 * Run after `tsc` by `npm run build`: load (and so validate and compile) the
 * rules once, which writes dist/rules-parse-cache.json for a fast start-up.
 * A rule error fails the build with file, path and message.
 */
import { loadConfig } from '../config/config.js'
import { loadRulesFor } from './rules-for-config.js'

const rules = loadRulesFor(loadConfig({}))
const { compiledExpressions, referenceOnly } = rules.catalogue
process.stdout.write(`rules ${rules.rulesVersion}: ${rules.indications.length} indications validated and compiled; ` +
  `${compiledExpressions} FHIRPath expressions compiled to closures, ${referenceOnly.length} run by fhirpath.js\n`)
for (const r of referenceOnly) process.stdout.write(`  fhirpath.js: ${r.indication} ${r.path} (${r.reason})\n`)
