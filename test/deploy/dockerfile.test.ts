/**
 * Static checks of the Dockerfile (CI has no Docker engine): multi-stage on
 * one base image, production dependencies only in the runtime stage, non-root
 * USER, HEALTHCHECK, the rules copied in, and every COPY source present in
 * the build context (not excluded by .dockerignore), so `docker build .`
 * has what it needs. The health-check script is run for real.
 */
import t from 'tap'
import { existsSync, readFileSync } from 'node:fs'
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { execForm, isDockerIgnored, parseCopy, parseDockerfile, type Stage } from '../helpers/dockerfile.js'
import { startServerProcess } from '../helpers/server-process.js'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const { stages } = parseDockerfile(readFileSync(`${ROOT}/Dockerfile`, 'utf8'))
const ignore = readFileSync(`${ROOT}/.dockerignore`, 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'))
const runtime = stages.at(-1)!
const all = (s: Stage, kw: string): string[] => s.instructions.filter((i) => i.keyword === kw).map((i) => i.args)
const pkg = JSON.parse(readFileSync(`${ROOT}/package.json`, 'utf8')) as { scripts: Record<string, string> }

void t.test('multi-stage, every stage on the same base image', async (t) => {
  t.ok(stages.length >= 3, `${stages.length} stages`)
  const bases = stages.map((s) => stages.find((x) => x.name === s.image)?.image ?? s.image)
  t.equal(new Set(bases).size, 1, `native modules are built for the runtime's Node ABI and glibc (${bases[0]})`)
  t.match(bases[0], /^node:20[.-]/, 'Node 20 (package.json engines)')
})

void t.test('the build stage compiles with all dependencies', async (t) => {
  const build = stages.find((s) => all(s, 'RUN').some((r) => /npm run build/.test(r)))
  t.ok(build, 'a stage runs npm run build')
  t.ok(pkg.scripts.build, 'package.json has a build script')
  t.ok(all(build!, 'RUN').some((r) => /npm ci(?!.*--omit=dev)/.test(r)), 'npm ci with dev dependencies (TypeScript)')
  for (const f of ['tsconfig.json', 'tsconfig.build.json', 'package-lock.json', 'src']) {
    t.ok(all(build!, 'COPY').some((c) => parseCopy(c).sources.includes(f)), `copies ${f}`)
  }
})

void t.test('runtime: production dependencies only, no toolchain', async (t) => {
  t.equal(runtime.name, 'runtime')
  for (const run of all(runtime, 'RUN')) {
    t.notMatch(run, /npm (ci|install|i)\b(?!.*--omit=dev)/, 'no npm install of dev dependencies')
    t.notMatch(run, /apt-get install|apk add|g\+\+|make\b|python3/, 'no build toolchain')
  }
  const copies = all(runtime, 'COPY').map(parseCopy)
  const modules = copies.filter((c) => c.sources.some((s) => /node_modules/.test(s)))
  t.equal(modules.length, 1, 'node_modules copied once')
  const from = stages.find((s) => s.name === modules[0]!.from)
  t.ok(from, 'from a named stage, not from the build context')
  t.ok(all(from!, 'RUN').some((r) => /npm ci\b.*--omit=dev/.test(r)), `stage ${from!.name} installs with --omit=dev`)
  t.notOk(all(from!, 'RUN').some((r) => /npm (ci|install)\b(?!.*--omit=dev)/.test(r)), 'and nothing else')
  t.ok(isDockerIgnored(ignore, 'node_modules'), 'the host node_modules never enters the context')
  const fromBuild = copies.filter((c) => c.from === 'build')
  t.same(fromBuild.flatMap((c) => c.sources), ['/app/dist'], 'only dist/ comes from the build stage')
})

void t.test('runtime: rules, package.json and configuration', async (t) => {
  const sources = all(runtime, 'COPY').map(parseCopy).filter((c) => !c.from).flatMap((c) => c.sources)
  for (const f of ['cds-services', 'fhir-profiles', 'package.json']) t.ok(sources.includes(f), `copies ${f}`)
  // Files the running service reads besides dist/ (the playground's static assets and bundled patients).
  for (const f of ['src/web/static', 'examples/patients']) {
    if (existsSync(`${ROOT}/${f}`)) t.ok(sources.includes(f), `copies ${f}`)
  }
  const env = all(runtime, 'ENV').join(' ')
  t.match(env, /HOST=0\.0\.0\.0/)
  const port = /PORT=(\d+)/.exec(env)?.[1]
  t.ok(port)
  t.ok(all(runtime, 'EXPOSE').includes(port!), 'EXPOSE matches PORT')
  t.match(env, /NODE_ENV=production/, 'secure defaults: authentication is required')
})

void t.test('runtime: non-root USER, HEALTHCHECK, exec-form CMD', async (t) => {
  const users = all(runtime, 'USER')
  t.ok(users.length > 0, 'USER is set')
  const user = users.at(-1)!
  t.notMatch(user, /^(root|0)(:|$)/, `runs as ${user}`)
  t.match(user, /^[1-9]\d*(:\d+)?$/, 'numeric uid, so Kubernetes can verify runAsNonRoot')
  const lastUserAt = runtime.instructions.map((i) => i.keyword).lastIndexOf('USER')
  t.notOk(runtime.instructions.slice(lastUserAt).some((i) => i.keyword === 'RUN'), 'no RUN after switching user')

  const health = all(runtime, 'HEALTHCHECK')
  t.equal(health.length, 1, 'HEALTHCHECK present')
  const probe = execForm(health[0]!)
  t.same(probe, ['node', 'dist/healthcheck.js'])
  t.ok(existsSync(`${ROOT}/src/healthcheck.ts`), 'dist/healthcheck.js is built from src/healthcheck.ts')

  t.same(execForm(all(runtime, 'CMD').at(-1)!), ['node', 'dist/server.js'], 'node is PID 1 and gets SIGTERM')
  t.ok(existsSync(`${ROOT}/src/server.ts`))
})

void t.test('every COPY source exists in the build context and is not ignored', async (t) => {
  t.notOk(ignore.some((p) => p.startsWith('!')), 'no negated .dockerignore patterns (the matcher here does not model them)')
  for (const stage of stages) {
    for (const c of all(stage, 'COPY').map(parseCopy).filter((c) => !c.from)) {
      for (const src of c.sources) {
        t.ok(existsSync(`${ROOT}/${src}`), `${stage.name}: ${src} exists`)
        t.notOk(isDockerIgnored(ignore, src), `${stage.name}: ${src} is not excluded by .dockerignore`)
      }
    }
  }
  for (const excluded of ['.git', 'test/routes/metrics.test.ts', 'dist/server.js', '.env.local']) t.ok(isDockerIgnored(ignore, excluded), `${excluded} stays out of the context`)
})

void t.test('the HEALTHCHECK script answers for a ready server and fails otherwise', async (t) => {
  const server = await startServerProcess({})
  t.teardown(() => { if (server.child.exitCode === null) server.child.kill('SIGKILL') })
  const run = (port: number): number | null => spawnSync(process.execPath, ['--import', 'tsx', 'src/healthcheck.ts'], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', PORT: String(port) }, timeout: 30_000 }).status
  t.equal(run(server.port), 0, 'healthy')
  server.child.kill('SIGTERM')
  await server.exited
  t.equal(run(server.port), 1, 'unhealthy when nothing answers')
})
