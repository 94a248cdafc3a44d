/**
 * The web app's server source (web/src/live/server-source.ts) in headless Chromium against the
 * running app: `#/live?source=server` sends the fake camera's frames over GET /live and the
 * engine's face signals come back as live frames (the speaker's face found, pose on some
 * frames), with fps counted. Needs the app built (npm run build:web).
 */
import t from 'tap'
import { startWebApp, webBrowser, fakeMediaFrom, signIn, screenshot, LAPTOP, SPEAKER_VIDEO } from '../helpers/web-app.js'

interface Snapshot {
  source: string
  stats: { fps: number, dropped: number, latencyMs: number }
  frames: Array<{ t: number, face: { t: number, face: { box: number[], blink: number } | null, otherFaces: number }, pose?: { t: number, pose: { landmarks: number[] } | null } }>
}

const web = await startWebApp(t, { LIVE_WORKERS: '1' })
const browser = await webBrowser(t, web.origin, { media: fakeMediaFrom(SPEAKER_VIDEO, { seconds: 10 }), allowOrigins: web.allowOrigins })

t.test('live practice with source=server: frames analysed by the server come back as live frames', async (t) => {
  const page = await browser.open('/app/#/sign-in', LAPTOP)
  await signIn(page, web.key)
  await page.evaluate('location.hash = "#/live?source=server"')
  await page.waitForSelector('[data-testid="live-start"]')
  t.equal(await page.$eval('[data-testid="live-source"]', (el) => (el as unknown as { value: string }).value), 'server')
  await page.type('[data-testid="live-user"]', 'server-path-person')
  await page.click('[data-testid="live-start"]')
  await page.waitForFunction('document.querySelector(\'[data-testid="live-page"]\')?.getAttribute("data-phase") === "live" || document.querySelector(\'[data-testid="live-error"]\')', { timeout: 90_000 })
  const problem = await page.evaluate('document.querySelector(\'[data-testid="live-error"]\')?.textContent ?? null') as string | null
  t.equal(problem, null, 'live practice started')
  if (problem) return
  // Frames with her face: the engine on the server found and tracked it.
  const faces = '(window.__candorLive?.snapshot()?.frames ?? []).filter((f) => f.face.face).length'
  const deadline = Date.now() + 90_000
  while (await page.evaluate(faces) as number < 10) {
    if (Date.now() > deadline) {
      const seen = await page.evaluate('(() => { const s = window.__candorLive?.snapshot(); return s && { source: s.source, stats: s.stats, frames: s.frames.length } })()')
      t.fail(`fewer than 10 frames with a face after 90 s: ${JSON.stringify(seen)}; ${await screenshot(page, 'live-server-source-failed')}`)
      return
    }
    await new Promise((resolve) => setTimeout(resolve, 500))
  }
  const snapshot = await page.evaluate('window.__candorLive.snapshot()') as Snapshot
  t.equal(snapshot.source, 'server')
  const withFace = snapshot.frames.filter((f) => f.face.face)
  t.ok(withFace.length >= 10, `${withFace.length} of ${snapshot.frames.length} frames have the face`)
  for (const f of withFace) {
    t.equal(f.face.t, f.t, 'face frame on the client clock')
    const [x, y, w, h] = f.face.face!.box
    if (!(x! >= -0.1 && y! >= -0.1 && w! > 0.05 && h! > 0.05 && x! + w! <= 1.1)) t.fail(`implausible face box ${JSON.stringify(f.face.face!.box)}`)
  }
  const times = snapshot.frames.map((f) => f.t)
  t.same(times, [...times].sort((a, b) => a - b), 'frames arrive in capture order')
  t.ok(snapshot.frames.some((f) => f.pose), 'pose on some frames')
  t.ok(snapshot.stats.fps > 0, `fps counted (${snapshot.stats.fps}; latency ${snapshot.stats.latencyMs} ms, dropped ${snapshot.stats.dropped})`)
  t.comment(`server source: ${snapshot.stats.fps} fps, median latency ${snapshot.stats.latencyMs} ms, ${snapshot.stats.dropped} dropped; ${await screenshot(page, 'live-server-source-en-laptop')}`)
  await browser.check()
})
