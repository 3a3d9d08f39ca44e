// The requisition form (/smart/): a SMART on FHIR app. It reads the patient's
// record from the EHR's FHIR server (fhirclient), asks this service to evaluate
// it (POST /evaluate), renders the indication's Questionnaire with LHC-Forms
// prefilled from the evaluation (read-only items show what the record already
// proves, with the evidence), and on submit writes a QuestionnaireResponse to
// the FHIR server, then evaluates again and shows the new verdict.
// Inside the playground (?playground=1, opened by the playground page in a
// frame) the record comes from the playground and the answers go back to it.
// Data is shown with textContent only.
/* global document, window, sessionStorage, fetch, FHIR, LForms, Node, URLSearchParams, structuredClone */
const config = JSON.parse(document.getElementById('smart-config').textContent)
const params = new URLSearchParams(window.location.search)
const asked = params.get('lang') ?? sessionStorage.getItem('wgs-lang')
const LANG = asked === 'en' || asked === 'da' ? asked : config.lang
const T = config.text[LANG]
const $ = (id) => document.getElementById(id)
const fmt = (template, values) => template.replace(/\{(\w+)\}/g, (_m, k) => String(values[k] ?? ''))
document.documentElement.lang = LANG
document.title = T.title
for (const [id, key] of [['app-title', 'title'], ['form-intro', 'formIntro'], ['submit-answers', 'submit']]) $(id).textContent = T[key]

const ORDER_CODE = { system: 'http://loinc.org', code: '86206-0', display: 'Whole genome sequence analysis in Blood or Tissue by Molecular genetics method' }
const TRANSLATION = 'http://hl7.org/fhir/StructureDefinition/translation'
const ATTESTATION_SYSTEM = 'https://ngc-wgs-cds.dk/fhir/CodeSystem/wgs-attestation'
/** What the app reads of the patient's record: resource type and its patient search parameter. */
const RECORD_SEARCHES = [
  ['Condition', 'patient'], ['Observation', 'patient'], ['Procedure', 'patient'], ['FamilyMemberHistory', 'patient'],
  ['MedicationStatement', 'patient'], ['MedicationRequest', 'patient'], ['MedicationAdministration', 'patient'],
  ['Consent', 'patient'], ['DiagnosticReport', 'patient'], ['QuestionnaireResponse', 'subject']
]

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

function setStatus (text) {
  $('app-status').textContent = text
  $('app-status').hidden = !text
}

function parseAppContext (value) {
  if (!value) return {}
  if (typeof value === 'object') return value
  try { const v = JSON.parse(value); return v && typeof v === 'object' ? v : {} } catch { return {} }
}

// ---------------------------------------------------------------- where the record lives

/** The EHR's FHIR server through fhirclient (EHR launch, standalone launch, or an open server). */
async function fhirSource () {
  const client = await FHIR.oauth2.ready()
  const token = client.state.tokenResponse ?? {}
  const user = client.user?.fhirUser ?? sessionStorage.getItem('wgs-user') ?? undefined
  return {
    patientId: client.patient.id,
    user: typeof user === 'string' && /^(Practitioner|PractitionerRole)\/[^/]+$/.test(user) ? user : undefined,
    appContext: parseAppContext(token.appContext ?? sessionStorage.getItem('wgs-app-context')),
    read: (ref) => client.request(ref),
    search: (query) => client.request(query, { pageLimit: 0, flat: true }),
    create: (resource) => client.create(resource)
  }
}

