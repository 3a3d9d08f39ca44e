/**
 * Every reason the engine gives for an unknown is worded in both card languages (issue 15 §1: no
 * English reasons inside Danish cards): the constants core/evaluate.ts exports, the two rule-error
 * texts it writes, and data that could not be read. The card extension keeps the technical text.
 */
import t from 'tap'
import { readFileSync } from 'node:fs'
import { NON_FINITE, UNFOUNDED } from '../../src/core/evaluate.js'
import { reasonWords, RULE_ERROR_PREFIX } from '../../src/cards/evidence-words.js'
import { STRINGS } from '../../src/cards/i18n.js'

// The rule-error reasons as the engine source writes them, so a new one cannot go unworded.
const ruleErrors = [...readFileSync('src/core/evaluate.ts', 'utf8').matchAll(/reason = '([^']+)'/g)].map((m) => m[1]!)

void t.test('every engine reason has a Danish and an English wording', async (t) => {
  t.ok(ruleErrors.length >= 2, `the engine's literal reasons: ${ruleErrors.join(' | ')}`)
  t.ok(ruleErrors.every((r) => r.startsWith(RULE_ERROR_PREFIX)), 'every literal reason is a rule error')
  const reasons = [UNFOUNDED, NON_FINITE, ...ruleErrors, "prefetch 'observations' was not sent", "'conditions' could not be retrieved from the FHIR server: HTTP 503"]
  for (const reason of reasons) {
    const da = reasonWords(reason, 'da')
    const en = reasonWords(reason, 'en')
    t.ok(da && en && da !== en, `${reason}: "${da}" / "${en}"`)
    t.not(da, reason, 'Danish is not the technical text')
    t.ok(Object.values(STRINGS.da.reasons).includes(da), 'a Danish wording of the card frame')
  }
  t.equal(reasonWords(UNFOUNDED, 'da'), STRINGS.da.reasons.unfounded)
  t.equal(reasonWords(`${UNFOUNDED}; ${ruleErrors[0]!}`, 'en'), `${STRINGS.en.reasons.unfounded}; ${STRINGS.en.reasons.ruleError}`, "a composite's joined reasons, each worded")
})
