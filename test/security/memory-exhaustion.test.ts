/**
 * Threat: one request that takes the process down. Values from the prefetch
 * (displays, ids, units, dates) were copied into the answer several times —
 * per criterion that read them, in the card's Markdown and its extension, in
 * each card — so a 10 MB body gave a 168 MB answer and a 1.2 GB RSS peak, and
 * under the shipped limits (512 MiB, EVALUATION_THREADS=0) the process died
 * with every call in flight.
 *
 * Here the real server runs in a child process under a small V8 heap
 * (`--max-old-space-size`, HEAP_MB below) and is sent bodies just under the
 * body limit, built from the README's example patient plus platelet counts
 * whose id, display, unit and date are long strings (or long and out of
 * format). Each answer must be 200, small (every string in it bounded, the
 * evidence lists capped), and the process must still be alive and serving
 * afterwards. The figures (body, answer, peak RSS) are printed for
 * docs/security.md.
 */
import t from 'tap'
import { readFileSync } from 'node:fs'
import { request } from 'node:http'
import { startServerProcess } from '../helpers/server-process.js'
import { attestation, plateletCount, wgsOrder, type Json } from '../helpers/fhir-builders.js'
import { MAX_EVIDENCE_LISTED } from '../../src/cards/render.js'
import { MAX_TEXT_LENGTH } from '../../src/core/evidence.js'
import { MAX_WGS_ORDERS_PER_CALL } from '../../src/hooks/raw-call.js'

const HEAP_MB = 160
const BODY_LIMIT = 10 * 1024 * 1024
/** What an answer may weigh, whatever the body: the example patient's answer is ~10 KB. */
const ANSWER_BOUND = 256 * 1024

/** The example patient plus platelet counts until the body is `targetBytes`; each string field `length` long. */
function attackBody (targetBytes: number, length: number, outOfFormat: boolean): string {
  const call = JSON.parse(readFileSync(new URL('../../examples/order-select-inherited-thrombocytopenia.json', import.meta.url), 'utf8')) as Json
  call.hookInstance = crypto.randomUUID()
  const entries = call.prefetch.observations.entry as Json[]
  const long = (c: string): string => c.repeat(length)
  let size = JSON.stringify(call).length
  for (let i = 0; size < targetBytes; i++) {
    const date = outOfFormat ? `2020-01-01T00:00:00Z${long('9')}` : `2020-${String(1 + (i % 12)).padStart(2, '0')}-01`
    const o = plateletCount(90 + (i % 50), date, { id: outOfFormat ? `p${i}${long('a')}` : `p${i}` })
    o.code.coding[0].display = long('D')
    o.code.text = long('T')
    o.valueQuantity.unit = long('u')
    const entry = JSON.stringify({ resource: o })
    if (size + entry.length + 1 > targetBytes) break
    size += entry.length + 1
    entries.push({ resource: o })
  }
  return JSON.stringify(call)
}

/** The example patient (made eligible) with a draft order padded to `targetBytes` by a long note. */
function bigOrderBody (targetBytes: number): string {
  const call = JSON.parse(readFileSync(new URL('../../examples/order-select-inherited-thrombocytopenia.json', import.meta.url), 'utf8')) as Json
  call.hookInstance = crypto.randomUUID()
  call.prefetch.observations.entry.push({ resource: attestation('patient-informed') })
  call.context.draftOrders.entry[0].resource.note = [{ text: 'n'.repeat(targetBytes - JSON.stringify(call).length - 64) }]
  return JSON.stringify(call)
}

/** The example patient with `count` WGS draft orders, all selected. */
function manyOrdersBody (count: number): { body: string, orders: number } {
  const call = JSON.parse(readFileSync(new URL('../../examples/order-select-inherited-thrombocytopenia.json', import.meta.url), 'utf8')) as Json
  call.hookInstance = crypto.randomUUID()
  const entries: Json[] = []
  const selections: string[] = []
  for (let i = 0; i < count; i++) {
    const order = wgsOrder(`wgs-${i}`)
    entries.push({ resource: order })
    selections.push(`ServiceRequest/wgs-${i}`)
  }
  call.context.draftOrders.entry = entries
  call.context.selections = selections
  return { body: JSON.stringify(call), orders: entries.length }
}

function post (port: number, path: string, body?: string): Promise<{ status: number, body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: body === undefined ? 'GET' : 'POST', headers: body === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }))
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end(body)
  })
}

/** Peak resident set of a process (Linux VmHWM), MB. */
const peakRssMb = (pid: number): number => Math.round(Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024)

/** The longest string anywhere in a JSON value, except the card's Markdown `detail` (checked separately). */
function longestString (v: unknown, skip = new Set(['detail'])): number {
  if (typeof v === 'string') return v.length
  if (Array.isArray(v)) return v.reduce((m: number, x) => Math.max(m, longestString(x, skip)), 0)
  if (v && typeof v === 'object') return Object.entries(v).reduce((m, [k, x]) => skip.has(k) ? m : Math.max(m, longestString(x, skip)), 0)
  return 0
}

const server = await startServerProcess({ NODE_OPTIONS: `--max-old-space-size=${HEAP_MB}`, EVALUATION_THREADS: '0', LOG_LEVEL: 'info', BODY_LIMIT_BYTES: String(BODY_LIMIT), UNDER_PRESSURE_MAX_EVENT_LOOP_DELAY_MS: '0', UNDER_PRESSURE_MAX_EVENT_LOOP_UTILIZATION: '0' }, 120_000)
t.teardown(() => { server.child.kill('SIGKILL') })

