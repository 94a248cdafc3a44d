/**
 * npm run bench:live-page -- [video] [--audio=file] [--seconds=15]: how fast live practice runs MediaPipe in
 * the page here. Serves the built web app and its runtime files (src/routes/web.ts, no
 * databases needed), opens #/live in headless Chromium with the fake camera and microphone fed
 * from the video (default the speaker fixture, whose own audio is silent; the microphone speaks
 * --audio, default the JFK fixture, looped), and for each setting (the delegate the page picks
 * by itself or the GPU forced; face with pose, or face only) prints frames analysed per second, latency, camera frames
 * skipped and the voice window's analysis time, as the page measures them. Build first
 * (`npm run build:web`).
 */
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import Fastify from 'fastify'
import sensible from '@fastify/sensible'
import { loadConfigOrExit, projectRoot } from '../src/config.js'
import webRoutes from '../src/routes/web.js'
import { launchChromium } from '../test/support/mediapipe-reference/browser.js'

const args = process.argv.slice(2)
const seconds = Number(args.find((a) => a.startsWith('--seconds='))?.split('=')[1] ?? 15)
const video = args.find((a) => !a.startsWith('--')) ?? path.resolve(projectRoot, '..', 'shared', 'fixtures', 'video', 'sad_to_happy_pexels.mp4')
const audio = args.find((a) => a.startsWith('--audio='))?.split('=')[1] ?? path.resolve(projectRoot, '..', 'shared', 'fixtures', 'audio', 'jfk.wav')
if (!fs.existsSync(video)) throw new Error(`no video at ${video}`)
if (!fs.existsSync(audio)) throw new Error(`no audio at ${audio}`)
if (!(seconds >= 5)) throw new Error('--seconds must be 5 or more')

const config = loadConfigOrExit()
const app = Fastify({ logger: false })
await app.register(sensible)
await app.register(webRoutes, { config })
const origin = await app.listen({ host: '127.0.0.1', port: 0 })

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'candor-live-bench-'))
const camera = path.join(dir, 'camera.mjpeg')
const microphone = path.join(dir, 'microphone.wav')
execFileSync('ffmpeg', ['-v', 'error', '-t', '20', '-i', video, '-an', '-vf', 'scale=640:-2,fps=30', '-q:v', '4', '-f', 'mjpeg', camera])
execFileSync('ffmpeg', ['-v', 'error', '-i', audio, '-vn', '-ac', '1', '-ar', '48000', '-c:a', 'pcm_s16le', microphone])

const chromium = await launchChromium(origin, [
  '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream',
  `--use-file-for-fake-video-capture=${camera}`, `--use-file-for-fake-audio-capture=${microphone}`,
  '--autoplay-policy=no-user-gesture-required', '--mute-audio'
])

interface Snapshot { stats: { fps: number, dropped: number, latencyMs: number }, delegates: { face: string, pose: string | null }, voice: { analysisMs: number } | null, frames: unknown[] }

const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1] ?? 0
try {
  console.log(`live page bench: ${path.basename(video)} at 640 wide, ${seconds} s a setting, ${os.cpus().length} cores`)
  // auto: what the page picks by itself (here the CPU: the WebGL is SwiftShader); gpu: forced.
  for (const delegate of ['auto', 'gpu']) {
    for (const pose of [true, false]) {
      const page = await chromium.browser.newPage()
      const problems: string[] = []
      page.on('pageerror', (error) => problems.push(String(error)))
      page.on('console', (message) => { if (message.type() === 'error' || message.type() === 'warn') problems.push(message.text()) })
      await page.goto(`${origin}/app/`)
      await page.evaluate('sessionStorage.setItem("candor.apiKey", "bench"); localStorage.setItem("candor.userId", "bench")')
      await page.goto('about:blank')
      await page.goto(`${origin}/app/#/live?source=page${delegate === 'auto' ? '' : `&delegate=${delegate}`}${pose ? '' : '&pose=0'}`) // a fresh load reads the key
      await page.waitForSelector('[data-testid="live-start"]')
      const started = performance.now()
      await page.click('[data-testid="live-start"]')
      await page.waitForFunction('document.querySelector(\'[data-testid="live-page"]\')?.getAttribute("data-phase") === "live" || document.querySelector(\'[data-testid="live-error"]\')', { timeout: 120_000 })
      const error = await page.evaluate('document.querySelector(\'[data-testid="live-error"]\')?.textContent ?? null') as string | null
      if (process.env.DEBUG) console.log(await page.evaluate('document.body.innerText'), problems)
      if (error) {
        console.log(`${delegate.toUpperCase()} ${pose ? 'face+pose' : 'face only'}: did not start: ${error}`)
        await page.close()
        continue
      }
      const readyMs = performance.now() - started
      const fps: number[] = []
      const latency: number[] = []
      let last: Snapshot | null = null
      for (let s = 0; s < seconds; s++) {
        await new Promise((resolve) => setTimeout(resolve, 1000))
        last = await page.evaluate('window.__candorLive.snapshot()') as Snapshot | null
        if (last && s >= 3) { fps.push(last.stats.fps); latency.push(last.stats.latencyMs) }
      }
      const warnings = problems.filter((p) => !/^(?:[IW]\d{4} |INFO: |WARNING: )/.test(p))
      console.log(`${delegate.toUpperCase()} ${pose ? 'face+pose' : 'face only'} (got face ${last?.delegates.face}, pose ${last?.delegates.pose ?? '-'}): ` +
        `${median(fps).toFixed(1)} fps (min ${Math.min(...fps).toFixed(1)}, max ${Math.max(...fps).toFixed(1)}), latency ${median(latency).toFixed(0)} ms, ` +
        `${last?.stats.dropped ?? 0} camera frames skipped, voice window ${last?.voice?.analysisMs.toFixed(0) ?? '-'} ms, ready in ${(readyMs / 1000).toFixed(1)} s` +
        (warnings.length > 0 ? `\n  page said: ${[...new Set(warnings)].slice(0, 5).join(' | ')}` : ''))
      await page.close()
    }
  }
} finally {
  await chromium.close()
  await app.close()
  fs.rmSync(dir, { recursive: true, force: true })
}
