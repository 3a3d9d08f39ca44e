/**
 * Bytes cross between the event loop and an evaluation thread by moving their
 * ArrayBuffer (no copy) — but only when the buffer holds nothing else: small
 * Node Buffers are slices of a shared pool, and moving that pool would empty
 * every other Buffer cut from it. Those few bytes are copied instead.
 */
export function transferList (bytes: Uint8Array): ArrayBuffer[] {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer ? [bytes.buffer] : []
}
