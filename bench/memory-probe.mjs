/* global process */
// Preloaded into the benchmarked server (node --expose-gc --import ./bench/memory-probe.mjs):
// on an IPC message it collects garbage and reports process.memoryUsage(), so RSS and heap
// are compared after a full GC rather than at whatever point the collector happened to be.
// Inert until asked; the channel is unref'd so it never keeps the server alive.
if (process.send) {
  process.on('message', (m) => {
    if (!m || m.type !== 'memory') return
    globalThis.gc?.()
    globalThis.gc?.()
    const u = process.memoryUsage()
    process.send({ type: 'memory', id: m.id, rss: u.rss, heapUsed: u.heapUsed, heapTotal: u.heapTotal, external: u.external })
  })
  process.channel?.unref()
}
