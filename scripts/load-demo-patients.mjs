#!/usr/bin/env node
/**
 * One-shot loader for `docker compose up`: seeds the HAPI FHIR server with
 * the synthetic demo patients in examples/patients/*.json, so the service's
 * FHIR-server fallback has data to query.
 *
 * Every bundle describes one patient with ids like `pt-1`; to keep them apart
 * on one server each resource id is prefixed with the file's stem
 * (`inherited-thrombocytopenia-eligible-pt-1`) and references are rewritten to
 * match. References to resources the bundle does not contain (the ordering
 * Practitioner) get a minimal placeholder. Dates are shifted by the days
 * between Bundle.timestamp and today, as the playground does, so look-back
 * windows ("ECOG within 90 days") still hold. Each bundle is sent as a FHIR
 * transaction of PUTs, so running the loader twice changes nothing.
 *
 * Plain Node 20 (global fetch), no dependencies: it runs in the stock
 * node image with the repository mounted read-only.
 *
 * Environment: FHIR_BASE_URL (default http://hapi:8080/fhir), PATIENTS_DIR
 * (default ./examples/patients), WAIT_SECONDS (default 300), SHIFT_DATES
 * (default true), TODAY (YYYY-MM-DD, default the current date).
 * Exit code 0 when every bundle was accepted, 1 otherwise.
 */
/* global fetch, AbortSignal, setTimeout, console, process -- Node 20 globals; the lint config declares none for .mjs */
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { createHash } from 'node:crypto'
import { pathToFileURL } from 'node:url'

const DAY_MS = 86_400_000
const DATE = /^(\d{4})-(\d{2})-(\d{2})(T[0-9:.]+(?:Z|[+-]\d{2}:\d{2})?)?$/
const REFERENCE = /^([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})$/

/** A FHIR id (≤ 64 of [A-Za-z0-9-.]) unique per file and readable where it fits. */
export function namespacedId (stem, id) {
  const readable = `${stem}-${id}`
  return readable.length <= 64 ? readable : `${stem.slice(0, 40)}-${createHash('sha256').update(readable).digest('hex').slice(0, 16)}`
}

function shiftDate (value, days) {
  const m = DATE.exec(value)
  if (!m) return value
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) + days * DAY_MS)
  return d.toISOString().slice(0, 10) + (m[4] ?? '')
}

function walk (value, fn) {
  if (Array.isArray(value)) return value.map((v) => walk(v, fn))
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, k === 'reference' && typeof v === 'string' ? fn(v, true) : walk(v, fn)]))
  return typeof value === 'string' ? fn(value, false) : value
}

/**
 * Turn one demo Bundle (collection or transaction) into a transaction of
 * PUTs with namespaced ids; returns it with the patient ids it holds.
 */
export function toTransaction (stem, bundle, { today = new Date(), shiftDates = true } = {}) {
  const resources = (bundle.entry ?? []).map((e) => e.resource).filter((r) => r && r.resourceType && r.id)
  const present = new Set(resources.map((r) => `${r.resourceType}/${r.id}`))
  const missing = new Map()
  const base = typeof bundle.timestamp === 'string' ? Date.parse(bundle.timestamp.slice(0, 10)) : NaN
  const days = shiftDates && Number.isFinite(base) ? Math.round((Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate()) - base) / DAY_MS) : 0
  const rewrite = (value, isReference) => {
    if (isReference) {
      const m = REFERENCE.exec(value)
      if (!m) return value
      if (!present.has(value)) missing.set(value, m)
      return `${m[1]}/${namespacedId(stem, m[2])}`
    }
    return days ? shiftDate(value, days) : value
  }
  const entries = resources.map((r) => {
    const resource = walk(r, rewrite)
    resource.id = namespacedId(stem, r.id)
    return resource
  })
  for (const [, m] of missing) {
    // Only the ordering clinician is expected outside the bundle; anything else stays a dangling reference.
    if (m[1] === 'Practitioner') entries.push({ resourceType: 'Practitioner', id: namespacedId(stem, m[2]), name: [{ family: 'Demo', given: ['Klinisk'] }] })
  }
  return {
    patients: entries.filter((r) => r.resourceType === 'Patient').map((r) => `Patient/${r.id}`),
    practitioners: entries.filter((r) => r.resourceType === 'Practitioner').map((r) => `Practitioner/${r.id}`),
    transaction: {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: entries.map((resource) => ({ resource, request: { method: 'PUT', url: `${resource.resourceType}/${resource.id}` } }))
    }
  }
}

async function waitForServer (base, waitSeconds, log) {
  const deadline = Date.now() + waitSeconds * 1000
  for (let attempt = 1; ; attempt++) {
    try {
      const res = await fetch(`${base}/metadata`, { headers: { accept: 'application/fhir+json' }, signal: AbortSignal.timeout(10_000) })
      if (res.ok) return
      log(`waiting for ${base} (metadata answered ${res.status})`)
    } catch (err) {
      log(`waiting for ${base} (${err.cause?.code ?? err.message})`)
    }
    if (Date.now() > deadline) throw new Error(`FHIR server ${base} not ready after ${waitSeconds} s`)
    await new Promise((resolve) => setTimeout(resolve, Math.min(5000, 500 * attempt)))
  }
}

/** Load every bundle; resolves to the number of failures. */
export async function loadDemoPatients ({ base, dir, waitSeconds = 300, shiftDates = true, today = new Date(), log = console.log }) {
  const url = base.replace(/\/+$/, '')
  await waitForServer(url, waitSeconds, log)
  const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort()
  if (files.length === 0) throw new Error(`no *.json bundles in ${dir}`)
  let failures = 0
  for (const file of files) {
    const stem = file.slice(0, -'.json'.length).replace(/^playground-/, '')
    const bundle = JSON.parse(readFileSync(join(dir, file), 'utf8'))
    const { transaction, patients, practitioners } = toTransaction(stem, bundle, { today, shiftDates })
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/fhir+json', accept: 'application/fhir+json' }, body: JSON.stringify(transaction), signal: AbortSignal.timeout(60_000) })
    const body = await res.json().catch(() => undefined)
    const bad = (body?.entry ?? []).filter((e) => !/^20[01]/.test(e.response?.status ?? ''))
    if (!res.ok || body?.type !== 'transaction-response' || bad.length) {
      failures++
      log(`FAILED ${file}: HTTP ${res.status} ${JSON.stringify(body?.issue ?? bad.slice(0, 2)).slice(0, 500)}`)
      continue
    }
    log(`loaded ${file}: ${transaction.entry.length} resources; patientId ${patients.join(', ').replace(/Patient\//g, '')}; userId ${practitioners.join(', ')}`)
  }
  log(`${files.length - failures} of ${files.length} bundles loaded into ${url}`)
  return failures
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const env = process.env
  loadDemoPatients({
    base: env.FHIR_BASE_URL ?? 'http://hapi:8080/fhir',
    dir: env.PATIENTS_DIR ?? 'examples/patients',
    waitSeconds: Number(env.WAIT_SECONDS ?? 300),
    shiftDates: !/^(false|0|no)$/i.test(env.SHIFT_DATES ?? 'true'),
    today: env.TODAY ? new Date(`${env.TODAY}T00:00:00Z`) : new Date()
  }).then((failures) => { process.exitCode = failures ? 1 : 0 }, (err) => {
    console.error(err.message)
    process.exitCode = 1
  })
}
