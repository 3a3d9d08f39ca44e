/**
 * Audit data for the report tests, written through the service's own write
 * path: the evaluation recorder that hook calls use (record-evaluation.ts:
 * ordering organisation and partOf chain from the user's resources, keyed
 * order, indications with their criteria) and the store's feedback write.
 * The expected figures below are worked out by hand from the seed, not by
 * the code under test.
 */
import type { FastifyRequest } from 'fastify'
import type { CallSummary, OutcomeSummary } from '../../src/hooks/raw-call.js'
import { evaluationRecorder } from '../../src/store/record-evaluation.js'
import { patientKeyer } from '../../src/store/patient-key.js'
import type { EvaluationStore, FeedbackRecord } from '../../src/store/store.js'
import { SOR_SYSTEM } from '../../src/store/ordering-organization.js'
import { testRules } from '../helpers/app.js'

export const I1 = 'hematologic-cancer-refractory-relapse'
export const I2 = 'inherited-platelet-function-disorder'
/** Two required criteria of I1, so the page shows their texts. */
const I1_CRITERIA = testRules().indications.find((i) => i.id === I1)!.criteria.filter((c) => c.required)
export const C_UNKNOWN = I1_CRITERIA[0]!.id
export const C_NOT_MET = I1_CRITERIA[1]!.id
/** REPORT_REGIONS for the seed: department 2001 is in Region Midtjylland; 3001 is mapped nowhere. */
export const REGION_MAPPING = { 2001: 'midtjylland' } as const
export const REASON = { system: 'https://ehr.example.dk/override-reason', code: 'clinical-judgement', display: 'Klinisk vurdering' }

const org = (id: string, sor: string | undefined, name: string, partOf?: string): Record<string, unknown> => ({
  resourceType: 'Organization', id, name, ...(sor ? { identifier: [{ system: SOR_SYSTEM, value: sor }] } : {}), ...(partOf ? { partOf: { reference: `Organization/${partOf}` } } : {})
})

/** The user's resources per department: A's chain reaches "Region Hovedstaden" by name; B and C have no partOf. */
const DEPARTMENTS = {
  A: [org('a-dept', '1001', 'Hæmatologisk Klinik', 'a-hosp'), org('a-hosp', '1000', 'Rigshospitalet', 'a-region'), org('a-region', undefined, 'Region Hovedstaden')],
  B: [org('b-dept', '2001', 'Blodsygdomme')],
  C: [org('c-dept', '3001', 'Klinisk Genetik')]
} as const

const role = (dept: keyof typeof DEPARTMENTS): Record<string, unknown> => ({ resourceType: 'PractitionerRole', id: `role-${dept}`, practitioner: { reference: 'Practitioner/p1' }, organization: { reference: `Organization/${DEPARTMENTS[dept][0]!.id as string}` } })

const request = { cdsClient: undefined, log: { error: () => {}, debug: () => {}, info: () => {} } } as unknown as FastifyRequest

interface Order { dept: keyof typeof DEPARTMENTS, indication: string, sign?: { at: string, status: string, failed?: string[], unknown?: string[] }, select?: string }

let counter = 0

