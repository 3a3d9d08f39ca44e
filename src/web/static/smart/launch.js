// The requisition form's launch page (/smart/launch.html).
// EHR launch: the EHR opens it with ?iss=<FHIR base>&launch=<token> (from the
// card's smart link, with appContext carried by the authorisation server), and
// fhirclient's FHIR.oauth2.authorize runs the SMART authorisation.
// Standalone launch: ?iss=<FHIR base> alone asks the server's authorisation for
// a patient. An open FHIR server (no SMART authorisation, for tests and demos)
// is used directly with ?iss=<FHIR base>&patient=<id> (optionally
// &user=Practitioner/<id> and &appContext=<the card link's appContext>):
// fhirclient finds no authorisation endpoints and goes straight to the app.
/* global document, window, sessionStorage, FHIR, URLSearchParams */
const config = JSON.parse(document.getElementById('smart-config').textContent)
const params = new URLSearchParams(window.location.search)
const status = document.getElementById('launch-status')

// Carried to the app page (the redirect target keeps no query of its own).
sessionStorage.setItem('wgs-lang', config.lang)
for (const [param, key] of [['appContext', 'wgs-app-context'], ['user', 'wgs-user']]) {
  if (params.has(param)) sessionStorage.setItem(key, params.get(param))
  else sessionStorage.removeItem(key)
}

const options = { clientId: config.clientId, scope: config.scope, redirectUri: './' }
// An open server (its CapabilityStatement names no SMART authorisation): the patient named in the URL.
if (params.has('patient')) options.patientId = params.get('patient')
if (!params.has('iss') && !params.has('launch')) {
  status.textContent = config.text.noLaunch
} else {
  FHIR.oauth2.authorize(options).catch((err) => { status.textContent = String(err?.message ?? err) })
}
