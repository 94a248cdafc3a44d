/**
 * Candor's HTTP API from the browser: same origin, the signed-in key as a Bearer token, errors
 * as ApiError with the server's message (every error body is { statusCode, error, message }).
 * Response types come from the server's own schemas, so the two cannot drift apart.
 */
import { apiKey, signOut } from '../session.js'

export class ApiError extends Error {
  constructor (readonly status: number, message: string, readonly retryAfterS?: number) {
    super(message)
    this.name = 'ApiError'
  }
}

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'DELETE'
  body?: unknown
  query?: Record<string, string | number | boolean | undefined>
  signal?: AbortSignal
  /** A key to try instead of the signed-in one (the sign-in page checks a key with it). */
  key?: string
}

export async function request<T> (path: string, options: RequestOptions = {}): Promise<T> {
  const key = options.key ?? apiKey.get()
  const headers: Record<string, string> = { accept: 'application/json' }
  if (key) headers.authorization = `Bearer ${key}`
  if (options.body !== undefined) headers['content-type'] = 'application/json'
  const query = Object.entries(options.query ?? {}).filter(([, v]) => v !== undefined).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
  const response = await fetch(path + (query.length ? `?${query.join('&')}` : ''), {
    method: options.method ?? 'GET',
    headers,
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
    ...(options.signal ? { signal: options.signal } : {})
  })
  if (response.status === 204) return undefined as T
  const body: unknown = await response.json().catch(() => undefined)
  if (!response.ok) {
    const message = typeof body === 'object' && body !== null && 'message' in body ? String(body.message) : `${response.status} ${response.statusText}`
    // A key that stopped working (revoked, expired) signs the person out rather than failing every call.
    if (response.status === 401 && !options.key) signOut()
    const retryAfter = Number(response.headers.get('retry-after'))
    throw new ApiError(response.status, message, Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined)
  }
  return body as T
}
