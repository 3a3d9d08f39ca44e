/**
 * The criteria page shows each criterion's "what to document" and
 * interpretation texts verbatim to clinicians (issue 15 §1): they name no
 * internal artefact of this project — no Markdown or rule file, no seed path,
 * no attestation code, no FHIR element or configuration variable name —
 * and cite NGC's documents by title instead.
 */
import t from 'tap'
import { testRules } from '../helpers/app.js'

const FORBIDDEN: Array<[RegExp, string]> = [
  [/criteria\.md/i, 'criteria.md'],
  [/\.md\b/i, 'a Markdown file'],
  [/\.ya?ml\b/i, 'a YAML file'],
  [/attestation '/i, "attestation '<code>'"],
  [/seeds\//i, 'a seeds/ path'],
  [/\b(?:verificationStatus|clinicalStatus|ValueSets?|CodeSystem|PractitionerRole|DiagnosticReport|FamilyMemberHistory|Medication(?:Request|Statement|Administration))\b|\b[A-Z][a-z]+\.[a-z][A-Za-z]+\b/, 'a FHIR element or resource name'],
  [/\b[A-Z]+(?:_[A-Z]+)+\b/, 'a configuration variable']
]

/** The forbidden things a text names, by description. */
export function internalArtefacts (text: string): string[] {
  return FORBIDDEN.filter(([re]) => re.test(text)).map(([, what]) => what)
}

void t.test('the check finds each artefact', async (t) => {
  t.same(internalArtefacts('">18 år" læses som voksen (criteria.md, Alder).'), ['criteria.md', 'a Markdown file'])
  t.same(internalArtefacts('Dokumentér det (attestation \'incurable-disease\').'), ["attestation '<code>'"])
  t.same(internalArtefacts('se shared/seeds/000_6087517ef50949d1.txt og myeloid-cancer.yaml'), ['a YAML file', 'a seeds/ path'])
  t.same(internalArtefacts("Opfyldt ved verificationStatus 'confirmed' i ValueSet myeloid-neoplasm"), ['a FHIR element or resource name'])
  t.same(internalArtefacts('Køn læses fra Patient.gender (PERFORMANCE_STATUS_LOOKBACK_DAYS).'), ['a FHIR element or resource name', 'a configuration variable'])
  t.same(internalArtefacts('Registrér metastaserne som diagnose (DC77–DC79), eller bekræft i rekvisitionsskemaet: »Sygdommen vurderes uhelbredelig«.'), [])
})

void t.test('no document or interpretation text names an internal artefact', async (t) => {
  const rules = testRules()
  let texts = 0
  for (const indication of rules.indications) {
    for (const criterion of indication.criteria) {
      for (const field of ['document', 'interpretation'] as const) {
        const value = criterion[field]
        if (!value) continue
        for (const lang of ['da', 'en'] as const) {
          const text = value[lang]
          texts++
          t.same(internalArtefacts(text), [], `${indication.id}/${criterion.id} ${field}.${lang}`)
        }
      }
    }
  }
  t.ok(texts > 200, `the texts were read (${texts})`)
})

// The criterion's own text heads its row on the card, the form and the criteria page: it names
// NGC's recommendation, never "the seed" (this project's word for its source documents).
void t.test('no criterion text names a source file or "the seed"', async (t) => {
  const rules = testRules()
  let texts = 0
  for (const indication of rules.indications) {
    for (const criterion of indication.criteria) {
      for (const lang of ['da', 'en'] as const) {
        const text = criterion.text[lang]
        texts++
        const found = [...internalArtefacts(text).filter((w) => w !== 'a FHIR element or resource name'), ...(/\bseed/i.test(text) ? ['"seed"'] : [])]
        t.same(found, [], `${indication.id}/${criterion.id} text.${lang}`)
      }
    }
  }
  t.ok(texts > 200, `the texts were read (${texts})`)
})
