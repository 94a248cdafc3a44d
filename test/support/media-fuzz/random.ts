/**
 * A small seeded PRNG (splitmix32 seeding mulberry32): the same seed gives the same variants
 * on every machine and Node version, which Math.random cannot promise.
 */
export class Random {
  private state: number

  constructor (seed: number) {
    this.state = splitmix32(seed >>> 0)
  }

  /** A generator for item `index` of a run: each variant can be rebuilt on its own. */
  static forItem (seed: number, index: number): Random {
    return new Random(splitmix32((seed >>> 0) ^ Math.imul(index + 1, 0x9e3779b1)))
  }

  /** Uniform in [0, 1). */
  next (): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0
    let t = this.state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }

  /** An integer in [min, max], both included. */
  int (min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1))
  }

  chance (probability: number): boolean {
    return this.next() < probability
  }

  pick<T> (items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from an empty list')
    return items[this.int(0, items.length - 1)]!
  }

  /** A weighted choice: [weight, value] pairs. */
  weighted<T> (choices: ReadonlyArray<readonly [number, T]>): T {
    const total = choices.reduce((sum, [weight]) => sum + weight, 0)
    let roll = this.next() * total
    for (const [weight, value] of choices) {
      roll -= weight
      if (roll < 0) return value
    }
    return choices[choices.length - 1]![1]
  }

  bytes (length: number): Buffer {
    const out = Buffer.alloc(length)
    for (let i = 0; i < length; i++) out[i] = this.int(0, 255)
    return out
  }
}

function splitmix32 (seed: number): number {
  let z = (seed + 0x9e3779b9) >>> 0
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0
  return (z ^ (z >>> 16)) >>> 0
}
