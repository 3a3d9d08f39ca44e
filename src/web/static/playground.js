// The playground: a minimal CDS Hooks client in the browser. It builds an
// order-select (or order-sign) request from a FHIR Bundle with a draft WGS
// order, calls the service over HTTP, renders the cards as an EHR would, and
// sends feedback (accepted suggestion / override with reason). Data is shown
// with textContent only; card detail Markdown goes through markdown-it (its
// browser module, served from node_modules as markdown-it.js) with raw
// HTML off (card-markdown.js). A card's smart link opens the requisition form
// (/smart/?playground=1) in a dialog: the form reads this page's record through
// window.wgsPlayground and hands its QuestionnaireResponse back, and the hook
// is called again with it.
/* global document, window, fetch, crypto, performance, Node, URLSearchParams */
import markdownit from './markdown-it.js'
import { cardMarkdownRenderer } from './card-markdown.js'

const renderMarkdown = cardMarkdownRenderer(markdownit)

const config = JSON.parse(document.getElementById('playground-config').textContent)
const T = config.text
const $ = (id) => document.getElementById(id)
const fmt = (template, values) => template.replace(/\{(\w+)\}/g, (_m, k) => String(values[k] ?? ''))

const ORDER_CODE = { system: 'http://loinc.org', code: '86206-0', display: 'Whole genome sequence analysis in Blood or Tissue by Molecular genetics method' }

const state = { bundle: null, patient: null, resources: [], order: null, lastHook: null }

