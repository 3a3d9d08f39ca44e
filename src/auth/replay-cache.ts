/**
 * Seen `jti`s, kept until the token could no longer be accepted anyway
 * (its `exp`, capped by the maximum token age, plus clock skew). CDS Hooks
 * best practice: "jti has not been seen before; keep seen jtis for the
 * maximum JWT lifetime".
 *
 * In memory and bounded: when full of unexpired entries it refuses new
 * tokens (fails closed) rather than forgetting one that could then be
 * replayed. Per process — with several replicas a replay could reach another
 * one (README "Connecting an EHR").
 */
export type ReplayVerdict = 'fresh' | 'replayed' | 'full'

export class ReplayCache {
  private readonly seen = new Map<string, number>()
  private lastSweep = 0

  /**
   * @param maxEntries - upper bound on remembered jtis
   * @param now - clock in epoch milliseconds
   */
  constructor (readonly maxEntries: number, private readonly now: () => number = Date.now) {}

  /** Remember `key` until `expiresAtMs`; 'replayed' when it is already remembered. */
  check (key: string, expiresAtMs: number): ReplayVerdict {
    const now = this.now()
    const known = this.seen.get(key)
    if (known !== undefined && known > now) return 'replayed'
    if (known !== undefined) this.seen.delete(key)
    if (this.seen.size >= this.maxEntries && now - this.lastSweep >= 1000) this.sweep(now)
    if (this.seen.size >= this.maxEntries) return 'full'
    this.seen.set(key, expiresAtMs)
    return 'fresh'
  }

  get size (): number { return this.seen.size }

  private sweep (now: number): void {
    this.lastSweep = now
    for (const [k, expires] of this.seen) if (expires <= now) this.seen.delete(k)
  }
}
