/**
 * What every reference shares on the Node side: the local server, Chromium, one page watched for
 * errors, and frames sent in batches. index.ts (faces) and ../pose-reference/index.ts (bodies)
 * each add their own page API on top.
 */
import type { Page } from 'puppeteer-core'
import { launchChromium } from './browser.js'
import { PageProblems } from './problems.js'
import type { ReferenceServer } from './server.js'

export interface ReferenceSession {
  page: Page
  problems: PageProblems
  server: ReferenceServer
  /** Whether close() was called (later calls must fail, page errors are then expected). */
  closed (): boolean
  /** Closes Chromium, then the server; idempotent. */
  close (): Promise<void>
}

/**
 * Launches Chromium on `server` (closing the server if that fails), opens `pathAndQuery`, and
 * waits for the page's `ready` promise (`readyGlobal` names the page's API on `window`).
 */
export async function openReferencePage<Ready> (server: ReferenceServer, pathAndQuery: string, readyGlobal: string): Promise<{ session: ReferenceSession, ready: Ready }> {
  const chromium = await launchChromium(server.origin).catch(async (error: unknown) => {
    await server.close()
    throw error
  })
  const problems = new PageProblems()
  let closed = false
  let closing: Promise<void> | undefined
  const close = () => {
    closed = true
    closing ??= chromium.close().finally(() => server.close())
    return closing
  }
  try {
    const page = await chromium.browser.newPage()
    await watchPage(page, server.origin, problems, () => closed)
    chromium.browser.on('disconnected', () => { if (!closed) problems.report('Chromium exited') })
    await problems.guard(page.goto(`${server.origin}${pathAndQuery}`, { waitUntil: 'load' }))
    const ready = await problems.guard(page.evaluate((name) => (globalThis as unknown as Record<string, { ready: Promise<unknown> }>)[name]!.ready, readyGlobal)) as Ready
    return { session: { page, problems, server, closed: () => closed, close }, ready }
  } catch (error) {
    await close()
    throw error
  }
}

// Frames per round trip: few enough that one call never nears the protocol timeout.
const BATCH = 8

/**
 * Queues frames on the server in batches, each batch handed to `run` as ids (the page fetches
 * each once), and concatenates the results; frames never fetched are dropped.
 */
export async function inBatches<F extends { data: Uint8Array, width: number, height: number }, R> (
  session: ReferenceSession, frames: F[], run: (queued: Array<Omit<F, 'data'> & { id: string }>) => Promise<R[]>
): Promise<R[]> {
  if (session.closed()) throw new Error('MediaPipe reference is closed')
  const results: R[] = []
  for (let start = 0; start < frames.length; start += BATCH) {
    const batch = frames.slice(start, start + BATCH)
    for (const { width, height, data } of batch) {
      if (data.length !== width * height * 3) throw new Error(`frame of ${data.length} bytes is not ${width}x${height} packed RGB`)
    }
    const queued = batch.map(({ data, ...rest }) => ({ ...rest, id: session.server.addFrame(data) }))
    try {
      results.push(...await session.problems.guard(run(queued)))
    } finally {
      for (const { id } of queued) session.server.dropFrame(id)
    }
  }
  return results
}

// tasks-vision's wasm writes its glog lines (I0000 ..., W0000 ..., "INFO: Created TensorFlow
// Lite XNNPACK delegate") through console.error; only E and F lines are real errors.
const informational = /^(?:[IW]\d{4} |INFO: |WARNING: )/

/** Reports the page's errors, and stops any request that would leave the local server. */
export async function watchPage (page: Page, origin: string, problems: PageProblems, closing: () => boolean): Promise<void> {
  page.on('console', (message) => {
    if (message.type() === 'error' && !informational.test(message.text())) problems.report(`console error: ${message.text()}`)
  })
  page.on('pageerror', (error) => problems.report(`uncaught ${error instanceof Error ? error.message : String(error)}`))
  page.on('error', (error) => problems.report(`crashed: ${error.message}`))
  page.on('requestfailed', (request) => {
    if (!closing()) problems.report(`request for ${request.url()} failed: ${request.failure()?.errorText ?? 'unknown error'}`)
  })
  await page.setRequestInterception(true)
  page.on('request', (request) => {
    const url = request.url()
    if (url.startsWith(`${origin}/`) || url.startsWith('data:')) {
      void request.continue()
      return
    }
    problems.report(`blocked a request outside the local server: ${url}`)
    void request.abort('blockedbyclient')
  })
}
