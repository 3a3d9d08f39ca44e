/**
 * Answers of the requisition forms are read as attestations (src/core/questionnaire.ts,
 * src/core/record.ts): on a small inline catalogue, as test/core does. Date = authored, the
 * evidence is the QuestionnaireResponse with its author; a response referenced by the draft order
 * counts as current; other forms, unfinished responses and non-boolean answers count for nothing.
 */
import t from 'tap'
import { compileCatalogue } from '../../src/core/compile.js'
import { evaluate } from '../../src/core/evaluate.js'
import { buildRecord } from '../../src/core/record.js'
import { answerKey, questionnaireUrl } from '../../src/core/questionnaire.js'
import type { IndicationDefinition } from '../../src/core/types.js'
import type { ValueSet } from '../../src/core/fhir.js'
import { attestation, condition, patient, SYSTEMS } from '../helpers/fhir-builders.js'

const NOW = '2026-11-22T10:00:00Z'
const seed = { file: '000_6087517ef50949d1.txt', heading: 'test' }
const text = { da: 'x', en: 'x' }
const valueSets: ValueSet[] = [
  { resourceType: 'ValueSet', status: 'active', url: 'vs:dx', compose: { include: [{ system: SYSTEMS.icd10, concept: [{ code: 'C92.0' }] }] } },
  { resourceType: 'ValueSet', status: 'active', url: 'vs:att', compose: { include: [{ system: SYSTEMS.attestation }] } }
]
const ind: IndicationDefinition = {
  id: 'test-indication',
  title: text,
  group: 'hematologic-cancer',
  seed,
  url: 'https://ngc.dk/x',
  population: 'adults',
  data: { dx: { resourceType: 'Condition', valueSet: 'vs:dx' }, att: { resourceType: 'Observation', valueSet: 'vs:att' } },
  matches: '%dx.exists()',
  criteria: [
    { id: 'patient-informed', text, seed, required: true, expression: "%att.attestation('patient-informed')", evidence: "%att.where(code.coding.code = 'patient-informed')" },
    { id: 'mdt', text, seed, required: true, expression: "%att.attestation('mdt-assessment', %now - 30 days)", evidence: "%att.where(code.coding.code = 'mdt-assessment')" }
  ]
}
const catalogue = compileCatalogue({ indications: [ind], valueSets, observationDefinitions: [], organizationLists: [], settings: { performanceStatusLookbackDays: 90 } })
const key = answerKey([ind])
const pt = patient()

function response (answers: Record<string, unknown>, over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    resourceType: 'QuestionnaireResponse',
    id: 'qr-1',
    status: 'completed',
    questionnaire: `${questionnaireUrl('test-indication')}|0.1.0+abc`,
    subject: { reference: `Patient/${String(pt.id)}` },
    authored: '2026-11-20T09:30:00+01:00',
    author: { reference: 'Practitioner/dr-1', display: 'Dr. Hansen' },
    item: Object.entries(answers).map(([linkId, v]) => ({ linkId, answer: [typeof v === 'boolean' ? { valueBoolean: v } : v] })),
    ...over
  }
}

function run (resources: Array<Record<string, unknown>>, order?: Record<string, unknown>) {
  const [result] = evaluate(catalogue, buildRecord({ patient: pt as any, resources: [condition('C92.0'), ...resources] as any, answerKey: key }), NOW, order ? { order: order as any } : {})
  return result!
}
const criterion = (r: ReturnType<typeof run>, id: string) => r.criteria.find((c) => c.id === id)!

void t.test('the answer key maps each answerable item to its attestation', async (t) => {
  t.same([...key.get(questionnaireUrl('test-indication'))!], [['patient-informed', 'patient-informed'], ['mdt', 'mdt-assessment']])
})

void t.test('without answers the patient is incomplete; a completed response answering both makes it eligible', async (t) => {
  t.equal(run([]).status, 'incomplete')
  const r = run([response({ 'patient-informed': true, mdt: true })])
  t.equal(r.status, 'eligible')
  const ev = criterion(r, 'patient-informed').evidence
  t.equal(ev.length, 1)
  t.match(ev[0], { reference: 'QuestionnaireResponse/qr-1', resourceType: 'QuestionnaireResponse', code: `${SYSTEMS.attestation}|patient-informed`, value: 'true', date: '2026-11-20T09:30:00+01:00', author: 'Dr. Hansen' }, 'the evidence is the response: its date and author')
})

