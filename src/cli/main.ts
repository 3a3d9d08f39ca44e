/**
 * `wgs-cds` — the service's rules from the shell (bin/wgs-cds.js runs this):
 *
 *   wgs-cds evaluate <bundle.json> [--json] [--lang da|en] [--at <date>] [--rules <dir>]
 *   wgs-cds validate [--rules <dir>]
 *
 * `evaluate` runs the same engine as the service (loadRulesFor → buildRecord →
 * evaluate, no HTTP) and prints per matching indication the status and the
 * criterion checklist with evidence. Exit codes: 0 eligible, 1 not eligible,
 * 2 incomplete (the best outcome over the matching indications), 3 no
 * matching indication; 64 usage error, 65 the input is not a usable patient
 * record, 66 the input file cannot be read, 78 the rule definitions are invalid.
 * `validate` checks every definition and profile file and lists every problem
 * with file, path and message (exit 0 valid, 1 problems).
 */
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import { loadConfig, ConfigError } from '../config/config.js'
import { loadRulesFor, PACKAGE_VERSION } from '../definitions/rules-for-config.js'
import { DefinitionError, readDefinitions, type LoadedRules } from '../definitions/load.js'
import type { Evidence, IndicationResult } from '../core/types.js'
import { STRINGS, type Language } from '../cards/i18n.js'
import { bestStatus, evaluateInput, InputError, readPatientInput } from './input.js'
import { table } from './table.js'
import { CodeDisplays } from '../web/catalogue-view.js'

export const EXIT = { eligible: 0, 'not-eligible': 1, incomplete: 2, noMatch: 3, usage: 64, dataError: 65, noInput: 66, config: 78 } as const

export interface Io { out: (s: string) => void, err: (s: string) => void, columns?: number, now?: () => Date }

const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url))

const USAGE = `Usage:
  wgs-cds evaluate <bundle.json> [--json] [--lang da|en] [--at <date>] [--rules <dir>]
  wgs-cds validate [--rules <dir>]

evaluate  Evaluate a patient record against every NGC indication, as the service does.
          <bundle.json>: a FHIR Bundle (any type) with one Patient and its resources,
          a Patient, or a CDS Hooks request with prefetch. "-" reads standard input.
          --json        machine-readable output
          --lang en     English text (default Danish, or CARD_LANGUAGE)
          --at <date>   evaluation time: YYYY-MM-DD or an ISO date-time (default: now)
          Exit code: 0 eligible, 1 not eligible, 2 incomplete (best outcome over the
          matching indications), 3 no matching indication, 64+ usage or input error.
validate  Check every definition file (cds-services/) and profile (fhir-profiles/);
          list every problem with file and path. Exit code 0 valid, 1 problems.
          --rules <dir> folder holding cds-services/ and fhir-profiles/
                        (default: RULES_ROOT, else the installed package)
`

class UsageError extends Error {}

function rulesRoot (flag: string | undefined): string {
  return resolve(flag ?? process.env.RULES_ROOT ?? PACKAGE_ROOT)
}

function configFor (root: string): ReturnType<typeof loadConfig> {
  return loadConfig({ ...process.env, RULES_ROOT: root })
}

/** `--at`: a date (noon UTC, so the calendar date is the same across Europe) or an ISO date-time. */
export function parseAt (value: string | undefined, now: Date): string {
  if (value === undefined) return now.toISOString()
  const v = value.trim()
  const date = /^\d{4}-\d{2}-\d{2}$/.test(v) ? `${v}T12:00:00.000Z` : v
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(date) || Number.isNaN(Date.parse(date))) throw new UsageError(`--at: '${value}' is not a date (YYYY-MM-DD) or ISO date-time`)
  return new Date(date).toISOString()
}

