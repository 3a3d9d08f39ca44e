/* global process */
// Preloaded into the soaked server by scripts/soak.ts (node --expose-gc --import ./scripts/soak-memory-probe.mjs):
// on an IPC message it runs a full garbage collection and reports process.memoryUsage(), so the
// soak compares memory after collection, not at whatever point the collector happened to be.
// Inert until asked; the channel is unref'd so it never keeps the server alive.
if (process.send) {
  process.on('message', (m) => {
    if (!m || m.type !== 'soak-memory') return
    globalThis.gc?.()
    globalThis.gc?.()
    const u = process.memoryUsage()
    process.send({ type: 'soak-memory', id: m.id, rss: u.rss, heapUsed: u.heapUsed })
  })
  process.channel?.unref()
}
