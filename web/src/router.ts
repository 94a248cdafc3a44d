/**
 * Hash routes (`#/analyses/ID`), so the server only ever serves /app/ and its files and a
 * reload or a shared link opens the same page.
 */
import { signal, useSignal } from './state.js'

export type Route =
  | { page: 'sign-in' }
  | { page: 'analyses' }
  | { page: 'new' }
  | { page: 'live' }
  | { page: 'report', id: string }
  | { page: 'print', id: string }
  | { page: 'not-found', path: string }

export function parseRoute (hash: string): Route {
  const path = hash.replace(/^#/, '') || '/'
  // A query after the path (`#/live?source=server`) is the page's own business.
  const parts = path.replace(/\?.*$/, '').split('/').filter(Boolean).map(decodeURIComponent)
  if (parts.length === 0 || (parts.length === 1 && parts[0] === 'analyses')) return { page: 'analyses' }
  if (parts.length === 1 && parts[0] === 'sign-in') return { page: 'sign-in' }
  if (parts.length === 1 && parts[0] === 'new') return { page: 'new' }
  if (parts.length === 1 && parts[0] === 'live') return { page: 'live' }
  if (parts.length === 2 && parts[0] === 'analyses') return { page: 'report', id: parts[1]! }
  if (parts.length === 3 && parts[0] === 'analyses' && parts[2] === 'print') return { page: 'print', id: parts[1]! }
  return { page: 'not-found', path }
}

export function href (route: Route): string {
  switch (route.page) {
    case 'sign-in': return '#/sign-in'
    case 'analyses': return '#/analyses'
    case 'new': return '#/new'
    case 'live': return '#/live'
    case 'report': return `#/analyses/${encodeURIComponent(route.id)}`
    case 'print': return `#/analyses/${encodeURIComponent(route.id)}/print`
    case 'not-found': return `#${route.path}`
  }
}

export const route = signal<Route>(parseRoute(location.hash))
addEventListener('hashchange', () => route.set(parseRoute(location.hash)))

export function navigate (to: Route): void {
  location.hash = href(to)
}

export function useRoute (): Route {
  return useSignal(route)
}
