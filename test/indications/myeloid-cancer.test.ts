/**
 * myeloid-cancer (seed 000, "Myeloid cancer"): every criterion driven to met,
 * not-met and unknown over HTTP, plus the diagnosis boundaries and the
 * family-history pointer to the inherited indication.
 */
import t from 'tap'
import { buildTestApp, cardFor, postHook, resultFor } from '../helpers/app.js'
import { runScenarios, assertCoverage, assemble, type Scenario } from '../helpers/scenarios.js'
import { attestation, condition, familyMember, hookRequest, orderingRole, patient, procedure, SYSTEMS, type Json } from '../helpers/fhir-builders.js'

const ID = 'myeloid-cancer'
const ONCOLOGY = '394592004'
const BONE_MARROW_SAMPLING = '234326005'
const KARYOTYPE = '312948004'
const MOLECULAR = '405825005'
const PET_CT = '450436003'
const MDT_CANCER_CONFERENCE = '399414003'

const verification = (code: string): Json => ({ coding: [{ system: SYSTEMS.conditionVerification, code }] })
const amlDepartment = (): Json[] => orderingRole('Afdeling for Blodsygdomme, Rigshospitalet')
const otherHaematology = (): Json[] => orderingRole('Hæmatologisk Afdeling, Regionshospitalet Holstebro')

/**
 * A patient meeting every criterion: MDS with excess blasts (SKS DD462),
 * bone marrow, karyotype and myeloid panel done, MDT attested, ordered by a
 * haematologist outside the AML departments (allowed for MDS).
 */
function complete (over: { without?: string[], add?: Json[], diagnosis?: Json[], role?: Json[] } = {}): Json[] {
  const parts: Record<string, Json[]> = {
    diagnosis: over.diagnosis ?? [condition('DD462')],
    boneMarrow: [procedure(SYSTEMS.snomed, BONE_MARROW_SAMPLING, '2026-09-20')],
    cytogenetics: [procedure(SYSTEMS.snomed, KARYOTYPE, '2026-09-20')],
    molecular: [procedure(SYSTEMS.snomed, MOLECULAR, '2026-09-25')],
    mdt: [attestation('mdt-assessment')],
    role: over.role ?? otherHaematology()
  }
  return assemble(parts, over)
}

const aml = (code = 'C92.0', over: Json = {}): Json[] => [condition(code, over)]
const icus = (): Json[] => [attestation('clinically-myeloid-neoplasm')]
const provisionalMds = (): Json[] => [condition('DD469', { verificationStatus: verification('provisional') })]

