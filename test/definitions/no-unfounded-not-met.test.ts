/**
 * Issue 13 §1: `not-met` only from positive evidence. Every patient record in the repository — the
 * example request, the playground patients (examples/patients), every JSON fixture under
 * test/fixtures/ (the Danish-record corpus among them: bundles, patients or CDS Hooks requests, bare
 * or under `request`) — is evaluated with the shipped rules, and no criterion may be `not-met`
 * without evidence, nor may a card show ✗ beside "ingen data" / "no data". The scenarios of
 * test/indications/ are checked the same way by their runner (test/helpers/scenarios.ts), on
 * every card of every scenario's HTTP answer.
 */
import t from 'tap'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { NOW, testRules } from '../helpers/app.js'
import { evaluateInput, readPatientInput } from '../../src/cli/input.js'
import { renderCards } from '../../src/cards/render.js'
import type { IndicationResult } from '../../src/core/types.js'

interface Record_ { file: string, doc: unknown, at: string }

function jsonFiles (dir: string): string[] {
  let names: string[]
  try { names = readdirSync(dir) } catch { return [] }
  return names.flatMap((n) => {
    const path = join(dir, n)
    if (statSync(path).isDirectory()) return jsonFiles(path)
    return n.endsWith('.json') ? [path] : []
  })
}

/** The patient record a JSON file holds, if any: a Bundle, a Patient, a CDS Hooks request, or one under `request`. */
function recordOf (file: string): Record_ | undefined {
  const json = JSON.parse(readFileSync(file, 'utf8')) as Record<string, any>
  const doc = json.request && typeof json.request === 'object' ? json.request : json
  const isRecord = (typeof doc.hook === 'string' && doc.context) || doc.resourceType === 'Bundle' || doc.resourceType === 'Patient'
  if (!isRecord) return undefined
  // Playground bundles are written relative to their timestamp; everything else to the tests' fixed time.
  const at = doc.resourceType === 'Bundle' && typeof doc.timestamp === 'string' && file.includes('examples/patients') ? doc.timestamp : NOW
  return { file, doc, at }
}

const records = [...jsonFiles('examples'), ...jsonFiles('test/fixtures')].map(recordOf).filter((r): r is Record_ => r !== undefined)

/** Every criterion result that says `not-met` without evidence, as `indication/criterion`. */
function unfoundedNotMet (results: IndicationResult[]): string[] {
  return results.flatMap((r) => r.criteria.filter((c) => c.status === 'not-met' && c.evidence.length === 0).map((c) => `${r.indication}/${c.id}`))
}

void t.test('the repository holds the records this test is about', async (t) => {
  t.ok(records.filter((r) => r.file.includes('examples/patients')).length >= 20, 'the playground patients')
  t.ok(records.some((r) => r.file === join('examples', 'order-select-inherited-thrombocytopenia.json')), 'the example request')
  const corpus = jsonFiles('test/fixtures/danish-records').length
  t.equal(records.filter((r) => r.file.includes('danish-records')).length, corpus, 'every Danish-corpus file is a record')
})

void t.test('no not-met criterion without evidence, and no ✗ with "no data", in any record', async (t) => {
  const rules = testRules()
  let criteria = 0
  let notMet = 0
  for (const r of records) {
    const input = readPatientInput(rules, r.doc)
    for (const order of input.orders.length ? input.orders : [undefined]) {
      const results = evaluateInput(rules, { ...input, orders: order ? [order] : [] }, r.at)
      criteria += results.reduce((n, x) => n + x.criteria.length, 0)
      notMet += results.reduce((n, x) => n + x.criteria.filter((c) => c.status === 'not-met').length, 0)
      t.same(unfoundedNotMet(results), [], `${r.file}: every not-met carries evidence`)
      for (const language of ['da', 'en'] as const) {
        const cards = renderCards(results, { language, rulesVersion: 'test', unavailable: [] }, order)
        const rows = cards.flatMap((c) => (c.detail ?? '').split('\n')).filter((l) => l.startsWith('| ✗ |'))
        t.same(rows.filter((l) => /ingen data|no data/.test(l)), [], `${r.file} (${language}): no ✗ row says "no data"`)
      }
    }
  }
  t.ok(criteria > 500, `${criteria} criterion results evaluated`)
  t.ok(notMet > 0, `${notMet} not-met results, each with evidence (the records do exercise not-met)`)
})
