/**
 * An invalid definition stops start-up with the file, the JSON path and the
 * message — every problem at once — and the real server process exits 1.
 */
import t from 'tap'
import { cpSync, readFileSync, writeFileSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { spawnSync } from 'node:child_process'
import { parse, stringify } from 'yaml'
import { loadRules, DefinitionError } from '../../src/definitions/load.js'

function copyRules (): string {
  const dir = mkdtempSync(join(tmpdir(), 'wgs-rules-'))
  cpSync('cds-services', join(dir, 'cds-services'), { recursive: true })
  cpSync('fhir-profiles', join(dir, 'fhir-profiles'), { recursive: true })
  return dir
}

const settings = { performanceStatusLookbackDays: 90 }
const ITP = 'cds-services/indications/inherited-thrombocytopenia.yaml'

function problemsOf (fn: () => unknown): Array<{ file: string, path: string, message: string }> {
  try { fn() } catch (err) { if (err instanceof DefinitionError) return err.problems; throw err }
  return []
}

void t.test('schema violations are reported with file and path, all at once', async (t) => {
  const root = copyRules()
  const doc = parse(readFileSync(join(root, ITP), 'utf8'))
  delete doc.criteria[1].seed
  doc.criteria[2].required = 'yes'
  doc.population = 'everyone'
  writeFileSync(join(root, ITP), stringify(doc))
  const problems = problemsOf(() => loadRules({ root, settings, packageVersion: '0.0.0' }))
  t.ok(problems.length >= 3, `${problems.length} problems reported`)
  t.ok(problems.every((p) => p.file === ITP), 'each names the file')
  t.ok(problems.some((p) => p.path === '/criteria/1' && /seed/.test(p.message)), 'missing seed at /criteria/1')
  t.ok(problems.some((p) => p.path === '/criteria/2/required'), 'wrong type at /criteria/2/required')
  t.ok(problems.some((p) => p.path === '/population'), 'bad enum at /population')
})

void t.test('a FHIRPath that does not compile names the indication and criterion', async (t) => {
  const root = copyRules()
  const doc = parse(readFileSync(join(root, ITP), 'utf8'))
  doc.criteria[1].expression = '%ageYears >= '
  writeFileSync(join(root, ITP), stringify(doc))
  const [p] = problemsOf(() => loadRules({ root, settings, packageVersion: '0.0.0' }))
  t.equal(p?.file, ITP)
  t.equal(p?.path, 'criteria[1].expression')
  t.match(p?.message, /does not compile/)
})

void t.test('a file name that is not the id, and an unparsable file', async (t) => {
  const root = copyRules()
  writeFileSync(join(root, 'cds-services/indications/renamed.yaml'), readFileSync(join(root, ITP)))
  writeFileSync(join(root, 'fhir-profiles/valuesets/ValueSet-broken.json'), '{ not json')
  const problems = problemsOf(() => loadRules({ root, settings, packageVersion: '0.0.0' }))
  t.ok(problems.some((p) => p.file.endsWith('renamed.yaml') && /file name must equal/.test(p.message)))
  t.ok(problems.some((p) => p.file.endsWith('ValueSet-broken.json') && /cannot parse/.test(p.message)))
})

void t.test('the server process refuses to start on an invalid definition', async (t) => {
  const root = copyRules()
  const doc = parse(readFileSync(join(root, ITP), 'utf8'))
  doc.criteria[0].text = { da: 'kun dansk' }
  writeFileSync(join(root, ITP), stringify(doc))
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/server.ts'], { env: { ...process.env, RULES_ROOT: root, PORT: '0', LOG_LEVEL: 'silent' }, encoding: 'utf8', timeout: 60_000 })
  t.equal(run.status, 1, 'exit code 1')
  t.match(run.stderr, ITP, 'stderr names the file')
  t.match(run.stderr, '/criteria/0/text', 'and the path')
  t.match(run.stderr, /en/, 'and the problem')
})
