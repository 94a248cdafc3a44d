/**
 * The report page in headless Chromium against the running app: the speaker's recording
 * analysed through the API with a playback copy (in-process worker), then
 * - the timeline API's curves checked for sense (one point a second, values within their
 *   range, nothing all-empty; eye contact 0..100, speaking rate 1..8 syll/s while speaking);
 * - the page: the video loads (metadata, duration ~19.7 s), one marker per event, one picture
 *   per pictured event, a picture clicked seeks the video to its moment (within 0.1 s) and the
 *   timeline's clock follows, a marker and a chart clicked seek there too, one chart per curve
 *   with its points drawn;
 * - the print route: no video, the overview picture, the pictures with their times, charts;
 * - screenshots at laptop and phone in English and Korean (report-{laptop,phone}-{en,ko}.png,
 *   report-print.png) and no console error or request outside Candor and S3.
 */
import fs from 'node:fs'
import t from 'tap'
import type { Page } from 'puppeteer-core'
import { Value } from 'typebox/value'
import { pollUntilDone } from '../helpers/app.js'
import { LAPTOP, PHONE, SPEAKER_VIDEO, chooseLanguage, screenshot, signIn, startWebApp, webBrowser, type Viewport } from '../helpers/web-app.js'
import { TimelineResponse } from '../../src/schemas/analysis.js'

const js = JSON.stringify
const HANGUL = /[\uac00-\ud7a3]/

interface VideoState { readyState: number, duration: number, currentTime: number, paused: boolean }

const videoState = (page: Page) => page.evaluate(`(() => {
  const v = document.querySelector('[data-testid="report-video"]')
  return { readyState: v.readyState, duration: v.duration, currentTime: v.currentTime, paused: v.paused }
})()`) as Promise<VideoState>

/** Clicks `selector` (the n-th match) and resolves with the video's time at the seek that follows. */
async function seekedBy (page: Page, selector: string, n = 0, offset?: { x: number, y: number }): Promise<number> {
  await page.evaluate(`(() => {
    const v = document.querySelector('[data-testid="report-video"]')
    window.__seekedAt = null
    v.addEventListener('seeked', () => { window.__seekedAt = v.currentTime }, { once: true })
  })()`)
  const handles = await page.$$(selector)
  const handle = handles[n]
  if (!handle) throw new Error(`no ${selector} #${n}`)
  await handle.scrollIntoView()
  await handle.click(offset ? { offset } : undefined)
  await page.waitForFunction('window.__seekedAt !== null', { timeout: 15_000 })
  return await page.evaluate('window.__seekedAt') as number
}

async function pauseAt (page: Page, seconds: number): Promise<void> {
  await page.evaluate(`(() => { const v = document.querySelector('[data-testid="report-video"]'); v.pause(); v.currentTime = ${seconds} })()`)
  await page.waitForFunction(`(() => { const v = document.querySelector('[data-testid="report-video"]'); return !v.seeking && Math.abs(v.currentTime - ${seconds}) < 0.05 })()`)
}

