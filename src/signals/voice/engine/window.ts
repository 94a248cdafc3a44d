/** Analysis windows shared by the intensity and pitch contours. */

/** Symmetric Hann window of `length` points, zero-free (the (n + 1) / (length + 1) form). */
export function hannWindow (length: number): Float64Array {
  const window = new Float64Array(length)
  for (let n = 0; n < length; n++) window[n] = 0.5 - 0.5 * Math.cos((2 * Math.PI * (n + 1)) / (length + 1))
  return window
}
