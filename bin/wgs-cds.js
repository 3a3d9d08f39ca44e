#!/usr/bin/env node
// `npx wgs-cds …` (package.json "bin"). Runs the CLI in src/cli/main.ts:
//   - in a checkout (tsx, a dev dependency, is installed): the TypeScript source
//     through tsx, so the CLI is never stale and needs no `npm run build`;
//   - in an installation without dev dependencies: the compiled dist/cli/main.js
//     (`npm run build`; `npm start` builds it too).
// WGS_CDS_FROM=dist or WGS_CDS_FROM=source forces one of the two.
/* global process, URL */
import { existsSync } from 'node:fs'

const root = new URL('../', import.meta.url)
const source = new URL('src/cli/main.ts', root)
const dist = new URL('dist/cli/main.js', root)
const from = process.env.WGS_CDS_FROM

async function tsxAvailable () {
  try {
    const api = await import('tsx/esm/api')
    return api
  } catch {
    return undefined
  }
}

let cli
if (from !== 'dist' && existsSync(source)) {
  const tsx = await tsxAvailable()
  if (tsx) {
    tsx.register()
    cli = await import(source.href)
  } else if (from === 'source') {
    process.stderr.write('wgs-cds: WGS_CDS_FROM=source needs tsx (npm ci installs it)\n')
    process.exit(70)
  }
}
if (!cli) {
  if (!existsSync(dist)) {
    process.stderr.write('wgs-cds: dist/cli/main.js is missing: run `npm run build` first (or install the dev dependencies: npm ci)\n')
    process.exit(70)
  }
  cli = await import(dist.href)
}
cli.main()
