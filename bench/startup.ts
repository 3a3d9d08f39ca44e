/**
 * Benchmark 4 — start-up: process start to "Server listening" (rules read,
 * validated and compiled, audit store migrated), several times; plus one run
 * under --cpu-prof to say where start-up time goes.
 */
import { mkdirSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { spawnService, type ServerBuild } from './processes.js'
import { median, round } from './stats.js'
import { summariseProfile, type ProfileSummary } from './profile-summary.js'

export interface StartupResult {
  runs: number[]
  medianMs: number
  maxMs: number
  profile?: ProfileSummary
}

export async function runStartup (opts: { build: ServerBuild, workDir: string, runs: number, profile: boolean }): Promise<StartupResult> {
  const runs: number[] = []
  for (let i = 0; i < opts.runs; i++) {
    const s = await spawnService({ build: opts.build, workDir: opts.workDir })
    runs.push(s.startupMs)
    await s.stop()
  }
  let profile: ProfileSummary | undefined
  if (opts.profile) {
    const dir = join(opts.workDir, 'startup-profile')
    mkdirSync(dir, { recursive: true })
    const s = await spawnService({ build: opts.build, workDir: opts.workDir, nodeFlags: ['--cpu-prof', `--cpu-prof-dir=${dir}`] })
    await s.stop()
    // The main thread's (thread id 0): evaluation threads start after it is ready and write their own.
    const file = readdirSync(dir).find((f) => /\.0\.\d+\.cpuprofile$/.test(f))
    if (file) profile = summariseProfile(join(dir, file), 10)
  }
  return { runs, medianMs: round(median(runs), 1), maxMs: Math.max(...runs), ...(profile ? { profile } : {}) }
}
