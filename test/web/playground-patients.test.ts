/**
 * The playground's bundled patients say what they are: each file's labelled
 * outcome is its actual outcome — with the engine at the bundle's reference
 * date, over HTTP at today's date after date shifting (as the playground
 * serves it), and a year later. Every indication that has a definition file
 * has at least one playground patient, and there is one of each outcome and
 * one that matches no indication.
 */
import t from 'tap'
import { readdirSync } from 'node:fs'
import { buildTestApp, postHook, resultFor, testRules } from '../helpers/app.js'
import { evaluateInput, readPatientInput } from '../../src/cli/input.js'
import { loadDemoPatients, daysBetween, shiftDates, PLAYGROUND_PREFIX } from '../../src/web/demo-patients.js'
import { playgroundRequest as requestFor } from '../helpers/playground.js'

const demo = loadDemoPatients()

void t.test('every indication file has a playground patient; every outcome is represented', async (t) => {
  const rules = testRules()
  // The indication files on disk, not a list in this test: a new file without a patient fails here.
  const files = readdirSync('cds-services/indications').filter((f) => /\.ya?ml$/.test(f)).map((f) => f.replace(/\.ya?ml$/, ''))
  t.same(files.sort(), rules.indications.map((i) => i.id).sort(), 'the loaded rules are the files on disk')
  for (const id of files) {
    t.ok(demo.list.some((p) => p.indication === id), `${id} has a playground patient (npm run playground:patients)`)
  }
  for (const outcome of ['eligible', 'not-eligible', 'incomplete', 'no-matching-indication']) {
    t.ok(demo.list.some((p) => p.outcome === outcome), `a patient that is ${outcome}`)
  }
  const onDisk = readdirSync('examples/patients').filter((f) => f.startsWith(PLAYGROUND_PREFIX))
  t.equal(demo.list.length, onDisk.length, 'every playground file is a described patient')
  for (const p of demo.list) {
    if (p.indication) t.ok(files.includes(p.indication), `${p.id}: its indication exists`)
    t.ok(p.description.da !== p.id && p.description.en !== p.id, `${p.id}: described in Danish and English`)
  }
})

void t.test('each playground patient has its labelled outcome', async (t) => {
  const rules = testRules()
  const app = await buildTestApp(t, { UNDER_PRESSURE_MAX_EVENT_LOOP_DELAY_MS: '0', UNDER_PRESSURE_MAX_EVENT_LOOP_UTILIZATION: '0' })
  const later = new Date(Date.parse('2026-11-22T10:00:00.000Z') + 400 * 86_400_000).toISOString()
  for (const p of demo.list) {
    const bundle = demo.bundle(p.id)!
    const statusOf = (at: string, b: unknown): string => {
      const results = evaluateInput(rules, readPatientInput(rules, b), at)
      return p.indication ? results.find((r) => r.indication === p.indication)?.status ?? 'no card' : results.length ? 'matches' : 'no-matching-indication'
    }
    t.equal(statusOf(p.referenceDate, bundle), p.outcome, `${p.id}: engine at ${p.referenceDate.slice(0, 10)}`)
    t.equal(statusOf(later, shiftDates(bundle, daysBetween(p.referenceDate, later))), p.outcome, `${p.id}: date-shifted 400 days later`)
    // Over HTTP, as the playground does it: the served (shifted) bundle, the test app's clock.
    const served = (await app.inject({ url: `/playground/patients/${p.id}.json` })).json()
    const res = await postHook(app, requestFor(served, rules.service.prefetch))
    t.equal(res.status, 200, `${p.id}: HTTP 200`)
    t.equal(resultFor(res.body, p.indication)?.status, p.outcome, `${p.id}: card over HTTP`)
  }
})
