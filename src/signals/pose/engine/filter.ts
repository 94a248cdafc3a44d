/**
 * MediaPipe's One Euro filter (LandmarksSmoothingCalculator with one_euro_filter): each
 * coordinate of each point low-pass filtered with a cutoff that rises with its speed, the speed
 * measured in object sizes per second (object = the points' bounding box, mean of its sides, in
 * pixels). MediaPipe's pose graph always smooths the two auxiliary points this way before the
 * next frame's ROI is built from them (min cutoff 0.01, beta 1), so the crop is steady while the
 * body is still and follows it when it moves.
 */
export interface OneEuroOptions {
  minCutoff: number
  beta: number
  derivateCutoff: number
  /** Assumed rate until two timestamps give the real one. */
  frequency: number
}

export const AUX_SMOOTHING: OneEuroOptions = { minCutoff: 0.01, beta: 1, derivateCutoff: 1, frequency: 30 }

class LowPass {
  raw = 0
  value = 0
  initialized = false

  apply (value: number, alpha: number): number {
    this.value = this.initialized ? alpha * value + (1 - alpha) * this.value : value
    this.raw = value
    this.initialized = true
    return this.value
  }
}

export class OneEuroFilter {
  private readonly x = new LowPass()
  private readonly dx = new LowPass()
  private lastTimeMs: number | null = null
  private frequency: number

  constructor (private readonly options: OneEuroOptions) {
    this.frequency = options.frequency
  }

  apply (timeMs: number, valueScale: number, value: number): number {
    if (this.lastTimeMs !== null) {
      if (timeMs <= this.lastTimeMs) return value
      this.frequency = 1000 / (timeMs - this.lastTimeMs)
    }
    this.lastTimeMs = timeMs
    const speed = this.x.initialized ? (value - this.x.raw) * valueScale * this.frequency : 0
    const smoothedSpeed = this.dx.apply(speed, this.alpha(this.options.derivateCutoff))
    return this.x.apply(value, this.alpha(this.options.minCutoff + this.options.beta * Math.abs(smoothedSpeed)))
  }

  private alpha (cutoff: number): number {
    const te = 1 / this.frequency
    const tau = 1 / (2 * Math.PI * cutoff)
    return 1 / (1 + tau / te)
  }
}

/** Smooths a set of 2-D points (x, y pairs, pixels) over time; reset() when the track is lost. */
export class PointsSmoother {
  private filters: OneEuroFilter[] = []

  constructor (private readonly options: OneEuroOptions, private readonly minObjectScale = 1e-6) {}

  reset (): void {
    this.filters = []
  }

  apply (timeMs: number, points: Float32Array): Float32Array {
    let minX = Infinity, maxX = -Infinity, minY = Infinity, maxY = -Infinity
    for (let i = 0; i < points.length; i += 2) {
      minX = Math.min(minX, points[i]!); maxX = Math.max(maxX, points[i]!)
      minY = Math.min(minY, points[i + 1]!); maxY = Math.max(maxY, points[i + 1]!)
    }
    if (this.filters.length === 0) this.filters = Array.from(points, () => new OneEuroFilter(this.options))
    const scale = (maxX - minX + maxY - minY) / 2
    if (scale < this.minObjectScale) return points
    return points.map((value, i) => this.filters[i]!.apply(timeMs, 1 / scale, value))
  }
}
