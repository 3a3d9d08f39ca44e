/**
 * myeloid-cancer (seed 000, "Myeloid cancer"): every criterion driven to met,
 * not-met and unknown over HTTP, plus the diagnosis boundaries and the
 * family-history pointer to the inherited indication.
 */
import t from 'tap'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildTestApp, cardFor, criterionStatus, postHook, resultFor } from '../helpers/app.js'
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
const amlDepartment = (name = 'Afdeling for Blodsygdomme, Rigshospitalet'): Json[] => orderingRole(name)
const SOR = 'urn:oid:1.2.208.176.1.1'
/** The ordering user's role at a ward whose Organization.partOf is the named department. */
function ward (wardName: string, departmentName: string, wardSor?: string): Json[] {
  const [role, org] = orderingRole(wardName, '394803006', wardSor ? [{ system: SOR, value: wardSor }] : [])
  const parent = { resourceType: 'Organization', id: `${String(org!.id)}-parent`, name: departmentName }
  return [role!, { ...org, partOf: { reference: `Organization/${parent.id}` } }, parent]
}
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

  { name: 'no myeloid sarcoma: imaging not required', criterion: 'imaging-myeloid-sarcoma', expect: 'not-applicable', resources: complete() },
  { name: 'myeloid sarcoma (SKS DC923) with PET-CT', criterion: 'imaging-myeloid-sarcoma', expect: 'met', indicationStatus: 'eligible', resources: complete({ diagnosis: [condition('DC923')], role: amlDepartment(), add: [procedure(SYSTEMS.snomed, PET_CT, '2026-10-01')] }) },
  { name: 'myeloid sarcoma, imaging attested not done', criterion: 'imaging-myeloid-sarcoma', expect: 'not-met', indicationStatus: 'not-eligible', resources: complete({ diagnosis: [condition('DC923')], role: amlDepartment(), add: [attestation('imaging-done', false)] }) },
  { name: 'myeloid sarcoma without imaging', criterion: 'imaging-myeloid-sarcoma', expect: 'unknown', indicationStatus: 'incomplete', resources: complete({ diagnosis: [condition('C92.3')], role: amlDepartment() }) },

  { name: 'MDT attested', criterion: 'mdt-assessment', expect: 'met', resources: complete() },
  { name: 'MDT cancer care conference recorded', criterion: 'mdt-assessment', expect: 'met', resources: complete({ without: ['mdt'], add: [procedure(SYSTEMS.snomed, MDT_CANCER_CONFERENCE, '2026-11-02')] }) },
  { name: 'MDT attested false', criterion: 'mdt-assessment', expect: 'not-met', indicationStatus: 'not-eligible', resources: complete({ without: ['mdt'], add: [attestation('mdt-assessment', false)] }) },
  { name: 'no MDT documented', criterion: 'mdt-assessment', expect: 'unknown', indicationStatus: 'incomplete', resources: complete({ without: ['mdt'] }) },

  { name: 'haematologist', criterion: 'hematology-specialist', expect: 'met', resources: complete() },
  // Review A: another SNOMED CT specialty is often the department's, not the clinician's: unknown, never a refusal.
  { name: 'clinical oncology specialty at an oncology department: unknown, not a refusal', criterion: 'hematology-specialist', expect: 'unknown', indicationStatus: 'incomplete', resources: complete({ role: orderingRole('Onkologisk Afdeling, Aarhus Universitetshospital', ONCOLOGY) }) },
  { name: 'medical oncology (394593009) at an unlisted medical department: unknown', criterion: 'hematology-specialist', expect: 'unknown', indicationStatus: 'incomplete', resources: complete({ role: orderingRole('Medicinsk Afdeling, Regionshospitalet Gødstrup', '394593009') }) },
  { name: 'no PractitionerRole prefetched', criterion: 'hematology-specialist', expect: 'unknown', indicationStatus: 'incomplete', resources: complete(), request: { omit: ['practitionerRoles'] } },

  { name: 'MDS ordered outside the AML departments (rule applies to AML only)', criterion: 'aml-department', expect: 'not-applicable', indicationStatus: 'eligible', resources: complete() },
  { name: 'AML from Rigshospitalet', criterion: 'aml-department', expect: 'met', resources: complete({ diagnosis: aml(), role: amlDepartment() }) },
  { name: 'AML (SKS DC924, APL) from Aalborg, matched by name', criterion: 'aml-department', expect: 'met', resources: complete({ diagnosis: aml('DC924'), role: orderingRole('Klinik Kræft, Hæmatologi, Aalborg Universitetshospital') }) },
  // Review A: a department the list does not recognise is unknown with a warning, never not-met.
  { name: 'AML from a department not recognised (Holstebro)', criterion: 'aml-department', expect: 'unknown', indicationStatus: 'incomplete', resources: complete({ diagnosis: aml() }) },
  { name: 'AML from a bed ward whose partOf is Afdeling for Blodsygdomme, Rigshospitalet', criterion: 'aml-department', expect: 'met', indicationStatus: 'eligible', resources: complete({ diagnosis: aml(), role: ward('Blodsygdomme L, Senge', 'Afdeling for Blodsygdomme, Rigshospitalet') }) },
  { name: 'AML from "Klinik for Blodsygdomme, Rigshospitalet" (the name seed 002 uses)', criterion: 'aml-department', expect: 'met', resources: complete({ diagnosis: aml(), role: amlDepartment('Klinik for Blodsygdomme, Rigshospitalet') }) },
  { name: 'AML, no PractitionerRole', criterion: 'aml-department', expect: 'unknown', indicationStatus: 'incomplete', resources: complete({ diagnosis: aml(), without: ['role'] }) },
  { name: 'AML, role without an Organization', criterion: 'aml-department', expect: 'unknown', resources: complete({ diagnosis: aml(), role: amlDepartment().filter((r) => r.resourceType === 'PractitionerRole') }) },

  // criteria.md: a family history alone must not make this indication not eligible.
  { name: 'mother with AML (FamilyMemberHistory): still eligible', criterion: 'diagnosis', expect: 'met', indicationStatus: 'eligible', resources: complete({ add: [familyMember('MTH', 'C92.0', 45)] }) }
]

