/**
 * `npm run playground:patients`: write examples/patients/playground-*.json,
 * the playground's synthetic patients (scripts/playground-patients.ts), as
 * FHIR collection Bundles. Each is evaluated with the real engine at
 * REFERENCE_DATE first: a patient whose outcome differs from its label stops
 * the script, so a file can never claim an outcome it does not have. Patients
 * of indications that have no definition file (yet) are skipped; stale
 * playground files are removed. Other files in examples/patients/ are left alone.
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { loadConfig } from '../src/config/config.js'
import { loadRulesFor } from '../src/definitions/rules-for-config.js'
import { evaluateInput, readPatientInput } from '../src/cli/input.js'
import { PLAYGROUND_PREFIX, TAG_DESCRIPTION, TAG_INDICATION, TAG_OUTCOME } from '../src/web/demo-patients.js'
import { playgroundPatientSpecs, REFERENCE_DATE, type PatientSpec } from './playground-patients.js'

const DIR = 'examples/patients'

function bundleOf (spec: PatientSpec): Record<string, unknown> {
  return {
    resourceType: 'Bundle',
    type: 'collection',
    timestamp: REFERENCE_DATE,
    meta: {
      tag: [
        { system: TAG_INDICATION, code: spec.indication ?? 'none' },
        { system: TAG_OUTCOME, code: spec.outcome },
        { system: TAG_DESCRIPTION, code: 'da', display: spec.description.da },
        { system: TAG_DESCRIPTION, code: 'en', display: spec.description.en }
      ]
    },
    entry: [spec.patient, ...spec.resources].map((resource) => ({ fullUrl: `urn:uuid:${String(resource.resourceType)}-${String(resource.id)}`, resource }))
  }
}

export function fileNameOf (spec: PatientSpec): string {
  return spec.indication ? `${PLAYGROUND_PREFIX}${spec.indication}-${spec.outcome}.json` : `${PLAYGROUND_PREFIX}no-matching-indication.json`
}

const rules = loadRulesFor(loadConfig({}))
const known = new Set(rules.indications.map((i) => i.id))
const problems: string[] = []
const written = new Set<string>()
mkdirSync(DIR, { recursive: true })
for (const spec of playgroundPatientSpecs()) {
  if (spec.indication && !known.has(spec.indication)) {
    console.log(`skip ${fileNameOf(spec)}: no definition for ${spec.indication}`)
    continue
  }
  const bundle = bundleOf(spec)
  const results = evaluateInput(rules, readPatientInput(rules, bundle), REFERENCE_DATE)
  const actual = spec.indication ? results.find((r) => r.indication === spec.indication)?.status ?? 'no card' : results.length ? `matches ${results.map((r) => r.indication).join(', ')}` : 'no-matching-indication'
  if (actual !== spec.outcome) {
    const failed = results.find((r) => r.indication === spec.indication)?.criteria.filter((c) => c.required && c.status !== 'met').map((c) => `${c.id}=${c.status}`) ?? []
    problems.push(`${fileNameOf(spec)}: labelled ${spec.outcome} but is ${actual} ${failed.join(' ')}`)
    continue
  }
  writeFileSync(join(DIR, fileNameOf(spec)), `${JSON.stringify(bundle, null, 2)}\n`)
  written.add(fileNameOf(spec))
}
for (const name of readdirSync(DIR)) {
  if (name.startsWith(PLAYGROUND_PREFIX) && name.endsWith('.json') && !written.has(name)) rmSync(join(DIR, name))
}
const missing = [...known].filter((id) => ![...written].some((f) => f.startsWith(`${PLAYGROUND_PREFIX}${id}-`)))
if (missing.length) problems.push(`indications without a playground patient (add them to scripts/playground-patients.ts): ${missing.join(', ')}`)
console.log(`wrote ${written.size} playground patients to ${DIR}/`)
if (problems.length) {
  console.error(problems.join('\n'))
  process.exit(1)
}
