/**
 * Run after `tsc` by `npm run build`: load (and so validate and compile) the
 * rules once, which writes dist/rules-parse-cache.json for a fast start-up.
 * A rule error fails the build with file, path and message.
 */
import { loadConfig } from '../config/config.js'
import { loadRulesFor } from '../http/build.js'

const rules = loadRulesFor(loadConfig({}))
process.stdout.write(`rules ${rules.rulesVersion}: ${rules.indications.length} indications validated and compiled\n`)
