/**
 * The interface language (English or Korean). Each page keeps its own strings beside it as
 * `{ en: {...}, ko: {...} }` with the same keys (the type makes a missing translation an error)
 * and reads them with `useStrings(STRINGS)`.
 */
import { signal, useSignal } from './state.js'

export const LANGUAGES = ['en', 'ko'] as const
export type Language = typeof LANGUAGES[number]

const LANGUAGE_ITEM = 'candor.language'

function initialLanguage (): Language {
  const saved = localStorage.getItem(LANGUAGE_ITEM)
  if (saved === 'en' || saved === 'ko') return saved
  return navigator.language.toLowerCase().startsWith('ko') ? 'ko' : 'en'
}

export const language = signal<Language>(initialLanguage())
language.subscribe((value) => {
  localStorage.setItem(LANGUAGE_ITEM, value)
  document.documentElement.lang = value
})
document.documentElement.lang = language.get()

export type Strings<K extends string> = Record<Language, Record<K, string>>

/** The current language's strings; re-renders the component when the language changes. */
export function useStrings<K extends string> (strings: Strings<K>): Record<K, string> {
  return strings[useSignal(language)]
}

/** Fills `{name}` placeholders: format('{n} frames', { n: 3 }). */
export function format (template: string, values: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in values ? String(values[name]) : whole))
}

export function useLanguage (): Language {
  return useSignal(language)
}
