/**
 * The compose stack's one-shot loader (scripts/load-demo-patients.mjs), run
 * as a real process against a stand-in FHIR server: waits for the server,
 * sends every demo bundle as a transaction of PUTs with ids kept apart per
 * file, and fails loudly when the server refuses one. The loaded data is then
 * evaluated through the service's FHIR-server fallback, as in the stack.
 */
import t from 'tap'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { spawn } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { buildTestApp, NOW, postHook, resultFor } from '../helpers/app.js'
import { startFhirServer } from '../helpers/fhir-server.js'
import { hookRequest } from '../helpers/fhir-builders.js'
// @ts-expect-error -- plain JavaScript module without type declarations (it runs in the stock node image)
import { toTransaction } from '../../scripts/load-demo-patients.mjs'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const DIR = `${ROOT}/examples/patients`
const FILES = readdirSync(DIR).filter((f) => f.endsWith('.json'))

interface Fake { url: string, transactions: any[], metadataCalls: number, close: () => Promise<void> }

async function fakeFhir (opts: { unavailableFirst: number, refuse?: (tx: any) => boolean }): Promise<Fake> {
  const state = { transactions: [] as any[], metadataCalls: 0 }
  const server = createServer((req, res) => {
    let body = ''
    req.on('data', (c: Buffer) => { body += c.toString() })
    req.on('end', () => {
      if (req.method === 'GET' && req.url === '/fhir/metadata') {
        state.metadataCalls++
        if (state.metadataCalls <= opts.unavailableFirst) { res.writeHead(503).end(); return }
        res.writeHead(200, { 'content-type': 'application/fhir+json' }).end(JSON.stringify({ resourceType: 'CapabilityStatement', fhirVersion: '4.0.1' }))
        return
      }
      if (req.method === 'POST' && req.url === '/fhir') {
        const tx = JSON.parse(body)
        state.transactions.push(tx)
        if (opts.refuse?.(tx)) {
          res.writeHead(400, { 'content-type': 'application/fhir+json' }).end(JSON.stringify({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'invalid', diagnostics: 'refused by test' }] }))
          return
        }
        res.writeHead(200, { 'content-type': 'application/fhir+json' }).end(JSON.stringify({ resourceType: 'Bundle', type: 'transaction-response', entry: tx.entry.map(() => ({ response: { status: '201 Created' } })) }))
        return
      }
      res.writeHead(404).end()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/fhir`, get transactions () { return state.transactions }, get metadataCalls () { return state.metadataCalls }, close: () => new Promise((resolve) => server.close(() => resolve())) }
}

function runLoader (base: string): Promise<{ code: number | null, out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['scripts/load-demo-patients.mjs'], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', FHIR_BASE_URL: base, PATIENTS_DIR: 'examples/patients', WAIT_SECONDS: '30', TODAY: '2027-01-01' } })
    let out = ''
    child.stdout.on('data', (c: Buffer) => { out += c.toString() })
    child.stderr.on('data', (c: Buffer) => { out += c.toString() })
    child.on('exit', (code) => resolve({ code, out }))
  })
}

void t.test('waits for the server, then loads every bundle as a transaction of PUTs', async (t) => {
  t.ok(FILES.length > 0, `${FILES.length} demo bundles`)
  const fhir = await fakeFhir({ unavailableFirst: 2 })
  t.teardown(fhir.close)
  const { code, out } = await runLoader(fhir.url)
  t.equal(code, 0, out.slice(-500))
  t.ok(fhir.metadataCalls >= 3, 'retried /metadata until the server was up')
  t.equal(fhir.transactions.length, FILES.length, 'one transaction per bundle')
  const ids = new Set<string>()
  for (const tx of fhir.transactions) {
    t.equal(tx.type, 'transaction')
    const inBundle = new Set(tx.entry.map((e: any) => `${e.resource.resourceType}/${e.resource.id}`))
    for (const e of tx.entry) {
      const key = `${e.resource.resourceType}/${e.resource.id}`
      t.same(e.request, { method: 'PUT', url: key })
      t.ok(/^[A-Za-z0-9\-.]{1,64}$/.test(e.resource.id), `${key}: a valid FHIR id`)
      t.notOk(ids.has(key), `${key} is unique across bundles`)
      ids.add(key)
    }
    const refs = JSON.stringify(tx).match(/"reference":"[A-Z][A-Za-z]+\/[^"]+"/g) ?? []
    for (const r of refs) t.ok(inBundle.has(r.slice(13, -1)), `${r} resolves inside the transaction`)
  }
  t.match(out, /loaded playground-inherited-thrombocytopenia-eligible\.json: \d+ resources; patientId inherited-thrombocytopenia-eligible-pt-1; userId Practitioner\/inherited-thrombocytopenia-eligible-dr-1/)
  t.match(out, new RegExp(`${FILES.length} of ${FILES.length} bundles loaded`))
})

void t.test('exits 1 and names the bundle the server refused', async (t) => {
  const fhir = await fakeFhir({ unavailableFirst: 0, refuse: (tx) => tx.entry.some((e: any) => String(e.resource.id).startsWith('sarcoma-eligible-')) })
  t.teardown(fhir.close)
  const { code, out } = await runLoader(fhir.url)
  t.equal(code, 1)
  t.match(out, /FAILED playground-sarcoma-eligible\.json: HTTP 400/)
})

void t.test('dates move by the days since Bundle.timestamp (ages and intervals kept)', async (t) => {
  const bundle = JSON.parse(readFileSync(`${DIR}/playground-inherited-thrombocytopenia-eligible.json`, 'utf8'))
  const same = toTransaction('x', bundle, { today: new Date(bundle.timestamp) })
  const later = toTransaction('x', bundle, { today: new Date(Date.parse(bundle.timestamp) + 10 * 86_400_000) })
  const birth = (tx: any): string => tx.transaction.entry.find((e: any) => e.resource.resourceType === 'Patient').resource.birthDate
  t.equal(Date.parse(birth(later)) - Date.parse(birth(same)), 10 * 86_400_000)
})

void t.test('loaded data is what the service fallback evaluates: the eligible demo patient is eligible', async (t) => {
  const stem = 'inherited-thrombocytopenia-eligible'
  const bundle = JSON.parse(readFileSync(`${DIR}/playground-${stem}.json`, 'utf8'))
  const { transaction, patients, practitioners } = toTransaction(stem, bundle, { today: new Date(NOW) })
  const token = 'demo-loader-token'
  const fhir = await startFhirServer(transaction.entry.map((e: any) => e.resource), token)
  t.teardown(fhir.close)
  const app = await buildTestApp(t, { FHIR_SERVER_ALLOWLIST: fhir.baseUrl })
  const pt = transaction.entry.find((e: any) => e.resource.resourceType === 'Patient').resource
  t.equal(`Patient/${pt.id}`, patients[0])
  const request: any = hookRequest(pt, [])
  delete request.prefetch
  request.context.userId = practitioners[0]
  const res = await postHook(app, { ...request, fhirServer: fhir.baseUrl, fhirAuthorization: { access_token: token, token_type: 'Bearer', expires_in: 300, scope: 'patient/*.read', subject: 'wgs-cds' } })
  t.equal(res.status, 200)
  t.equal(resultFor(res.body, 'inherited-thrombocytopenia')?.status, 'eligible')
})
