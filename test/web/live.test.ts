/**
 * Live practice in headless Chromium against the running app (real services, in-process
 * worker), the fake camera and microphone fed from the speaker fixture:
 * (the microphone speaking JFK's address: the fixture's own audio is silent; see fakeMedia)
 * - MediaPipe runs in the page (every runtime file from Candor: `check()` fails on any request
 *   elsewhere), the cues appear and update: eye contact, blinks, head movement, speaking pace
 *   (non-zero while the fixture speaks), fps shown;
 * - the numbers on screen are the shared metric functions' answers: the page's last window of
 *   frames and audio (window.__candorLive) recomputed here in Node with the same functions
 *   (summarizeAttention, detectBlinks, summarizeHead, summarizePose, VoiceAnalyser +
 *   summariseVoice) give the same values;
 * - stop uploads the recording with analyze, the report route opens and the analysis completes;
 * - screenshots at laptop and phone, en and ko; the measured fps is printed (no timed assertion).
 */
import t from 'tap'
import type { Page } from 'puppeteer-core'
import { startWebApp, webBrowser, fakeMediaFrom, signIn, chooseLanguage, screenshot, LAPTOP, PHONE, SPEAKER_VIDEO, SPEECH_AUDIO, type FakeMedia, type Viewport } from '../helpers/web-app.js'
import { pollUntilDone } from '../helpers/app.js'
import { detectBlinks, summarizeAttention, summarizeHead, type FaceFrame } from '../../src/signals/face/metrics/index.js'
import { GAZE_CONE } from '../../src/signals/face/thresholds.js'
import { summarizePose } from '../../src/signals/pose/metrics/index.js'
import type { PoseFrame } from '../../src/signals/pose/types.js'
import { VoiceAnalyser } from '../../src/signals/voice/engine/contours.js'
import { summariseVoice } from '../../src/signals/voice/engine/summary.js'

interface Snapshot {
  source: string
  stats: { fps: number, dropped: number, latencyMs: number }
  delegates: { face: string | null, pose: string | null } | null
  frameAspect: number
  cues: {
    at: number
    faceInView: boolean
    eyeContact: { now: number | null, window: number | null, level: string }
    blinks: { count: number, perMinute: number | null, faceSeconds: number, level: string }
    head: { degPerSecond: number | null, level: string }
    posture: { visibility: string, offShare: number | null, level: string } | null
    gestures: { perMinute: number | null, faceTouches: number, level: string } | null
    voice: { syllablesPerSecond: number, speakingRatio: number, silentForS: number, longPauses: number, level: string } | null
  }
  frames: Array<{ t: number, face: FaceFrame, pose?: { t: number, pose: { landmarks: number[], world: number[], presence: number } | null } }>
  voice: { endMs: number, durationMs: number, analysisMs: number, metrics: { syllablesPerMinuteTotal: number, syllables: number, speakingRatio: number }, samples: string } | null
}

interface Shown { snapshot: Snapshot, dom: Record<string, { value: string, level: string, text: string }>, fpsShown: string | null }

const js = JSON.stringify
const CARDS = ['eye-contact', 'blinks', 'head', 'pace', 'pauses', 'posture', 'gestures']

/** The snapshot and what the cards show, read in one go (no render can fall in between). */
async function shown (page: Page): Promise<Shown> {
  return await page.evaluate(`(() => {
    const dom = {}
    for (const id of ${js(CARDS)}) {
      const card = document.querySelector('[data-testid="cue-' + id + '"]')
      if (card) dom[id] = { value: card.getAttribute('data-value'), level: card.getAttribute('data-level'), text: card.textContent }
    }
    return { snapshot: window.__candorLive.snapshot(), dom, fpsShown: document.querySelector('[data-testid="live-stats"]')?.getAttribute('data-fps') ?? null }
  })()`) as Shown
}

const since = <T extends { t: number }>(frames: T[], ms: number): T[] => frames.filter((f) => f.t > frames[frames.length - 1]!.t - ms)

function decodeSamples (base64: string): Float32Array {
  const bytes = Buffer.from(base64, 'base64')
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength))
}

/**
 * The camera shows the speaker fixture; the microphone speaks JFK's 11 s (looped): the speaker
 * fixture's own audio track is digital silence (-91 dB throughout), which would leave the pace
 * at zero whatever the code did.
 */
