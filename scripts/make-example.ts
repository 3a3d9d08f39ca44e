/** Writes examples/order-select-inherited-thrombocytopenia.json (the README's example request). */
import { writeFileSync } from 'node:fs'
import { attestation, condition, hookRequest, orderingRole, patient, plateletCount, quantityObservation, SYSTEMS } from '../test/helpers/fhir-builders.js'

const request = hookRequest(patient({ name: [{ family: 'Testesen', given: ['Synthetic'] }] }), [
  condition('DD694', { verificationStatus: { coding: [{ system: SYSTEMS.conditionVerification, code: 'provisional' }] } }),
  plateletCount(88, '2015-05-01'), plateletCount(95, '2021-03-01'), plateletCount(91, '2026-01-10'),
  quantityObservation(SYSTEMS.loinc, '32623-1', 12.1, 'fL', '2024-02-01'),
  attestation('lifelong-course'), attestation('acquired-causes-excluded'),
  ...orderingRole('Afdeling for Blodsygdomme, Rigshospitalet')
], { hookInstance: 'a8b1c6a2-5d0e-4f3b-9a51-2f0d6c1e7b10' })
writeFileSync('examples/order-select-inherited-thrombocytopenia.json', `${JSON.stringify(request, null, 2)}\n`)
