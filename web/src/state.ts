/**
 * A tiny observable value for app-wide state (the key, the language, the route), with a
 * Preact hook to read it. Components re-render when it changes.
 */
import { useEffect, useState } from 'preact/hooks'

export interface Signal<T> {
  get (): T
  set (value: T): void
  subscribe (listener: (value: T) => void): () => void
}

export function signal<T> (initial: T): Signal<T> {
  let value = initial
  const listeners = new Set<(value: T) => void>()
  return {
    get: () => value,
    set (next) {
      if (Object.is(next, value)) return
      value = next
      for (const listener of [...listeners]) listener(value)
    },
    subscribe (listener) {
      listeners.add(listener)
      return () => { listeners.delete(listener) }
    }
  }
}

export function useSignal<T> (source: Signal<T>): T {
  const [value, setValue] = useState(source.get())
  useEffect(() => {
    setValue(source.get())
    return source.subscribe(setValue)
  }, [source])
  return value
}
