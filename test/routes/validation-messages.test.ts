/**
 * A 400 for a request that does not match the schema says which field is
 * wrong and what it must be: the missing field once (not "…userId must have
 * required property 'userId'"), the constant or the allowed values, the
 * field that is not allowed. Hook calls (validated by src/hooks/request-validator.ts)
 * and feedback (validated by Fastify) read the same (issue 14, item 15).
 */
import t from 'tap'
import { buildTestApp, postHook, SERVICE_URL } from '../helpers/app.js'
import { hookRequest, patient } from '../helpers/fhir-builders.js'

void t.test('validation messages name the field and the expected value', async (t) => {
  const app = await buildTestApp(t)
  const good = hookRequest(patient(), [])
  const cases: Array<{ name: string, body: unknown, url?: string, diagnostics: string, expression: string, code: string }> = [
    {
      name: 'a missing field',
      body: { ...good, context: { ...good.context, userId: undefined } },
      diagnostics: 'body.context.userId is required',
      expression: 'body.context.userId',
      code: 'required'
    },
    {
      name: 'a wrong constant',
      body: { ...good, context: { ...good.context, draftOrders: { resourceType: 'List' } } },
      diagnostics: 'body.context.draftOrders.resourceType must be "Bundle"',
      expression: 'body.context.draftOrders.resourceType',
      code: 'value'
    },
    {
      name: 'an array element',
      body: { ...good, context: { ...good.context, draftOrders: { resourceType: 'Bundle', entry: [{ resource: { resourceType: 'ServiceRequest' } }, { resource: null }] } } },
      diagnostics: 'body.context.draftOrders.entry[1].resource must be object',
      expression: 'body.context.draftOrders.entry[1].resource',
      code: 'invalid'
    },
    {
      name: 'a value outside an enumeration',
      url: `${SERVICE_URL}/feedback`,
      body: { feedback: [{ card: '5ad0b2f4-2a45-4c1e-9f44-8c8e3c2f0d11', outcome: 'ignored', outcomeTimestamp: '2026-11-22T10:00:00Z' }] },
      diagnostics: 'body.feedback[0].outcome must be one of "accepted", "overridden"',
      expression: 'body.feedback[0].outcome',
      code: 'value'
    },
    {
      name: 'a conditional requirement',
      url: `${SERVICE_URL}/feedback`,
      body: { feedback: [{ card: '5ad0b2f4-2a45-4c1e-9f44-8c8e3c2f0d11', outcome: 'accepted', outcomeTimestamp: '2026-11-22T10:00:00Z' }] },
      diagnostics: 'body.feedback[0].acceptedSuggestions is required',
      expression: 'body.feedback[0].acceptedSuggestions',
      code: 'required'
    }
  ]
  for (const c of cases) {
    const res = await postHook(app, c.body, c.url)
    t.equal(res.status, 400, `${c.name}: 400`)
    const issue = res.body.issue?.[0]
    t.equal(issue?.diagnostics, c.diagnostics, `${c.name}: says which field and what it must be`)
    t.same(issue?.expression, [c.expression], `${c.name}: expression is the field`)
    t.equal(issue?.code, c.code, `${c.name}: issue code`)
    t.notMatch(issue?.diagnostics, /required property|equal to constant|allowed values/, `${c.name}: no bare ajv wording`)
  }
})
