/**
 * The web app from sign-in to analysed uploads, in headless Chromium against the running app
 * (real MariaDB, Redis, Swift with CORS, the in-process worker):
 * - a wrong key is refused with the server's message; the right one signs in;
 * - a picked file goes to S3 in parts (UPLOAD_PART_BYTES=5MiB, a 6.9 MB file: 2 parts), the
 *   progress bar reaches 100 %, the report route opens, and the list shows the analysis go from
 *   queued/processing to completed without a reload;
 * - a recording from the fake camera (~3 s) goes by one presigned PUT and is analysed too;
 * - an upload cancelled half-way leaves the upload aborted;
 * - signing out clears the session; no console errors or requests outside Candor and its S3.
 * Screenshots (sign-in, new recording with progress, the list) at laptop and phone, en and ko.
 */
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import t from 'tap'
import type { Page } from 'puppeteer-core'
import {
  startWebApp, webBrowser, fakeMediaFrom, signIn, chooseLanguage, screenshot, LAPTOP, PHONE, SPEAKER_VIDEO
} from '../helpers/web-app.js'

const PART_BYTES = 5 * 1024 ** 2

/** 5 s of the speaker, losslessly encoded so it is larger than one 5 MiB part (about 6.9 MB: two parts). */
function largeVideo (): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'candor-upload-'))
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }))
  const file = path.join(dir, 'answer-large.mp4')
  execFileSync('ffmpeg', ['-v', 'error', '-t', '5', '-i', SPEAKER_VIDEO, '-c:v', 'libx264', '-preset', 'ultrafast', '-qp', '0', '-c:a', 'aac', file])
  return file
}

const js = JSON.stringify

interface CreatedUpload { upload_id: string, method: string, parts: unknown[] | null }

/** The answers to POST /uploads the page receives. */
function watchCreatedUploads (page: Page): CreatedUpload[] {
  const created: CreatedUpload[] = []
  page.on('response', (response) => {
    if (response.request().method() === 'POST' && new URL(response.url()).pathname === '/uploads') {
      response.json().then((body: CreatedUpload) => created.push(body), () => {})
    }
  })
  return created
}

async function analysisIdFromHash (page: Page): Promise<string> {
  await page.waitForFunction('/^#\\/analyses\\/[0-9a-f-]{36}$/.test(location.hash)', { timeout: 30_000 })
  return page.evaluate('location.hash.split("/")[2]') as Promise<string>
}

/**
 * Opens the list (without reloading the page) and waits until the row of `id` shows completed,
 * noting every status the row showed on the way.
 */
async function watchUntilCompleted (page: Page, id: string): Promise<string[]> {
  await page.evaluate(`(() => {
    window.__seen = window.__seen || {}
    const seen = window.__seen[${js(id)}] = []
    const note = () => {
      const row = document.querySelector('[data-testid="analysis-row"][data-id=${js(id)}]')
      const status = row && row.getAttribute('data-status')
      if (status && seen[seen.length - 1] !== status) seen.push(status)
    }
    new MutationObserver(note).observe(document.body, { subtree: true, childList: true, attributes: true })
    location.hash = '#/analyses'
  })()`)
  await page.waitForFunction(`['completed', 'failed'].includes(document.querySelector('[data-testid="analysis-row"][data-id=${js(id)}]')?.getAttribute('data-status'))`, { timeout: 120_000, polling: 200 })
  return page.evaluate(`window.__seen[${js(id)}]`) as Promise<string[]>
}