t.test('the report: video, timeline, pictures and charts, in English and Korean, laptop and phone', async (t) => {
  const web = await startWebApp(t, { PLAYBACK_COPY: 'true', WORKER_IN_PROCESS: 'true', JOB_ATTEMPTS: '1' })
  const bucket = web.config.s3.uploadsBucket
  await web.storage.put(bucket, 'report/speaker.mp4', fs.readFileSync(SPEAKER_VIDEO), 'video/mp4')
  const posted = await web.api({ method: 'POST', url: '/analyze', payload: { s3_bucket: bucket, s3_key: 'report/speaker.mp4', user_id: 'candidate-7', session_id: 'Product manager interview', options: { language: 'en' } } })
  t.equal(posted.statusCode, 202, 'POST /analyze')
  const id: string = posted.json().analysis_id
  const done = await pollUntilDone(web.api, id, 300_000)
  t.equal(done.status, 'completed', js(done.error))
  t.ok((done.playback as { url: string | null } | null)?.url, 'a playback copy was made')

  // The curves from the server, checked for sense.
  const response = await web.api({ url: `/analysis/${id}/timeline` })
  t.equal(response.statusCode, 200, 'GET /analysis/:id/timeline')
  const timeline = response.json() as TimelineResponse
  t.ok(Value.Check(TimelineResponse, timeline), 'GET /analysis/:id/timeline matches its schema')
  const seconds = Math.ceil(timeline.duration_s!)
  const curves = Object.fromEntries(timeline.curves.map((c) => [c.name, c]))
  t.ok(['eye_contact', 'emotion', 'head_movement'].every((name) => curves[name]), `the face's curves: ${Object.keys(curves).join(', ')}`)
  for (const curve of timeline.curves) {
    t.ok(curve.points.some((p) => p.v !== null), `${curve.name}: something measured (empty curves are left out)`)
    t.ok(curve.points.every((p) => p.v === null || (p.v >= curve.min && p.v <= curve.max)), `${curve.name}: within ${curve.min}..${curve.max} ${curve.unit}`)
    if (curve.name !== 'loudness' && curve.name !== 'speaking_rate') t.equal(curve.points.length, seconds, `${curve.name}: a point a second`)
  }
  t.same([curves.eye_contact!.min, curves.eye_contact!.max], [0, 100])
  t.ok(curves.eye_contact!.points.some((p) => p.v === 100) && curves.eye_contact!.points.some((p) => p.v === 0), 'she looks at the camera and away')
  const emotion = curves.emotion!.points.map((p) => p.v ?? 0)
  t.ok(emotion.slice(2, 8).every((v) => v < -0.3) && emotion.slice(12).every((v) => v > 0.5), `sad, then happy: ${emotion.join(' ')}`)
  const framesBody = (await web.api({ url: `/analysis/${id}/frames?kind=voice&limit=1000` })).json() as { frames: Array<{ t_ms: number, speech: number }> }
  const rate = curves.speaking_rate
  if (rate) {
    for (const p of rate.points) {
      const frame = framesBody.frames.find((f) => f.t_ms === p.t)
      if (p.v !== null) t.ok(p.v >= 1 && p.v <= 8 && frame && frame.speech >= 0.25, `speaking rate ${p.v} syll/s at ${p.t} ms, while speaking`)
    }
  } else {
    t.ok(framesBody.frames.every((f) => f.speech < 0.25), 'no speaking-rate curve: the clip has no speech (she cries, then laughs)')
  }
  const pictured = timeline.events.filter((e) => e.thumbnail)
  t.ok(pictured.length >= 2, `${pictured.length} pictured events`)

  const browser = await webBrowser(t, web.origin, { allowOrigins: web.allowOrigins })
  const shots: string[] = []

  const openReport = async (viewport: Viewport): Promise<Page> => {
    const page = await browser.open('/app/#/sign-in', viewport)
    await signIn(page, web.key)
    await page.evaluate(`location.hash = ${js(`#/analyses/${id}`)}`)
    await page.waitForSelector('[data-testid="report-video"]')
    await page.waitForFunction('document.querySelector(\'[data-testid="report-video"]\').readyState >= 1', { timeout: 30_000 })
    await page.waitForFunction(`document.querySelectorAll('[data-testid="chart"] canvas').length === ${timeline.curves.length}`)
    return page
  }

  await t.test('laptop: the video, the timeline under it, seeking, charts', async (t) => {
    const page = await openReport(LAPTOP)
    const video = await videoState(page)
    t.ok(video.readyState >= 1, `video metadata loaded (readyState ${video.readyState})`)
    t.ok(Math.abs(video.duration - timeline.duration_s!) < 0.1, `duration ${video.duration} s ~ ${timeline.duration_s} s`)
    t.match(await page.$eval('[data-testid="report-title"]', (e) => e.textContent), 'Product manager interview')

    t.equal((await page.$$('[data-testid="timeline-marker"]')).length, timeline.events.length, 'one marker per event')
    const thumbs = await page.$$eval('[data-testid="timeline-thumbnail"]', (list) => list.map((e) => Number(e.getAttribute('data-at'))))
    t.equal(thumbs.length, pictured.length, 'one picture per pictured event')
    t.same(thumbs, pictured.map((e) => e.thumbnail!.at_s).sort((a, b) => a - b), 'the pictures at their moments, in time order')
    await page.waitForFunction('[...document.querySelectorAll(\'[data-testid="timeline-thumbnail"] img\')].every((i) => i.complete && i.naturalWidth > 0)', { timeout: 15_000 })

    // The bar is the video's width, directly under it.
    const boxes = await page.evaluate(`(() => {
      const r = (s) => { const b = document.querySelector(s).getBoundingClientRect(); return { left: b.left, width: b.width, top: b.top, bottom: b.bottom } }
      return { video: r('[data-testid="report-video"]'), bar: r('[data-testid="timeline-bar"]') }
    })()`) as { video: { left: number, width: number, bottom: number }, bar: { left: number, width: number, top: number } }
    t.ok(Math.abs(boxes.video.width - boxes.bar.width) < 1 && Math.abs(boxes.video.left - boxes.bar.left) < 1, `the bar spans the video (${boxes.bar.width} px vs ${boxes.video.width})`)
    t.ok(boxes.bar.top - boxes.video.bottom < 20 && boxes.bar.top > boxes.video.bottom, 'directly under it')

    for (let i = 0; i < thumbs.length; i++) {
      const at = await seekedBy(page, '[data-testid="timeline-thumbnail"]', i)
      t.ok(Math.abs(at - thumbs[i]!) <= 0.1, `picture ${i} seeks to ${thumbs[i]} s (video at ${at.toFixed(3)} s)`)
    }
    t.notOk((await videoState(page)).paused, 'and plays')
    const e = timeline.events.find((e) => e.kind === 'emotion_shift')
    if (e) {
      const at = await seekedBy(page, '[data-testid="timeline-marker"][data-kind="emotion_shift"]')
      t.ok(Math.abs(at - (e.thumbnail?.at_s ?? e.start_s)) <= 0.1, `the expression-change marker seeks to its picture's moment (${at.toFixed(3)} s)`)
    }

    // Charts: one per curve, each with its measured points, clicking one seeks there.
    const charts = await page.$$eval('[data-testid="chart"]', (list) => list.map((e) => ({ name: e.getAttribute('data-curve'), points: Number(e.getAttribute('data-points')), canvas: e.querySelector('canvas')?.width ?? 0 })))
    t.same(charts.map((c) => c.name), timeline.curves.map((c) => c.name), 'one chart per curve, in the server\'s order')
    for (const c of charts) {
      const curve = curves[c.name!]!
      t.equal(c.points, curve.points.filter((p) => p.v !== null).length, `${c.name}: every measured point`)
      t.ok(c.canvas > 200, `${c.name}: drawn (${c.canvas} px)`)
    }
    const over = await page.$eval('[data-testid="chart"] .u-over', (e) => { const b = e.getBoundingClientRect(); return { width: b.width, height: b.height } })
    const atHalf = await seekedBy(page, '[data-testid="chart"] .u-over', 0, { x: over.width / 2, y: over.height / 2 })
    t.ok(Math.abs(atHalf - timeline.duration_s! / 2) < 0.5, `clicking a chart's middle seeks to the middle (${atHalf.toFixed(2)} s)`)

    // Paused at the expression change for the pictures: the clock, the chart's reading and the current picture follow.
    const shift = timeline.events.find((e) => e.kind === 'emotion_shift')
    const still = shift?.thumbnail?.at_s ?? 12
    await pauseAt(page, still)
    await page.waitForFunction(`document.querySelector('[data-testid="timeline-time"]').textContent.startsWith(${js(`0:${still.toFixed(1).padStart(4, '0')}`)})`)
    const now = await page.$eval('[data-testid="chart"][data-curve="emotion"] [data-testid="chart-now"]', (e) => e.textContent)
    const expected = curves.emotion!.points[Math.floor(still)]!.v!
    t.equal(now, `${expected > 0 ? '+' : ''}${expected.toFixed(2)}`, `the expression chart reads the value at ${still} s`)
    shots.push(await screenshot(page, 'report-laptop-en'))

    await chooseLanguage(page, 'ko')
    const korean = await page.$eval('[data-testid="report"]', (e) => e.textContent ?? '')
    t.ok(korean.includes('시선 맞춤') && korean.includes('머리 움직임') && korean.includes('시간에 따른 변화'), 'chart names in Korean')
    t.ok(korean.includes('주요 장면') && HANGUL.test(await page.$eval('.rp-tl-legend', (e) => e.textContent ?? '')), 'the legend and pictures in Korean')
    t.notOk(/Eye contact|Head movement|Looked away|Hand on face/.test(korean), 'no English chart or event names left')
    shots.push(await screenshot(page, 'report-laptop-ko'))
    await chooseLanguage(page, 'en')
    await page.close()
  })

  await t.test('phone: stacked, charts full width, pictures scroll sideways', async (t) => {
    const page = await openReport(PHONE)
    const layout = await page.evaluate(`(() => {
      const width = document.documentElement.clientWidth
      const strip = document.querySelector('[data-testid="timeline-thumbnails"]')
      const chart = document.querySelector('[data-testid="chart"] canvas').getBoundingClientRect()
      return { width, scrollWidth: document.documentElement.scrollWidth, strip: { client: strip.clientWidth, scroll: strip.scrollWidth, overflow: getComputedStyle(strip).overflowX }, chart: chart.width }
    })()`) as { width: number, scrollWidth: number, strip: { client: number, scroll: number, overflow: string }, chart: number }
    t.equal(layout.scrollWidth, layout.width, 'nothing wider than the screen')
    t.ok(layout.chart > layout.width * 0.75, `charts nearly the screen's width (${layout.chart} of ${layout.width} px)`)
    t.equal(layout.strip.overflow, 'auto', 'the pictures\' strip scrolls sideways')
    if (pictured.length >= 3) t.ok(layout.strip.scroll > layout.strip.client, 'and has more than one screen of pictures')
    const at = await seekedBy(page, '[data-testid="timeline-thumbnail"]', 0)
    t.ok(Math.abs(at - pictured.map((e) => e.thumbnail!.at_s).sort((a, b) => a - b)[0]!) <= 0.1, `tapping a picture seeks (${at.toFixed(3)} s)`)
    await pauseAt(page, 4.5)
    shots.push(await screenshot(page, 'report-phone-en'))
    await chooseLanguage(page, 'ko')
    shots.push(await screenshot(page, 'report-phone-ko'))
    await chooseLanguage(page, 'en')
    await page.close()
  })

  await t.test('print route: no video; the overview, the pictures with times, the charts', async (t) => {
    const page = await browser.open('/app/#/sign-in', LAPTOP)
    await signIn(page, web.key)
    await page.evaluate(`location.hash = ${js(`#/analyses/${id}/print`)}`)
    await page.waitForSelector('[data-testid="overview"]')
    await page.waitForFunction(`document.querySelectorAll('[data-testid="chart"] canvas').length === ${timeline.curves.length}`)
    await page.waitForFunction('[...document.images].every((i) => i.complete)', { timeout: 15_000 })
    t.equal(await page.$('[data-testid="report-video"]'), null, 'no video player')
    t.ok(await page.$eval('[data-testid="overview"]', (e) => (e as unknown as { naturalWidth: number }).naturalWidth > 0), 'the overview picture loaded')
    const times = await page.$$eval('.rp-thumb-time', (list) => list.map((e) => e.textContent))
    t.equal(times.length, pictured.length, `each picture with its time: ${times.join(', ')}`)
    t.equal(await page.$('.rp-chart-playhead'), null, 'static charts')
    shots.push(await screenshot(page, 'report-print'))
    await page.close()
  })

  await browser.check()
  t.comment(`screenshots:\n${shots.join('\n')}`)
})
