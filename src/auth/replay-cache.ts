/**
 * Seen `jti`s, kept until the token could no longer be accepted anyway
 * (its `exp`, capped by the maximum token age, plus clock skew). CDS Hooks
 * best practice: "jti has not been seen before; keep seen jtis for the
 * maximum JWT lifetime".
 *
 * Where they are kept (docs/security.md "Replayed tokens"): in the audit
 * store when it is shared — an on-disk SQLite file or PostgreSQL — so every
 * replica on that database sees the same tokens and a restart forgets none
 * ({@link StoreReplayGuard}: one insert-if-absent on the primary key per
 * call); otherwise (SQLite in memory) in this process, bounded
 * ({@link ReplayCache}): when full of unexpired entries it refuses new tokens
 * (fails closed) rather than forgetting one that could then be replayed.
 */
import { createHash } from 'node:crypto'
import type { EvaluationStore } from '../store/store.js'

/** `unavailable`: the store could not say (the call is refused: 503, never let through). */
export type ReplayVerdict = 'fresh' | 'replayed' | 'full' | 'unavailable'

export interface ReplayGuard {
  /** Remember `key` until `expiresAtMs`; 'replayed' when it is already remembered. */
  check: (key: string, expiresAtMs: number) => ReplayVerdict | Promise<ReplayVerdict>
}

/** Seen tokens in the audit store: shared by replicas, kept over restarts. The key is stored as its SHA-256 only. */
export class StoreReplayGuard implements ReplayGuard {
  constructor (private readonly remember: NonNullable<EvaluationStore['rememberToken']>, private readonly now: () => number = Date.now) {}

  async check (key: string, expiresAtMs: number): Promise<ReplayVerdict> {
    const hashed = createHash('sha256').update(key).digest('hex')
    try {
      return await this.remember(hashed, expiresAtMs, this.now()) ? 'fresh' : 'replayed'
    } catch {
      return 'unavailable'
    }
  }
}

/** The store's guard when the store is shared, the process's bounded memory otherwise. */
export function replayGuard (store: EvaluationStore | undefined, maxEntries: number, now?: () => number): ReplayGuard {
  return store?.rememberToken ? new StoreReplayGuard(async (key, expiresAtMs, nowMs) => await store.rememberToken!(key, expiresAtMs, nowMs), now) : new ReplayCache(maxEntries, now)
}

export class ReplayCache implements ReplayGuard {
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