/** The playground page that opened this frame: its record in memory, answers handed back to it. */
function playgroundSource () {
  const host = window.parent !== window ? window.parent : window.opener
  const pg = host?.wgsPlayground
  if (!pg) throw new Error(T.noLaunch)
  const rec = pg.record()
  const all = () => [rec.patient, ...pg.record().resources]
  const belongs = (r) => { const ref = (r.subject ?? r.patient)?.reference; return !ref || ref === `Patient/${rec.patient.id}` }
  return {
    patientId: rec.patient.id,
    user: rec.userId,
    appContext: parseAppContext(params.get('appContext')),
    order: rec.order,
    read: async (ref) => {
      const [type, id] = ref.split('/')
      const found = all().find((r) => r.resourceType === type && r.id === id)
      if (!found) throw new Error(`${ref}: not found`)
      return found
    },
    search: async (query) => {
      const type = query.split('?')[0]
      const practitioner = /[?&]practitioner=([^&]+)/.exec(query)?.[1]
      if (type === 'PractitionerRole') {
        const roles = all().filter((r) => r.resourceType === 'PractitionerRole' && (!practitioner || r.practitioner?.reference === `Practitioner/${decodeURIComponent(practitioner)}`))
        const orgs = all().filter((r) => r.resourceType === 'Organization' && roles.some((role) => role.organization?.reference === `Organization/${r.id}`))
        return [...roles, ...orgs]
      }
      return all().filter((r) => r.resourceType === type && belongs(r))
    },
    create: async (resource) => pg.addResource(resource)
  }
}

// ---------------------------------------------------------------- the record

function draftOrder (patientId, user) {
  return { resourceType: 'ServiceRequest', id: 'wgs-draft-order', status: 'draft', intent: 'order', subject: { reference: `Patient/${patientId}` }, code: { coding: [ORDER_CODE], text: 'WGS' }, ...(user ? { requester: { reference: user } } : {}), authoredOn: new Date().toISOString().slice(0, 10) }
}

async function readRecord (src) {
  const patient = await src.read(`Patient/${encodeURIComponent(src.patientId)}`)
  const found = []
  const unreadable = []
  await Promise.all(RECORD_SEARCHES.map(async ([type, param]) => {
    try {
      const list = await src.search(`${type}?${param}=${encodeURIComponent(src.patientId)}`)
      found.push(...(Array.isArray(list) ? list : []).filter((r) => r?.resourceType === type))
    } catch { unreadable.push(type) }
  }))
  if (src.user) {
    const [type, id] = src.user.split('/')
    try {
      if (type === 'Practitioner') {
        // The user's name only: a server without the Practitioner still gives the roles.
        try { found.push(await src.read(src.user)) } catch { /* shown without the name */ }
        const roles = await src.search(`PractitionerRole?practitioner=${encodeURIComponent(id)}&_include=PractitionerRole:organization`)
        found.push(...roles)
        // Departments a server did not include (not every server supports _include).
        const have = new Set(roles.filter((r) => r.resourceType === 'Organization').map((r) => `Organization/${r.id}`))
        for (const ref of new Set(roles.map((r) => r.organization?.reference).filter((ref) => typeof ref === 'string' && /^Organization\/[^/]+$/.test(ref) && !have.has(ref)))) {
          try { found.push(await src.read(ref)) } catch { /* a department the server does not have */ }
        }
      } else {
        const role = await src.read(src.user)
        found.push(role)
        if (role.organization?.reference) found.push(await src.read(role.organization.reference))
      }
    } catch { unreadable.push('PractitionerRole') }
  }
  let order = src.order
  const ref = src.appContext.order
  if (!order && typeof ref === 'string' && /^ServiceRequest\/[^/]+$/.test(ref)) {
    try { order = await src.read(ref) } catch { /* a draft the EHR has not stored: evaluated as a new WGS order */ }
  }
  order = order ?? draftOrder(src.patientId, src.user)
  const seen = new Set()
  const resources = found.filter((r) => {
    const key = `${r.resourceType}/${r.id}`
    if (!r.id || seen.has(key) || key === `ServiceRequest/${order.id}`) return false
    seen.add(key)
    return true
  })
  return { patient, resources, order, unreadable }
}

