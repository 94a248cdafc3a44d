/** A seeded random source (mulberry32), so a fault run's schedule can be replayed with --seed. */
export interface Random {
  /** In [0, 1). */
  next: () => number
  between: (min: number, max: number) => number
  pick: <T>(items: readonly T[]) => T
}

export function seededRandom (seed: number): Random {
  let state = seed >>> 0
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  return {
    next,
    between: (min, max) => min + next() * (max - min),
    pick: (items) => items[Math.floor(next() * items.length)]!
  }
}
