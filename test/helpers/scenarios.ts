/**
 * Table-driven scenario runner: each scenario is a synthetic patient sent as a
 * real CDS Hooks request to the real app (inject), and asserts the status of
 * one criterion — and, where given, of the whole indication — in the card's
 * machine-readable extension. `assertCoverage` fails when an indication has a
 * criterion without a met, not-met and unknown scenario, unless the
 * definition makes that outcome impossible (declared with the reason).
 */
import type { FastifyInstance } from 'fastify'
import type { Test } from 'tap'
import { hookRequest, patient as defaultPatient, type Json, type RequestOptions } from './fhir-builders.js'
import { postHook, resultFor, criterionStatus, testRules } from './app.js'

export type Outcome = 'met' | 'not-met' | 'unknown' | 'not-applicable'

export interface Scenario {
  name: string
  criterion: string
  expect: Outcome
  /** Expected indication status, when the scenario pins it. */
  indicationStatus?: 'eligible' | 'not-eligible' | 'incomplete'
  patient?: Json
  resources: Json[]
  request?: RequestOptions
}

type Tap = Test

export async function runScenarios (t: Tap, app: FastifyInstance, indication: string, scenarios: Scenario[]): Promise<void> {
  for (const s of scenarios) {
    await t.test(`${s.criterion} → ${s.expect}: ${s.name}`, async (tt) => {
      const res = await postHook(app, hookRequest(s.patient ?? defaultPatient(), s.resources, s.request))
      tt.equal(res.status, 200, 'HTTP 200')
      const result = resultFor(res.body, indication)
      tt.ok(result, `a card for ${indication}`)
      tt.equal(criterionStatus(result, s.criterion), s.expect, `criterion ${s.criterion}`)
      if (s.indicationStatus) tt.equal(result?.status, s.indicationStatus, 'indication status')
      // Issue 13 §1 (test/definitions/no-unfounded-not-met.test.ts): on every card, no not-met without evidence.
      tt.same(unfoundedNotMet(res.body), [], 'every not-met criterion carries evidence')
    })
  }
}

/** `indication/criterion` of every not-met criterion without evidence on any card of a hook answer. */
export function unfoundedNotMet (body: any): string[] {
  const out: string[] = []
  for (const card of Array.isArray(body?.cards) ? body.cards : []) {
    const ext = card?.extension?.['dk.ngc-wgs-cds.eligibility']
    // The card's own indication and the others it carries (one card per order).
    for (const result of [ext, ...(Array.isArray(ext?.others) ? ext.others : [])]) {
      for (const c of Array.isArray(result?.criteria) ? result.criteria : []) {
        if (c.status === 'not-met' && !(Array.isArray(c.evidenceListed) && c.evidenceListed.length > 0)) out.push(`${String(result.indication)}/${String(c.id)}`)
      }
    }
  }
  return out
}

export function assertCoverage (t: Tap, indication: string, scenarios: Scenario[], impossible: Record<string, Array<{ outcome: Outcome, why: string }>> = {}): void {
  const def = testRules().indications.find((i) => i.id === indication)
  t.ok(def, `definition for ${indication}`)
  const missing: string[] = []
  for (const c of def?.criteria ?? []) {
    for (const outcome of ['met', 'not-met', 'unknown'] as Outcome[]) {
      const covered = scenarios.some((s) => s.criterion === c.id && s.expect === outcome)
      const excused = (impossible[c.id] ?? []).some((x) => x.outcome === outcome)
      if (!covered && !excused) missing.push(`${c.id}:${outcome}`)
    }
  }
  t.same(missing, [], 'every criterion has a met, not-met and unknown scenario')
}

/**
 * A scenario's record from named parts of a complete patient: drop the parts
 * named in `without`, then add `add` (the "change one thing" pattern of every
 * indication test).
 */
export function assemble (parts: Record<string, Json[]>, over: { without?: string[], add?: Json[] } = {}, ...extra: Json[][]): Json[] {
  const kept = Object.entries(parts).filter(([key]) => !(over.without ?? []).includes(key)).flatMap(([, resources]) => resources)
  return [...kept, ...extra.flat(), ...(over.add ?? [])]
}