function fakeMedia (): FakeMedia {
  return fakeMediaFrom(SPEAKER_VIDEO, { audio: SPEECH_AUDIO })
}

const web = await startWebApp(t, { WORKER_IN_PROCESS: 'true', JOB_ATTEMPTS: '1' })
const browser = await webBrowser(t, web.origin, { media: fakeMedia(), allowOrigins: web.allowOrigins })

async function openLive (viewport: Viewport): Promise<Page> {
  const page = await browser.open('/app/#/sign-in', viewport)
  await signIn(page, web.key)
  await page.evaluate('location.hash = "#/live"')
  await page.waitForSelector('[data-testid="live-start"]')
  return page
}

async function startLive (page: Page): Promise<void> {
  await page.$eval('[data-testid="live-user"]', (el) => { (el as unknown as { value: string }).value = '' })
  await page.type('[data-testid="live-user"]', 'live-practice-person')
  await page.click('[data-testid="live-start"]')
  await page.waitForFunction('document.querySelector(\'[data-testid="live-page"]\')?.getAttribute("data-phase") === "live" || document.querySelector(\'[data-testid="live-error"]\')', { timeout: 60_000 })
  const problem = await page.$eval('[data-testid="live-page"]', (el) => (el as unknown as { querySelector (s: string): { textContent: string } | null }).querySelector('[data-testid="live-error"]')?.textContent ?? null)
  if (problem) throw new Error(`live practice did not start: ${problem}`)
}

