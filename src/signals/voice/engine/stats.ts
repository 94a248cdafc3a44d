/** Small statistics over plain number arrays (pure, shared by the voice modules). */

/** Linear-interpolated quantile (q in 0..1) of values already sorted ascending; NaN when empty. */
export function quantileSorted (sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return Number.NaN
  const position = Math.min(1, Math.max(0, q)) * (sorted.length - 1)
  const below = Math.floor(position)
  const above = Math.min(sorted.length - 1, below + 1)
  return sorted[below]! + (sorted[above]! - sorted[below]!) * (position - below)
}

/** Quantile of unsorted values (copied, not reordered in place). */
export function quantile (values: ArrayLike<number>, q: number): number {
  return quantileSorted(Float64Array.from(values).sort(), q)
}

export function mean (values: ArrayLike<number>): number {
  if (values.length === 0) return Number.NaN
  let sum = 0
  for (let i = 0; i < values.length; i++) sum += values[i]!
  return sum / values.length
}

/** Population standard deviation; 0 for fewer than two values. */
export function standardDeviation (values: ArrayLike<number>): number {
  if (values.length < 2) return 0
  const m = mean(values)
  let sum = 0
  for (let i = 0; i < values.length; i++) sum += (values[i]! - m) ** 2
  return Math.sqrt(sum / values.length)
}
