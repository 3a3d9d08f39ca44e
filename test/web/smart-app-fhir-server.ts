/**
 * An open FHIR R4 server for the requisition form's browser test, as a demo or
 * sandbox EHR server is: no authorisation, CORS for any origin (the app runs on
 * the service's origin), reads, searches and creates (the app writes its
 * QuestionnaireResponse). @medplum/fhir-router with its in-memory repository
 * behind node:http; every request is recorded (method and path).
 */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { getStatus } from '@medplum/core'
import { FhirRouter, MemoryRepository, type FhirRequest } from '@medplum/fhir-router'
import type { Resource } from '@medplum/fhirtypes'
import { indexDefinitions } from '../helpers/fhir-server.js'


export interface OpenFhirServer {
  baseUrl: string
  repo: MemoryRepository
  requests: Array<{ method: string, path: string }>
  close: () => Promise<void>
}

const CORS = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'GET, POST, PUT, OPTIONS',
  'access-control-allow-headers': 'authorization, content-type, accept, prefer'
}

export async function startOpenFhirServer (resources: Resource[]): Promise<OpenFhirServer> {
  indexDefinitions()
  const repo = new MemoryRepository()
  for (const r of resources) await repo.updateResource(r as Resource & { id: string })
  const router = new FhirRouter()
  const state: OpenFhirServer = { baseUrl: '', repo, requests: [], close: async () => {} }
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      void (async () => {
        const method = req.method ?? 'GET'
        const url = new URL(req.url ?? '/', 'http://x')
        state.requests.push({ method, path: `${url.pathname}${url.search}` })
        if (method === 'OPTIONS') { res.writeHead(204, CORS).end(); return }
        // MemoryRepository matches reference parameters only in their full form (Patient/123).
        for (const [param, type] of [['patient', 'Patient'], ['subject', 'Patient'], ['practitioner', 'Practitioner']] as const) {
          const v = url.searchParams.get(param)
          if (v && !v.includes('/')) url.searchParams.set(param, `${type}/${v}`)
        }
        const path = url.pathname.replace(/^\/fhir\/?/, '/')
        if (method === 'GET' && path === '/metadata') {
          // No security extension: an open server (the SMART client then skips authorisation).
          res.writeHead(200, { ...CORS, 'content-type': 'application/fhir+json' }).end(JSON.stringify({ resourceType: 'CapabilityStatement', status: 'active', date: '2026-01-01', kind: 'instance', fhirVersion: '4.0.1', format: ['json'], rest: [{ mode: 'server' }] }))
          return
        }
        const query = Object.fromEntries(url.searchParams.entries())
        const text = Buffer.concat(chunks).toString('utf8')
        const request: FhirRequest = { method: method as FhirRequest['method'], url: `${path}${url.search}`, pathname: '', query, params: {}, body: text ? JSON.parse(text) : undefined }
        const [outcome, body] = await router.handleRequest(request, repo)
        res.writeHead(getStatus(outcome), { ...CORS, 'content-type': 'application/fhir+json' }).end(JSON.stringify(body ?? outcome))
      })().catch((err: unknown) => {
        res.writeHead(500, { ...CORS, 'content-type': 'application/fhir+json' }).end(JSON.stringify({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'exception', diagnostics: String(err) }] }))
      })
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  state.baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/fhir`
  state.close = async () => { await new Promise<void>((resolve) => server.close(() => resolve())) }
  return state
}
