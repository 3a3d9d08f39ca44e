/**
 * Every relative link in every Markdown file of the repository resolves: the
 * file (or folder) exists and, when the link names one, the heading anchor does.
 */
import t from 'tap'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { anchorsOf, deadLinks, markdownFiles, slug } from '../helpers/markdown-links.js'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))

void t.test('every relative link in the repository\'s Markdown resolves', async (t) => {
  const files = markdownFiles(ROOT)
  const names = files.map((f) => f.slice(ROOT.length).replace(/\\/g, '/'))
  for (const expected of ['README.md', 'docs/configuration.md', 'docs/connecting-an-ehr.md', 'docs/storage.md', 'cds-services/README.md']) {
    t.ok(names.includes(expected), `${expected} is checked`)
  }
  t.notOk(names.some((n) => n.includes('node_modules')), 'node_modules is not searched')
  t.same(deadLinks(ROOT, files), [], 'no dead links')
})

void t.test('the checker finds dead files and anchors', async (t) => {
  const dir = t.testdir({
    'README.md': [
      '# Title', '', '## Getting started (`npm ci`)', '',
      '[ok](docs/a.md) [ok anchor](docs/a.md#the-a-page) [self](#getting-started-npm-ci) [folder](docs/)',
      '[dead file](docs/missing.md) [dead anchor](docs/a.md#nowhere)',
      '[ext](https://example.org/x.md) `[in code](nowhere.md)`',
      '```', '[in a block](nowhere.md)', '```',
      '[ref]: docs/gone.md',
    ].join('\n'),
  })
  mkdirSync(join(dir, 'docs'))
  writeFileSync(join(dir, 'docs/a.md'), '# The A page\n\n## Repeated\n\n## Repeated\n\n[up](../README.md#title) [dup](#repeated-1)\n')
  t.same(deadLinks(dir).map((d) => d.replace(/ \(.*$/, '')), [
    'README.md:6: docs/missing.md',
    'README.md:6: docs/a.md#nowhere',
    'README.md:11: docs/gone.md',
  ])
})

void t.test('heading ids as GitHub writes them', async (t) => {
  t.equal(slug('How expressions run (`src/core/fhirpath-compiler/`)'), 'how-expressions-run-srccorefhirpath-compiler')
  t.equal(slug('Embedded default: SQLite'), 'embedded-default-sqlite')
  t.equal(slug('Evaluation threads (`EVALUATION_THREADS`)'), 'evaluation-threads-evaluation_threads')
  t.equal(slug('Hæmatologisk cancer / Hematologic cancer'), 'hæmatologisk-cancer--hematologic-cancer')
  t.same([...anchorsOf('# A\n```\n# not a heading\n```\n## A\n<a id="x"></a>\n')], ['a', 'a-1', 'x'])
})
