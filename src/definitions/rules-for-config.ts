/**
 * The rules as configured: the one call that loads and compiles the catalogue
 * for the server (src/http/build.ts), every evaluation thread
 * (src/evaluation-pool/worker.ts), the CLI and the start-up cache warmer.
 * Kept out of src/http/ so that an evaluation thread does not load the HTTP
 * stack to get its rules.
 */
import { resolve } from 'node:path'
import { readFileSync } from 'node:fs'
import type { Config } from '../config/config.js'
import { loadRules, type LoadOptions, type LoadedRules } from './load.js'

const packageJson = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
export const PACKAGE_VERSION = packageJson.version

export function loadRulesFor (config: Readonly<Config>, onMismatch?: LoadOptions['onMismatch']): LoadedRules {
  return loadRules({
    root: resolve(config.rulesRoot),
    organizationListsFile: config.organizationListsFile,
    settings: { performanceStatusLookbackDays: config.performanceStatusLookbackDays },
    packageVersion: PACKAGE_VERSION,
    engine: config.fhirpathEngine,
    onMismatch
  })
}