const scenarios: Scenario[] = [
  { name: 'MDS (SKS DD462), everything documented', criterion: 'diagnosis', expect: 'met', indicationStatus: 'eligible', resources: complete() },
  { name: 'AML (ICD-10 C92.0) from an AML department', criterion: 'diagnosis', expect: 'met', indicationStatus: 'eligible', resources: complete({ diagnosis: aml(), role: amlDepartment() }) },
  { name: 'CMML (SKS DC931)', criterion: 'diagnosis', expect: 'met', indicationStatus: 'eligible', resources: complete({ diagnosis: [condition('DC931')] }) },
  { name: 'ICUS/CCUS without formal diagnosis, attested at MDT', criterion: 'diagnosis', expect: 'met', indicationStatus: 'eligible', resources: complete({ diagnosis: icus() }) },

  { name: 'confirmed MDS', criterion: 'morphological-diagnosis', expect: 'met', resources: complete() },
  { name: 'provisional MDS, attested clinically myeloid neoplasm', criterion: 'morphological-diagnosis', expect: 'met', indicationStatus: 'eligible', resources: complete({ diagnosis: [...provisionalMds(), ...icus()] }) },
  { name: 'provisional MDS, attested not a clinical myeloid neoplasm', criterion: 'morphological-diagnosis', expect: 'not-met', indicationStatus: 'not-eligible', resources: complete({ diagnosis: [...provisionalMds(), attestation('clinically-myeloid-neoplasm', false)] }) },
  { name: 'provisional MDS, nothing documented', criterion: 'morphological-diagnosis', expect: 'unknown', indicationStatus: 'incomplete', resources: complete({ diagnosis: provisionalMds() }) },
  { name: 'MDS without verificationStatus', criterion: 'morphological-diagnosis', expect: 'unknown', resources: complete({ diagnosis: [condition('D46.9', { verificationStatus: undefined })] }) },

  { name: 'born 1980, evaluated 2026', criterion: 'adult', expect: 'met', resources: complete() },
  { name: '17 years old', criterion: 'adult', expect: 'not-met', indicationStatus: 'not-eligible', patient: patient({ birthDate: '2009-06-01' }), resources: complete() },
  { name: 'no birth date', criterion: 'adult', expect: 'unknown', indicationStatus: 'incomplete', patient: patient({ birthDate: undefined }), resources: complete() },

  { name: 'bone marrow sampling recorded', criterion: 'bone-marrow-examination', expect: 'met', resources: complete() },
  { name: 'bone marrow examination attested', criterion: 'bone-marrow-examination', expect: 'met', resources: complete({ without: ['boneMarrow'], add: [attestation('bone-marrow-examination-done')] }) },
  { name: 'bone marrow examination attested not done', criterion: 'bone-marrow-examination', expect: 'not-met', indicationStatus: 'not-eligible', resources: complete({ without: ['boneMarrow'], add: [attestation('bone-marrow-examination-done', false)] }) },
  { name: 'no bone marrow examination', criterion: 'bone-marrow-examination', expect: 'unknown', indicationStatus: 'incomplete', resources: complete({ without: ['boneMarrow'] }) },
  { name: 'procedures prefetch not sent', criterion: 'bone-marrow-examination', expect: 'unknown', resources: complete(), request: { omit: ['procedures'] } },

  { name: 'karyotype recorded', criterion: 'cytogenetics', expect: 'met', resources: complete() },
  { name: 'cytogenetics attested', criterion: 'cytogenetics', expect: 'met', resources: complete({ without: ['cytogenetics'], add: [attestation('cytogenetics-done')] }) },
  { name: 'cytogenetics attested not done', criterion: 'cytogenetics', expect: 'not-met', indicationStatus: 'not-eligible', resources: complete({ without: ['cytogenetics'], add: [attestation('cytogenetics-done', false)] }) },
  { name: 'no cytogenetics', criterion: 'cytogenetics', expect: 'unknown', resources: complete({ without: ['cytogenetics'] }) },

  { name: 'molecular genetic test recorded', criterion: 'molecular-genetics', expect: 'met', resources: complete() },
  { name: 'molecular genetics attested', criterion: 'molecular-genetics', expect: 'met', resources: complete({ without: ['molecular'], add: [attestation('molecular-genetics-done')] }) },
  { name: 'molecular genetics attested not done', criterion: 'molecular-genetics', expect: 'not-met', indicationStatus: 'not-eligible', resources: complete({ without: ['molecular'], add: [attestation('molecular-genetics-done', false)] }) },
  { name: 'no molecular genetics', criterion: 'molecular-genetics', expect: 'unknown', resources: complete({ without: ['molecular'] }) },

  { name: 'no myeloid sarcoma: imaging not required', criterion: 'imaging-myeloid-sarcoma', expect: 'met', resources: complete() },
  { name: 'myeloid sarcoma (SKS DC923) with PET-CT', criterion: 'imaging-myeloid-sarcoma', expect: 'met', indicationStatus: 'eligible', resources: complete({ diagnosis: [condition('DC923')], role: amlDepartment(), add: [procedure(SYSTEMS.snomed, PET_CT, '2026-10-01')] }) },
  { name: 'myeloid sarcoma, imaging attested not done', criterion: 'imaging-myeloid-sarcoma', expect: 'not-met', indicationStatus: 'not-eligible', resources: complete({ diagnosis: [condition('DC923')], role: amlDepartment(), add: [attestation('imaging-done', false)] }) },
  { name: 'myeloid sarcoma without imaging', criterion: 'imaging-myeloid-sarcoma', expect: 'unknown', indicationStatus: 'incomplete', resources: complete({ diagnosis: [condition('C92.3')], role: amlDepartment() }) },

  { name: 'MDT attested', criterion: 'mdt-assessment', expect: 'met', resources: complete() },
  { name: 'MDT cancer care conference recorded', criterion: 'mdt-assessment', expect: 'met', resources: complete({ without: ['mdt'], add: [procedure(SYSTEMS.snomed, MDT_CANCER_CONFERENCE, '2026-11-02')] }) },
  { name: 'MDT attested false', criterion: 'mdt-assessment', expect: 'not-met', indicationStatus: 'not-eligible', resources: complete({ without: ['mdt'], add: [attestation('mdt-assessment', false)] }) },
  { name: 'no MDT documented', criterion: 'mdt-assessment', expect: 'unknown', indicationStatus: 'incomplete', resources: complete({ without: ['mdt'] }) },

  { name: 'haematologist', criterion: 'hematology-specialist', expect: 'met', resources: complete() },
  { name: 'clinical oncologist', criterion: 'hematology-specialist', expect: 'not-met', indicationStatus: 'not-eligible', resources: complete({ role: orderingRole('Onkologisk Afdeling, Aarhus Universitetshospital', ONCOLOGY) }) },
  { name: 'no PractitionerRole prefetched', criterion: 'hematology-specialist', expect: 'unknown', indicationStatus: 'incomplete', resources: complete(), request: { omit: ['practitionerRoles'] } },

  { name: 'MDS ordered outside the AML departments (rule applies to AML only)', criterion: 'aml-department', expect: 'met', resources: complete() },
  { name: 'AML from Rigshospitalet', criterion: 'aml-department', expect: 'met', resources: complete({ diagnosis: aml(), role: amlDepartment() }) },
  { name: 'AML (SKS DC924, APL) from Aalborg, matched by name', criterion: 'aml-department', expect: 'met', resources: complete({ diagnosis: aml('DC924'), role: orderingRole('Klinik Kræft, Hæmatologi, Aalborg Universitetshospital') }) },
  { name: 'AML from a department not on the list', criterion: 'aml-department', expect: 'not-met', indicationStatus: 'not-eligible', resources: complete({ diagnosis: aml() }) },
  { name: 'AML, no PractitionerRole', criterion: 'aml-department', expect: 'unknown', indicationStatus: 'incomplete', resources: complete({ diagnosis: aml(), without: ['role'] }) },
  { name: 'AML, role without an Organization', criterion: 'aml-department', expect: 'unknown', resources: complete({ diagnosis: aml(), role: amlDepartment().filter((r) => r.resourceType === 'PractitionerRole') }) },

  // criteria.md: a family history alone must not make this indication not eligible.
  { name: 'mother with AML (FamilyMemberHistory): still eligible', criterion: 'diagnosis', expect: 'met', indicationStatus: 'eligible', resources: complete({ add: [familyMember('MTH', 'C92.0', 45)] }) }
]