t.test('live practice: MediaPipe in the page, cues from the shared metrics, stop uploads and opens the report', async (t) => {
  const page = await openLive(LAPTOP)
  t.equal(await page.$eval('[data-testid="live-source"]', (el) => (el as unknown as { value: string }).value), 'page', 'MediaPipe in the page is the default source')
  t.comment(`idle: ${await screenshot(page, 'live-idle-en-laptop')}`)
  await startLive(page)

  // The cues appear: eye contact as soon as frames come, pace once the fixture has spoken.
  await page.waitForFunction('document.querySelector(\'[data-testid="cue-eye-contact"]\')?.getAttribute("data-value") !== ""', { timeout: 60_000, polling: 250 })
  const first = await shown(page)
  await page.waitForFunction('Number(document.querySelector(\'[data-testid="cue-pace"]\')?.getAttribute("data-value") || 0) > 0', { timeout: 60_000, polling: 250 })
  // A blink rate needs 10 s of face time.
  await page.waitForFunction('document.querySelector(\'[data-testid="cue-blinks"]\')?.getAttribute("data-value") !== ""', { timeout: 90_000, polling: 500 })
  const later = await shown(page)
  const snap = later.snapshot
  t.ok(later.snapshot.cues.at > first.snapshot.cues.at, `the cues update (${first.snapshot.cues.at.toFixed(0)} ms -> ${snap.cues.at.toFixed(0)} ms)`)
  t.equal(snap.source, 'page')
  t.comment(`delegates: face ${snap.delegates?.face}, pose ${snap.delegates?.pose}; ${snap.frames.length} frames in the last minute`)
  t.comment(`measured in the page: ${snap.stats.fps.toFixed(1)} fps, median latency ${snap.stats.latencyMs.toFixed(0)} ms, ${snap.stats.dropped} camera frames skipped; voice window analysed in ${snap.voice?.analysisMs.toFixed(0)} ms`)
  t.ok(snap.stats.fps > 0, `fps reported (${snap.stats.fps.toFixed(1)})`)
  t.equal(later.fpsShown, snap.stats.fps.toFixed(1), 'the fps shown is the source\'s')

  // The fixture's speaker faces the camera: a face in most frames, with real signals.
  const faces = snap.frames.filter((f) => f.face.face)
  t.ok(faces.length >= snap.frames.length * 0.8, `a face in ${faces.length} of ${snap.frames.length} frames`)
  t.ok(faces.every((f) => f.face.face!.box[2] > 0.1 && f.face.face!.box[2] < 1), 'face boxes of a plausible size')

  // Recomputed here with the shared functions from the frames the page used.
  const faceFrames = snap.frames.map((f) => f.face)
  const window10 = since(faceFrames, 10_000)
  const eye = summarizeAttention(window10).eyeContactRatio
  t.ok(window10.some((f) => f.face && f.face.blink < GAZE_CONE.maxClosure), 'open eyes in the window')
  t.equal(snap.cues.eyeContact.window, eye, `eye contact over 10 s: ${(eye * 100).toFixed(0)} % (summarizeAttention)`)
  t.equal(Number(later.dom['eye-contact']!.value), eye, 'and the card shows it')
  t.match(later.dom['eye-contact']!.text, `${Math.round(eye * 100)}`)
  const recent = since(faceFrames, 1500)
  const open = recent.some((f) => f.face && f.face.blink < GAZE_CONE.maxClosure)
  t.equal(snap.cues.eyeContact.now, open ? summarizeAttention(recent).eyeContactRatio : null, `eye contact now: the last 1.5 s (${recent.length} frames${open ? '' : ', eyes closed: none'})`)

  const blinks = detectBlinks(since(faceFrames, 60_000))
  t.equal(snap.cues.blinks.count, blinks.count, `blinks: ${blinks.count} (detectBlinks)`)
  t.equal(snap.cues.blinks.perMinute, blinks.ratePerMinute, `blink rate ${blinks.ratePerMinute.toFixed(1)}/min`)
  t.equal(Number(later.dom.blinks!.value), blinks.ratePerMinute, 'and the card shows it')

  const head = summarizeHead(window10).meanSpeedDegPerSecond
  t.equal(snap.cues.head.degPerSecond, head, `head movement ${head.toFixed(1)} deg/s (summarizeHead)`)
  t.equal(Number(later.dom.head!.value), head)
  t.not(later.dom.head!.level, 'none')

  const poses = snap.frames.flatMap((f) => (f.pose ? [f.pose] : []))
  t.ok(poses.length > 0, `pose frames too (${poses.length} in the last minute)`)
  const posePoses: PoseFrame[] = since(snap.frames, 10_000).flatMap((f) => (f.pose ? [f.pose] : [])).map((p) => ({ t: p.t, pose: p.pose && { landmarks: Float32Array.from(p.pose.landmarks), world: Float32Array.from(p.pose.world), presence: p.pose.presence } }))
  const start = posePoses[0]!.t
  const metrics = summarizePose(posePoses.map((p) => ({ ...p, t: p.t - start })), { durationS: (posePoses[posePoses.length - 1]!.t - start) / 1000, frameAspect: snap.frameAspect, speaking: null })
  t.equal(snap.cues.posture?.visibility, metrics.visibility, `framing ${metrics.visibility} (summarizePose)`)
  const p = metrics.posture
  const shares = [p.tiltedRatio, p.sideLeanRatio, p.slouchRatio, p.headForwardRatio, p.facingRatio === null ? null : 1 - p.facingRatio].filter((x): x is number => x !== null)
  t.equal(snap.cues.posture?.offShare, shares.length > 0 ? Math.max(...shares) : null, 'posture: the largest off-posture share of summarizePose')

  // The voice: the page's last window of audio through the voice engine here.
  t.ok(snap.voice, 'a voice window')
  const analyser = new VoiceAnalyser(16_000)
  const samples = decodeSamples(snap.voice!.samples)
  analyser.push(samples)
  const voice = summariseVoice(analyser.finish()).metrics
  t.same(voice, snap.voice!.metrics, `voice metrics over ${(samples.length / 16_000).toFixed(1)} s of audio: ${voice.syllables} syllables, speaking ${(voice.speakingRatio * 100).toFixed(0)} %`)
  t.equal(snap.cues.voice?.syllablesPerSecond, voice.syllablesPerMinuteTotal / 60, `pace ${(voice.syllablesPerMinuteTotal / 60).toFixed(2)} syllables/s`)
  t.ok(voice.syllables > 0 && snap.cues.voice!.syllablesPerSecond > 0, 'the fixture speaks: pace above zero')
  t.equal(Number(later.dom.pace!.value), voice.syllablesPerMinuteTotal / 60, 'and the card shows it')

  t.comment(`live en: ${await screenshot(page, 'live-running-en-laptop')}`)
  await chooseLanguage(page, 'ko')
  await page.waitForFunction('document.querySelector(\'[data-testid="cue-eye-contact"]\')?.textContent.includes("시선")')
  t.comment(`live ko: ${await screenshot(page, 'live-running-ko-laptop')}`)
  await chooseLanguage(page, 'en')

  // Stop: the recording goes up with analyze, the report route opens, the analysis completes.
  t.comment(`recorded ${(snap.cues.at / 1000).toFixed(0)} s before stopping`)
  await page.click('[data-testid="live-stop"]')
  await page.waitForSelector('[data-testid="live-upload"]', { timeout: 30_000 })
  await page.waitForFunction('/^#\\/analyses\\/[^/]+$/.test(location.hash)', { timeout: 120_000, polling: 200 })
  const id = decodeURIComponent((await page.evaluate('location.hash') as string).split('/')[2]!)
  // Where the analysis was, every 15 s, so a slow or stuck run says where it stood.
  const progress = setInterval(() => {
    void web.api({ url: `/analysis/${id}` }).then((r) => {
      const body = r.json() as { status: string, stage: string | null, progress: number }
      t.comment(`analysis ${id}: ${body.status}, ${body.stage ?? '-'}, ${body.progress} %`)
    }, () => {})
  }, 15_000)
  const done = await pollUntilDone(web.api, id, 420_000).finally(() => clearInterval(progress)) as { status: string, user_id: string, error?: unknown }
  t.equal(done.status, 'completed', `analysis ${id} completed`)
  t.equal(done.user_id, 'live-practice-person', 'filed under the user id entered')
  await page.close()
  await browser.check()
})

