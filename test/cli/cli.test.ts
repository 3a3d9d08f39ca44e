/**
 * The CLI as a person runs it: `bin/wgs-cds.js` (what `npx wgs-cds` starts)
 * spawned on fixture bundles — the playground patients, whose outcomes
 * test/web/playground-patients.test.ts pins — checking output and exit codes.
 */
import t from 'tap'
import { spawn } from 'node:child_process'
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parse, stringify } from 'yaml'
import { parseAt, run } from '../../src/cli/main.js'

const BIN = 'bin/wgs-cds.js'
const AT = '2026-11-22'
const fixture = (name: string): string => `examples/patients/playground-${name}.json`

interface Result { code: number | null, stdout: string, stderr: string }

/** The same CLI in this process (spawning costs seconds each; the spawned tests cover the shim and the process). */
function inProcess (args: string[]): Result {
  let stdout = ''
  let stderr = ''
  const code = run(args, { out: (s) => { stdout += s }, err: (s) => { stderr += s }, columns: 400 })
  return { code, stdout, stderr }
}

async function cli (args: string[], opts: { input?: string, env?: Record<string, string> } = {}): Promise<Result> {
  return await new Promise((resolve, reject) => {
    // COLUMNS: wide rows, so a criterion and its evidence stay on one line for the patterns below.
    // NODE_OPTIONS cleared: tap's coverage hooks would make every spawn several times slower.
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, NODE_OPTIONS: '', CARD_LANGUAGE: '', COLUMNS: '400', ...opts.env }, stdio: ['pipe', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString() })
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString() })
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
    child.stdin.end(opts.input ?? '')
  })
}

void t.test('evaluate: exit code per outcome, readable checklist', async (t) => {
  const eligible = await cli(['evaluate', fixture('inherited-thrombocytopenia-eligible'), '--at', AT])
  t.equal(eligible.code, 0, 'eligible → 0')
  t.match(eligible.stdout, /Voksne med arvelige trombocytdefekter, 2a.*\(inherited-thrombocytopenia\)/)
  t.match(eligible.stdout, /OPFYLDT — eligible/)
  t.match(eligible.stdout, /✓\s+Patienten er fyldt 18 år\s+opfyldt\s+Patient · birthDate 1980-03-01/, 'criterion, status and evidence on one row')
  t.match(eligible.stdout, /NPU03568 B—Trombocytter; antalk\. · 88 10\*9\/L · 2015-05-01/, 'evidence with code display, value and date')
  t.equal(eligible.stderr, '')

  const notEligible = await cli(['evaluate', fixture('inherited-thrombocytopenia-not-eligible'), '--at', AT])
  t.equal(notEligible.code, 1, 'not eligible → 1')
  t.match(notEligible.stdout, /✗\s+Intet tidligere normalt trombocyttal/)

  const incomplete = await cli(['evaluate', fixture('inherited-thrombocytopenia-incomplete'), '--at', AT, '--lang', 'en'])
  t.equal(incomplete.code, 2, 'incomplete → 2')
  t.match(incomplete.stdout, /DOCUMENTATION MISSING — incomplete/, 'English with --lang en')
  t.match(incomplete.stdout, /\?\s+The patient is informed.*not documented\s+no data/)
  t.match(incomplete.stdout, /Document to resolve:\n\s+- The patient is informed/)

  const none = await cli(['evaluate', fixture('no-matching-indication'), '--at', AT])
  t.equal(none.code, 3, 'no matching indication → 3')
  t.match(none.stdout, /Ingen NGC-indikation/)
})

void t.test('evaluate --json, --at, standard input and CDS Hooks requests', async (t) => {
  const res = await cli(['evaluate', '-', '--json', '--at', '2026-11-22T08:00:00+01:00'], { input: readFileSync(fixture('sarcoma-eligible'), 'utf8') })
  t.equal(res.code, 0)
  const out = JSON.parse(res.stdout)
  t.equal(out.evaluatedAt, '2026-11-22T07:00:00.000Z', '--at with an offset')
  t.equal(out.status, 'eligible')
  t.equal(out.exitCode, 0)
  t.equal(out.input, 'bundle')
  t.equal(out.indications.find((i: any) => i.indication === 'sarcoma')?.status, 'eligible')
  t.ok(out.indications[0].criteria.every((c: any) => ['met', 'not-met', 'unknown'].includes(c.status) && Array.isArray(c.evidence)), 'criteria with evidence')

  // Far in the future the ECOG is outside the look-back window: --at really is the evaluation time.
  const later = inProcess(['evaluate', fixture('sarcoma-eligible'), '--json', '--at', '2028-01-01'])
  t.equal(JSON.parse(later.stdout).indications.find((i: any) => i.indication === 'sarcoma')?.status, 'incomplete', '--at moves the evaluation time')

  const request = inProcess(['evaluate', 'examples/order-select-inherited-thrombocytopenia.json', '--json', '--at', AT])
  t.equal(request.code, 2, 'a CDS Hooks request is read like the service reads it')
  t.equal(JSON.parse(request.stdout).input, 'cds-request')
})

