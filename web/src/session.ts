/**
 * The signed-in API key. Kept in sessionStorage only: it lives as long as the tab and is never
 * written to disk-backed storage or sent anywhere but Candor's own API.
 */
import { signal } from './state.js'

const KEY_ITEM = 'candor.apiKey'

export const apiKey = signal<string | null>(sessionStorage.getItem(KEY_ITEM))

export function signIn (key: string): void {
  sessionStorage.setItem(KEY_ITEM, key)
  apiKey.set(key)
}

export function signOut (): void {
  sessionStorage.removeItem(KEY_ITEM)
  apiKey.set(null)
}
