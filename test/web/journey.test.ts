/**
 * The whole path as a person takes it, in headless Chromium against the running server on real
 * services: sign in, record an answer from the camera and microphone (the fake devices play the
 * speaker sample and JFK's speech), upload it, and follow the analysis to a finished report
 * without reloading: the playback copy in the player, the timeline, the charts (speaking rate
 * among them: the microphone spoke), the scores and the feedback; then the same report in Korean
 * (feedback written in Korean on request) and on a phone. Screenshots of each for a person to read.
 */
import t from 'tap'
import {
  startWebApp, webBrowser, fakeMediaFrom, signIn, chooseLanguage, screenshot, LAPTOP, PHONE, SPEAKER_VIDEO, SPEECH_AUDIO
} from '../helpers/web-app.js'
import type { TimelineResponse } from '../../src/schemas/analysis.js'

const RECORD_MS = 8000
const HANGUL = /[\uac00-\ud7a3]/

t.test('sign in, record, upload, follow to a finished report, read it in Korean and on a phone', async (t) => {
  const web = await startWebApp(t, { WORKER_IN_PROCESS: 'true', PLAYBACK_COPY: 'true', JOB_ATTEMPTS: '1' })
  const browser = await webBrowser(t, web.origin, { media: fakeMediaFrom(SPEAKER_VIDEO, { audio: SPEECH_AUDIO }), allowOrigins: web.allowOrigins })

  const count = (selector: string) => `document.querySelectorAll(${JSON.stringify(selector)}).length`
  const text = (selector: string) => `document.querySelector(${JSON.stringify(selector)})?.textContent ?? ''`

  const page = await browser.open('/app/', LAPTOP)
  await signIn(page, web.key)
  t.equal(await page.evaluate('sessionStorage.getItem("candor.apiKey")'), web.key, 'signed in: the key is in this tab\'s session')

  // Record from the camera and microphone, then upload.
  await page.evaluate('location.hash = "#/new"')
  await page.waitForSelector('[data-testid="camera-on"]')
  await page.type('[data-testid="user-id"]', 'journey-candidate')
  await page.click('[data-testid="camera-on"]')
  await page.waitForSelector('[data-testid="record-start"]')
  await page.click('[data-testid="record-start"]')
  await new Promise((resolve) => setTimeout(resolve, RECORD_MS))
  await page.click('[data-testid="record-stop"]')
  await page.waitForSelector('[data-testid="recorded-preview"]')
  await page.click('[data-testid="upload"]')
  await page.waitForFunction('/^#\\/analyses\\/[0-9a-f-]{36}$/.test(location.hash)', { timeout: 60_000 })
  const id = String(await page.evaluate('location.hash.split("/")[2]'))
  t.comment(`analysis ${id}`)

  // The report finishes in the page: no reload.
  await page.waitForSelector('[data-testid="report-video"]', { timeout: 240_000 })
  const analysis = (await web.api({ url: `/analysis/${id}` })).json() as { status: string, user_id: string, source: { s3_key: string }, video: { duration_s: number } | null }
  t.equal(analysis.status, 'completed', 'the analysis completed')
  t.equal(analysis.user_id, 'journey-candidate', 'filed under the user id typed')
  t.match(analysis.source.s3_key, /\.webm$/, 'the recording went to S3 as WebM')
  t.ok(analysis.video && analysis.video.duration_s > RECORD_MS / 1000 - 2, `about ${RECORD_MS / 1000} s recorded (${analysis.video?.duration_s} s)`)

  await page.waitForFunction('document.querySelector(\'[data-testid="report-video"]\').readyState >= 1', { timeout: 30_000 })
  const videoS = Number(await page.evaluate('document.querySelector(\'[data-testid="report-video"]\').duration'))
  t.ok(Math.abs(videoS - analysis.video!.duration_s) < 0.5, `the player has the playback copy (${videoS.toFixed(2)} s)`)

  const timeline = (await web.api({ url: `/analysis/${id}/timeline` })).json() as TimelineResponse & { curves: Array<{ name: string }> }
  await page.waitForSelector('[data-testid="chart"]')
  const charts = await page.evaluate(`[...document.querySelectorAll('[data-testid="chart"]')].map((e) => e.dataset.curve)`) as string[]
  t.same([...charts].sort(), timeline.curves.map((c) => c.name).sort(), `one chart per curve: ${charts.join(', ')}`)
  t.ok(charts.includes('speaking_rate') && charts.includes('eye_contact'), 'the microphone\'s speech and the eye contact are charted')
  t.equal(await page.evaluate(count('[data-testid="timeline-marker"]')), timeline.events.length, `every event on the timeline (${timeline.events.length})`)

  await page.waitForSelector('[data-testid="scores"] [data-testid="score-meaning"]')
  t.ok(Number(await page.evaluate(count('[data-testid="score-meaning"]'))) >= 4, 'each category\'s score says what it means')
  await page.waitForSelector('[data-testid="feedback-body"]')
  const english = String(await page.evaluate(text('[data-testid="feedback-body"]')))
  t.ok(english.length > 200 && !HANGUL.test(english), 'the feedback reads in English')
  t.comment(await screenshot(page, 'journey-report-en-laptop'))

  // In Korean: the interface switches, and the feedback is written in Korean on request.
  await chooseLanguage(page, 'ko')
  await page.waitForSelector('[data-testid="write-feedback"]')
  await page.click('[data-testid="write-feedback"]')
  await page.waitForFunction('document.querySelector(\'[data-testid="feedback-body"]\')?.dataset.language === "ko"', { timeout: 60_000 })
  t.match(String(await page.evaluate(text('[data-testid="feedback-body"]'))), HANGUL, 'the feedback reads in Korean')
  t.match(String(await page.evaluate(text('[data-testid="scores"]'))), HANGUL, 'the scores\' meanings read in Korean')
  t.comment(await screenshot(page, 'journey-report-ko-laptop'))

  // On a phone (a new tab signs in again: the key lives in one tab's session).
  const phone = await browser.open('/app/', PHONE)
  await signIn(phone, web.key)
  await phone.evaluate(`location.hash = "#/analyses/${id}"`)
  await phone.waitForSelector('[data-testid="feedback-body"][data-language="ko"]')
  await phone.waitForSelector('[data-testid="chart"]')
  const overflow = Number(await phone.evaluate('document.documentElement.scrollWidth - window.innerWidth'))
  t.ok(overflow <= 0, `nothing wider than the phone's screen (${overflow} px over)`)
  t.comment(await screenshot(phone, 'journey-report-ko-phone'))
  await chooseLanguage(phone, 'en')
  await phone.waitForSelector('[data-testid="feedback-body"][data-language="en"]')
  t.comment(await screenshot(phone, 'journey-report-en-phone'))

  await browser.check()
})