function describeEvidence (e: Evidence, displays: CodeDisplays, lang: Language): string {
  const [system, code] = e.code ? [e.code.slice(0, e.code.lastIndexOf('|')), e.code.slice(e.code.lastIndexOf('|') + 1)] : []
  const display = e.display ?? displays.get(system, code, lang)
  const what = code ? `${code}${display ? ` ${display}` : ''}` : display ?? e.resourceType ?? ''
  return [what, e.value, e.date].filter(Boolean).join(' · ')
}

const MARK = { met: '✓', 'not-met': '✗', unknown: '?', 'not-applicable': '–' } as const

function renderText (results: IndicationResult[], lang: Language, meta: { file: string, at: string, rulesVersion: string }, columns: number, displays: CodeDisplays): string {
  const s = STRINGS[lang]
  const head = lang === 'da'
    ? { criterion: 'Kriterium', status: 'Status', evidence: 'Evidens', at: 'Evalueret', file: 'Fil' }
    : { criterion: 'Criterion', status: 'Status', evidence: 'Evidence', at: 'Evaluated', file: 'File' }
  const lines = [`${head.file}: ${meta.file}`, `${head.at}: ${meta.at} · ${s.rulesVersion}: ${meta.rulesVersion}`, '']
  if (results.length === 0) {
    lines.push(s.noMatchSummary, '', s.noMatchDetail)
    return `${lines.join('\n')}\n`
  }
  for (const r of results) {
    lines.push(`${r.title[lang]} (${r.indication})`, `${s.status[r.status].toUpperCase()} — ${r.status}`)
    if (r.paediatricRedirect) lines.push(s.paediatric)
    lines.push('')
    const rows = r.criteria.map((c) => {
      const evidence = c.evidence.length ? [...new Set(c.evidence.map((e) => describeEvidence(e, displays, lang)))].join('; ') : c.reason ?? s.evidenceNone
      return [MARK[c.status], `${c.text[lang]}${c.required ? '' : ` (${s.optional})`}`, s.criterion[c.status], evidence]
    })
    lines.push(table(['', head.criterion, head.status, head.evidence], rows, [1, 56, 18], columns), '')
    const toDocument = r.criteria.filter((c) => c.status === 'unknown' && c.document)
    if (toDocument.length) {
      lines.push(`${s.heading.toDocument}:`)
      for (const c of toDocument) lines.push(`  - ${c.text[lang]}: ${c.document![lang]}`)
      lines.push('')
    }
    if (r.advice.length) {
      lines.push(`${s.heading.advice}:`)
      for (const a of r.advice) lines.push(`  - ${a.text[lang]}`)
      lines.push('')
    }
  }
  return `${lines.join('\n')}\n`
}

function readInputFile (file: string): unknown {
  let text: string
  try {
    text = file === '-' ? readFileSync(0, 'utf8') : readFileSync(file, 'utf8')
  } catch (err) {
    const e = err as NodeJS.ErrnoException
    throw Object.assign(new InputError(`cannot read ${file}: ${e.code === 'ENOENT' ? 'no such file' : e.code === 'EISDIR' ? 'is a directory' : e.message}`), { exit: EXIT.noInput })
  }
  try { return JSON.parse(text) } catch (err) {
    throw new InputError(`${file} is not valid JSON: ${(err as Error).message}`)
  }
}

function evaluateCommand (args: string[], io: Io): number {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { json: { type: 'boolean' }, lang: { type: 'string' }, at: { type: 'string' }, rules: { type: 'string' } } })
  if (positionals.length !== 1) throw new UsageError(positionals.length ? `evaluate takes one file, got ${positionals.length}` : 'evaluate: which file? (a FHIR Bundle JSON, or - for standard input)')
  const lang = (values.lang ?? (process.env.CARD_LANGUAGE || 'da')) as Language
  if (lang !== 'da' && lang !== 'en') throw new UsageError(values.lang === undefined ? `CARD_LANGUAGE must be da or en, not '${lang}'` : `--lang must be da or en, not '${values.lang}'`)
  const at = parseAt(values.at, (io.now ?? (() => new Date()))())
  const file = positionals[0]!
  const doc = readInputFile(file)
  const rules: LoadedRules = loadRulesFor(configFor(rulesRoot(values.rules)))
  const input = readPatientInput(rules, doc)
  const results = evaluateInput(rules, input, at)
  const best = bestStatus(results)
  const code = best === undefined ? EXIT.noMatch : EXIT[best]
  if (values.json) {
    io.out(`${JSON.stringify({ file, evaluatedAt: at, rulesVersion: rules.rulesVersion, input: input.kind, status: best ?? 'no-matching-indication', exitCode: code, indications: results }, null, 2)}\n`)
  } else {
    io.out(renderText(results, lang, { file, at, rulesVersion: rules.rulesVersion }, io.columns ?? 120, new CodeDisplays(rules.valueSets, rules.codeSystems)))
  }
  return code
}

