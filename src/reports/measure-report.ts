/**
 * One FHIR R4 MeasureReport per month (docs/reports.md "MeasureReport"),
 * structure as in the R4 specification (https://hl7.org/fhir/R4/measurereport-definitions.html):
 * status `complete`, type `summary`, `measure` (canonical, 1..1 in R4),
 * `period` (1..1), `date`; one `group` per figure with its national
 * `initial-population` count (http://terminology.hl7.org/CodeSystem/measure-population)
 * and one stratifier whose strata have two components, region and indication.
 * A suppressed count has no `count`: its population carries the
 * data-absent-reason extension with `masked` ("not available due to security,
 * privacy or related reasons"). The select → sign time is a group whose
 * measureScore is the median in UCUM minutes (`min`). Group and component
 * codes are this service's own (a project-local code system), not an external one.
 */
import type { CountColumn, Report } from './aggregate.js'
import type { Cell } from './suppress.js'

export const MEASURE_URL = 'https://ngc-wgs-cds.dk/fhir/Measure/wgs-orders'
export const GROUP_SYSTEM = 'https://ngc-wgs-cds.dk/fhir/CodeSystem/wgs-report'
const POPULATION = { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/measure-population', code: 'initial-population' }] }
const MASKED = [{ url: 'http://hl7.org/fhir/StructureDefinition/data-absent-reason', valueCode: 'masked' }]

const GROUPS: Array<{ column: CountColumn, code: string, display: string }> = [
  { column: 'orders', code: 'orders-evaluated', display: 'WGS orders evaluated' },
  { column: 'signed', code: 'signed', display: 'Orders signed (verdict at order-sign)' },
  { column: 'eligible', code: 'signed-eligible', display: 'Signed with an eligible verdict' },
  { column: 'incomplete', code: 'signed-incomplete', display: 'Signed with an incomplete verdict' },
  { column: 'notEligible', code: 'signed-not-eligible', display: 'Signed with a not-eligible verdict' },
  { column: 'signedDespite', code: 'signed-despite-not-eligible', display: 'Signed despite a card that was not eligible (overridden)' }
]

const population = (c: Cell): Record<string, unknown> => c.hidden ? { code: POPULATION, extension: MASKED } : { code: POPULATION, count: c.n }
const concept = (code: string, display: string): Record<string, unknown> => ({ coding: [{ system: GROUP_SYSTEM, code, display }], text: display })

function lastDay (month: string): string {
  const [y, m] = month.split('-').map(Number) as [number, number]
  return `${month}-${String(new Date(Date.UTC(y, m, 0)).getUTCDate()).padStart(2, '0')}`
}

/** The month's MeasureReport; `regionName`/`indicationName` give the strata texts. */
export function measureReport (r: Report, month: string, generatedAt: string, names: { region: (id: string) => string, indication: (id: string) => string }): Record<string, unknown> {
  const rows = r.rows.filter((x) => x.month === month)
  const total = r.totals.find((t) => t.month === month)
  const stratum = (x: typeof rows[number], c: Cell): Record<string, unknown> => ({
    component: [
      { code: concept('region', 'Region'), value: { coding: [{ system: `${GROUP_SYSTEM}-region`, code: x.region }], text: names.region(x.region) } },
      { code: concept('indication', 'Indication'), value: { coding: [{ system: `${GROUP_SYSTEM}-indication`, code: x.indication }], text: names.indication(x.indication) } }
    ],
    population: [population(c)]
  })
  const stratifier = (pick: (x: typeof rows[number]) => Cell): Array<Record<string, unknown>> => rows.length
    ? [{ code: [concept('region-indication', 'Region × indication')], stratum: rows.map((x) => stratum(x, pick(x))) }]
    : []
  const groups = GROUPS.map((g) => ({
    code: concept(g.code, g.display),
    population: [population(total?.cells[g.column] ?? { n: 0, shown: '0', hidden: false })],
    ...(rows.length ? { stratifier: stratifier((x) => x.cells[g.column]) } : {})
  }))
  const time = total?.signTime
  groups.push({
    code: concept('select-to-sign-minutes', 'Median minutes from the first order-select to order-sign'),
    population: [population(time?.n ?? { n: 0, shown: '0', hidden: false })],
    ...(time?.medianMinutes !== undefined ? { measureScore: { value: time.medianMinutes, unit: 'min', system: 'http://unitsofmeasure.org', code: 'min' } } : {})
  } as typeof groups[number])
  return {
    resourceType: 'MeasureReport',
    id: `wgs-orders-${month}`,
    status: 'complete',
    type: 'summary',
    measure: MEASURE_URL,
    date: generatedAt,
    period: { start: `${month}-01`, end: lastDay(month) },
    group: groups
  }
}
