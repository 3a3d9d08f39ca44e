/**
 * The criteria catalogue: a Markdown document generated from the same
 * definitions the engine runs, for clinicians reviewing the rules. For every
 * indication and criterion: Danish and English text, the seed citation, the
 * FHIRPath, the ValueSets and codes it reads, and whether it is required.
 * Pure: definitions in, text out (scripts/catalogue.ts writes the file).
 */
import type { Definitions } from '../definitions/load.js'
import type { CriterionDefinition, IndicationDefinition, PatientGroup } from '../core/types.js'
import type { ValueSet } from '../core/fhir.js'

const GROUPS: Record<PatientGroup, { da: string, en: string }> = {
  'hematologic-cancer': { da: 'Hæmatologisk cancer', en: 'Hematologic cancer' },
  'inherited-hematologic-disease': { da: 'Arvelig hæmatologisk sygdom', en: 'Inherited hematologic disease' },
  'widespread-incurable-cancer': { da: 'Udbredt og uhelbredelig kræft', en: 'Widespread and incurable cancer' }
}

const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n+/g, ' ')

function citation (seed: { file: string, heading: string, quote?: string }): string {
  return `\`${seed.file}\` — ${seed.heading}${seed.quote ? ` — «${seed.quote}»` : ''}`
}

function valueSetCodes (vs: ValueSet | undefined): string {
  if (!vs) return '_(not found)_'
  const parts: string[] = []
  for (const inc of vs.compose?.include ?? []) {
    if (inc.valueSet?.length) parts.push(`ValueSets ${inc.valueSet.map((u) => `\`${u.split('/').pop()}\``).join(', ')}`)
    if (!inc.system) continue
    const codes = (inc.concept ?? []).map((c) => `\`${c.code}\`${c.display ? ` ${c.display}` : ''}`)
    const filters = (inc.filter ?? []).map((f) => `${f.op} \`${f.value}\``)
    const all = [...codes, ...filters]
    parts.push(`${inc.system}: ${all.length ? all.join('; ') : '_all codes_'}`)
  }
  for (const exc of vs.compose?.exclude ?? []) {
    parts.push(`except ${exc.system ?? ''}: ${(exc.concept ?? []).map((c) => `\`${c.code}\``).join(', ')}`)
  }
  return parts.join('<br>')
}

function criterionSection (c: CriterionDefinition): string[] {
  const lines = [
    `#### \`${c.id}\` — ${c.required ? 'required' : 'not required on its own (part of a composite or advisory)'}`,
    '',
    `- **da:** ${c.text.da}`,
    `- **en:** ${c.text.en}`,
    `- **Seed:** ${citation(c.seed)}`
  ]
  if (c.expression) lines.push('- **FHIRPath** (`true` = met, `false` = not met, empty = unknown):', '', '  ```', ...c.expression.trim().split('\n').map((l) => `  ${l}`), '  ```')
  if (c.composition) lines.push(`- **Composition** (three-valued): \`${JSON.stringify(c.composition)}\``)
  if (c.evidence) lines.push(`- **Evidence:** \`${c.evidence.trim().replace(/\s+/g, ' ')}\``)
  if (c.interpretation) lines.push(`- **Interpretation (da):** ${c.interpretation.da}`, `- **Interpretation (en):** ${c.interpretation.en}`)
  if (c.document) lines.push(`- **When unknown, document (da):** ${c.document.da}`)
  lines.push('')
  return lines
}

function indicationSection (ind: IndicationDefinition, valueSets: Map<string, ValueSet>): string[] {
  const lines = [
    `### \`${ind.id}\``,
    '',
    `**${ind.title.da}** / ${ind.title.en}`,
    '',
    `- **Seed:** ${citation(ind.seed)}`,
    `- **Population:** ${ind.population === 'adults' ? 'adults (18 or older); younger patients are pointed to the paediatric groups' : 'all ages'}`,
    `- **NGC:** ${ind.url}`,
    `- **Matches when:** \`${ind.matches.trim().replace(/\s+/g, ' ')}\``,
    '',
    '| data | resource | ValueSet | codes |',
    '|---|---|---|---|'
  ]
  for (const [name, req] of Object.entries(ind.data)) {
    const vs = req.valueSet ? valueSets.get(req.valueSet) : undefined
    lines.push(`| \`%${name}\` | ${req.resourceType}${req.status ? ` (status ${req.status.join(', ')})` : ''} | ${req.valueSet ? `\`${req.valueSet.split('/').pop()}\`` : '—'} | ${req.valueSet ? cell(valueSetCodes(vs)) : 'all'} |`)
  }
  lines.push('')
  if (ind.variables && Object.keys(ind.variables).length) {
    lines.push('Derived values:', '')
    for (const [name, expr] of Object.entries(ind.variables)) lines.push(`- \`%${name}\` = \`${expr.trim().replace(/\s+/g, ' ')}\``)
    lines.push('')
  }
  lines.push('| criterion | required | da | en |', '|---|---|---|---|')
  for (const c of ind.criteria) lines.push(`| \`${c.id}\` | ${c.required ? 'yes' : 'no'} | ${cell(c.text.da)} | ${cell(c.text.en)} |`)
  lines.push('')
  for (const c of ind.criteria) lines.push(...criterionSection(c))
  if (ind.advice?.length) {
    lines.push('**Card notes (advice):**', '')
    for (const a of ind.advice) lines.push(`- \`${a.id}\`${a.when ? ` (when \`${a.when.trim().replace(/\s+/g, ' ')}\`)` : ''}: ${a.text.da} / ${a.text.en} — ${citation(a.seed)}`)
    lines.push('')
  }
  if (ind.related?.length) {
    lines.push('**Related indications named on the card:**', '')
    for (const r of ind.related) lines.push(`- \`${r.indication}\`${r.when ? ` when \`${r.when.trim().replace(/\s+/g, ' ')}\`` : ''}: ${r.text.en}`)
    lines.push('')
  }
  return lines
}

export function catalogueMarkdown (defs: Definitions): string {
  const valueSets = new Map(defs.valueSets.map((v) => [v.url ?? '', v]))
  const lines = [
    '# WGS eligibility criteria catalogue',
    '',
    '<!-- Generated by `npm run catalogue` from cds-services/ and fhir-profiles/. Do not edit by hand: a test fails when this file is stale. -->',
    '',
    `Rules version: \`${defs.rulesVersion.split('+')[0]}\` + content hash (see discovery). Outcomes per criterion: met / not met / unknown (data missing). Per indication: eligible (all required met), not eligible (any required not met), incomplete (otherwise).`,
    '',
    'ICD-10 and SKS codes are matched as one system: `DC920` (SKS) is `C92.0`, and a listed code includes its subdivisions and Danish sub-codes.',
    ''
  ]
  for (const [group, title] of Object.entries(GROUPS) as Array<[PatientGroup, { da: string, en: string }]>) {
    const inds = defs.indications.filter((i) => i.group === group).sort((a, b) => a.id.localeCompare(b.id))
    if (inds.length === 0) continue
    lines.push(`## ${title.da} / ${title.en}`, '')
    for (const ind of inds) lines.push(...indicationSection(ind, valueSets))
  }
  lines.push('## Organisation lists (ordering competence)', '')
  for (const list of defs.organizationLists) {
    lines.push(`- \`${list.id}\` — ${list.title.da}: ${list.members.map((m) => m.name).join('; ')} — ${citation(list.seed)}`)
  }
  lines.push('')
  return lines.join('\n')
}
