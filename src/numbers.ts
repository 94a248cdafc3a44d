/** Small numeric helpers shared by the engine, the metrics, the feedback and the views. */

/** `value` rounded to `digits` decimals (half away from zero for positives, as Math.round). */
export function round (value: number, digits = 0): number {
  const factor = 10 ** digits
  return Math.round(value * factor) / factor
}

export function clamp (value: number, min: number, max: number): number {
  return Math.max(min, Math.min(max, value))
}
