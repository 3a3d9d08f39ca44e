/** Small statistics helpers for the benchmark. */

/** Quantile by nearest rank over a copy of the values (q in 0..1). */
export function quantile (values: number[], q: number): number {
  if (values.length === 0) return NaN
  const sorted = [...values].sort((a, b) => a - b)
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))
  return sorted[rank]!
}

export function median (values: number[]): number { return quantile(values, 0.5) }

export function round (v: number, digits = 2): number {
  const f = 10 ** digits
  return Math.round(v * f) / f
}
