/**
 * The official MediaPipe Pose solution (npm @mediapipe/pose, the package the project's ONNX
 * pose models were converted from) in headless Chromium, as a reference for the project's own
 * pose pipeline. Frames go in time order; the solution tracks across calls (its ROI from the
 * previous frame's landmarks) until reset(). See README.md in this folder.
 */
import path from 'node:path'
import fs from 'node:fs'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import { launchChromium } from '../mediapipe-reference/browser.js'
import { PageProblems } from '../mediapipe-reference/problems.js'
import { startReferenceServer } from '../mediapipe-reference/server.js'
import { watchPage, type ReferenceFrame } from '../mediapipe-reference/index.js'

const here = path.dirname(fileURLToPath(import.meta.url))
const posePackage = path.dirname(createRequire(import.meta.url).resolve('@mediapipe/pose/pose.js'))

export interface ReferencePose {
  /** 33 x [x, y, z, visibility]: x, y normalised to the frame, as the solution returns them. */
  landmarks: Array<[number, number, number, number]>
  /** 33 x [x, y, z] in metres. */
  world: Array<[number, number, number]>
}

export interface PoseReference {
  /** Frames of one video in time order; per frame the body or null. */
  track (frames: Array<ReferenceFrame & { timeMs: number }>): Promise<Array<ReferencePose | null>>
  /** Before the next video. */
  reset (): Promise<void>
  close (): Promise<void>
}

export interface PoseReferenceOptions {
  /** 0 lite, 1 full (the solution's modelComplexity). */
  modelComplexity?: 0 | 1
  /** The solution's landmark smoothing (its default is on; off compares single-frame outputs). */
  smoothLandmarks?: boolean
}

interface PageApi {
  poseReference: {
    ready: Promise<{ userAgent: string }>
    reset (): Promise<void>
    trackFrames (frames: Array<{ id: string, width: number, height: number, timeMs: number }>): Promise<Array<ReferencePose | null>>
  }
}

const BATCH = 8

export async function startPoseReference (options: PoseReferenceOptions = {}): Promise<PoseReference> {
  const files = new Map<string, string>([['/', path.join(here, 'page.html')], ['/page.js', path.join(here, 'page.js')]])
  for (const name of fs.readdirSync(posePackage)) files.set(`/pose/${name}`, path.join(posePackage, name))
  const server = await startReferenceServer(null, files)
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
    const query = new URLSearchParams({ modelComplexity: String(options.modelComplexity ?? 0), smoothLandmarks: String(options.smoothLandmarks ?? false) })
    await problems.guard(page.goto(`${server.origin}/?${query}`, { waitUntil: 'load' }))
    await problems.guard(page.evaluate(() => (globalThis as unknown as PageApi).poseReference.ready))
    return {
      async track (frames) {
        if (closed) throw new Error('pose reference is closed')
        const results: Array<ReferencePose | null> = []
        for (let start = 0; start < frames.length; start += BATCH) {
          const batch = frames.slice(start, start + BATCH)
          const queued = batch.map(({ width, height, data, timeMs }) => ({ id: server.addFrame(data), width, height, timeMs }))
          try {
            results.push(...await problems.guard(page.evaluate((list) => (globalThis as unknown as PageApi).poseReference.trackFrames(list), queued)))
          } finally {
            for (const { id } of queued) server.dropFrame(id)
          }
        }
        return results
      },
      async reset () {
        await problems.guard(page.evaluate(() => (globalThis as unknown as PageApi).poseReference.reset()))
      },
      close
    }
  } catch (error) {
    await close()
    throw error
  }
}