/** Seed the store; returns the card uuids of the order-sign evaluations by status, for feedback. */
export async function seed (store: EvaluationStore): Promise<void> {
  const record = evaluationRecorder(store, patientKeyer('s'.repeat(40)))
  const orders: Order[] = []
  const nov = (day: number, h: number, m = 0): string => new Date(Date.UTC(2026, 10, day, h, m)).toISOString()
  // R1 2026-11, Region Hovedstaden (chain), I1: 20 orders selected then signed; 10 after 30 min, 10 after 90 min.
  const r1: Array<[string, number, string[]?, string[]?]> = [['eligible', 10], ['incomplete', 5, [], [C_UNKNOWN]], ['not-eligible', 5, [C_NOT_MET], []]]
  let k = 0
  for (const [status, n, failed, unknown] of r1) {
    for (let i = 0; i < n; i++, k++) {
      const at = nov(2 + k, 9)
      orders.push({ dept: 'A', indication: I1, select: at, sign: { at: nov(2 + k, 9, k % 2 === 0 ? 30 : 90), status, failed: failed ?? [], unknown: unknown ?? [] } })
    }
  }
  // R2 2026-11, Region Midtjylland (REPORT_REGIONS), I1: 8 orders signed only: 6 eligible, 2 incomplete.
  for (let i = 0; i < 8; i++) orders.push({ dept: 'B', indication: I1, sign: { at: nov(10 + i, 12), status: i < 6 ? 'eligible' : 'incomplete', failed: [], unknown: i < 6 ? [] : [C_UNKNOWN] } })
  // R3 2026-11, unknown region, I2: 3 orders selected, never signed.
  for (let i = 0; i < 3; i++) orders.push({ dept: 'C', indication: I2, select: nov(20 + i, 8) })
  // R4 2026-10, Region Hovedstaden, I2: 5 signed eligible, one more only selected.
  for (let i = 0; i < 5; i++) orders.push({ dept: 'A', indication: I2, sign: { at: new Date(Date.UTC(2026, 9, 5 + i, 10)).toISOString(), status: 'eligible' } })
  orders.push({ dept: 'A', indication: I2, select: new Date(Date.UTC(2026, 9, 20, 10)).toISOString() })

  const signCards: Array<{ card: string, evaluationId: string, status: string }> = []
  for (const o of orders) {
    const patientId = `patient-${counter}`
    const orderRef = `ServiceRequest/order-${counter++}`
    for (const hook of ['order-select', 'order-sign'] as const) {
      const at = hook === 'order-select' ? o.select : o.sign?.at
      if (at === undefined) continue
      const card = crypto.randomUUID()
      const status = hook === 'order-sign' ? o.sign!.status : 'incomplete'
      const call: CallSummary = { hook, hookInstance: crypto.randomUUID(), context: { patientId, userId: 'Practitioner/p1' } }
      const outcome = {
        cards: [],
        orders: 1,
        indications: [{ indication: o.indication, status, failedCriteria: hook === 'order-sign' ? o.sign!.failed ?? [] : [], unknownCriteria: hook === 'order-sign' ? o.sign!.unknown ?? [] : [C_UNKNOWN], cardUuids: [card], order: orderRef }],
        prefetch: {},
        userResources: [role(o.dept), ...DEPARTMENTS[o.dept]],
        fallback: { fetched: [], failed: [] }
      } as unknown as OutcomeSummary
      await record(request, call, outcome, { serviceId: 'ngc-wgs-eligibility', rulesVersion: '0.1.0+seed', durationMs: 5, evaluatedAt: at })
      if (hook === 'order-sign') {
        const [row] = await store.evaluationsFor(call.hookInstance)
        signCards.push({ card, evaluationId: row!.id, status })
      }
    }
  }
  // Feedback: the 5 not-eligible cards of R1 overridden with a reason (counted); one eligible card overridden
  // and one accepted (neither counted: the card was eligible).
  const feedback = (c: typeof signCards[number], outcome: 'accepted' | 'overridden'): FeedbackRecord => ({
    id: crypto.randomUUID(), cardUuid: c.card, evaluationId: c.evaluationId, serviceId: 'ngc-wgs-eligibility', outcome, acceptedSuggestions: [],
    ...(outcome === 'overridden' ? { overrideReason: REASON } : {}), hasUserComment: false, outcomeTimestamp: '2026-11-30T10:00:00.000Z', receivedAt: '2026-11-30T10:00:00.000Z'
  })
  const notEligible = signCards.filter((c) => c.status === 'not-eligible')
  const eligible = signCards.filter((c) => c.status === 'eligible')
  await store.recordFeedback([...notEligible.map((c) => feedback(c, 'overridden')), feedback(eligible[0]!, 'overridden'), feedback(eligible[1]!, 'accepted')])
}

/** The report period of the seed. */
export const PERIOD = { from: '2026-10-01T00:00:00.000Z', to: '2026-12-01T00:00:00.000Z' }

/**
 * The cells as shown, worked out by hand (docs/reports.md "Small counts"):
 * R2's 2 incomplete read <5, so its 6 eligible are hidden (x, row sum); November's eligible column then has one
 * hidden member, so R1's 10 eligible are hidden (x), and R1's row then hides its smaller other, incomplete 5 (x,
 * ties by column name). R3's 3 orders read <5, so the smallest other November order count, R2's 8, is hidden (x).
 * Columns: orders, signed, eligible, incomplete, not eligible, signed despite.
 */
export const EXPECTED_ROWS = [
  { month: '2026-10', region: 'hovedstaden', indication: I2, cells: ['6', '5', '5', '0', '0', '0'] },
  { month: '2026-11', region: 'hovedstaden', indication: I1, cells: ['20', '20', 'x', 'x', '5', '5'] },
  { month: '2026-11', region: 'midtjylland', indication: I1, cells: ['x', '8', 'x', '<5', '0', '0'] },
  { month: '2026-11', region: 'unknown', indication: I2, cells: ['<5', '0', '0', '0', '0', '0'] }
]
export const EXPECTED_TOTALS = [
  { month: '2026-10', cells: ['6', '5', '5', '0', '0', '0'] },
  { month: '2026-11', cells: ['31', '28', '16', '7', '5', '5'] }
]
/** R1: 10 orders signed 30 min after order-select, 10 after 90 min: median 30, 90th percentile 90. */
export const EXPECTED_R1_TIME = { n: '20', median: 30, p90: 90 }
export const EXPECTED_CRITERIA = [
  { indication: I1, criterion: C_UNKNOWN, kind: 'unknown', n: '7' },
  { indication: I1, criterion: C_NOT_MET, kind: 'not-met', n: '5' }
]
export const EXPECTED_REASONS = [{ code: REASON.code, n: '5' }]