t.test('sign in, upload a file in parts and a recording, follow them to completed, sign out', async (t) => {
  const t0 = Date.now()
  const mark = (label: string) => t.comment(`${label}: ${((Date.now() - t0) / 1000).toFixed(1)} s`)
  const web = await startWebApp(t, { UPLOAD_PART_BYTES: String(PART_BYTES), WORKER_IN_PROCESS: 'true' })
  const browser = await webBrowser(t, web.origin, { media: fakeMediaFrom(SPEAKER_VIDEO, { seconds: 6 }), allowOrigins: web.allowOrigins })
  const file = largeVideo()
  mark('browser up')
  const fileBytes = fs.statSync(file).size
  t.ok(fileBytes > PART_BYTES && fileBytes <= 2 * PART_BYTES, `the file (${fileBytes} bytes) needs two parts`)

  // Sign-in: the wrong key is refused with the server's message.
  const page = await browser.open('/app/#/sign-in', LAPTOP)
  const created = watchCreatedUploads(page)
  await page.waitForSelector('[data-testid="api-key"]')
  await screenshot(page, 'sign-in-en-laptop')
  const wrongKey = 'cnd_0000000000000000_wrongsecretwrongsecretwrongsecret00'
  const expected = (await web.api({ url: '/analysis/recent?limit=1', headers: { authorization: `Bearer ${wrongKey}` } })).json() as { message: string }
  await page.type('[data-testid="api-key"]', wrongKey)
  await page.click('[data-testid="sign-in"]')
  await page.waitForSelector('[data-testid="sign-in-error"]')
  const shown = await page.$eval('[data-testid="sign-in-error"]', (e) => e.textContent ?? '')
  t.match(shown, expected.message, 'the server\'s message is shown')
  t.equal(await page.evaluate('sessionStorage.getItem("candor.apiKey")'), null, 'a refused key is not kept')
  t.match(await page.evaluate('location.hash'), '#/sign-in')
  await screenshot(page, 'sign-in-error-en-laptop')
  // The 401 the check answered is the one problem Chromium reported so far.
  await t.rejects(browser.check(), /401/, 'the refused key\'s 401 was the only page problem')
  await page.$eval('[data-testid="api-key"]', (e) => { (e as unknown as { value: string }).value = '' })
  await signIn(page, web.key)
  t.equal(await page.evaluate('sessionStorage.getItem("candor.apiKey")'), web.key, 'the key is in sessionStorage')
  t.equal(await page.evaluate('localStorage.getItem("candor.apiKey")'), null, 'and not in localStorage')
  await page.waitForSelector('[data-testid="analyses-empty"]')
  t.ok(await page.$('[data-testid="empty-record"][href="#/new"]'), 'the empty list links to a new recording')
  await screenshot(page, 'analyses-empty-en-laptop')

  mark('signed in')
  // A file in parts: progress to 100 %, then the report route.
  await page.evaluate('location.hash = "#/new"')
  await page.waitForSelector('[data-testid="file"]')
  await page.type('[data-testid="user-id"]', 'web-tester')
  const input = await page.$('[data-testid="file"]')
  await input!.uploadFile(file)
  await page.waitForSelector('[data-testid="upload"]')
  t.match(await page.$eval('[data-testid="chosen"]', (e) => e.textContent), 'answer-large.mp4')
  // Slow the uplink so the progress bar can be seen (and photographed) half-way.
  await page.emulateNetworkConditions({ upload: 6 * 1024 ** 2, download: 50 * 1024 ** 2, latency: 5 })
  const percents: number[] = []
  await page.exposeFunction('notePercent', (p: number) => { percents.push(p) })
  await page.evaluate(`new MutationObserver(() => {
    const bar = document.querySelector('[data-testid="upload-progress"]')
    if (bar) window.notePercent(Number(bar.getAttribute('aria-valuenow')))
  }).observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true })`)
  await page.click('[data-testid="upload"]')
  await page.waitForFunction('Number(document.querySelector(\'[data-testid="upload-progress"]\')?.getAttribute("aria-valuenow")) >= 20', { polling: 50 })
  await screenshot(page, 'new-recording-progress-en-laptop')
  await page.emulateNetworkConditions(null)
  const firstId = await analysisIdFromHash(page)
  mark('file uploaded')
  t.ok(percents.some((p) => p > 0 && p < 100), `the bar showed progress on the way (${[...new Set(percents)].join(', ')})`)
  t.equal(Math.max(...percents), 100, 'the progress bar reached 100 %')
  const first = (await web.api({ url: `/analysis/${firstId}` })).json() as { user_id: string, source: { s3_key: string, size_bytes: number | null } }
  t.equal(first.user_id, 'web-tester', 'the analysis belongs to the user id given')
  t.same(created.map((u) => [u.method, u.parts?.length ?? 0]), [['multipart', 2]], 'the file went as a multipart upload of two parts')

  const seen = await watchUntilCompleted(page, firstId)
  mark('first completed in the list')
  t.ok(seen.includes('queued') || seen.includes('processing'), `the list showed the analysis unfinished first (${seen.join(' → ')})`)
  t.equal(seen.at(-1), 'completed', 'then completed, without a reload', { analysis: seen.at(-1) === 'completed' ? undefined : (await web.api({ url: `/analysis/${firstId}` })).json() })
  const done = (await web.api({ url: `/analysis/${firstId}` })).json() as { status: string, source: { size_bytes: number | null } }
  t.equal(done.status, 'completed')
  t.equal(done.source.size_bytes, fileBytes, 'S3 holds the whole file')

  // A recording from the fake camera: one presigned PUT.
  await page.evaluate('location.hash = "#/new"')
  await page.waitForSelector('[data-testid="camera-on"]')
  t.equal(await page.$eval('[data-testid="user-id"]', (e) => (e as unknown as { value: string }).value), 'web-tester', 'the user id is remembered')
  await page.click('[data-testid="camera-on"]')
  await page.waitForSelector('[data-testid="record-start"]')
  await page.waitForFunction('document.querySelector(\'[data-testid="camera-preview"]\')?.videoWidth > 0')
  await page.click('[data-testid="record-start"]')
  await page.waitForFunction('/0:03/.test(document.querySelector(\'[data-testid="elapsed"]\')?.textContent ?? "")', { polling: 100 })
  await screenshot(page, 'new-recording-camera-en-laptop')
  await page.click('[data-testid="record-stop"]')
  await page.waitForSelector('[data-testid="recorded-preview"]')
  await page.click('[data-testid="upload"]')
  const secondId = await analysisIdFromHash(page)
  mark('recording uploaded')
  const recorded = (await web.api({ url: `/analysis/${secondId}` })).json() as { source: { s3_key: string, size_bytes: number | null } }
  t.match(recorded.source.s3_key, /\.webm$/, 'the recording is stored as webm')
  t.equal(created[1]?.method, 'put', 'the recording went by one presigned PUT')
  const seenRecording = await watchUntilCompleted(page, secondId)
  t.equal(seenRecording.at(-1), 'completed', `the recording was analysed (${seenRecording.join(' → ')})`)
  const analysed = (await web.api({ url: `/analysis/${secondId}` })).json() as { status: string, video: { duration_s?: number } | null }
  t.equal(analysed.status, 'completed')
  await screenshot(page, 'analyses-en-laptop')
  mark('second completed')

  // Phone and Korean: the list, sign-in, and an upload cancelled half-way.
  // Each tab has its own session (sessionStorage), so the phone tab signs in too.
  const phone = await browser.open('/app/#/sign-in', PHONE)
  const phoneCreated = watchCreatedUploads(phone)
  await phone.waitForSelector('[data-testid="api-key"]')
  await screenshot(phone, 'sign-in-en-phone')
  await signIn(phone, web.key)
  await phone.waitForSelector('[data-testid="analysis-row"]')
  await screenshot(phone, 'analyses-en-phone')
  await chooseLanguage(phone, 'ko')
  await screenshot(phone, 'analyses-ko-phone')
  await phone.evaluate('location.hash = "#/new"')
  await phone.waitForSelector('[data-testid="file"]')
  await (await phone.$('[data-testid="file"]'))!.uploadFile(file)
  await phone.waitForSelector('[data-testid="upload"]')
  await screenshot(phone, 'new-recording-ko-phone')
  await phone.emulateNetworkConditions({ upload: 1024 ** 2, download: 50 * 1024 ** 2, latency: 5 })
  await phone.click('[data-testid="upload"]')
  await phone.waitForFunction('Number(document.querySelector(\'[data-testid="upload-progress"]\')?.getAttribute("aria-valuenow")) >= 5', { polling: 50 })
  await screenshot(phone, 'new-recording-progress-ko-phone')
  await phone.click('[data-testid="cancel-upload"]')
  await phone.waitForSelector('[data-testid="upload-cancelled"]')
  await phone.emulateNetworkConditions(null)
  await screenshot(phone, 'new-recording-cancelled-ko-phone')
  const cancelledId = phoneCreated[0]?.upload_id
  t.ok(cancelledId, 'the cancelled upload had been created')
  const cancelled = (await web.api({ url: `/uploads/${cancelledId}` })).json() as { state: string, analysis_id: string | null }
  t.equal(cancelled.state, 'aborted', 'cancelling aborted the upload on the server')
  const recent = (await web.api({ url: '/analysis/recent' })).json() as { analyses: unknown[] }
  t.equal(recent.analyses.length, 2, 'the cancelled upload started no analysis')

  mark('phone done')
  // Sign out.
  await phone.click('[data-testid="sign-out"]')
  await phone.waitForFunction('location.hash === "#/sign-in"')
  t.equal(await phone.evaluate('sessionStorage.getItem("candor.apiKey")'), null, 'signing out clears sessionStorage')
  await phone.waitForSelector('[data-testid="api-key"]')
  await screenshot(phone, 'sign-in-ko-phone')
  mark('signed out')

  // Korean on the laptop: sign-in (a fresh tab has no session), the list, a new recording.
  const fresh = await browser.open('/app/#/sign-in', LAPTOP)
  await fresh.waitForSelector('[data-testid="api-key"]')
  await chooseLanguage(fresh, 'ko')
  await screenshot(fresh, 'sign-in-ko-laptop')
  await page.bringToFront() // a background tab gets no frames: screenshots and waits would stall
  await chooseLanguage(page, 'ko')
  mark('fresh tab')
  await screenshot(page, 'analyses-ko-laptop')
  mark('ko list')
  await page.evaluate('location.hash = "#/new"')
  await (await page.waitForSelector('[data-testid="file"]'))!.uploadFile(file)
  await page.waitForSelector('[data-testid="upload"]')
  await screenshot(page, 'new-recording-ko-laptop')
  mark('ko new')

  mark('end')
  await browser.check()
})