/** RFC 4122 v4 from getRandomValues (randomUUID needs a secure context; hospital intranets may be plain http). */
function uuid () {
  const b = crypto.getRandomValues(new Uint8Array(16))
  b[6] = (b[6] & 0x0f) | 0x40
  b[8] = (b[8] & 0x3f) | 0x80
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('')
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`
}

/** Create an element with text content and attributes; children are elements or strings (as text). */
function el (tag, attrs = {}, ...children) {
  const e = document.createElement(tag)
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue
    if (k === 'class') e.className = v
    else e.setAttribute(k, v === true ? '' : String(v))
  }
  for (const c of children.flat()) if (c !== undefined && c !== null && c !== false) e.append(c instanceof Node ? c : document.createTextNode(String(c)))
  return e
}

const json = (v) => JSON.stringify(v, null, 2)

// ---------------------------------------------------------------- patient

function codingsOf (cc) {
  if (!cc || typeof cc !== 'object') return []
  return Array.isArray(cc.coding) ? cc.coding : (cc.code ? [cc] : [])
}

function describeCode (cc) {
  const c = codingsOf(cc)[0]
  if (!c) return cc?.text ?? '—'
  const display = c.display ?? config.displays[`${c.system}|${c.code}`] ?? cc.text
  return display ? `${c.code} ${display}` : String(c.code)
}

function valueOf (r) {
  if (r.valueQuantity) return `${r.valueQuantity.value ?? ''} ${r.valueQuantity.unit ?? r.valueQuantity.code ?? ''}`.trim()
  if (typeof r.valueBoolean === 'boolean') return r.valueBoolean ? T.yes : T.no
  if (r.valueInteger !== undefined) return String(r.valueInteger)
  if (r.valueString !== undefined) return String(r.valueString)
  if (r.valueCodeableConcept) return describeCode(r.valueCodeableConcept)
  return ''
}

function dateOf (r) {
  return r.effectiveDateTime ?? r.performedDateTime ?? r.onsetDateTime ?? r.recordedDate ?? r.authoredOn ?? r.effectivePeriod?.start ?? r.performedPeriod?.start ?? r.dateTime ?? r.date ?? ''
}

function statusOf (r) {
  const parts = [r.status, codingsOf(r.clinicalStatus)[0]?.code, codingsOf(r.verificationStatus)[0]?.code].filter(Boolean)
  return parts.join(' / ')
}

function mainCode (r) {
  switch (r.resourceType) {
    case 'MedicationStatement': case 'MedicationRequest': case 'MedicationAdministration': return r.medicationCodeableConcept
    case 'FamilyMemberHistory': return r.condition?.[0]?.code
    case 'Consent': return r.scope ?? r.category?.[0]
    case 'PractitionerRole': return r.specialty?.[0]
    default: return r.code
  }
}

function ageAt (birthDate, today) {
  if (!/^\d{4}-\d{2}-\d{2}/.test(birthDate ?? '')) return undefined
  const [y, m, d] = birthDate.slice(0, 10).split('-').map(Number)
  const [ty, tm, td] = today.split('-').map(Number)
  return ty - y - ((tm < m || (tm === m && td < d)) ? 1 : 0)
}

/** Accept a FHIR Bundle (any type) with a Patient, a bare Patient, or a CDS Hooks request with prefetch. */
function readPatientInput (value) {
  if (!value || typeof value !== 'object') throw new Error(T.notBundle)
  let resources
  if (value.resourceType === 'Bundle') {
    resources = (Array.isArray(value.entry) ? value.entry : []).map((e) => e?.resource).filter((r) => r && typeof r.resourceType === 'string')
  } else if (value.resourceType === 'Patient') {
    resources = [value]
  } else if (value.prefetch && typeof value.prefetch === 'object') {
    resources = Object.values(value.prefetch).flatMap((v) => v?.resourceType === 'Bundle' ? (v.entry ?? []).map((e) => e?.resource).filter(Boolean) : (v?.resourceType ? [v] : []))
    const drafts = (value.context?.draftOrders?.entry ?? []).map((e) => e?.resource).filter(Boolean)
    resources.push(...drafts)
  } else {
    throw new Error(T.notBundle)
  }
  const patient = resources.find((r) => r.resourceType === 'Patient')
  if (!patient) throw new Error(T.noPatient)
  if (!patient.id) patient.id = 'playground-patient'
  return { patient, resources: resources.filter((r) => r !== patient) }
}

function isWgsOrder (r) {
  return r.resourceType === 'ServiceRequest' && codingsOf(r.code).some((c) => c.system === ORDER_CODE.system && c.code === ORDER_CODE.code)
}

function newDraftOrder (patientId) {
  return { resourceType: 'ServiceRequest', id: 'playground-wgs-order', status: 'draft', intent: 'order', subject: { reference: `Patient/${patientId}` }, code: { coding: [ORDER_CODE], text: 'WGS' }, authoredOn: new Date().toISOString().slice(0, 10) }
}

function setPatient (bundle) {
  const { patient, resources } = readPatientInput(bundle)
  const existing = resources.find((r) => isWgsOrder(r))
  state.bundle = bundle
  state.patient = patient
  state.resources = resources.filter((r) => !isWgsOrder(r))
  state.order = existing ? { ...existing, status: 'draft' } : newDraftOrder(patient.id)
  $('patient-error').hidden = true
  $('draft-order').classList.remove('updated')
  renderPatient()
  renderOrder()
  $('cards').replaceChildren()
  $('call-status').textContent = ''
  $('feedback-status').textContent = ''
  for (const id of ['raw-request', 'raw-response', 'raw-feedback']) $(id).textContent = ''
  $('run-select').disabled = false
  $('run-sign').disabled = false
}

function showPatientError (message) {
  const e = $('patient-error')
  e.textContent = message
  e.hidden = false
}

function renderPatient () {
  const p = state.patient
  const name = (p.name ?? [])[0]
  const fullName = name ? [...(name.given ?? []), name.family].filter(Boolean).join(' ') || name.text : p.id
  const today = new Date().toISOString().slice(0, 10)
  const age = ageAt(p.birthDate, today)
  const typesSent = new Set(Object.values(config.prefetch).flat())
  const rows = state.resources.filter((r) => typesSent.has(r.resourceType) && !['PractitionerRole', 'Organization', 'Medication'].includes(r.resourceType))
  const notSent = [...new Set(state.resources.filter((r) => !typesSent.has(r.resourceType)).map((r) => r.resourceType))]
  const orgs = state.resources.filter((r) => r.resourceType === 'Organization')
  const roles = state.resources.filter((r) => r.resourceType === 'PractitionerRole').map((r) => {
    const org = orgs.find((o) => `Organization/${o.id}` === r.organization?.reference)
    return [org?.name ?? r.organization?.display ?? r.organization?.reference ?? '', describeCode(r.specialty?.[0])].filter(Boolean).join(' — ')
  })
  $('patient-summary').replaceChildren(
    el('dl', { class: 'facts', id: 'patient-facts' },
      el('dt', {}, T.patient), el('dd', { id: 'patient-name' }, String(fullName ?? '')),
      el('dt', {}, T.born), el('dd', {}, `${p.birthDate ?? '—'}${age === undefined ? '' : ` (${T.age} ${age})`}`),
      el('dt', {}, T.sex), el('dd', {}, p.gender ?? '—'),
      el('dt', {}, T.role), el('dd', {}, roles.length ? roles.join('; ') : '—')
    ),
    el('h3', {}, T.resources),
    el('table', { class: 'record' },
      el('tbody', {}, rows.map((r) => el('tr', {},
        el('td', { class: 'type' }, r.resourceType),
        el('td', {}, describeCode(mainCode(r))),
        el('td', {}, valueOf(r)),
        el('td', { class: 'date' }, String(dateOf(r)).slice(0, 10)),
        el('td', { class: 'status' }, statusOf(r))
      )))
    ),
    notSent.length ? el('p', { class: 'note' }, `${T.notSent}: ${notSent.join(', ')}`) : ''
  )
}

function renderOrder () {
  $('draft-order').textContent = json(state.order)
}

// ---------------------------------------------------------------- request

function buildRequest (hook) {
  const prefetch = {}
  for (const [key, types] of Object.entries(config.prefetch)) {
    if (types.includes('Patient')) { prefetch[key] = state.patient; continue }
    const found = state.resources.filter((r) => types.includes(r.resourceType))
    prefetch[key] = { resourceType: 'Bundle', type: 'searchset', total: found.length, entry: found.map((resource) => ({ resource })) }
  }
  const role = state.resources.find((r) => r.resourceType === 'PractitionerRole')
  const userId = role?.practitioner?.reference ?? 'Practitioner/playground-user'
  const context = {
    userId,
    patientId: state.patient.id,
    draftOrders: { resourceType: 'Bundle', type: 'collection', entry: [{ resource: state.order }] }
  }
  if (hook === 'order-select') context.selections = [`ServiceRequest/${state.order.id}`]
  return { hook, hookInstance: uuid(), context, prefetch }
}

async function callService (hook) {
  const request = buildRequest(hook)
  state.lastHook = hook
  $('raw-request').textContent = json(request)
  $('raw-response').textContent = ''
  $('call-status').textContent = T.calling
  $('feedback-status').textContent = ''
  const started = performance.now()
  let res, body
  try {
    res = await fetch(`/cds-services/${encodeURIComponent(config.serviceId)}`, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify(request) })
    const text = await res.text()
    try { body = JSON.parse(text) } catch { body = text }
  } catch (err) {
    $('call-status').textContent = String(err)
    return
  }
  const ms = Math.round(performance.now() - started)
  $('raw-response').textContent = typeof body === 'string' ? body : json(body)
  $('call-status').textContent = fmt(T.called, { hook, status: res.status, ms })
  $('call-status').dataset.status = String(res.status)
  if (res.status === 401) { $('call-status').textContent += ` — ${T.authRequired}`; renderCards([]); return }
  if (!res.ok) {
    const issue = body?.issue?.[0]
    if (issue) $('call-status').textContent += ` — ${issue.diagnostics ?? issue.code ?? ''}`
    renderCards([])
    return
  }
  renderCards(Array.isArray(body?.cards) ? body.cards : [])
}

// ---------------------------------------------------------------- cards

function safeHref (url) {
  return typeof url === 'string' && /^(https?:\/\/|\/(?!\/))/i.test(url) ? url : undefined
}

function linkEl (label, url) {
  const href = safeHref(url)
  return href ? el('a', { href, target: '_blank', rel: 'noopener noreferrer' }, label) : el('span', {}, label)
}

async function sendFeedback (item) {
  const body = { feedback: [item] }
  let status
  let answer = ''
  try {
    const res = await fetch(`/cds-services/${encodeURIComponent(config.serviceId)}/feedback`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
    status = res.status
    answer = await res.text()
  } catch (err) {
    status = 0
    answer = String(err)
  }
  $('raw-feedback').textContent = `POST /cds-services/${config.serviceId}/feedback\n${json(body)}\n\n→ HTTP ${status}\n${answer}`
  $('raw-feedback').parentElement.open = true
  const fs = $('feedback-status')
  fs.textContent = fmt(status >= 200 && status < 300 ? T.feedbackSent : T.feedbackFailed, { status })
  fs.dataset.status = String(status)
  return status
}

function applySuggestion (suggestion) {
  for (const action of suggestion.actions ?? []) {
    const r = action.resource
    if (action.type === 'update' && r?.resourceType === 'ServiceRequest' && r.id === state.order.id) state.order = r
    else if (action.type === 'create' && r?.resourceType === 'ServiceRequest' && isWgsOrder(r)) state.order = r
  }
  renderOrder()
  const panel = $('draft-order')
  panel.classList.add('updated')
}

function cardEl (card) {
  const indicator = ['info', 'warning', 'critical'].includes(card.indicator) ? card.indicator : 'info'
  const result = card.extension?.['dk.ngc-wgs-cds.eligibility']
  const node = el('article', { class: `card card-${indicator}`, 'data-indicator': indicator, 'data-status': result?.status, 'data-indication': result?.indication ?? '', 'data-uuid': card.uuid })
  const detail = el('div', { class: 'detail' })
  // markdown-it with raw HTML off: text from the card never becomes markup (card-markdown.js).
  detail.innerHTML = renderMarkdown(card.detail ?? '')
  const links = [...(card.links ?? [])]
  if (result?.indication && !links.some((l) => typeof l.url === 'string' && l.url.endsWith(`/criteria/${result.indication}`))) {
    links.push({ label: T.criteriaPage, url: `/criteria/${result.indication}${config.lang === 'en' ? '?lang=en' : ''}` })
  }
  // Without PUBLIC_BASE_URL the service sends no smart link; the playground offers the form all the same.
  if (result?.indication && result.status !== 'eligible' && !links.some((l) => l.type === 'smart')) {
    links.unshift({ label: T.openForm, type: 'smart', url: '/smart/launch.html', appContext: JSON.stringify({ indication: result.indication, order: `ServiceRequest/${state.order.id}` }) })
  }
  const smart = links.filter((l) => l.type === 'smart')
  const other = links.filter((l) => l.type !== 'smart')
  node.append(
    el('header', {}, el('span', { class: 'indicator' }, indicator), el('h3', { class: 'summary' }, String(card.summary ?? ''))),
    detail,
    smart.length ? el('div', { class: 'smart-links' }, smart.map((l) => {
      const b = el('button', { type: 'button', class: 'smart-link' }, String(l.label ?? T.openForm))
      b.addEventListener('click', () => openForm(l))
      return b
    })) : '',
    el('p', { class: 'source' }, `${T.source}: `, linkEl(String(card.source?.label ?? ''), card.source?.url), card.source?.topic?.display ? ` (${card.source.topic.display})` : ''),
    other.length ? el('ul', { class: 'links' }, other.map((l) => el('li', {}, linkEl(String(l.label ?? l.url), l.url)))) : ''
  )
  const outcome = el('p', { class: 'outcome', role: 'status' })
  if (Array.isArray(card.suggestions) && card.suggestions.length) {
    const box = el('div', { class: 'suggestions' })
    for (const s of card.suggestions) {
      const b = el('button', { type: 'button', class: s.isRecommended ? 'suggestion recommended' : 'suggestion', 'data-suggestion': s.uuid }, String(s.label ?? ''))
      b.addEventListener('click', async () => {
        for (const other of box.querySelectorAll('button')) other.disabled = true
        applySuggestion(s)
        outcome.textContent = T.accepted
        await sendFeedback({ card: card.uuid, outcome: 'accepted', acceptedSuggestions: [{ id: s.uuid }], outcomeTimestamp: new Date().toISOString() })
      })
      box.append(b)
    }
    node.append(box)
  }
  if (Array.isArray(card.overrideReasons) && card.overrideReasons.length) {
    const select = el('select', { class: 'override-reason', 'aria-label': T.overrideReason }, card.overrideReasons.map((r, i) => el('option', { value: String(i) }, String(r.display ?? r.code))))
    const comment = el('input', { type: 'text', class: 'override-comment', placeholder: T.comment, 'aria-label': T.comment, maxlength: '4000' })
    const button = el('button', { type: 'button', class: 'override' }, T.override)
    button.addEventListener('click', async () => {
      const reason = card.overrideReasons[Number(select.value)]
      button.disabled = true
      outcome.textContent = T.overridden
      node.classList.add('overridden')
      const overrideReason = { reason: { system: reason.system, code: reason.code, ...(reason.display ? { display: reason.display } : {}) } }
      if (comment.value.trim()) overrideReason.userComment = comment.value
      await sendFeedback({ card: card.uuid, outcome: 'overridden', overrideReason, outcomeTimestamp: new Date().toISOString() })
    })
    node.append(el('div', { class: 'override-form' }, el('label', {}, `${T.overrideReason}: `, select), comment, button))
  }
  node.append(outcome)
  return node
}

// ---------------------------------------------------------------- the requisition form

/** The form in a dialog, on this page's record (a same-origin frame: /smart/?playground=1). */
function openForm (link) {
  const query = new URLSearchParams({ playground: '1', lang: config.lang })
  if (typeof link.appContext === 'string') query.set('appContext', link.appContext)
  $('form-frame').src = `/smart/?${query}`
  $('form-dialog').showModal()
}

/** What the form reads and writes in the playground (smart/app.js, playgroundSource). */
window.wgsPlayground = {
  record: () => {
    const role = state.resources.find((r) => r.resourceType === 'PractitionerRole')
    return { patient: state.patient, resources: state.resources, order: state.order, userId: role?.practitioner?.reference }
  },
  addResource: (resource) => {
    const saved = { ...resource, id: resource.id ?? uuid(), meta: { lastUpdated: new Date().toISOString() } }
    state.resources.push(saved)
    renderPatient()
    $('call-status').textContent = T.formSaved
    // The hook again, as an EHR does when the app closes; the cards update behind the dialog.
    void callService(state.lastHook ?? 'order-select')
    return saved
  }
}

$('form-close').addEventListener('click', () => {
  $('form-dialog').close()
  $('form-frame').src = 'about:blank'
})

function renderCards (cards) {
  $('cards').replaceChildren(...(cards.length ? cards.map(cardEl) : [el('p', { class: 'empty' }, T.noCards)]))
}

// ---------------------------------------------------------------- wiring

function fillPicker () {
  const select = $('patient-select')
  const groups = new Map()
  for (const p of config.patients) {
    const key = p.indication ?? ''
    if (!groups.has(key)) groups.set(key, [])
    groups.get(key).push(p)
  }
  for (const [indication, patients] of groups) {
    const label = indication ? (config.indications[indication]?.[config.lang] ?? indication) : T.noIndication
    select.append(el('optgroup', { label }, patients.map((p) => el('option', { value: p.id, 'data-outcome': p.outcome }, `${T.outcomes[p.outcome] ?? p.outcome}: ${p.description[config.lang]}`))))
  }
}

$('patient-select').addEventListener('change', async (e) => {
  const id = e.target.value
  if (!id) return
  const res = await fetch(`/playground/patients/${encodeURIComponent(id)}.json`)
  if (!res.ok) { showPatientError(`HTTP ${res.status}`); return }
  setPatient(await res.json())
})

$('use-bundle').addEventListener('click', () => {
  let value
  try { value = JSON.parse($('bundle-input').value) } catch (err) { showPatientError(`${T.invalidJson}: ${err.message}`); return }
  try { setPatient(value) } catch (err) { showPatientError(err.message) }
  $('patient-select').value = ''
})

$('run-select').addEventListener('click', () => { void callService('order-select') })
$('run-sign').addEventListener('click', () => { void callService('order-sign') })

fillPicker()
document.body.dataset.ready = 'true'
