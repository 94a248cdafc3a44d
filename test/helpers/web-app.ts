/**
 * The web app in headless Chromium against a running Candor: the whole app listening on a
 * local port (real services, like testApp), a Chromium whose camera and microphone are fed
 * from a fixture video, page errors and any request leaving 127.0.0.1 turned into failures, and
 * screenshots saved for a person to look at.
 *
 *   const web = await startWebApp(t)                          // app + origin + caller key
 *   const browser = await webBrowser(t, web.origin, { media: fakeMediaFrom(SPEAKER_VIDEO), allowOrigins: web.allowOrigins })
 *   const page = await browser.open('/app/#/sign-in', LAPTOP)
 *   await signIn(page, web.key)
 *   await screenshot(page, 'report-en-laptop')
 */
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { Page } from 'puppeteer-core'
import { launchChromium } from '../support/mediapipe-reference/browser.js'
import { PageProblems } from '../support/mediapipe-reference/problems.js'
import { projectRoot } from '../../src/config.js'
import { testApp } from './app.js'
import type { TestContext } from './environment.js'

export const LAPTOP = { width: 1366, height: 860 } as const
export const PHONE = { width: 390, height: 844, deviceScaleFactor: 2, isMobile: true, hasTouch: true } as const
export type Viewport = typeof LAPTOP | typeof PHONE

/** A person facing the camera, 19.7 s, 640x360 (the quick start's sample). Its sound track is digital silence. */
export const SPEAKER_VIDEO = path.resolve(projectRoot, '..', 'shared', 'fixtures', 'video', 'sad_to_happy_pexels.mp4')

/** Speech for the fake microphone: JFK, 11 s, 28 syllables (looped by Chromium). */
export const SPEECH_AUDIO = path.resolve(projectRoot, '..', 'shared', 'fixtures', 'audio', 'jfk.wav')

/** Where screenshots go (SCREENSHOT_DIR, else .scratch/screenshots, git-ignored). */
export const screenshotDir = process.env.SCREENSHOT_DIR ?? path.join(projectRoot, '.scratch', 'screenshots')

/** Candor listening on 127.0.0.1 (the web app included), on isolated real services. */
export async function startWebApp (t: TestContext, env: Record<string, string> = {}) {
  const started = await testApp(t, env)
  const origin = await started.app.listen({ host: '127.0.0.1', port: 0 })
  // The page also talks to S3 straight (uploads, playback, pictures) through presigned URLs.
  const s3 = started.config.s3.publicEndpoint ?? started.config.s3.endpoint
  return { ...started, origin, allowOrigins: s3 ? [new URL(s3).origin] : [] }
}

export interface FakeMedia {
  /** Motion JPEG for --use-file-for-fake-video-capture (Chromium loops it). */
  video: string
  /** 48 kHz 16-bit WAV for --use-file-for-fake-audio-capture. */
  audio: string
}

/**
 * The fixture as the files Chromium's fake capture devices read, made once per test process.
 * `seconds` trims it (the fake camera loops, so a short clip repeats); `audio` feeds the
 * microphone from another file (e.g. SPEECH_AUDIO) instead of the video's own sound.
 */
export function fakeMediaFrom (video: string, options: { seconds?: number, width?: number, fps?: number, audio?: string } = {}): FakeMedia {
  const { seconds = 20, width = 640, fps = 25 } = options
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'candor-fake-media-'))
  process.once('exit', () => fs.rmSync(dir, { recursive: true, force: true }))
  const out = { video: path.join(dir, 'camera.mjpeg'), audio: path.join(dir, 'microphone.wav') }
  execFileSync('ffmpeg', ['-v', 'error', '-t', String(seconds), '-i', video,
    ...(options.audio ? ['-i', options.audio] : []),
    '-map', '0:v:0', '-vf', `scale=${width}:-2,fps=${fps}`, '-q:v', '4', '-f', 'mjpeg', out.video,
    '-map', options.audio ? '1:a:0' : '0:a:0', '-ac', '1', '-ar', '48000', '-c:a', 'pcm_s16le', out.audio])
  return out
}

export interface WebBrowser {
  /** A new tab at `pathAndHash` (e.g. '/app/#/sign-in') with the viewport given. */
  open (pathAndHash: string, viewport?: Viewport): Promise<Page>
  /** Rejects with the first page error, console error or outside request seen so far. */
  check (): Promise<void>
  close (): Promise<void>
}

/**
 * Chromium with a fake camera and microphone (from `media`, when given) and permission to use
 * them without a prompt. Console errors, uncaught exceptions and requests outside `origin` (a
 * CDN, say) are collected and fail `check()`, so tests can assert the page stayed clean.
 */
export async function webBrowser (t: TestContext, origin: string, options: { media?: FakeMedia, allowOrigins?: string[] } = {}): Promise<WebBrowser> {
  const media = options.media
  const chromium = await launchChromium(origin, [
    '--use-fake-ui-for-media-stream',
    '--use-fake-device-for-media-stream',
    ...(media ? [`--use-file-for-fake-video-capture=${media.video}`, `--use-file-for-fake-audio-capture=${media.audio}`] : []),
    '--autoplay-policy=no-user-gesture-required',
    '--mute-audio'
  ])
  t.teardown(() => chromium.close())
  const problems = new PageProblems('web app page')
  const allowed = [origin, ...(options.allowOrigins ?? [])]
  const open = async (pathAndHash: string, viewport: Viewport = LAPTOP) => {
    const page = await chromium.browser.newPage()
    await page.setViewport(viewport)
    page.on('console', (message) => {
      if (message.type() === 'error' && !/^(?:[IW]\d{4} |INFO: |WARNING: )/.test(message.text())) problems.report(`console error: ${message.text()} (${message.location().url ?? ''})`)
    })
    page.on('pageerror', (error) => problems.report(`uncaught ${error instanceof Error ? error.message : String(error)}`))
    page.on('error', (error) => problems.report(`crashed: ${error.message}`))
    page.on('request', (request) => {
      const url = request.url()
      if (!url.startsWith('data:') && !url.startsWith('blob:') && !allowed.some((o) => url.startsWith(`${o}/`))) {
        problems.report(`the page asked for ${url}, outside Candor and its S3`)
      }
    })
    await page.goto(origin + pathAndHash, { waitUntil: 'load' })
    return page
  }
  return {
    open,
    check: () => problems.guard(Promise.resolve()),
    close: () => chromium.close()
  }
}

/** Signs in on the sign-in page with `key` and waits for the analyses list. */
export async function signIn (page: Page, key: string): Promise<void> {
  await page.waitForSelector('[data-testid="api-key"]')
  await page.type('[data-testid="api-key"]', key)
  await page.click('[data-testid="sign-in"]')
  // Page code as strings: this project's Node types have no DOM.
  await page.waitForFunction('location.hash.startsWith("#/analyses")', { timeout: 15_000 })
}

/** Switches the interface language with the header's selector. */
export async function chooseLanguage (page: Page, language: 'en' | 'ko'): Promise<void> {
  await page.select('[data-testid="language"]', language)
  await page.waitForFunction(`document.documentElement.lang === ${JSON.stringify(language)}`)
}

/** A full-page PNG under screenshotDir; returns its path (the test prints it for a person to open). */
export async function screenshot (page: Page, name: string): Promise<string> {
  fs.mkdirSync(screenshotDir, { recursive: true })
  const file = path.join(screenshotDir, `${name}.png`)
  await page.screenshot({ path: file, fullPage: true })
  return file
}