async function evaluateRecord (rec, indication) {
  const entry = [rec.patient, ...rec.resources, rec.order].map((resource) => ({ fullUrl: `${resource.resourceType}/${resource.id}`, resource }))
  const query = new URLSearchParams({ language: LANG })
  if (indication) query.set('indication', indication)
  if (rec.order.id) query.set('order', rec.order.id)
  const res = await fetch(`${config.serviceBase}/evaluate?${query}`, { method: 'POST', headers: { 'content-type': 'application/fhir+json', accept: 'application/json' }, body: JSON.stringify({ resourceType: 'Bundle', type: 'collection', entry }) })
  const body = await res.json().catch(() => undefined)
  if (!res.ok) throw new Error(body?.issue?.[0]?.diagnostics ?? `HTTP ${res.status}`)
  return body
}

async function fetchQuestionnaire (indication) {
  const res = await fetch(`${config.serviceBase}/fhir/Questionnaire/wgs-${encodeURIComponent(indication)}`, { headers: { accept: 'application/fhir+json' } })
  const body = await res.json().catch(() => undefined)
  if (!res.ok) throw new Error(body?.issue?.[0]?.diagnostics ?? `HTTP ${res.status}`)
  return body
}

// ---------------------------------------------------------------- text

function localText (element, value) {
  if (LANG === 'da' || !element) return value
  const t = (element.extension ?? []).find((e) => e.url === TRANSLATION && e.extension?.some((x) => x.url === 'lang' && x.valueCode === LANG))
  return t?.extension?.find((x) => x.url === 'content')?.valueString ?? value
}

/** Text in the page's language: /evaluate sends texts in the language asked for, a {da, en} pair is taken apart. */
function inLang (v) {
  return typeof v === 'string' ? v : (v?.[LANG] ?? '')
}

function evidenceText (evidence) {
  const yesNo = (v) => v === 'true' ? T.yes : v === 'false' ? T.no : v
  return (evidence ?? []).filter((e) => !e.tooOld).slice(0, 3).map((e) => {
    let what
    if (isAnswer([e])) what = fmt(T.answered, { answer: yesNo(e.value ?? 'true') })
    else if (e.resourceType === 'Patient') what = `${T.born} ${/\d{4}-\d{2}-\d{2}/.exec(`${e.value ?? ''} ${e.display ?? ''}`)?.[0] ?? ''}`
    else what = [e.display, typeof e.value === 'string' ? e.value.split(', ').map((w) => T.words[w] ?? w).join(', ') : e.value].filter(Boolean).join(' ')
    return e.date && !isAnswer([e]) ? `${what} (${String(e.date).slice(0, 10)})` : (e.date ? `${what} ${String(e.date).slice(0, 10)}` : what)
  }).filter(Boolean).join('; ')
}

function fullName (p) {
  const n = (p.name ?? [])[0]
  return n ? ([...(n.given ?? []), n.family].filter(Boolean).join(' ') || n.text || p.id) : p.id
}

// ---------------------------------------------------------------- rendering

function renderContext (rec, result) {
  const user = rec.resources.find((r) => r.resourceType === 'Practitioner')
  $('context').replaceChildren(
    el('dt', {}, T.patient), el('dd', { id: 'patient-name' }, `${fullName(rec.patient)}${rec.patient.birthDate ? `, ${T.born} ${rec.patient.birthDate}` : ''}`),
    el('dt', {}, T.indication), el('dd', { id: 'indication-title' }, result ? inLang(result.title) : '—'),
    ...(user ? [el('dt', {}, T.user), el('dd', { id: 'user-name' }, fullName(user))] : [])
  )
}

function renderVerdict (result, heading) {
  const box = $('verdict')
  box.hidden = false
  box.dataset.status = result.status
  const missing = result.criteria.filter((c) => c.required && c.status === 'unknown')
  const blocking = result.criteria.filter((c) => c.required && c.status === 'not-met')
  box.replaceChildren(
    heading ? el('p', { class: 'reassessed' }, heading) : '',
    el('p', { class: 'verdict-line', id: 'verdict-text' }, T.status[result.status] ?? result.status),
    blocking.length ? el('p', {}, fmt(T.blocking, { items: blocking.map((c) => inLang(c.text)).join('; ') })) : '',
    missing.length ? el('p', { id: 'missing-count' }, fmt(T.missingCount, { n: missing.length })) : (blocking.length ? '' : el('p', {}, T.noneMissing)),
    result.status === 'eligible' ? el('p', { class: 'next' }, T.nextEligible) : ''
  )
}

