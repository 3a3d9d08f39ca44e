/**
 * Summarise a V8 `.cpuprofile` (node --cpu-prof): self time per function and
 * per area (the engine in src/core, fhirpath.js, other dependencies, GC), so
 * the report says where evaluation time goes without opening DevTools.
 */
import { readFileSync } from 'node:fs'

interface CallFrame { functionName: string, url: string, lineNumber: number }
interface ProfileNode { id: number, callFrame: CallFrame }
export interface CpuProfile { nodes: ProfileNode[], samples?: number[], timeDeltas?: number[], startTime: number, endTime: number }

export interface HotFunction { name: string, location: string, selfMs: number, selfPct: number }
export interface ProfileSummary {
  totalMs: number
  /** Share of sampled time per area, busiest first. */
  areas: Array<{ area: string, selfMs: number, selfPct: number }>
  top: HotFunction[]
}

/** Where a frame's code lives, in words a reader of this repo recognises. */
export function areaOf (frame: CallFrame): string {
  const { url, functionName } = frame
  if (functionName === '(garbage collector)') return 'garbage collection'
  if (functionName === '(idle)' || functionName === '(program)' || functionName === '(root)') return `V8 ${functionName}`
  const core = /\/(?:src|dist)\/core\/([^/]+(?:\/[^/]+)?)\.[tj]s/.exec(url)
  if (core) return `src/core/${core[1]}`
  // The production build (dist/) mirrors src/: its areas are named after the source folder.
  const src = /\/(?:src|dist)\/([^/]+)\//.exec(url)
  if (src) return `src/${src[1]}`
  const dep = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)
  if (dep) return dep[1]!
  if (url.startsWith('node:') || url === '') return 'node built-ins'
  return 'other'
}

function location (frame: CallFrame): string {
  const url = frame.url.replace(/^file:\/\//, '')
  const short = url.includes('node_modules/') ? url.slice(url.lastIndexOf('node_modules/') + 'node_modules/'.length) : url.replace(/^.*?\/(src|bench|test)\//, '$1/')
  return short ? `${short}:${frame.lineNumber + 1}` : '(native)'
}

/**
 * @param source - a `.cpuprofile` file, or the profile object (node:inspector Profiler.stop)
 * @param skipMs - leave out the first milliseconds of the profile (a process's start-up, before the load began)
 */
export function summariseProfile (source: string | CpuProfile, topN = 15, skipMs = 0): ProfileSummary {
  const profile = typeof source === 'string' ? JSON.parse(readFileSync(source, 'utf8')) as CpuProfile : source
  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  const samples = profile.samples ?? []
  const deltas = profile.timeDeltas ?? []
  const selfUs = new Map<number, number>()
  // timeDeltas[i] is the time before sample i; attribute the next delta to sample i (as DevTools does).
  let elapsedUs = 0
  for (let i = 0; i < samples.length; i++) {
    elapsedUs += deltas[i] ?? 0
    if (elapsedUs < skipMs * 1000) continue
    const dt = deltas[i + 1] ?? 0
    selfUs.set(samples[i]!, (selfUs.get(samples[i]!) ?? 0) + Math.max(0, dt))
  }
  const fns = new Map<string, { frame: CallFrame, us: number }>()
  const areas = new Map<string, number>()
  let total = 0
  for (const [id, us] of selfUs) {
    const frame = byId.get(id)!.callFrame
    if (frame.functionName === '(idle)') continue
    total += us
    const key = `${frame.functionName}@${frame.url}:${frame.lineNumber}`
    const f = fns.get(key) ?? { frame, us: 0 }
    f.us += us
    fns.set(key, f)
    const area = areaOf(frame)
    areas.set(area, (areas.get(area) ?? 0) + us)
  }
  const pct = (us: number): number => total ? Math.round((us / total) * 1000) / 10 : 0
  const ms = (us: number): number => Math.round(us / 100) / 10
  return {
    totalMs: ms(total),
    areas: [...areas].sort((a, b) => b[1] - a[1]).map(([area, us]) => ({ area, selfMs: ms(us), selfPct: pct(us) })),
    top: [...fns.values()].sort((a, b) => b.us - a.us).slice(0, topN).map((f) => ({
      name: f.frame.functionName || '(anonymous)',
      location: location(f.frame),
      selfMs: ms(f.us),
      selfPct: pct(f.us)
    }))
  }
}
