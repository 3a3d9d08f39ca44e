/**
 * docs/criteria-catalogue.md is generated from the definitions and must be
 * current; it names every indication and criterion with its seed and FHIRPath.
 */
import t from 'tap'
import { readFileSync } from 'node:fs'
import { catalogueMarkdown } from '../../src/catalogue/markdown.js'
import { testRules } from '../helpers/app.js'

void t.test('the checked-in catalogue is current', async (t) => {
  const expected = catalogueMarkdown(testRules())
  const actual = readFileSync('docs/criteria-catalogue.md', 'utf8')
  t.ok(actual === expected, 'docs/criteria-catalogue.md matches the definitions (run `npm run catalogue` after changing rules)')
})

void t.test('the catalogue covers every indication and criterion', async (t) => {
  const rules = testRules()
  const doc = catalogueMarkdown(rules)
  for (const ind of rules.indications) {
    t.match(doc, `### \`${ind.id}\``, `indication ${ind.id}`)
    for (const c of ind.criteria) {
      t.match(doc, `#### \`${c.id}\``, `${ind.id}/${c.id}`)
      if (c.expression) t.ok(doc.includes(c.expression.trim().split('\n')[0]!.trim()), `${ind.id}/${c.id} FHIRPath shown`)
      t.ok(doc.includes(c.text.da) && doc.includes(c.text.en), `${ind.id}/${c.id} Danish and English text`)
    }
  }
})
