/**
 * POST /evaluate — the evaluation without CDS Hooks (issue 15 §2), for the requisition form's SMART
 * app and for EHRs that do not call hooks: a FHIR Bundle of one patient's record in (any Bundle type;
 * `application/fhir+json` or `application/json`), the results out:
 *   { rulesVersion, evaluatedAt, language, indications: [ <per indication: the card extension's result> ] }
 * Query: `language=da|en` (default: the service's language), `indication=<id>` (only that one),
 * `order=<id of a ServiceRequest in the Bundle>` (the draft order, as `%order`; default: the first WGS
 * order in the Bundle). The record is read exactly as the CLI reads a Bundle (src/cli/input.ts), answers
 * of the requisition forms included, and evaluated by the same engine as the hooks.
 *
 * Bad input is a 4xx OperationOutcome naming the problem: not JSON / not a Bundle / no or several
 * patients / unknown order or indication (400), nested deeper than the hooks allow (400,
 * hooks/json-limits.ts), larger than the body limit (413), another media type (415).
 *
 * Not behind the CDS client JWT, also with CDS_AUTH=required: the answer is computed only from the
 * Bundle the caller sends and the published rules (nothing is read from a FHIR server or the audit
 * store, nothing is stored), and the SMART app served by the service calls it from the browser, where
 * no CDS client key can be held. Rate limiting applies as everywhere (docs/connecting-an-ehr.md).
 */
import type { FastifyInstance } from 'fastify'
import type { LoadedRules } from '../../definitions/load.js'
import type { Language } from '../../cards/i18n.js'
import { evaluationResults } from '../../cards/render.js'
import { evaluateInput, readPatientInput, InputError } from '../../cli/input.js'
import { removeNonFiniteNumbers } from '../../hooks/json-limits.js'
import { HookError } from '../../hooks/operation-outcome.js'
import type { AnyResource } from '../../core/fhir.js'

export interface EvaluateRouteOptions {
  rules: LoadedRules
  language: Language
  /** The evaluation time; the clock is read here, never in the core. */
  clock?: () => Date
}

interface EvaluateQuery { language?: Language, indication?: string, order?: string }

const ID = '^[A-Za-z0-9\\-.]{1,64}$'
const object = { type: 'object', additionalProperties: true }

export async function evaluateRoutes (app: FastifyInstance, opts: EvaluateRouteOptions): Promise<void> {
  const { rules } = opts
  const clock = opts.clock ?? (() => new Date())
  const known = new Set(rules.indications.map((i) => i.id))

  app.post<{ Body: unknown, Querystring: EvaluateQuery }>('/evaluate', {
    schema: {
      tags: ['forms'],
      summary: 'Evaluate a FHIR Bundle of one patient\'s record against every indication (for apps and EHRs without CDS Hooks)',
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: {
          language: { type: 'string', enum: ['da', 'en'], description: 'Language of the texts; the service\'s language by default' },
          indication: { type: 'string', pattern: '^[a-z0-9-]{1,80}$', description: 'Only this indication' },
          order: { type: 'string', pattern: ID, description: 'The id of the draft ServiceRequest in the Bundle to evaluate for' }
        }
      },
      body: {
        description: 'A FHIR R4 Bundle (any type) holding one Patient and the resources of their record; draft WGS ServiceRequests are the orders',
        type: 'object',
        properties: { resourceType: { type: 'string', description: 'Bundle' }, type: { type: 'string' }, entry: { type: 'array', items: object } }
      },
      response: {
        200: {
          description: 'The results: one entry per matching indication, best first, every criterion with its evidence',
          type: 'object',
          additionalProperties: true,
          properties: {
            rulesVersion: { type: 'string' },
            evaluatedAt: { type: 'string', format: 'date-time' },
            language: { type: 'string', enum: ['da', 'en'] },
            indications: { type: 'array', items: object }
          }
        },
        400: { description: 'OperationOutcome naming the problem', ...object },
        413: { description: 'OperationOutcome: the body is larger than the limit', ...object },
        415: { description: 'OperationOutcome: not JSON', ...object }
      }
    }
  }, async (request, reply) => {
    const body = request.body
    const q = request.query
    if (q.indication !== undefined && !known.has(q.indication)) {
      throw new HookError(400, 'value', `unknown indication '${q.indication}'; the indications are ${[...known].join(', ')}`, ['indication'])
    }
    // The schema made it an object whose entry, if any, is an array.
    const rt = (body as { resourceType?: unknown }).resourceType
    if (rt !== 'Bundle') throw new HookError(400, 'invalid', `expected a FHIR Bundle; got ${typeof rt === 'string' ? `resourceType ${rt.slice(0, 64)}` : 'an object without resourceType'}`, ['resourceType'])
    removeNonFiniteNumbers(body)
    let input
    try { input = readPatientInput(rules, body) } catch (err) {
      if (err instanceof InputError) throw new HookError(400, 'invalid', err.message, ['Bundle.entry'])
      throw err
    }
    let order: AnyResource | undefined = input.orders[0]
    if (q.order !== undefined) {
      order = input.orders.find((o) => o.id === q.order)
      if (!order) throw new HookError(400, 'value', `the Bundle holds no draft WGS ServiceRequest with id '${q.order}'${input.orders.length ? `; its WGS orders are ${input.orders.map((o) => String(o.id)).join(', ')}` : ''}`, ['order'])
      input = { ...input, orders: [order, ...input.orders.filter((o) => o !== order)] }
    }
    const evaluatedAt = clock().toISOString()
    const language = q.language ?? opts.language
    const results = evaluateInput(rules, input, evaluatedAt).filter((r) => q.indication === undefined || r.indication === q.indication)
    // Every indication in full (the card extension lists the other indications' evidence more briefly).
    const indications = evaluationResults(results, { language, rulesVersion: rules.rulesVersion, unavailable: [] }, order)
    return reply.type('application/json; charset=utf-8').send({ rulesVersion: rules.rulesVersion, evaluatedAt, language, indications })
  })
}
