/**
 * The catalogue against its sources, all inside the repository: the list of
 * NGC's indications (docs/clinical-rules.md) names exactly the definition
 * files, each indication's Danish name is in its source document, and every
 * seed citation names a source document (docs/sources/) whose text contains
 * the cited quote (whitespace- and hyphenation-normalised).
 */
import t from 'tap'
import { readFileSync, readdirSync, existsSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { testRules } from '../helpers/app.js'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const SOURCES = join(ROOT, 'docs', 'sources')

/** Undo PDF text extraction: hyphenated line breaks, and runs of whitespace. */
function normalise (s: string): string {
  return s.replace(/-\s*\n\s*/g, '').replace(/\s+/g, ' ').toLowerCase()
}

const seeds = new Map(readdirSync(SOURCES).filter((f) => f.endsWith('.txt')).map((f) => [f, normalise(readFileSync(join(SOURCES, f), 'utf8'))]))

interface Listed { n: number, id: string, name: string, source: string }

/** The rows between the indications markers of docs/clinical-rules.md. */
function listedIndications (): Listed[] {
  const doc = readFileSync(join(ROOT, 'docs', 'clinical-rules.md'), 'utf8')
  const block = /<!-- indications:start[^>]*-->([\s\S]*?)<!-- indications:end -->/.exec(doc)?.[1] ?? ''
  return [...block.matchAll(/^\| (\d+) \| [^|]+ \| `([a-z0-9-]+)` \| ([^|]+?) \| `([^`]+)` \|$/gm)]
    .map((m) => ({ n: Number(m[1]), id: m[2]!, name: m[3]!, source: m[4]! }))
}

const listed = listedIndications()

void t.test('docs/clinical-rules.md lists NGC\'s 11 indications, numbered 1–11', async (t) => {
  t.same(listed.map((l) => l.n), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11])
  t.equal(new Set(listed.map((l) => l.id)).size, 11, 'no id twice')
})

void t.test('every listed indication has a definition file, and no other definitions exist', async (t) => {
  const rules = testRules()
  const defined = rules.indications.map((i) => i.id).sort()
  for (const { id } of listed) t.ok(existsSync(join(ROOT, 'cds-services', 'indications', `${id}.yaml`)), `cds-services/indications/${id}.yaml exists`)
  t.same(defined.filter((id) => !listed.some((l) => l.id === id)), [], 'no definition that the list does not name')
})

void t.test('each listed indication\'s Danish name is in its source document', async (t) => {
  for (const { id, name, source } of listed) {
    const text = seeds.get(source)
    t.ok(text, `${id}: source ${source} is in docs/sources/`)
    if (text) t.ok(text.includes(normalise(name)), `${id}: "${name}" is in ${source}`)
  }
})

void t.test('every seed citation names a real seed and quotes it faithfully', async (t) => {
  const rules = testRules()
  const citations = rules.indications.flatMap((ind) => [
    { where: `${ind.id}`, seed: ind.seed },
    ...ind.criteria.map((c) => ({ where: `${ind.id}/${c.id}`, seed: c.seed })),
    ...(ind.advice ?? []).map((a) => ({ where: `${ind.id}/advice/${a.id}`, seed: a.seed }))
  ])
  for (const list of rules.organizationLists) citations.push({ where: `organization-list/${list.id}`, seed: list.seed })
  t.ok(citations.length > 11, 'the definitions carry citations')
  for (const { where, seed } of citations) {
    const text = seeds.get(seed.file)
    t.ok(text, `${where}: seed file ${seed.file} exists`)
    if (!text) continue
    if (seed.quote) {
      t.ok(text.includes(normalise(seed.quote)), `${where}: quote found in ${seed.file}: "${seed.quote.slice(0, 60)}…"`)
    }
  }
})