t.test('live practice on a phone, en and ko', async (t) => {
  const page = await openLive(PHONE)
  t.comment(`idle phone: ${await screenshot(page, 'live-idle-en-phone')}`)
  await startLive(page)
  await page.waitForFunction('Number(document.querySelector(\'[data-testid="cue-pace"]\')?.getAttribute("data-value") || 0) > 0 && document.querySelector(\'[data-testid="cue-eye-contact"]\')?.getAttribute("data-value") !== ""', { timeout: 60_000, polling: 250 })
  const { snapshot } = await shown(page)
  t.ok(snapshot.cues.eyeContact.window !== null, 'eye contact on the phone layout')
  t.comment(`phone: ${snapshot.stats.fps.toFixed(1)} fps`)
  t.comment(`live en phone: ${await screenshot(page, 'live-running-en-phone')}`)
  await chooseLanguage(page, 'ko')
  t.comment(`live ko phone: ${await screenshot(page, 'live-running-ko-phone')}`)
  await chooseLanguage(page, 'en')
  await page.evaluate('location.hash = "#/analyses"')
  await page.waitForFunction('!document.querySelector(\'[data-testid="live-page"]\')')
  await page.close()
  await browser.check()
})

t.test('#/live?source=server chooses the server path', async (t) => {
  const page = await browser.open('/app/#/sign-in', LAPTOP)
  await signIn(page, web.key)
  await page.evaluate('location.hash = "#/live?source=server"')
  await page.waitForSelector('[data-testid="live-source"]')
  t.equal(await page.$eval('[data-testid="live-source"]', (el) => (el as unknown as { value: string }).value), 'server', 'the query picks the server source')
  // The same page and cues over the server's engine.
  await startLive(page)
  await page.waitForFunction('document.querySelector(\'[data-testid="cue-eye-contact"]\')?.getAttribute("data-value") !== ""', { timeout: 90_000, polling: 250 })
  const { snapshot, dom } = await shown(page)
  t.equal(snapshot.source, 'server', 'frames from the server source')
  t.equal(Number(dom['eye-contact']!.value), summarizeAttention(since(snapshot.frames.map((f) => f.face), 10_000)).eyeContactRatio, 'eye contact from the server\'s frames, by the same function')
  t.comment(`server source: ${snapshot.stats.fps.toFixed(1)} fps, latency ${snapshot.stats.latencyMs.toFixed(0)} ms, ${snapshot.stats.dropped} dropped`)
  t.comment(`server source: ${await screenshot(page, 'live-server-en-laptop')}`)
  await page.evaluate('location.hash = "#/analyses"')
  await page.waitForFunction('!document.querySelector(\'[data-testid="live-page"]\')')
  await page.close()
  await browser.check()
})