const impossible = {
  diagnosis: [
    { outcome: 'not-met' as const, why: 'the indication only matches with a myeloid diagnosis or an attested clinical myeloid neoplasm' },
    { outcome: 'unknown' as const, why: 'without a diagnosis or the attestation the indication does not match at all' }
  ]
}

void t.test(ID, async (t) => {
  // Load shedding (event-loop utilisation) would answer 503 to a tight loop of injected
  // requests on a busy machine; it is not what these scenarios test.
  const app = await buildTestApp(t, { UNDER_PRESSURE_MAX_EVENT_LOOP_UTILIZATION: '0', UNDER_PRESSURE_MAX_EVENT_LOOP_DELAY_MS: '0' })
  assertCoverage(t, ID, scenarios, impossible)
  await runScenarios(t, app, ID, scenarios)

  await t.test('no card for juvenile, unspecified or non-myeloid diagnoses', async (t) => {
    for (const code of ['C93.3', 'DC933', 'C92.9', 'C92.1', 'C90.0', 'D69.4']) {
      const res = await postHook(app, hookRequest(patient(), complete({ diagnosis: [condition(code)] })))
      t.equal(res.status, 200)
      t.equal(resultFor(res.body, ID), undefined, `${code} does not match ${ID}`)
    }
  })

  await t.test('no card when clinical myeloid neoplasm is attested false and nothing is coded', async (t) => {
    const res = await postHook(app, hookRequest(patient(), complete({ diagnosis: [attestation('clinically-myeloid-neoplasm', false)] })))
    t.equal(resultFor(res.body, ID), undefined)
  })

  await t.test('family history of MDS/AML names the inherited indication, without changing the status', async (t) => {
    const withFamily = await postHook(app, hookRequest(patient(), complete({ add: [familyMember('FTH', 'D46.9')] })))
    t.equal(resultFor(withFamily.body, ID)?.status, 'eligible')
    t.match(cardFor(withFamily.body, ID)?.detail, /inherited-myeloid-or-unexplained-cytopenia/)
    const without = await postHook(app, hookRequest(patient(), complete({ add: [familyMember('FTH', 'I21.9')] })))
    t.notMatch(cardFor(without.body, ID)?.detail, /inherited-myeloid-or-unexplained-cytopenia/)
  })

  await t.test('advice on inherited/juvenile forms is always shown; MDS referral advice only for MDS', async (t) => {
    const mds = await postHook(app, hookRequest(patient(), complete()))
    t.match(cardFor(mds.body, ID)?.detail, /Arvelige former for MDS og AML/)
    t.match(cardFor(mds.body, ID)?.detail, /behandlingskompetencen/)
    const amlCase = await postHook(app, hookRequest(patient(), complete({ diagnosis: aml(), role: amlDepartment() })))
    t.notMatch(cardFor(amlCase.body, ID)?.detail, /behandlingskompetencen/)
  })
})