/*
 * Issue 13 / clinical review (seed 000 «Myeloid cancer», review §2 and cross-cutting A, E, F):
 * records coded the way Danish hospital systems send them.
 */
const sctCondition = (code: string, display: string): Json => condition('DC920', { code: { coding: [{ system: SYSTEMS.snomed, code, display }] } })

const danish: Scenario[] = [
  // SNOMED CT-coding EHR: AML and MDS as disorder concepts.
  { name: 'AML coded in SNOMED CT (91861009) from an AML department', criterion: 'diagnosis', expect: 'met', indicationStatus: 'eligible', resources: complete({ diagnosis: [sctCondition('91861009', 'Acute myeloid leukemia (disorder)')], role: amlDepartment() }) },
  { name: 'SNOMED-coded AML: the AML-department rule applies', criterion: 'aml-department', expect: 'met', resources: complete({ diagnosis: [sctCondition('91861009', 'Acute myeloid leukemia (disorder)')], role: amlDepartment() }) },
  { name: 'MDS with excess blasts-2 coded in SNOMED CT (415284008)', criterion: 'diagnosis', expect: 'met', indicationStatus: 'eligible', resources: complete({ diagnosis: [sctCondition('415284008', 'Myelodysplastic syndrome with excess blasts-2 (disorder)')] }) },
  // Seed: "plasmablastisk dendritcelle leukæmi" (BPDCN) is in group a, but it is not AML for the department rule.
  { name: 'BPDCN (SKS DC864) matches', criterion: 'diagnosis', expect: 'met', indicationStatus: 'eligible', resources: complete({ diagnosis: [condition('DC864')] }) },
  { name: 'BPDCN (SNOMED 445105005): AML-department rule not applicable', criterion: 'aml-department', expect: 'not-applicable', resources: complete({ diagnosis: [sctCondition('445105005', 'Blastic plasmacytoid dendritic cell neoplasm (disorder)')] }) },
  // Review E: any MDT of any year counted.
  { name: 'MDT conference from 2019 only', criterion: 'mdt-assessment', expect: 'unknown', indicationStatus: 'incomplete', resources: complete({ without: ['mdt'], add: [procedure(SYSTEMS.snomed, MDT_CANCER_CONFERENCE, '2019-04-02')] }) },
  { name: 'MDT confirmation from 2020 only', criterion: 'mdt-assessment', expect: 'unknown', resources: complete({ without: ['mdt'], add: [attestation('mdt-assessment', true, '2020-01-15')] }) },
  // Review §2: FISH excluded — the clinician's confirmation of cytogenetics names FISH and counts.
  { name: 'FISH only, confirmed by the clinician', criterion: 'cytogenetics', expect: 'met', resources: complete({ without: ['cytogenetics'], add: [attestation('cytogenetics-done')] }) },
  // Issue 13 §2: a year-only birthDate that settles the age (born 1971: 54 or 55 in November 2026).
  { name: 'year-only birthDate 1971', criterion: 'adult', expect: 'met', patient: patient({ birthDate: '1971' }), resources: complete() },
  { name: 'year-only birthDate 2008 (17 or 18): not settled', criterion: 'adult', expect: 'unknown', patient: patient({ birthDate: '2008' }), resources: complete() },
  // Review §2/B: bone marrow report (LOINC 48807-2) and genomics reports were never read.
  { name: 'bone marrow aspiration report only (DiagnosticReport LOINC 48807-2)', criterion: 'bone-marrow-examination', expect: 'met', indicationStatus: 'eligible', resources: complete({ without: ['boneMarrow'], add: [report({ coding: [{ system: SYSTEMS.loinc, code: '48807-2', display: 'Bone marrow aspiration report' }] })] }) },
  { name: 'myeloid NGS panel as a genetics report with a local code (category GE)', criterion: 'molecular-genetics', expect: 'met', indicationStatus: 'eligible', resources: complete({ without: ['molecular'], add: [report({ coding: [{ system: 'urn:oid:1.2.208.176.2.1.99', code: 'MYPAN', display: 'Myeloid genpanel (NGS)' }] }, [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0074', code: 'GE' }] }])] }) },
  { name: 'genetic analysis report (LOINC 51969-4)', criterion: 'molecular-genetics', expect: 'met', resources: complete({ without: ['molecular'], add: [report({ coding: [{ system: SYSTEMS.loinc, code: '51969-4', display: 'Genetic analysis report' }] })] }) },
  { name: 'karyotype report (DiagnosticReport SNOMED 312948004)', criterion: 'cytogenetics', expect: 'met', resources: complete({ without: ['cytogenetics'], add: [report({ coding: [{ system: SYSTEMS.snomed, code: KARYOTYPE }] })] }) },
  { name: 'a preliminary genetics report does not count', criterion: 'molecular-genetics', expect: 'unknown', resources: complete({ without: ['molecular'], add: [{ ...report({ coding: [{ system: SYSTEMS.loinc, code: '51969-4' }] }), status: 'preliminary' }] }) },
  // Review A: an unknown specialty coding must not give not-met.
  { name: 'haematologist with a local specialty coding at Hæmatologisk Afdeling, Aarhus Universitetshospital', criterion: 'hematology-specialist', expect: 'met', resources: complete({ role: localSpecialtyRole('Hæmatologisk Afdeling, Aarhus Universitetshospital') }) },
  { name: 'local specialty coding at an unlisted department', criterion: 'hematology-specialist', expect: 'unknown', indicationStatus: 'incomplete', resources: complete({ role: localSpecialtyRole('Medicinsk Afdeling, Sygehus Sønderjylland') }) }
]

/** A final DiagnosticReport (as the lab or pathology system sends it). */
function report (code: Json, category?: Json[]): Json {
  return { resourceType: 'DiagnosticReport', id: `dr-${String(code.coding[0].code)}`, status: 'final', subject: { reference: 'Patient/pt-1' }, code, ...(category ? { category } : {}), effectiveDateTime: '2026-09-22', issued: '2026-09-24T10:00:00+02:00' }
}

/** The ordering user's role with only a local (non-SNOMED) specialty coding. */
function localSpecialtyRole (orgName: string): Json[] {
  const [role, org] = orderingRole(orgName)
  return [{ ...role, specialty: [{ coding: [{ system: 'urn:oid:1.2.208.176.2.1.99', code: 'HAEM', display: 'Hæmatologi' }] }] }, org!]
}

const impossible = {
  'aml-department': [{ outcome: 'not-met' as const, why: 'the shipped list declares no complete SOR list; the not-met case is tested with a configured complete list below' }],
  'hematology-specialist': [{ outcome: 'not-met' as const, why: 'a specialty or department that does not match is no positive evidence (the seed also allows departments with haematological subspecialisation): unknown, never not met' }],
  diagnosis: [
    { outcome: 'not-met' as const, why: 'the indication only matches with a myeloid diagnosis or an attested clinical myeloid neoplasm' },
    { outcome: 'unknown' as const, why: 'without a diagnosis or the attestation the indication does not match at all' }
  ]
}

void t.test(ID, async (t) => {
  // Load shedding (event-loop utilisation) would answer 503 to a tight loop of injected
  // requests on a busy machine; it is not what these scenarios test.
  const app = await buildTestApp(t, { UNDER_PRESSURE_MAX_EVENT_LOOP_UTILIZATION: '0', UNDER_PRESSURE_MAX_EVENT_LOOP_DELAY_MS: '0' })
  assertCoverage(t, ID, [...scenarios, ...danish], impossible)
  await runScenarios(t, app, ID, scenarios)
  await runScenarios(t, app, ID, danish)

  await t.test('a configured complete SOR list: a SOR-identified department not on it is not met', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'org-lists-'))
    t.teardown(() => rmSync(dir, { recursive: true, force: true }))
    const file = join(dir, 'organization-lists.yaml')
    // Fictitious SOR codes for the test configuration only.
    writeFileSync(file, [
      'lists:',
      '  - id: aml-departments',
      '    title: { da: AML-afdelinger, en: AML departments }',
      '    seed: { file: 000_6087517ef50949d1.txt, heading: Myeloid cancer — Krav til kompetenceniveau }',
      '    complete: true',
      '    members:',
      '      - name: Afdeling for Blodsygdomme, Rigshospitalet',
      `        identifiers: [{ system: '${SOR}', value: '100000000000001' }]`,
      '  - id: platelet-experts',
      '    title: { da: x, en: x }',
      '    seed: { file: 002_721ade61daf9160f.txt, heading: x }',
      '    members: [{ name: x }]',
      '  - id: thrombocytopenia-requesting-departments',
      '    title: { da: x, en: x }',
      '    seed: { file: 002_721ade61daf9160f.txt, heading: x }',
      '    members: [{ name: x }]',
      '  - id: sarcoma-centres',
      '    title: { da: x, en: x }',
      '    seed: { file: 003_4a7870b025bb9192.txt, heading: x }',
      '    members: [{ name: x }]',
      ''
    ].join('\n'))
    const configured = await buildTestApp(t, { ORGANIZATION_LISTS_FILE: file })
    const other = orderingRole('Hæmatologisk Afdeling, Regionshospitalet Holstebro', '394803006', [{ system: SOR, value: '100000000000999' }])
    const res = await postHook(configured, hookRequest(patient(), complete({ diagnosis: aml(), role: other })))
    t.equal(criterionStatus(resultFor(res.body, ID), 'aml-department'), 'not-met')
    t.equal(resultFor(res.body, ID)?.status, 'not-eligible')
    const listed = orderingRole('Blodsygdomme L, Senge', '394803006', [{ system: SOR, value: '100000000000001' }])
    const ok = await postHook(configured, hookRequest(patient(), complete({ diagnosis: aml(), role: listed })))
    t.equal(criterionStatus(resultFor(ok.body, ID), 'aml-department'), 'met')
  })

  await t.test('prognostic score advice: ELN for AML, IPSS/IPSS-R for MDS (review §2)', async (t) => {
    const amlCase = await postHook(app, hookRequest(patient(), complete({ diagnosis: aml(), role: amlDepartment() })))
    t.match(cardFor(amlCase.body, ID)?.detail, /ELN/)
    t.notMatch(cardFor(amlCase.body, ID)?.detail, /IPSS-R/)
    const mds = await postHook(app, hookRequest(patient(), complete()))
    t.match(cardFor(mds.body, ID)?.detail, /IPSS-R/)
    t.notMatch(cardFor(mds.body, ID)?.detail, /ELN/)
  })

  await t.test('the 2019 MDT is shown, marked too old', async (t) => {
    const res = await postHook(app, hookRequest(patient(), complete({ without: ['mdt'], add: [procedure(SYSTEMS.snomed, MDT_CANCER_CONFERENCE, '2019-04-02')] })))
    const mdt = resultFor(res.body, ID)?.criteria.find((c) => c.id === 'mdt-assessment')
    t.ok(mdt?.evidence.some((e) => e.tooOld === true))
  })

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
    t.match(cardFor(withFamily.body, ID)?.detail, /Familieanamnese med myeloid neoplasi/)
    t.notMatch(cardFor(withFamily.body, ID)?.detail, /inherited-myeloid-or-unexplained-cytopenia/, 'no internal id on the card')
    t.equal(resultFor(withFamily.body, ID)?.related?.[0]?.indication, 'inherited-myeloid-or-unexplained-cytopenia')
    const without = await postHook(app, hookRequest(patient(), complete({ add: [familyMember('FTH', 'I21.9')] })))
    t.notMatch(cardFor(without.body, ID)?.detail, /Familieanamnese med myeloid neoplasi/)
  })

  await t.test('advice on inherited/juvenile forms is always shown; MDS referral advice only for MDS', async (t) => {
    const mds = await postHook(app, hookRequest(patient(), complete()))
    t.match(cardFor(mds.body, ID)?.detail, /Arvelige former for MDS og AML/)
    t.match(cardFor(mds.body, ID)?.detail, /behandlingskompetencen/)
    const amlCase = await postHook(app, hookRequest(patient(), complete({ diagnosis: aml(), role: amlDepartment() })))
    t.notMatch(cardFor(amlCase.body, ID)?.detail, /behandlingskompetencen/)
  })
})
