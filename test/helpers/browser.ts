/**
 * Plays a video URL in Debian's headless Chromium the way a user's browser would: a page with a
 * plain <video> element (no crossorigin attribute), metadata loaded, played muted for a moment,
 * then seeked to the middle. One Chromium for every call in a test file, started on the first
 * call; closeBrowser() (in a teardown) ends it.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { launch, type Browser } from 'puppeteer-core'
import { chromiumFlags, chromiumPath } from '../support/mediapipe-reference/browser.js'

export interface Playback {
  /** video.duration: Infinity when the file states none (a MediaRecorder webm), NaN before metadata. */
  durationS: number
  videoWidth: number
  videoHeight: number
  /** currentTime advanced while playing. */
  played: boolean
  /** Frames the browser decoded (getVideoPlaybackQuality). */
  decodedFrames: number
  /** A seek to the middle finished there (within a second). */
  seeked: boolean
  /** The media error or the step that timed out; the fields above hold what was known by then. */
  error?: string
}

/** How long each step (metadata, playing, seeking) may take. */
const STEP_MS = 20_000

let starting: Promise<{ browser: Browser, profile: string }> | undefined

async function browser (): Promise<Browser> {
  starting ??= (async () => {
    const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'candor-playback-chromium-'))
    process.once('exit', () => fs.rmSync(profile, { recursive: true, force: true }))
    // Chromium's own background requests go to a closed local port; media URLs are on 127.0.0.1.
    const flags = chromiumFlags('http://127.0.0.1:9')
    const browser = await launch({
      executablePath: chromiumPath,
      headless: false, // '--headless' is in the flags
      args: [...flags, `--user-data-dir=${profile}`, '--autoplay-policy=no-user-gesture-required', '--mute-audio'],
      pipe: true,
      defaultViewport: null,
      protocolTimeout: 120_000
    })
    return { browser, profile }
  })()
  return (await starting).browser
}

/** Closes the shared Chromium (nothing when none was started). */
export async function closeBrowser (): Promise<void> {
  const started = starting
  starting = undefined
  if (!started) return
  const { browser, profile } = await started
  await browser.close().catch(() => { browser.process()?.kill('SIGKILL') })
  fs.rmSync(profile, { recursive: true, force: true, maxRetries: 3 })
}

/** Loads `url` into a <video>, plays it muted until its time advances, and seeks to the middle. */
export async function playInBrowser (url: string): Promise<Playback> {
  const page = await (await browser()).newPage()
  try {
    const result = await page.evaluate(`(${PLAY_IN_PAGE})(${JSON.stringify(url)}, ${STEP_MS})`) as PageResult
    return { ...result, durationS: Number(result.durationS), ...(result.error === undefined ? {} : { error: result.error }) }
  } finally {
    await page.close()
  }
}

interface PageResult extends Omit<Playback, 'durationS'> {
  /** String(video.duration): Infinity and NaN survive the trip out of the page. */
  durationS: string
}

/**
 * What runs in the page, as plain JavaScript source (the test build has no DOM types, and a
 * compiled function could carry helpers the page does not have).
 */
const PLAY_IN_PAGE = `async (url, stepMs) => {
  const video = document.createElement('video')
  video.muted = true
  video.preload = 'auto'
  document.body.append(video)
  let played = false
  let seeked = false
  const state = (error) => ({
    durationS: String(video.duration),
    videoWidth: video.videoWidth,
    videoHeight: video.videoHeight,
    played,
    decodedFrames: video.getVideoPlaybackQuality().totalVideoFrames,
    seeked,
    ...(error === undefined ? {} : { error })
  })
  const mediaError = () => video.error ? 'media error ' + video.error.code + ': ' + (video.error.message || 'no message') : undefined
  // Resolves when done() holds, checked now and on each of the events; rejects on a media error or after stepMs.
  const until = (what, done, events) => new Promise((resolve, reject) => {
    const all = [...events, 'error']
    const finish = (error) => {
      clearTimeout(timer)
      for (const event of all) video.removeEventListener(event, check)
      if (error) reject(error)
      else resolve()
    }
    const check = () => {
      const failed = mediaError()
      if (failed) finish(new Error(failed))
      else if (done()) finish()
    }
    const timer = setTimeout(() => finish(new Error('no ' + what + ' within ' + stepMs + ' ms')), stepMs)
    for (const event of all) video.addEventListener(event, check)
    check()
  })
  try {
    video.src = url
    await until('metadata', () => video.readyState >= HTMLMediaElement.HAVE_METADATA, ['loadedmetadata'])
    const start = video.currentTime
    await video.play()
    await until('playback', () => video.currentTime > start + 0.3, ['timeupdate'])
    played = true
    video.pause()
    const middle = Number.isFinite(video.duration) ? video.duration / 2 : 1
    video.currentTime = middle
    await until('seek', () => !video.seeking && Math.abs(video.currentTime - middle) < 1, ['seeked'])
    seeked = true
    return state()
  } catch (error) {
    return state(error instanceof Error ? error.message : String(error))
  } finally {
    video.removeAttribute('src')
    video.load()
  }
}`
