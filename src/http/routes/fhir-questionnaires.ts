/**
 * The requisition forms (src/core/questionnaire.ts), published as FHIR R4 resources for the SMART
 * app and for EHRs that render forms themselves:
 *   GET /fhir/Questionnaire/{id}        → the Questionnaire (application/fhir+json), 404 OperationOutcome if unknown
 *   GET /fhir/Questionnaire?url=<canonical>[|version] → a searchset Bundle (empty when none matches; all without `url`)
 * Generated from the loaded rules (identical to fhir-profiles/questionnaires/ for the shipped rules: a test
 * says so). Public like the criteria pages: they hold the published criteria, no patient data.
 */
import type { FastifyInstance, FastifyReply } from 'fastify'
import type { LoadedRules } from '../../definitions/load.js'
import type { AnyResource } from '../../core/fhir.js'
import { questionnaires } from '../../core/questionnaire.js'
import { HookError } from '../../hooks/operation-outcome.js'

export const FHIR_JSON = 'application/fhir+json; charset=utf-8'

const ID = '^[A-Za-z0-9\\-.]{1,64}$'
const resourceSchema = { type: 'object', additionalProperties: true, properties: { resourceType: { type: 'string' } } }
const outcomeSchema = { description: 'OperationOutcome naming the problem', ...resourceSchema }

export async function questionnaireRoutes (app: FastifyInstance, opts: { rules: LoadedRules }): Promise<void> {
  const forms = questionnaires(opts.rules.indications, opts.rules.codeSystems, opts.rules.rulesVersion)
  const byId = new Map(forms.map((q) => [String(q.id), q]))
  const send = (reply: FastifyReply, body: unknown): FastifyReply => reply.type(FHIR_JSON).header('cache-control', 'public, max-age=300').send(body)

  app.get<{ Params: { id: string } }>('/fhir/Questionnaire/:id', {
    schema: {
      tags: ['forms'],
      summary: 'A requisition form (FHIR R4 Questionnaire) of one indication: wgs-<indication id>',
      params: { type: 'object', required: ['id'], properties: { id: { type: 'string', pattern: ID } } },
      response: { 200: { description: 'The Questionnaire', ...resourceSchema }, 404: outcomeSchema }
    }
  }, async (request, reply) => {
    const q = byId.get(request.params.id)
    if (!q) throw new HookError(404, 'not-found', `Questionnaire '${request.params.id}' not found; the forms are ${[...byId.keys()].join(', ')}`)
    return send(reply, q)
  })

  app.get<{ Querystring: { url?: string } }>('/fhir/Questionnaire', {
    schema: {
      tags: ['forms'],
      summary: 'Search the requisition forms by canonical url (optionally url|version); all of them without url',
      querystring: { type: 'object', additionalProperties: false, properties: { url: { type: 'string', minLength: 1, maxLength: 512 } } },
      response: { 200: { description: 'A searchset Bundle', ...resourceSchema }, 400: outcomeSchema }
    }
  }, async (request, reply) => {
    const wanted = request.query.url
    const [url, version] = wanted === undefined ? [] : wanted.split('|')
    const hits = wanted === undefined ? forms : forms.filter((q) => q.url === url && (version === undefined || q.version === version))
    return send(reply, searchset(hits))
  })
}

function searchset (hits: AnyResource[]): AnyResource {
  return {
    resourceType: 'Bundle',
    type: 'searchset',
    total: hits.length,
    entry: hits.map((q) => ({ fullUrl: String(q.url), resource: q, search: { mode: 'match' } }))
  }
}
