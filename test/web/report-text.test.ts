/**
 * The report's scores, feedback and printed copy in Chromium against the running app: a
 * speaker's recording analysed through the API (in-process worker, rule-based feedback), then
 * the report read in English and Korean at laptop and phone sizes (scores with their meanings
 * and measured numbers, the feedback, Korean feedback written on request, a timestamp seeking
 * the player through `candor:seek`), and the print route made into an A4 PDF.
 *
 * Screenshots: report-text-{laptop,phone}-{en,ko}.png and report-text-print.png.
 */
import fs from 'node:fs'
import path from 'node:path'
import zlib from 'node:zlib'
import t from 'tap'
import { pollUntilDone } from '../helpers/app.js'
import { LAPTOP, PHONE, SPEAKER_VIDEO, chooseLanguage, screenshot, signIn, startWebApp, webBrowser, type Viewport } from '../helpers/web-app.js'

const HANGUL = /[\uac00-\ud7a3]/

/**
 * The text of a PDF as Chromium writes it (Skia): each page's content stream decoded through
 * its fonts' ToUnicode maps. Enough to check what a printed page says.
 */
function pdfText (pdf: Buffer): string {
  const source = pdf.toString('latin1')
  const streams: string[] = []
  for (const match of source.matchAll(/<<([^]*?)>>\s*stream\r?\n/g)) {
    const start = match.index + match[0].length
    const end = source.indexOf('endstream', start)
    const raw = pdf.subarray(start, end)
    try {
      streams.push(/FlateDecode/.test(match[1]!) ? zlib.inflateSync(raw).toString('latin1') : raw.toString('latin1'))
    } catch { /* not a deflated stream (images) */ }
  }
  // Every ToUnicode map's glyph -> text pairs (glyph ids are unique enough across Skia's subsets for a check).
  const glyphs = new Map<string, string>()
  const hexText = (hex: string) => String.fromCodePoint(...(hex.match(/.{4}/g) ?? []).map((h) => parseInt(h, 16)))
  for (const stream of streams.filter((s) => s.includes('begincmap'))) {
    for (const block of stream.matchAll(/beginbfchar([^]*?)endbfchar/g)) {
      for (const pair of block[1]!.matchAll(/<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>/g)) glyphs.set(pair[1]!.toUpperCase(), hexText(pair[2]!))
    }
    for (const block of stream.matchAll(/beginbfrange([^]*?)endbfrange/g)) {
      for (const range of block[1]!.matchAll(/<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>/g)) {
        const from = parseInt(range[1]!, 16)
        const to = parseInt(range[2]!, 16)
        const base = parseInt(range[3]!, 16)
        for (let g = from; g <= to; g++) glyphs.set(g.toString(16).toUpperCase().padStart(range[1]!.length, '0'), String.fromCodePoint(base + g - from))
      }
    }
  }
  const text: string[] = []
  for (const stream of streams.filter((s) => /\bT[Jj]\b/.test(s))) {
    for (const shown of stream.matchAll(/<([0-9A-Fa-f]+)>/g)) {
      const hex = shown[1]!.toUpperCase()
      const size = [...glyphs.keys()][0]?.length ?? 4
      for (let i = 0; i + size <= hex.length; i += size) text.push(glyphs.get(hex.slice(i, i + size)) ?? '')
    }
    text.push(' ')
  }
  return text.join('').replace(/\s+/g, ' ')
}

