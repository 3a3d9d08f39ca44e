/** Quick micro-benchmark of one evaluation at 150 resources (dev aid: `tsx bench/micro.ts`). */
import { loadConfig } from '../src/config/config.js'
import { loadRulesFor } from '../src/definitions/rules-for-config.js'
import { buildRecord } from '../src/core/record.js'
import { evaluate } from '../src/core/evaluate.js'
import { generatePatient, matchingDiagnoses, BENCH_NOW, wgsDraftOrder } from './synthetic-patient.js'

const rules = loadRulesFor(loadConfig({}))
const size = Number(process.argv[2] ?? 150)
const p = generatePatient(size, matchingDiagnoses(rules))
const order = wgsDraftOrder()
const run = (): number => {
  const t = performance.now()
  evaluate(rules.catalogue, buildRecord({ patient: p.patient as any, resources: p.resources }), BENCH_NOW, { order })
  return performance.now() - t
}
for (let i = 0; i < 50; i++) run()
const times = Array.from({ length: 300 }, run).sort((a, b) => a - b)
console.log(`size ${size}: median ${times[150]!.toFixed(2)} ms, p99 ${times[296]!.toFixed(2)} ms`)