function renderOthers (evaluation, indication) {
  const others = (evaluation.indications ?? []).filter((r) => r.indication !== indication)
  $('others').hidden = others.length === 0
  $('others').replaceChildren(
    el('h2', {}, T.otherIndications),
    el('ul', {}, others.map((r) => el('li', {}, `${inLang(r.title)}: ${T.status[r.status] ?? r.status}`)))
  )
}

/** Yes/no as LHC-Forms radio buttons in the page's language (its own boolean control is labelled in English). */
const YES_NO = () => [{ valueCoding: { code: 'true', display: T.yes } }, { valueCoding: { code: 'false', display: T.no } }]
const RADIO = { url: 'http://hl7.org/fhir/StructureDefinition/questionnaire-itemControl', valueCodeableConcept: { coding: [{ system: 'http://hl7.org/fhir/questionnaire-item-control', code: 'radio-button' }] } }

/** The evidence is an earlier answer (a QuestionnaireResponse or an attestation), not other data in the record. */
function isAnswer (evidence) {
  return (evidence ?? []).some((e) => e.resourceType === 'QuestionnaireResponse' || String(e.code ?? '').startsWith(`${ATTESTATION_SYSTEM}|`))
}

/**
 * The Questionnaire prepared for LHC-Forms: texts in the page's language, yes/no as radio buttons,
 * answers the evaluation already has as `initial` values, and under each item a line saying what
 * the record shows. Open questions first, then what is answered, then what the record proves.
 * Returns the linkIds the clinician answers (items without readOnly that apply to the patient).
 */
function prepareQuestionnaire (questionnaire, result) {
  const q = structuredClone(questionnaire)
  const criteria = new Map(result.criteria.map((c) => [c.id, c]))
  const answerable = new Set()
  const rank = new Map()
  q.title = localText(q._title, q.title)
  const walk = (items) => {
    for (const item of items ?? []) {
      item.text = localText(item._text, item.text)
      walk(item.item)
      const c = criteria.get(item.linkId)
      if (item.type !== 'boolean' || !c) continue
      item.type = 'choice'
      item.answerOption = YES_NO()
      item.extension = [...(item.extension ?? []), RADIO]
      const yes = [{ valueCoding: { code: 'true', display: T.yes } }]
      const no = [{ valueCoding: { code: 'false', display: T.no } }]
      const evidence = evidenceText(c.evidence)
      let note
      if (c.status === 'not-applicable') {
        item.readOnly = true
        note = T.notApplicable
        rank.set(item.linkId, 3)
      } else if (item.readOnly) {
        if (c.status === 'met') { item.initial = yes; note = evidence ? fmt(T.recordShows, { evidence }) : T.fromRecord }
        else if (c.status === 'not-met') { item.initial = no; note = fmt(T.recordNotMet, { evidence: evidence || '—' }) }
        else note = T.recordLacks
        rank.set(item.linkId, 2)
      } else {
        answerable.add(item.linkId)
        if (c.status === 'met') {
          item.initial = yes
          if (evidence) note = isAnswer(c.evidence) ? evidence : fmt(T.recordShows, { evidence })
        }
        rank.set(item.linkId, c.status === 'met' ? 1 : 0)
      }
      if (note) item.item = [...(item.item ?? []), { linkId: `${item.linkId}--note`, type: 'display', text: note }]
    }
  }
  walk(q.item)
  const order = (i) => rank.get(i.linkId) ?? 2
  q.item = (q.item ?? []).map((item, index) => ({ item, index })).sort((a, b) => order(a.item) - order(b.item) || a.index - b.index).map((x) => x.item)
  return { questionnaire: q, answerable }
}