const cases: Array<{ name: string, length: number, outOfFormat: boolean }> = [
  { name: 'long displays, units and texts (2,000 characters each)', length: 2000, outOfFormat: false },
  { name: 'long ids and dates, out of format (2,000 characters each)', length: 2000, outOfFormat: true },
  { name: 'many small platelet counts (20 characters each)', length: 20, outOfFormat: false }
]

for (const c of cases) {
  void t.test(c.name, async (t) => {
    const body = attackBody(BODY_LIMIT - 64 * 1024, c.length, c.outOfFormat)
    const res = await post(server.port, '/cds-services/ngc-wgs-eligibility', body)
    t.equal(res.status, 200, "answered", { body: res.body.slice(0, 300) })
    t.ok(res.body.length <= ANSWER_BOUND, `answer ${Math.round(res.body.length / 1024)} KB for a ${(body.length / 1024 / 1024).toFixed(1)} MB body (bound ${ANSWER_BOUND / 1024} KB)`)
    if (res.status !== 200) return
    const answer = JSON.parse(res.body) as { cards: Array<{ detail?: string, extension: Record<string, any> }> }
    t.ok(longestString(answer) <= MAX_TEXT_LENGTH + 100, `every string outside the Markdown is bounded (longest ${longestString(answer)})`)
    for (const card of answer.cards) {
      for (const criterion of card.extension['dk.ngc-wgs-cds.eligibility']?.criteria ?? []) {
        t.ok(criterion.evidenceListed.length <= MAX_EVIDENCE_LISTED, `${criterion.id}: ${criterion.evidenceListed.length} evidence listed${criterion.evidenceNotListed ? `, ${criterion.evidenceNotListed} more counted` : ''}`)
      }
      t.ok((card.detail ?? '').length <= 32 * 1024, `Markdown detail ${card.detail?.length ?? 0} characters`)
    }
    if (c.outOfFormat) {
      t.notOk(res.body.includes('aaaaaaaaaa'), 'no out-of-format id in the answer')
      t.notOk(res.body.includes('Z9999999999'), 'no out-of-format date in the answer')
    }
    t.comment(`body ${(body.length / 1024 / 1024).toFixed(1)} MB → answer ${Math.round(res.body.length / 1024)} KB; peak RSS so far ${peakRssMb(server.child.pid!)} MB under --max-old-space-size=${HEAP_MB}`)
  })
}

void t.test('a draft order of almost 10 MB is not copied into the suggestion of every eligible card', async (t) => {
  const body = bigOrderBody(BODY_LIMIT - 64 * 1024)
  const res = await post(server.port, '/cds-services/ngc-wgs-eligibility', body)
  t.equal(res.status, 200, 'answered')
  t.ok(res.body.length <= ANSWER_BOUND, `answer ${Math.round(res.body.length / 1024)} KB for a ${(body.length / 1024 / 1024).toFixed(1)} MB order`)
  const cards = res.status === 200 ? (JSON.parse(res.body) as { cards: Array<{ suggestions?: unknown[], extension: Record<string, any> }> }).cards : []
  t.ok(cards.some((c) => c.extension['dk.ngc-wgs-cds.eligibility']?.status === 'eligible'), 'still an eligible card')
  t.comment(`body ${(body.length / 1024 / 1024).toFixed(1)} MB (one draft order) → answer ${Math.round(res.body.length / 1024)} KB`)
})

void t.test(`${MAX_WGS_ORDERS_PER_CALL} WGS draft orders are evaluated, each with its cards`, async (t) => {
  const { body } = manyOrdersBody(MAX_WGS_ORDERS_PER_CALL)
  const res = await post(server.port, '/cds-services/ngc-wgs-eligibility', body)
  t.equal(res.status, 200)
  t.ok(res.body.length <= ANSWER_BOUND * MAX_WGS_ORDERS_PER_CALL, `answer ${Math.round(res.body.length / 1024)} KB`)
  t.comment(`${MAX_WGS_ORDERS_PER_CALL} WGS draft orders → answer ${Math.round(res.body.length / 1024)} KB`)
})

void t.test('hundreds of WGS draft orders in one call are refused, naming the limit', async (t) => {
  const { body, orders } = manyOrdersBody(400)
  const started = Date.now()
  const res = await post(server.port, '/cds-services/ngc-wgs-eligibility', body)
  t.equal(res.status, 400, `${orders} WGS orders: 400`, { body: res.body.slice(0, 300) })
  t.match(res.body, new RegExp(`at most ${MAX_WGS_ORDERS_PER_CALL} WGS orders`), 'the OperationOutcome names the limit')
  t.ok(res.body.length <= ANSWER_BOUND)
  t.comment(`${orders} WGS draft orders (${(body.length / 1024 / 1024).toFixed(1)} MB) refused in ${Date.now() - started} ms`)
})

void t.test('the process is still alive and serving', async (t) => {
  t.equal(server.child.exitCode, null, 'not exited')
  t.equal((await post(server.port, '/health/live')).status, 200)
  t.comment(`peak RSS ${peakRssMb(server.child.pid!)} MB`)
})
