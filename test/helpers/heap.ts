/**
 * Heap still in use after a full garbage collection: what a test can hold
 * against a bound without counting garbage not yet collected (which depends on
 * when the collector last ran, and so on the machine's load).
 */
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'

setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void

/** heapUsed in bytes after two full collections. */
export function retainedHeap (): number {
  gc()
  gc()
  return process.memoryUsage().heapUsed
}