async function renderForm (questionnaire, result) {
  const prepared = prepareQuestionnaire(questionnaire, result)
  const container = $('form-container')
  container.replaceChildren()
  await LForms.Util.addFormToPage(prepared.questionnaire, container, { prepopulate: false, hideTreeLine: true, showQuestionCode: false })
  $('form-section').hidden = false
  return prepared
}

/** The answers to the clinician's own questions, as a QuestionnaireResponse for the record. */
function questionnaireResponse (questionnaire, answerable, src) {
  const data = LForms.Util.getFormFHIRData('QuestionnaireResponse', 'R4', $('form-container'))
  const questionnaireText = new Map((questionnaire.item ?? []).map((i) => [i.linkId, i.text]))
  const item = []
  const collect = (items) => {
    for (const i of items ?? []) {
      // Back to the Questionnaire's boolean items (the form showed them as yes/no radio buttons).
      const answers = (i.answer ?? []).map((a) => a.valueCoding?.code === 'true' ? true : a.valueCoding?.code === 'false' ? false : a.valueBoolean).filter((v) => typeof v === 'boolean')
      if (answerable.has(i.linkId) && answers.length) item.push({ linkId: i.linkId, text: questionnaireText.get(i.linkId) ?? i.text, answer: answers.map((v) => ({ valueBoolean: v })) })
      collect(i.item)
    }
  }
  collect(data?.item)
  return {
    resourceType: 'QuestionnaireResponse',
    questionnaire: `${questionnaire.url}|${questionnaire.version}`,
    status: 'completed',
    subject: { reference: `Patient/${src.patientId}` },
    authored: new Date().toISOString(),
    ...(src.user ? { author: { reference: src.user } } : {}),
    item
  }
}

// ---------------------------------------------------------------- the flow

async function assess (src, indication) {
  setStatus(T.loading)
  const rec = await readRecord(src)
  setStatus(T.evaluating)
  const evaluation = await evaluateRecord(rec, indication)
  const results = evaluation.indications ?? []
  const result = results.find((r) => r.indication === indication) ?? (indication ? undefined : results[0])
  const warning = $('app-warning')
  warning.hidden = rec.unreadable.length === 0
  warning.textContent = rec.unreadable.length ? fmt(T.unreadable, { types: rec.unreadable.map((type) => T.types[type] ?? type).join(', ') }) : ''
  return { rec, evaluation, result }
}

async function main () {
  const src = params.get('playground') === '1' ? playgroundSource() : await fhirSource()
  let indication = typeof src.appContext.indication === 'string' ? src.appContext.indication : undefined
  let { rec, evaluation, result } = await assess(src, indication)
  renderContext(rec, result)
  if (!result) { setStatus(T.notMatched); renderOthers(evaluation, undefined); return }
  indication = result.indication
  renderVerdict(result)
  renderOthers(evaluation, indication)
  const questionnaire = await fetchQuestionnaire(indication)
  let prepared = await renderForm(questionnaire, result)
  setStatus('')
  document.body.dataset.ready = 'true'
  const submit = $('submit-answers')
  submit.addEventListener('click', async () => {
    const qr = questionnaireResponse(questionnaire, prepared.answerable, src)
    if (qr.item.length === 0) { setStatus(T.noAnswers); return }
    submit.disabled = true
    try {
      setStatus(T.saving)
      const saved = await src.create(qr)
      document.body.dataset.saved = saved?.id ?? 'true'
      ;({ rec, evaluation, result } = await assess(src, indication))
      renderVerdict(result, `${T.reevaluated} — ${fmt(T.saved, { date: qr.authored.slice(0, 10) })}`)
      renderOthers(evaluation, indication)
      prepared = await renderForm(questionnaire, result)
      setStatus('')
      document.body.dataset.reassessed = result.status
    } catch (err) {
      setStatus(fmt(T.failed, { message: err?.message ?? String(err) }))
    } finally {
      submit.disabled = false
    }
  })
}

main().catch((err) => {
  setStatus(fmt(T.failed, { message: err?.message ?? String(err) }))
  document.body.dataset.failed = 'true'
})