t.test('the report\'s scores, feedback and printed copy', async (t) => {
  const web = await startWebApp(t, { WORKER_IN_PROCESS: 'true', JOB_ATTEMPTS: '1' })
  const bucket = web.config.s3.uploadsBucket
  await web.storage.put(bucket, 'report-text/speaker.mp4', fs.readFileSync(SPEAKER_VIDEO), 'video/mp4')
  const posted = await web.api({ method: 'POST', url: '/analyze', payload: { s3_bucket: bucket, s3_key: 'report-text/speaker.mp4', user_id: 'u1', session_id: 'report-text', options: { language: 'en' } } })
  t.equal(posted.statusCode, 202, posted.body)
  const id = posted.json().analysis_id as string
  const done = await pollUntilDone(web.api, id, 300_000)
  t.equal(done.status, 'completed', JSON.stringify(done.error))
  const categories = done.category_scores as Record<string, number>
  const english = (await web.api({ url: `/analysis/${id}/llm-comment?language=en` })).json()

  const browser = await webBrowser(t, web.origin, { allowOrigins: web.allowOrigins })
  const openReport = async (viewport: Viewport, language: 'en' | 'ko') => {
    const page = await browser.open('/app/#/sign-in', viewport)
    await signIn(page, web.key)
    await chooseLanguage(page, language)
    await page.evaluate(`location.hash = ${JSON.stringify(`#/analyses/${id}`)}`)
    await page.waitForSelector('[data-testid="scores"] [data-category]', { timeout: 30_000 }).catch(async (error: unknown) => {
      t.comment(`the report did not show its scores: ${await screenshot(page, 'report-text-failed')}`)
      t.comment(String(await page.evaluate('location.href + " " + document.querySelector("main").innerHTML.slice(0, 500)')))
      await browser.check()
      throw error
    })
    return page
  }

  const page = await openReport(LAPTOP, 'en')

  t.test('scores with what they mean', async (t) => {
    const shown = await page.evaluate(`Array.from(document.querySelectorAll('[data-testid="scores"] [data-category]')).map((card) => ({
      key: card.dataset.category, band: card.dataset.band,
      meaning: card.querySelector('[data-testid="score-meaning"]').textContent,
      measures: Array.from(card.querySelectorAll('[data-measure]')).map((m) => m.dataset.measure)
    }))`) as Array<{ key: string, band: string, meaning: string, measures: string[] }>
    t.same(shown.map((s) => s.key), Object.keys(categories), 'every category of the analysis, in its order')
    for (const card of shown) {
      const score = categories[card.key]!
      t.match(card.meaning, new RegExp(`^${Math.round(score)} — \\w`), `${card.key}: "${card.meaning}"`)
      t.equal(card.band, score >= 75 ? 'good' : score >= 50 ? 'fair' : 'low', `${card.key} ${score} is in its band`)
    }
    t.ok(shown.find((s) => s.key === 'eye_contact')?.measures.includes('eye_contact_ratio'), 'eye contact shows the measured share')
    t.ok(shown.find((s) => s.key === 'composure')?.measures.includes('blink_frequency'), 'composure shows the blink rate')
    const eyeContact = await page.$eval('[data-category="eye_contact"] [data-measure="eye_contact_ratio"]', (el) => el.textContent)
    t.match(eyeContact, `${Math.round((done.eye_tracking as { eye_contact_ratio: number }).eye_contact_ratio * 100)} %`, 'the analysis\'s own number')
    t.match(eyeContact, /typical 70 % or more/)
    const voice = await page.$eval('[data-section="voice_analysis"]', (el) => el.textContent)
    const speaking = (done.voice_analysis as { speaking_ratio: number | null }).speaking_ratio
    if (speaking) t.match(voice, /Speaking rate\s*\d+ syllables\/min/, 'the voice with units')
    else t.match(voice, /No speech was found/, 'no speech in the recording: said so, not shown as zeros')
    const overall = await page.$eval('[data-testid="interview-score"]', (el) => el.textContent)
    t.match(overall, String(Math.round((done.emotion_analysis as { interview_score: number }).interview_score)))
  })

  t.test('feedback in English, timestamps seek the player', async (t) => {
    await page.waitForSelector('[data-testid="feedback-body"][data-language="en"]', { timeout: 15_000 })
    const summary = await page.$eval('.rt-fb-summary', (el) => el.textContent)
    t.equal(summary, english.feedback.summary, 'the stored summary')
    t.match(await page.$eval('[data-testid="feedback-author"]', (el) => el.textContent), /rule-based writer/)
    const stamps = await page.$$eval('button.rt-fb-time', (els) => els.map((el) => Number(el.getAttribute('data-seconds'))))
    t.ok(stamps.length > 0, `timestamps as buttons: ${stamps.join(', ')}`)
    await page.evaluate('window.__seeks = []; addEventListener("candor:seek", (e) => window.__seeks.push(e.detail.seconds))')
    const hashBefore = await page.evaluate('location.hash')
    await page.click('button.rt-fb-time')
    t.same(await page.evaluate('window.__seeks'), [stamps[0]], 'candor:seek with the seconds')
    t.equal(await page.evaluate('location.hash'), hashBefore, 'the page stays where it is')
    await screenshot(page, 'report-text-laptop-en')
  })

  t.test('Korean: offered, then written', async (t) => {
    await chooseLanguage(page, 'ko')
    await page.waitForSelector('[data-testid="feedback-offer"]', { timeout: 15_000 })
    t.match(await page.$eval('[data-testid="feedback-offer"]', (el) => el.textContent), /영어로 작성되었습니다/)
    t.match(await page.$eval('[data-category="eye_contact"] [data-testid="score-meaning"]', (el) => el.textContent), HANGUL, 'the scores speak Korean')
    await page.click('[data-testid="write-feedback"]')
    await page.waitForSelector('[data-testid="feedback-body"][data-language="ko"]', { timeout: 60_000 })
    const summary = await page.$eval('.rt-fb-summary', (el) => el.textContent)
    t.match(summary, HANGUL, `Korean feedback: ${summary.slice(0, 60)}…`)
    t.equal(await page.$('[data-testid="feedback-offer"]'), null, 'no offer any more')
    const stored = await web.api({ url: `/analysis/${id}/llm-comment?language=ko` })
    t.equal(stored.statusCode, 200, 'stored on the server')
    t.equal(stored.json().feedback.summary, summary)
    await screenshot(page, 'report-text-laptop-ko')
  })

  t.test('phone', async (t) => {
    for (const language of ['en', 'ko'] as const) {
      const phone = await openReport(PHONE, language)
      await phone.waitForSelector(`[data-testid="feedback-body"][data-language="${language}"]`, { timeout: 15_000 })
      const overflow = await phone.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth') as number
      const widest = overflow > 0 ? await phone.evaluate(`Array.from(document.querySelectorAll('main *')).filter((el) => el.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5).slice(-3).map((el) => el.tagName + '.' + el.className + ' ' + Math.round(el.getBoundingClientRect().right)).join('; ')`) : ''
      t.ok(overflow <= 0, `${language}: nothing wider than the screen (${overflow} px over) ${String(widest)}`)
      await screenshot(phone, `report-text-phone-${language}`)
      await phone.close()
    }
  })

  t.test('printed', async (t) => {
    await chooseLanguage(page, 'en')
    await page.waitForSelector('[data-testid="feedback-body"][data-language="en"]', { timeout: 15_000 })
    const opened = page.browser().waitForTarget((target) => target.url().includes(`/analyses/${id}/print`), { timeout: 15_000 })
    await page.click('[data-testid="print"]')
    const printPage = (await (await opened).page())!
    // The new tab signed in from this one's session, rendered the report and asked to print it.
    await printPage.waitForFunction(`document.documentElement.dataset.printRequested === ${JSON.stringify(id)}`, { timeout: 30_000 })
    t.pass('the print tab printed itself once the report was on the page')
    t.equal(await printPage.$('.top'), null, 'without the app\'s frame')
    await printPage.close() // its print dialog stays open in headless Chromium: the PDF is made in this tab

    await page.evaluate(`location.hash = ${JSON.stringify(`#/analyses/${id}/print`)}`)
    await page.waitForSelector('[data-testid="scores"] [data-category]', { timeout: 30_000 })
    await page.waitForSelector('[data-testid="feedback-body"][data-language="en"]', { timeout: 15_000 })
    t.equal(await page.evaluate('document.documentElement.dataset.printRequested ?? null'), null, 'opened here, it does not print by itself')
    await page.emulateMediaType('print')
    const shot = await screenshot(page, 'report-text-print')
    const visible = await page.evaluate(`['[data-testid="print"]', '.rt-fb-offer', '.top', 'video'].map((s) => document.querySelector(s)).filter((el) => el && getComputedStyle(el).display !== 'none').length`)
    t.equal(visible, 0, 'controls, navigation and video are not printed')
    const pdf = Buffer.from(await page.pdf({ format: 'A4', printBackground: true }))
    await page.emulateMediaType()
    t.equal(pdf.subarray(0, 5).toString(), '%PDF-')
    const pages = (pdf.toString('latin1').match(/\/Type\s*\/Page\b(?!s)/g) ?? []).length
    t.ok(pages >= 1, `${pages} A4 page(s), ${Math.round(pdf.length / 1024)} KB`)
    fs.writeFileSync(path.join(path.dirname(shot), 'report-text.pdf'), pdf)
    const text = pdfText(pdf)
    t.match(text, /Eye contact/, 'the PDF has the scores')
    t.match(text, new RegExp(`${Math.round(categories.eye_contact!)} — `), 'with their numbers and meanings')
    t.match(text, /What to work on/, 'and the feedback')
  })

  t.test('the pages stayed clean', async () => {
    await browser.check()
  })
})
