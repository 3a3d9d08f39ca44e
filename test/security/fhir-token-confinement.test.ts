/**
 * Threat: a FHIR server (or whoever controls a search result page) puts a
 * `next` link in a Bundle that *looks* like it is under the allow-listed base
 * but resolves outside it: `…/fhir/R4/%2e%2e/secret`, `…/fhir/R4/../secret`,
 * `…/fhir/R4/.%2E/secret`, `…/fhir/R4/..%2fsecret`, `…/fhir/R4/..;/secret`,
 * a backslash, user info. A text prefix check passes them all, and `fetch`
 * then normalises the dot segments, so the EHR's Bearer token would be sent
 * to a path outside the base the operator allow-listed.
 *
 * The fallback must compare the origin and the normalised pathname of the
 * parsed URL with the base's, and refuse encoded slashes and `..;`
 * segments that some servers decode to a parent segment. Each case runs
 * against a real FHIR server on loopback (test/helpers/fhir-server.ts),
 * which records every request it gets and whether it carried the token:
 * no request outside `/fhir/R4/` may carry it. A control case (a `next`
 * link inside the base) proves the paging is followed, so every attack case
 * can fail.
 */
import t from 'tap'
import { buildTestApp, postHook, resultFor } from '../helpers/app.js'
import { startFhirServer } from '../helpers/fhir-server.js'
import { condition, hookRequest, patient, plateletCount, type Json } from '../helpers/fhir-builders.js'

const TOKEN = 'fhir-token-confinement-5c1e'
const ID = 'inherited-thrombocytopenia'

const pt = patient()
const resources: Json[] = [condition('DD694'), plateletCount(88, '2015-05-01')]

/** The request with every key but `observations` prefetched; the observations come from the FHIR server. */
function request (baseUrl: string): Json {
  return {
    ...hookRequest(pt, resources, { omit: ['observations'] }),
    fhirServer: baseUrl,
    fhirAuthorization: { access_token: TOKEN, token_type: 'Bearer', expires_in: 300, scope: 'patient/*.read', subject: 'wgs-cds' }
  }
}

const ATTACKS: Array<[string, (base: string) => string]> = [
  ['percent-encoded dot segment %2e%2e', (b) => `${b}/%2e%2e/secret`],
  ['upper-case %2E%2E', (b) => `${b}/%2E%2E/%2E%2E/secret`],
  ['mixed .%2e', (b) => `${b}/.%2e/secret`],
  ['plain ..', (b) => `${b}/../secret`],
  ['backslash dot segment', (b) => `${b}\\..\\secret`],
  ['encoded slash ..%2f', (b) => `${b}/..%2fsecret`],
  ['encoded backslash ..%5c', (b) => `${b}/..%5Csecret`],
  ['path parameter ..;', (b) => `${b}/..;/secret`],
  ['user info', (b) => b.replace('http://', 'http://attacker@') + '/Observation?_page=1']
]

for (const [name, link] of ATTACKS) {
  void t.test(`a next link with ${name} does not receive the token`, async (t) => {
    const fhir = await startFhirServer([pt, ...resources] as any, TOKEN)
    t.teardown(fhir.close)
    fhir.fault = (req, res) => {
      if (!req.url?.startsWith('/fhir/R4/Observation')) return false
      res.writeHead(200, { 'content-type': 'application/fhir+json' }).end(JSON.stringify({
        resourceType: 'Bundle', type: 'searchset', entry: [{ resource: plateletCount(91, '2026-01-10') }], link: [{ relation: 'next', url: link(fhir.baseUrl) }]
      }))
      return true
    }
    const app = await buildTestApp(t, { FHIR_SERVER_ALLOWLIST: fhir.baseUrl })
    const res = await postHook(app, request(fhir.baseUrl))
    t.equal(res.status, 200, 'the hook still answers')
    const outside = fhir.requests.filter((r) => !r.path.startsWith('/fhir/R4/'))
    t.same(outside.filter((r) => r.authorized), [], 'no request outside the allow-listed base carried the token')
    t.same(outside, [], 'no request left the base at all')
    const platelets = resultFor(res.body, ID)?.criteria.find((c) => c.id === 'no-normal-platelet-count')
    t.equal(platelets?.status, 'unknown', 'the observations are unavailable, not partial')
    t.match(platelets?.reason, /outside the FHIR server/, 'with the reason')
  })
}

void t.test('control: a next link inside the base is followed with the token', async (t) => {
  const fhir = await startFhirServer([pt, ...resources] as any, TOKEN)
  t.teardown(fhir.close)
  let served = 0
  fhir.fault = (req, res) => {
    if (!req.url?.startsWith('/fhir/R4/Observation')) return false
    served++
    const last = req.url.includes('_page=1')
    res.writeHead(200, { 'content-type': 'application/fhir+json' }).end(JSON.stringify({
      resourceType: 'Bundle',
      type: 'searchset',
      entry: [{ resource: plateletCount(last ? 95 : 91, last ? '2021-03-01' : '2026-01-10') }],
      ...(last ? {} : { link: [{ relation: 'next', url: `${fhir.baseUrl}/./Observation?patient=pt-1&_page=1` }] })
    }))
    return true
  }
  const app = await buildTestApp(t, { FHIR_SERVER_ALLOWLIST: fhir.baseUrl })
  const res = await postHook(app, request(fhir.baseUrl))
  t.equal(res.status, 200)
  t.equal(served, 2, 'both pages were requested')
  t.ok(fhir.requests.every((r) => r.authorized && r.path.startsWith('/fhir/R4/')), 'every request stayed under the base, with the token')
  const platelets = resultFor(res.body, ID)?.criteria.find((c) => c.id === 'no-normal-platelet-count')
  t.not(platelets?.status, 'unknown', 'the paged observations were evaluated')
})
