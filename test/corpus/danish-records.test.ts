/**
 * The Danish-record corpus (test/fixtures/danish-records/): realistic patient
 * records coded as Danish hospital systems code them (SKS, NPU, SOR, SNOMED CT,
 * mCODE), written from the seeds and from Danish coding practice — not from
 * this service's rules or ValueSets. Each file states the verdict the seed
 * gives per indication; this test posts every record over HTTP and checks the
 * card extension's machine-readable result against it, and that indications
 * listed under `absent` produce no card.
 */
import t from 'tap'
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { buildTestApp, postHook, resultFor } from '../helpers/app.js'

const DIR = 'test/fixtures/danish-records'
/** The seed documents the records are written from (NGC's Danish documents; they live outside this repository). */
const SEEDS = new Set(['000_6087517ef50949d1.txt', '002_721ade61daf9160f.txt', '003_4a7870b025bb9192.txt'])
const VERDICTS = new Set(['eligible', 'not-eligible', 'incomplete'])

interface CodeEntry { system: string, code: string, display?: string, source: string }
interface Fixture {
  description: string
  seed: { file: string, heading: string }
  codes: CodeEntry[]
  expected: Record<string, string | string[]> & { absent?: string[] }
  /** The lead's decision where the service's reading departs from the record writer's expectation: the verdict the service gives, and why (seed words). */
  decisions?: Record<string, { verdict: string, why: string }>
  request: Record<string, unknown>
}

/** Every Coding (and SOR identifier) in a request, as `system|code`. */
function codesIn (node: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(node)) { for (const n of node) codesIn(n, out); return out }
  if (node === null || typeof node !== 'object') return out
  const o = node as Record<string, unknown>
  if (typeof o.system === 'string' && (typeof o.code === 'string' || typeof o.value === 'string')) out.add(`${o.system}|${String(o.code ?? o.value)}`)
  for (const v of Object.values(o)) codesIn(v, out)
  return out
}

/** FHIR-core code systems whose codes are structural, not clinical content. */
const STRUCTURAL = [
  'http://terminology.hl7.org/CodeSystem/condition-clinical', 'http://terminology.hl7.org/CodeSystem/condition-ver-status',
  'http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation', 'http://terminology.hl7.org/CodeSystem/observation-category',
  'http://terminology.hl7.org/CodeSystem/v2-0074', 'http://terminology.hl7.org/CodeSystem/condition-category',
  'http://hl7.org/fhir/administrative-gender', 'http://terminology.hl7.org/CodeSystem/consentscope', 'http://unitsofmeasure.org'
]

const files = readdirSync(DIR).filter((f) => f.endsWith('.json')).sort()
const fixtures = files.map((f) => ({ name: f.replace(/\.json$/, ''), data: JSON.parse(readFileSync(join(DIR, f), 'utf8')) as Fixture }))

void t.test('the corpus is well formed', async (t) => {
  t.ok(fixtures.length >= 33, `at least three records per indication (found ${fixtures.length})`)
  const perIndication = new Map<string, Set<string>>()
  for (const { name, data } of fixtures) {
    t.ok(data.description.length > 20, `${name}: has a description`)
    t.ok(SEEDS.has(data.seed.file), `${name}: cites a seed document (${data.seed.file})`)
    t.ok(data.seed.heading.length > 0, `${name}: cites the seed's Danish heading`)
    const listed = new Set(data.codes.map((c) => `${c.system}|${c.code}`))
    t.same(data.codes.filter((c) => c.source.length < 10).map((c) => c.code), [], `${name}: every listed code says where it was verified`)
    const unlisted = [...codesIn(data.request)].filter((key) => !STRUCTURAL.some((s) => key.startsWith(s + '|')) && !listed.has(key))
    t.same(unlisted, [], `${name}: every code in the request is listed with its source`)
    for (const [indication, verdict] of Object.entries(data.expected)) {
      if (indication === 'absent') continue
      t.ok(VERDICTS.has(verdict as string), `${name}: ${indication} expects a known verdict`)
      const set = perIndication.get(indication) ?? new Set<string>()
      set.add(verdict as string)
      perIndication.set(indication, set)
    }
  }
  for (const [indication, verdicts] of perIndication) {
    t.same([...verdicts].sort(), [...VERDICTS].sort(), `${indication}: an eligible, a not-eligible and an incomplete record`)
  }
})

void t.test('every record gets the verdict its seed gives', async (t) => {
  const app = await buildTestApp(t)
  for (const { name, data } of fixtures) {
    await t.test(name, async (t) => {
      const res = await postHook(app, data.request)
      t.equal(res.status, 200, 'HTTP 200')
      for (const [indication, verdict] of Object.entries(data.expected)) {
        if (indication === 'absent') continue
        const result = resultFor(res.body, indication)
        const decision = data.decisions?.[indication]
        if (decision !== undefined) t.ok(decision.why.length > 40, `${indication}: the decision to expect ${decision.verdict} instead of ${String(verdict)} says why`)
        const wanted = decision?.verdict ?? verdict
        t.equal(result?.status, wanted, `${indication}: ${String(wanted)}${decision ? ` (decided; the record's writer expected ${String(verdict)})` : ''}`, {
          notMetOrUnknown: result?.criteria.filter((c) => c.status !== 'met').map((c) => `${c.id}=${c.status}`)
        })
      }
      for (const indication of data.expected.absent ?? []) {
        t.equal(resultFor(res.body, indication), undefined, `${indication}: no card`)
      }
    })
  }
})