void t.test('an answer false is not met, with the response as evidence', async (t) => {
  const r = run([response({ 'patient-informed': false, mdt: true })])
  t.equal(r.status, 'not-eligible')
  t.equal(criterion(r, 'patient-informed').status, 'not-met')
  t.match(criterion(r, 'patient-informed').evidence, [{ reference: 'QuestionnaireResponse/qr-1', value: 'false' }])
})

void t.test('responses that do not count', async (t) => {
  const answered = { 'patient-informed': true, mdt: true }
  t.equal(run([response(answered, { status: 'in-progress' })]).status, 'incomplete', 'in progress')
  t.equal(run([response(answered, { status: 'stopped' })]).status, 'incomplete', 'stopped')
  t.equal(run([response(answered, { questionnaire: 'https://example.org/Questionnaire/other' })]).status, 'incomplete', 'another questionnaire')
  t.equal(run([response(answered, { questionnaire: undefined })]).status, 'incomplete', 'no questionnaire')
  t.equal(run([response({ 'patient-informed': { valueString: 'yes' }, mdt: { valueCoding: { code: 'Y' } } })]).status, 'incomplete', 'not a boolean answer')
  t.equal(run([response({ 'other-item': true })]).status, 'incomplete', 'an item that is not in the form')
  t.equal(run([response(answered, { status: 'amended' })]).status, 'eligible', 'amended counts')
})

void t.test('nested items are read; the author without a display is named by reference', async (t) => {
  const qr = response({}, { author: { reference: 'PractitionerRole/role-1' }, item: [{ linkId: 'group', item: [{ linkId: 'patient-informed', answer: [{ valueBoolean: true }] }, { linkId: 'mdt', answer: [{ valueBoolean: true }] }] }] })
  const r = run([qr])
  t.equal(r.status, 'eligible')
  t.equal(criterion(r, 'mdt').evidence[0]?.author, 'PractitionerRole/role-1')
})

void t.test('windows: an old answer is too old unless the draft order references its response', async (t) => {
  const old = response({ 'patient-informed': true, mdt: true }, { authored: '2026-09-01' })
  const r = run([old])
  t.equal(criterion(r, 'mdt').status, 'unknown', 'authored before the window')
  t.match(criterion(r, 'mdt').evidence, [{ reference: 'QuestionnaireResponse/qr-1', tooOld: true }])
  t.equal(criterion(r, 'patient-informed').status, 'met', 'no window there')
  const order = { resourceType: 'ServiceRequest', id: 'sr-1', status: 'draft', intent: 'order', supportingInfo: [{ reference: 'QuestionnaireResponse/qr-1' }] }
  t.equal(run([old], order).status, 'eligible', 'referenced from supportingInfo: current')
})

void t.test('the latest of an answer and an attestation Observation decides; Observations keep working', async (t) => {
  t.equal(run([attestation('patient-informed', true, '2026-11-21'), attestation('mdt-assessment', true, '2026-11-21')]).status, 'eligible', 'Observations alone')
  const r = run([attestation('patient-informed', true, '2026-11-01'), response({ 'patient-informed': false, mdt: true })])
  t.equal(criterion(r, 'patient-informed').status, 'not-met', 'the later answer (2026-11-20) wins over the Observation (2026-11-01)')
  const r2 = run([attestation('patient-informed', true, '2026-11-21'), response({ 'patient-informed': false, mdt: true })])
  t.equal(criterion(r2, 'patient-informed').status, 'met', 'the later Observation wins')
})

void t.test('without an answer key (a caller that does not read forms) responses are ignored', async (t) => {
  const [r] = evaluate(catalogue, buildRecord({ patient: pt as any, resources: [condition('C92.0'), response({ 'patient-informed': true, mdt: true })] as any }), NOW)
  t.equal(r!.status, 'incomplete')
})
