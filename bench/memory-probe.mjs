/* global process, BroadcastChannel, setTimeout */
// Preloaded into the benchmarked server (node --expose-gc --import ./bench/memory-probe.mjs):
// on an IPC message it collects garbage and reports process.memoryUsage(), so RSS and heap
// are compared after a full GC rather than at whatever point the collector happened to be.
// Worker threads — the evaluation threads (src/evaluation-pool/) and the SQLite audit writer —
// inherit the flags, so the probe runs in each of them too: asked over a BroadcastChannel, each collects its own garbage and reports its heap,
// and the main thread adds those heaps to its answer. Inert until asked; the IPC channel is
// unref'd so it never keeps the server alive.
import { isMainThread, threadId } from 'node:worker_threads'
import { getHeapStatistics } from 'node:v8'

const CHANNEL = 'wgs-cds-bench-memory'
/** How long the main thread waits for the threads' answers (they answer within a few ms; idle threads at once). */
const THREAD_WAIT_MS = 250

if (!isMainThread) {
  const channel = new BroadcastChannel(CHANNEL)
  channel.onmessage = (e) => {
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
