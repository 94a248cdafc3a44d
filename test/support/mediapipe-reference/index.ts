/**
 * The official MediaPipe FaceLandmarker (@mediapipe/tasks-vision in headless Chromium) as a
 * reference for the project's own onnxruntime pipeline. See README.md in this folder.
 */
import path from 'node:path'
import type { Page } from 'puppeteer-core'
import { projectRoot } from '../../../src/config.js'
import { launchChromium } from './browser.js'
import { PageProblems } from './problems.js'
import { startReferenceServer, type ReferenceServer } from './server.js'

export interface ReferenceFace {
  /** 478 points: x, y normalised to 0..1 of the image width and height, z as tasks-vision returns it. */
  landmarks: Array<[number, number, number]>
  /** 52 blendshape scores by categoryName (including `_neutral`). */
  blendshapes: Record<string, number>
}

export interface ReferenceFrame {
  width: number
  height: number
  /** Packed RGB, 3 bytes a pixel, rows top to bottom. */
  data: Uint8Array
}

export interface MediapipeReference {
  /** Per frame, the faces found. */
  detect (frames: ReferenceFrame[]): Promise<ReferenceFace[][]>
  close (): Promise<void>
  /** What ran: Chromium's user agent, the WebGL renderer tasks-vision got, and how long starting took. */
  info: { userAgent: string, glRenderer: string, startMs: number }
}

export const defaultModelPath = path.join(projectRoot, 'models', 'face_landmarker.task')

/** What page.js puts on `window`. */
interface PageApi {
  mediapipeReference: {
    ready: Promise<{ glRenderer: string, userAgent: string }>
    detectFrames (frames: Array<{ id: string, width: number, height: number }>): Promise<ReferenceFace[][]>
  }
}

// Frames per round trip: few enough that one call never nears the protocol timeout.
const BATCH = 8

// tasks-vision's wasm writes its glog lines (I0000 ..., W0000 ..., "INFO: Created TensorFlow
// Lite XNNPACK delegate") through console.error; only E and F lines are real errors.
const informational = /^(?:[IW]\d{4} |INFO: |WARNING: )/

export async function startMediapipeReference (options: { numFaces?: number, modelPath?: string } = {}): Promise<MediapipeReference> {
  const started = Date.now()
  const numFaces = options.numFaces ?? 1
  if (!Number.isInteger(numFaces) || numFaces < 1) throw new Error(`numFaces must be a positive integer, got ${numFaces}`)
  const server = await startReferenceServer(options.modelPath ?? defaultModelPath)
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
    await problems.guard(page.goto(`${server.origin}/?numFaces=${numFaces}`, { waitUntil: 'load' }))
    const ready = await problems.guard(page.evaluate(() => (globalThis as unknown as PageApi).mediapipeReference.ready))

    return {
      info: { ...ready, startMs: Date.now() - started },
      async detect (frames) {
        if (closed) throw new Error('MediaPipe reference is closed')
        const results: ReferenceFace[][] = []
        for (let start = 0; start < frames.length; start += BATCH) {
          results.push(...await detectBatch(page, server, problems, frames.slice(start, start + BATCH)))
        }
        return results
      },
      close
    }
  } catch (error) {
    await close()
    throw error
  }
}

async function detectBatch (page: Page, server: ReferenceServer, problems: PageProblems, frames: ReferenceFrame[]): Promise<ReferenceFace[][]> {
  for (const { width, height, data } of frames) {
    if (data.length !== width * height * 3) throw new Error(`frame of ${data.length} bytes is not ${width}x${height} packed RGB`)
  }
  const queued = frames.map(({ width, height, data }) => ({ id: server.addFrame(data), width, height }))
  try {
    return await problems.guard(page.evaluate((list) => (globalThis as unknown as PageApi).mediapipeReference.detectFrames(list), queued))
  } finally {
    for (const { id } of queued) server.dropFrame(id)
  }
}

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