function validateCommand (args: string[], io: Io): number {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { rules: { type: 'string' }, json: { type: 'boolean' } } })
  if (positionals.length) throw new UsageError(`validate takes no files (it checks the folder given by --rules), got: ${positionals.join(' ')}`)
  const root = rulesRoot(values.rules)
  const config = configFor(root)
  const opts = { root, organizationListsFile: config.organizationListsFile, settings: { performanceStatusLookbackDays: config.performanceStatusLookbackDays }, packageVersion: PACKAGE_VERSION }
  // Schema problems in every file first (all of them); only a schema-valid set is compiled (FHIRPath, ValueSets).
  let problems = readDefinitions(opts).problems
  let summary = ''
  if (problems.length === 0) {
    try {
      const rules = loadRulesFor(config)
      summary = `${rules.indications.length} indications, ${rules.valueSets.length} ValueSets, ${rules.codeSystems.length} CodeSystems, ${rules.observationDefinitions.length} ObservationDefinitions; rules version ${rules.rulesVersion}`
    } catch (err) {
      if (!(err instanceof DefinitionError)) throw err
      problems = err.problems
    }
  }
  if (values.json) {
    io.out(`${JSON.stringify({ root, valid: problems.length === 0, problems }, null, 2)}\n`)
  } else if (problems.length) {
    io.out(`${problems.length} problem${problems.length === 1 ? '' : 's'} in ${root}:\n${problems.map((p) => `  ${p.file} ${p.path || '(file)'}: ${p.message}`).join('\n')}\n`)
  } else {
    io.out(`OK: ${summary}\n`)
  }
  return problems.length ? 1 : 0
}

/** Run the CLI; returns the exit code. Never calls process.exit (the caller sets process.exitCode). */
export function run (argv: string[], io: Io): number {
  const [command, ...rest] = argv
  try {
    switch (command) {
      case 'evaluate': return evaluateCommand(rest, io)
      case 'validate': return validateCommand(rest, io)
      case '--version': case '-v': io.out(`${PACKAGE_VERSION}\n`); return 0
      case undefined: io.err(USAGE); return EXIT.usage
      case 'help': case '--help': case '-h': io.out(USAGE); return 0
      default: throw new UsageError(`unknown command '${command}'`)
    }
  } catch (err) {
    if (err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.err(`wgs-cds: ${(err as Error).message}\n\n${USAGE}`)
      return EXIT.usage
    }
    if (err instanceof InputError) { io.err(`wgs-cds: ${err.message}\n`); return (err as InputError & { exit?: number }).exit ?? EXIT.dataError }
    if (err instanceof DefinitionError || err instanceof ConfigError) { io.err(`wgs-cds: ${err.message}\n(run: wgs-cds validate)\n`); return EXIT.config }
    throw err
  }
}

/** Entry point when run as `node dist/cli/main.js` (bin/wgs-cds.js calls run itself). */
export function main (): void {
  process.exitCode = run(process.argv.slice(2), {
    out: (s) => { process.stdout.write(s) },
    err: (s) => { process.stderr.write(s) },
    // A terminal's width; COLUMNS when piped; else 120.
    columns: process.stdout.columns ?? (Number(process.env.COLUMNS) || 120)
  })
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) main()