void t.test('usage and input errors: 64+, with a clear message', async (t) => {
  const cases: Array<{ args: string[], input?: string, code: number, message: RegExp }> = [
    { args: [], code: 64, message: /Usage:/ },
    { args: ['frobnicate'], code: 64, message: /unknown command 'frobnicate'/ },
    { args: ['evaluate'], code: 64, message: /which file/ },
    { args: ['evaluate', fixture('sarcoma-eligible'), '--lang', 'fr'], code: 64, message: /--lang must be da or en/ },
    { args: ['evaluate', fixture('sarcoma-eligible'), '--at', 'tomorrow'], code: 64, message: /--at: 'tomorrow' is not a date/ },
    { args: ['evaluate', fixture('sarcoma-eligible'), '--colour'], code: 64, message: /Unknown option '--colour'/ },
    { args: ['evaluate', 'no/such/file.json'], code: 66, message: /cannot read no\/such\/file\.json: no such file/ },
    { args: ['evaluate', '-'], input: '{ nope', code: 65, message: /- is not valid JSON/ },
    { args: ['evaluate', '-'], input: '{"resourceType":"Observation"}', code: 65, message: /got resourceType Observation/ },
    { args: ['evaluate', '-'], input: '{"resourceType":"Bundle","type":"collection","entry":[]}', code: 65, message: /holds no Patient/ }
  ]
  const dir = mkdtempSync(join(tmpdir(), 'wgs-cli-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  for (const [i, c] of cases.entries()) {
    // Three through the real process (stdin, exit status); the rest in-process, with stdin as a file.
    let res: Result
    if (i < 2 || c.code === 66) res = await cli(c.args, { input: c.input })
    else if (c.input !== undefined) {
      const file = join(dir, `input-${i}.json`)
      writeFileSync(file, c.input)
      res = inProcess(c.args.map((a) => a === '-' ? file : a))
      c.message = new RegExp(c.message.source.replace(/^- /, '\\S+ '))
    } else res = inProcess(c.args)
    t.equal(res.code, c.code, `${c.args.join(' ') || '(no arguments)'} → ${c.code}`)
    t.match(res.stderr, c.message, 'message on stderr')
    t.equal(res.stdout, '', 'nothing on stdout')
  }
})

void t.test('validate: the shipped definitions are valid; every problem is reported with file and path', async (t) => {
  const ok = await cli(['validate'])
  t.equal(ok.code, 0, ok.stdout + ok.stderr)
  t.match(ok.stdout, /^OK: \d+ indications, \d+ ValueSets/)

  const root = mkdtempSync(join(tmpdir(), 'wgs-rules-'))
  t.teardown(() => rmSync(root, { recursive: true, force: true }))
  cpSync('cds-services', join(root, 'cds-services'), { recursive: true })
  cpSync('fhir-profiles', join(root, 'fhir-profiles'), { recursive: true })
  const sarcoma = join(root, 'cds-services/indications/sarcoma.yaml')
  writeFileSync(sarcoma, readFileSync(sarcoma, 'utf8').replace(/^title:/m, 'titel:'))
  writeFileSync(join(root, 'fhir-profiles/valuesets/ValueSet-platelet-count.json'), '{ "resourceType": "ValueSet", ')
  const bad = await cli(['validate', '--rules', root])
  t.equal(bad.code, 1, 'problems → 1')
  t.match(bad.stdout, /problems in /)
  t.match(bad.stdout, /cds-services\/indications\/sarcoma\.yaml \S*: .*title/, 'the indication file, path and message')
  t.match(bad.stdout, /fhir-profiles\/valuesets\/ValueSet-platelet-count\.json \(file\): cannot parse/, 'and the profile, in the same run')
  const json = inProcess(['validate', '--rules', root, '--json'])
  t.equal(JSON.parse(json.stdout).problems.length >= 2, true, '--json lists them too')

  // Schema-valid but not compilable: reported the same way (file, path, message).
  writeFileSync(join(root, 'fhir-profiles/valuesets/ValueSet-platelet-count.json'), readFileSync('fhir-profiles/valuesets/ValueSet-platelet-count.json'))
  // Through the YAML parser, so the edit holds whatever scalar style the rule file uses.
  const rule = parse(readFileSync('cds-services/indications/sarcoma.yaml', 'utf8')) as { matches: string }
  writeFileSync(sarcoma, stringify({ ...rule, matches: `today() and ${rule.matches}` }))
  const compile = inProcess(['validate', '--rules', root])
  t.equal(compile.code, 1)
  t.match(compile.stdout, /cds-services\/indications\/sarcoma\.yaml \/?matches: .*today\(\)/, 'FHIRPath problems name the file and path')

  const evaluate = inProcess(['evaluate', fixture('sarcoma-eligible'), '--rules', root])
  t.equal(evaluate.code, 78, 'evaluate with broken rules → 78')
  t.match(evaluate.stderr, /wgs-cds validate/)
})

void t.test('in-process: --at parsing and help', async (t) => {
  const now = new Date('2026-11-22T10:00:00Z')
  t.equal(parseAt(undefined, now), '2026-11-22T10:00:00.000Z', 'default now')
  t.equal(parseAt('2026-01-02', now), '2026-01-02T12:00:00.000Z', 'a date is noon UTC')
  let out = ''
  t.equal(run(['--help'], { out: (s) => { out += s }, err: () => {} }), 0)
  t.match(out, /evaluate <bundle\.json>/)
})
