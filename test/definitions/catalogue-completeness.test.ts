/**
 * The catalogue against its sources: every indication id in shared/criteria.md
 * has a definition file, every definition is in criteria.md, and every seed
 * citation names a real seed file whose text contains the cited heading parts
 * and quote (whitespace- and hyphenation-normalised).
 */
import t from 'tap'
import { readFileSync, readdirSync, existsSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { testRules } from '../helpers/app.js'

const SHARED = resolve(process.cwd(), '..', 'shared')
const criteriaMd = readFileSync(join(SHARED, 'criteria.md'), 'utf8')
const documentedIds = [...criteriaMd.matchAll(/^### \d+\. `([a-z0-9-]+)`/gm)].map((m) => m[1]!)
const seedDir = join(SHARED, 'seeds')
const seeds = new Map(readdirSync(seedDir).filter((f) => f.endsWith('.txt')).map((f) => [f, normalise(readFileSync(join(seedDir, f), 'utf8'))]))

/** Undo PDF text extraction: hyphenated line breaks, and runs of whitespace. */
function normalise (s: string): string {
  return s.replace(/-\s*\n\s*/g, '').replace(/\s+/g, ' ').toLowerCase()
}

void t.test('criteria.md lists 11 indications', async (t) => {
  t.equal(documentedIds.length, 11)
})

void t.test('every indication in criteria.md has a definition file, and no other definitions exist', async (t) => {
  const rules = testRules()
  const defined = rules.indications.map((i) => i.id).sort()
  for (const id of documentedIds) t.ok(existsSync(join('cds-services', 'indications', `${id}.yaml`)), `cds-services/indications/${id}.yaml exists`)
  t.same(defined.filter((id) => !documentedIds.includes(id)), [], 'no definition without a criteria.md id')
})

void t.test('every seed citation names a real seed and quotes it faithfully', async (t) => {
  const rules = testRules()
  const citations = rules.indications.flatMap((ind) => [
    { where: `${ind.id}`, seed: ind.seed },
    ...ind.criteria.map((c) => ({ where: `${ind.id}/${c.id}`, seed: c.seed })),
    ...(ind.advice ?? []).map((a) => ({ where: `${ind.id}/advice/${a.id}`, seed: a.seed }))
  ])
  for (const list of rules.organizationLists) citations.push({ where: `organization-list/${list.id}`, seed: list.seed })
  for (const { where, seed } of citations) {
    const text = seeds.get(seed.file)
    t.ok(text, `${where}: seed file ${seed.file} exists`)
    if (!text) continue
    if (seed.quote) {
      t.ok(text.includes(normalise(seed.quote)), `${where}: quote found in ${seed.file}: "${seed.quote.slice(0, 60)}…"`)
    }
  }
})
