/**
 * Kubernetes manifests under deploy/ (no cluster in CI): every document
 * parses and has apiVersion/kind/metadata.name; the Deployment, Service,
 * HorizontalPodAutoscaler, ConfigMap, Secret and PodDisruptionBudget refer to
 * each other correctly; the probes hit routes that answer; the configuration
 * they carry is accepted by the service's own configuration loader.
 */
import t from 'tap'
import { readFileSync, readdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { parseAllDocuments } from 'yaml'
import { loadConfig, SETTINGS } from '../../src/config/config.js'
import { buildTestApp } from '../helpers/app.js'
import { parseDockerfile } from '../helpers/dockerfile.js'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const DIR = `${ROOT}/deploy`
const files = readdirSync(DIR).filter((f) => /\.ya?ml$/.test(f)).sort()
const docs: Array<{ file: string, doc: any }> = files.flatMap((file) => parseAllDocuments(readFileSync(`${DIR}/${file}`, 'utf8')).map((d) => {
  if (d.errors.length) throw new Error(`${file}: ${d.errors[0]!.message}`)
  return { file, doc: d.toJS() }
}))
const one = (kind: string): any => {
  const found = docs.filter((d) => d.doc?.kind === kind)
  if (found.length !== 1) throw new Error(`${found.length} ${kind} documents`)
  return found[0]!.doc
}
const deployment = one('Deployment')
const pod = deployment.spec.template
const container = pod.spec.containers[0]
const configMap = one('ConfigMap')
const secret = one('Secret')
const env: Record<string, string> = { ...configMap.data, ...secret.stringData }

void t.test('every document parses and names itself', async (t) => {
  t.ok(files.length >= 7)
  for (const { file, doc } of docs) {
    t.ok(doc.apiVersion, `${file}: apiVersion`)
    t.ok(doc.kind, `${file}: kind`)
    if (doc.kind !== 'Kustomization') t.ok(doc.metadata?.name, `${file}: metadata.name`)
  }
  const kustomization = one('Kustomization')
  t.same([...kustomization.resources].sort(), files.filter((f) => f !== 'kustomization.yaml'), 'kustomization lists every manifest')
  t.ok(kustomization.images.some((i: any) => i.name === container.image), 'the image is set in one place')
})

void t.test('Deployment: probes, resources, security', async (t) => {
  t.same(deployment.spec.selector.matchLabels, pod.metadata.labels, 'selector matches the pod labels')
  t.ok(deployment.spec.replicas >= 2, 'more than one replica')
  const portName = container.ports[0].name
  for (const probe of ['readinessProbe', 'livenessProbe', 'startupProbe']) {
    t.equal(container[probe]?.httpGet?.port, portName, `${probe} uses the named port`)
  }
  t.equal(container.readinessProbe.httpGet.path, '/health/ready')
  t.equal(container.livenessProbe.httpGet.path, '/health/live')
  const app = await buildTestApp(t)
  for (const probe of ['readinessProbe', 'livenessProbe', 'startupProbe']) {
    t.equal((await app.inject({ method: 'GET', url: container[probe].httpGet.path })).statusCode, 200, `${probe} path answers 200`)
  }
  t.ok(container.resources.requests.cpu, 'cpu request (the HPA needs it)')
  t.ok(container.resources.requests.memory, 'memory request')
  t.ok(container.resources.limits.memory, 'memory limit')
  t.equal(pod.spec.securityContext.runAsNonRoot, true)
  const uid = parseDockerfile(readFileSync(`${ROOT}/Dockerfile`, 'utf8')).stages.at(-1)!.instructions.filter((i) => i.keyword === 'USER').at(-1)!.args.split(':')[0]
  t.equal(String(pod.spec.securityContext.runAsUser), uid, 'same uid as the image USER')
  t.equal(container.securityContext.allowPrivilegeEscalation, false)
  t.equal(container.securityContext.readOnlyRootFilesystem, true)
  const envFrom = container.envFrom
  t.ok(envFrom.some((e: any) => e.configMapRef?.name === configMap.metadata.name), 'configuration from the ConfigMap')
  t.ok(envFrom.some((e: any) => e.secretRef?.name === secret.metadata.name), 'secrets from the Secret')
  const preStop = Number(container.lifecycle?.preStop?.exec?.command?.[1] ?? 0)
  t.ok(pod.spec.terminationGracePeriodSeconds * 1000 > Number(env.SHUTDOWN_TIMEOUT_MS) + preStop * 1000, 'the grace period covers preStop + SHUTDOWN_TIMEOUT_MS')
  t.equal(pod.metadata.annotations['prometheus.io/path'], env.METRICS_PATH, 'scrape annotation points at METRICS_PATH')
  t.equal(pod.metadata.annotations['prometheus.io/port'], String(container.ports[0].containerPort))
})

void t.test('ConfigMap and Secret: a valid production configuration, secrets only in the Secret', async (t) => {
  const known = new Map(SETTINGS.map((s) => [s.env, s]))
  for (const k of Object.keys(env)) t.ok(known.has(k), `${k} is a setting`)
  for (const k of Object.keys(configMap.data)) t.notOk(known.get(k)?.secret, `${k} is not a secret`)
  for (const s of SETTINGS.filter((s) => s.secret && env[s.env] !== undefined)) t.ok(s.env in secret.stringData, `${s.env} comes from the Secret`)
  t.ok('DATABASE_URL' in secret.stringData, 'PostgreSQL via DATABASE_URL')
  const config = loadConfig(env)
  t.equal(config.nodeEnv, 'production')
  t.equal(config.authMode, 'required')
  t.equal(config.port, container.ports[0].containerPort, 'PORT is the container port')
  t.equal(config.host, '0.0.0.0')
})

void t.test('Service, HorizontalPodAutoscaler and PodDisruptionBudget target the pods', async (t) => {
  const service = one('Service')
  t.same(service.spec.selector, pod.metadata.labels)
  t.ok(container.ports.some((p: any) => p.name === service.spec.ports[0].targetPort), 'targetPort is a container port name')
  const hpa = one('HorizontalPodAutoscaler')
  t.equal(hpa.apiVersion, 'autoscaling/v2')
  t.same(hpa.spec.scaleTargetRef, { apiVersion: 'apps/v1', kind: 'Deployment', name: deployment.metadata.name })
  t.ok(hpa.spec.minReplicas >= 2 && hpa.spec.maxReplicas > hpa.spec.minReplicas)
  t.ok(hpa.spec.metrics.some((m: any) => m.resource?.name === 'cpu'), 'scales on CPU')
  const pdb = one('PodDisruptionBudget')
  t.same(pdb.spec.selector.matchLabels, pod.metadata.labels)
  t.ok(pdb.spec.minAvailable < hpa.spec.minReplicas, 'the PDB never blocks node drains')
})
