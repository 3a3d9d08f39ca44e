/* global process, BroadcastChannel, setTimeout */
// Preloaded into the benchmarked server (node --expose-gc --import ./bench/memory-probe.mjs):
// on an IPC message it collects garbage and reports process.memoryUsage(), so RSS and heap
// are compared after a full GC rather than at whatever point the collector happened to be.
// Worker threads — the evaluation threads (src/evaluation-pool/) and the SQLite audit writer —
// inherit the flags, so the probe runs in each of them too: asked over a BroadcastChannel, each collects its own garbage and reports its heap,
// and the main thread adds those heaps to its answer. Inert until asked; the IPC channel is
// unref'd so it never keeps the server alive.
// It also answers 'cpu': each thread's own CPU time (user + system) from /proc/thread-self/stat
// (Linux), and what kind of thread it is — so the bench reports CPU per request per thread.
import { isMainThread, threadId, workerData } from 'node:worker_threads'
import { getHeapStatistics } from 'node:v8'
import { readFileSync } from 'node:fs'

/** This thread's CPU time in ms (utime + stime, clock ticks of 10 ms), or null off Linux. */
function threadCpuMs () {
  try {
    const stat = readFileSync('/proc/thread-self/stat', 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return (Number(fields[11]) + Number(fields[12])) * 10
  } catch {
    return null
  }
}

/** The process's CPU time in ms, every thread together (V8's GC and compiler helpers, libuv's pool included). */
function processCpuMs () {
  const u = process.cpuUsage()
  return (u.user + u.system) / 1000
}

/** The evaluation threads get the configuration (src/evaluation-pool/worker.ts), the SQLite audit writer its file. */
const KIND = isMainThread ? 'event loop (main thread)' : workerData?.config ? 'evaluation thread' : typeof workerData?.file === 'string' ? 'audit writer (SQLite)' : 'other worker'

const CHANNEL = 'wgs-cds-bench-memory'
/** How long the main thread waits for the threads' answers (they answer within a few ms, idle; a busy machine can take hundreds). */
const THREAD_WAIT_MS = 1000
/** The same for CPU readings, which are taken under load: a busy thread answers between two tasks. */
const CPU_WAIT_MS = 1000

if (!isMainThread) {
  const channel = new BroadcastChannel(CHANNEL)
  channel.onmessage = (e) => {
    if (e.data?.type === 'cpu') {
      channel.postMessage({ type: 'thread-cpu', id: e.data.id, threadId, kind: KIND, cpuMs: threadCpuMs() })
      return
    }
    if (e.data?.type !== 'collect') return
    globalThis.gc?.()
    globalThis.gc?.()
    const h = getHeapStatistics()
    channel.postMessage({ type: 'heap', id: e.data.id, threadId, heapUsed: h.used_heap_size, heapTotal: h.total_heap_size })
  }
  channel.unref()
} else if (process.send) {
  const channel = new BroadcastChannel(CHANNEL)
  channel.unref()
  process.on('message', (m) => {
    if (m?.type === 'cpu') {
      const threads = [{ threadId, kind: KIND, cpuMs: threadCpuMs() }]
      const listen = (e) => { if (e.data?.type === 'thread-cpu' && e.data.id === m.id) threads.push({ threadId: e.data.threadId, kind: e.data.kind, cpuMs: e.data.cpuMs }) }
      channel.addEventListener('message', listen)
      channel.postMessage({ type: 'cpu', id: m.id })
      setTimeout(() => {
        channel.removeEventListener('message', listen)
        process.send({ type: 'cpu', id: m.id, processCpuMs: processCpuMs(), threads })
      }, CPU_WAIT_MS)
      return
    }
    if (!m || m.type !== 'memory') return
    const threads = new Map()
    const listen = (e) => { if (e.data?.type === 'heap' && e.data.id === m.id) threads.set(e.data.threadId, { used: e.data.heapUsed, total: e.data.heapTotal }) }
    channel.addEventListener('message', listen)
    channel.postMessage({ type: 'collect', id: m.id })
    setTimeout(() => {
      channel.removeEventListener('message', listen)
      globalThis.gc?.()
      globalThis.gc?.()
      const u = process.memoryUsage()
      const threadHeaps = [...threads.values()]
      process.send({ type: 'memory', id: m.id, rss: u.rss, heapUsed: u.heapUsed, heapTotal: u.heapTotal, external: u.external, threadHeaps })
    }, THREAD_WAIT_MS)
  })
  process.channel?.unref()
}
