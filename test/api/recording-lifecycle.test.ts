/**
 * A recording from upload to deletion, with every real component (issue 11's check): a
 * phone-style MP4 (rotated, variable frame rate) uploaded to Swift through a presigned PUT and
 * a browser webm sent through the API as multipart/form-data, both analysed by the in-process
 * worker; the playback copy played in headless Chromium with the right duration; every
 * thumbnail opened and a face found in it where the engine saw one; a presigned URL refused
 * once expired; then DELETE and a count of what is left in MariaDB, MongoDB and S3.
 */
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import t from 'tap'
import sharp from 'sharp'
import { Value } from 'typebox/value'
import { testApp, pollUntilDone, type Api } from '../helpers/app.js'
import { phoneVideo, browserRecording, type MadeVideo } from '../helpers/phone-video.js'
import { playInBrowser, closeBrowser } from '../helpers/browser.js'
import { formData } from '../helpers/form-data.js'
import { tools } from '../helpers/engine.js'
import { projectRoot } from '../../src/config.js'
import { YuNetDetector } from '../../src/signals/face/engine/yunet.js'
import { decodeImage } from '../../src/media/frames.js'
import { TimelineResponse, AnalysisResponse } from '../../src/schemas/analysis.js'
import type { ObjectStorage } from '../../src/storage/object-storage.js'
import type { App } from '../../src/app.js'

interface Timeline { events: Array<{ id: number, kind: string, start_s: number, end_s: number, thumbnail: { url: string, at_s: number, annotated_url: string | null } | null, thumbnail_error: string | null }>, overview: { url: string } | null }
interface FaceFramePage { frames: Array<{ t: number, face: { box: number[] } | null }> }

t.teardown(closeBrowser)

t.test('recordings from upload to deletion', async (t) => {
  const { app, api, config, storage } = await testApp(t, { WORKER_IN_PROCESS: 'true', JOB_ATTEMPTS: '1', PLAYBACK_COPY: 'true' })
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'candor-lifecycle-'))
  t.teardown(() => fs.rm(dir, { recursive: true, force: true }))
  const detector = await YuNetDetector.load(path.join(projectRoot, 'models/face_detection_yunet_2023mar.onnx'))

  const phone = phoneVideo(dir, 8)
  const webm = browserRecording(dir, { seconds: 6 })

  // The phone's recording: a presigned PUT straight to S3, then complete with analyze.
  const phoneBytes = await fs.readFile(phone.file)
  const created = await api({ method: 'POST', url: '/uploads', payload: { content_type: 'video/mp4', size: phoneBytes.length, filename: 'IMG_0001.mp4', user_id: 'person-1' } })
  t.equal(created.statusCode, 201, created.body)
  const upload = created.json()
  t.equal(upload.method, 'put')
  const put = await fetch(upload.put.url, { method: 'PUT', headers: upload.put.headers, body: phoneBytes })
  t.equal(put.status, 200, 'Swift took the presigned PUT')
  const completed = await api({ method: 'POST', url: `/uploads/${upload.upload_id}/complete`, payload: { analyze: { session_id: 'phone' } } })
  t.equal(completed.statusCode, 200, completed.body)
  const phoneAnalysis: string = completed.json().analysis.analysis_id

  // The browser's recording: multipart/form-data through the API, analysed in the same request.
  const form = formData([
    { name: 'user_id', value: 'person-1' }, { name: 'session_id', value: 'browser' }, { name: 'analyze', value: 'true' },
    { name: 'file', filename: 'answer.webm', contentType: 'video/webm', data: await fs.readFile(webm.file) }
  ])
  const direct = await api({ method: 'POST', url: '/uploads/direct', payload: form.payload, headers: form.headers })
  t.equal(direct.statusCode, 201, direct.body)
  const webmAnalysis: string = direct.json().analysis.analysis_id

  const recordings: Array<{ name: string, id: string, made: MadeVideo }> = [
    { name: 'phone MP4', id: phoneAnalysis, made: phone },
    { name: 'browser webm', id: webmAnalysis, made: webm }
  ]
  for (const { name, id, made } of recordings) {
    await t.test(`${name}: analysed, playable, pictured`, async (t) => {
      const done = await pollUntilDone(api, id, 240_000)
      t.equal(done.status, 'completed', JSON.stringify(done.error))
      t.ok(Value.Check(AnalysisResponse, done), 'GET /analysis/:id matches its schema')
      const playback = done.playback as { url: string, content_type: string, duration_s: number, width: number, height: number, error: string | null }
      t.match(playback, { content_type: 'video/webm', error: null })
      t.equal(playback.width < playback.height, made.uprightWidth < made.uprightHeight, 'upright like the recording')

      const played = await playInBrowser(playback.url)
      t.ok(played.played, `Chromium plays the copy${played.error ? `: ${played.error}` : ''}`)
      t.ok(Math.abs(played.durationS - made.durationS) < 0.1, `Chromium reports ${played.durationS} s for a ${made.durationS} s recording`)
      t.equal(played.videoWidth / played.videoHeight > 1, made.uprightWidth / made.uprightHeight > 1, 'and shows it upright')

      const timeline = await timelineOf(api, id)
      t.ok(timeline.events.length > 0, `${timeline.events.length} events`)
      const pictured = timeline.events.filter((e) => e.thumbnail)
      t.ok(pictured.length > 0, `${pictured.length} events with pictures (${[...new Set(pictured.map((e) => e.kind))].join(', ')})`)
      t.same(timeline.events.filter((e) => e.thumbnail_error), [], 'no picture failed')
      const starts = timeline.events.map((e) => e.start_s)
      t.same(starts, [...starts].sort((a, b) => a - b), 'events in time order')
      for (const event of pictured) {
        const { url, at_s: atS, annotated_url: annotatedUrl } = event.thumbnail!
        t.ok(atS >= event.start_s && atS <= event.end_s, `${event.kind} pictured within its span`)
        const thumbnail = await jpegAt(url)
        t.equal(thumbnail.width, 320, `${event.kind} thumbnail 320 px wide`)
        t.ok((await jpegAt(annotatedUrl!)).width >= 320, 'its annotated copy opens')
        // Where the engine saw a face at that moment, the picture shows it there. (A hand over
        // the face, as in face_touch, lowers the detector's score: 0.5 rather than 0.87.)
        const measured = await faceNear(api, id, atS * 1000)
        if (!measured) continue
        const file = path.join(dir, `${id}-${event.id}.jpg`)
        await fs.writeFile(file, thumbnail.bytes)
        const faces = await detector.detect(await decodeImage(file, tools), { scoreThreshold: 0.5 })
        const [x, y, w, h] = measured
        const hit = faces.find(({ box }) => {
          const cx = (box.x + box.width / 2) / thumbnail.width
          const cy = (box.y + box.height / 2) / thumbnail.height
          return cx > x! && cx < x! + w! && cy > y! && cy < y! + h!
        })
        const found = faces.map(({ box, score }) => `${Math.round(box.x)},${Math.round(box.y)} ${Math.round(box.width)}x${Math.round(box.height)} (${score.toFixed(2)})`).join('; ')
        t.ok(hit, `${event.kind} at ${atS} s: the thumbnail shows the face inside the measured box ${measured.map((v) => v.toFixed(2)).join(',')} (found: ${found || 'none'}, in ${thumbnail.width}x${thumbnail.height})`)
      }
      t.ok(timeline.overview, 'an overview image')
      const overview = await jpegAt(timeline.overview!.url)
      t.ok(overview.width >= 1000, `overview ${overview.width}x${overview.height}`)
    })
  }

  await t.test('presigned links expire', async (t) => {
    const timeline = await timelineOf(api, phoneAnalysis)
    const url = new URL(timeline.events.find((e) => e.thumbnail)!.thumbnail!.url)
    t.equal(url.searchParams.get('X-Amz-Expires'), '3600', 'an hour by default')
    t.notOk(url.searchParams.has('X-Amz-Credential') && url.href.includes(config.s3.credentials!.secretAccessKey), 'no secret in the URL')
    const key = decodeURIComponent(url.pathname.split('/').slice(2).join('/'))
    const shortLived = await storage.presignGet(config.s3.artifactsBucket, key, 1)
    t.equal((await fetch(shortLived)).status, 200, 'a fresh link works')
    await new Promise((resolve) => setTimeout(resolve, 2500))
    const refused = await fetch(shortLived)
    t.equal(refused.status, 403, 'an expired link is refused')
    t.match(await refused.text(), /expired/i)
    const unsigned = await fetch(`${url.origin}${url.pathname}`)
    t.ok(unsigned.status >= 400 && unsigned.status < 500, `the bucket stays private: an unsigned GET gets ${unsigned.status}`)
  })

  await t.test('DELETE leaves nothing in any store', async (t) => {
    const before = await storedFor(app, storage, config.s3.artifactsBucket, phoneAnalysis)
    t.ok(before.rows > 0 && before.frames > 0 && before.artifacts > 0, `before: ${JSON.stringify(before)}`)
    const thumbnail = (await timelineOf(api, phoneAnalysis)).events.find((e) => e.thumbnail)!.thumbnail!.url
    const source = { bucket: upload.s3_bucket as string, key: upload.s3_key as string }

    const deleted = await api({ method: 'DELETE', url: `/analysis/${phoneAnalysis}?source=true` })
    t.equal(deleted.statusCode, 204, deleted.body)
    t.same(await storedFor(app, storage, config.s3.artifactsBucket, phoneAnalysis), { rows: 0, frames: 0, artifacts: 0 }, 'no rows, frames or artifacts')
    t.equal(await storage.head(source.bucket, source.key), null, 'the uploaded recording is gone (source=true)')
    t.equal((await fetch(thumbnail)).status, 404, 'a link handed out before now finds nothing')
    t.equal((await api({ url: `/analysis/${phoneAnalysis}` })).statusCode, 404)
    t.equal((await api({ method: 'DELETE', url: `/analysis/${phoneAnalysis}?source=true` })).statusCode, 204, 'idempotent')

    const webmSource = (await api({ url: `/analysis/${webmAnalysis}` })).json().source
    t.equal((await api({ method: 'DELETE', url: `/analysis/${webmAnalysis}` })).statusCode, 204)
    t.same(await storedFor(app, storage, config.s3.artifactsBucket, webmAnalysis), { rows: 0, frames: 0, artifacts: 0 })
    t.ok(await storage.head(webmSource.s3_bucket, webmSource.s3_key), 'without source=true the recording stays')
  })
})

async function timelineOf (api: Api, id: string): Promise<Timeline> {
  const response = await api({ url: `/analysis/${id}/timeline` })
  if (response.statusCode !== 200) throw new Error(`timeline ${response.statusCode}: ${response.body}`)
  const body = response.json()
  if (!Value.Check(TimelineResponse, body)) throw new Error(`timeline does not match its schema: ${JSON.stringify([...Value.Errors(TimelineResponse, body)].slice(0, 3))}`)
  return body as Timeline
}

async function jpegAt (url: string): Promise<{ bytes: Buffer, width: number, height: number }> {
  const response = await fetch(url)
  if (response.status !== 200) throw new Error(`GET ${url} answered ${response.status}`)
  const bytes = Buffer.from(await response.arrayBuffer())
  const meta = await sharp(bytes).metadata()
  if (meta.format !== 'jpeg') throw new Error(`not a JPEG: ${meta.format}`)
  return { bytes, width: meta.width!, height: meta.height! }
}

/** The face box (fractions of the frame) the engine stored nearest `atMs`, if it saw a face. */
async function faceNear (api: Api, id: string, atMs: number): Promise<number[] | null> {
  const page = (await api({ url: `/analysis/${id}/frames?kind=face&from=${Math.max(0, Math.round(atMs - 60))}&to=${Math.round(atMs + 60)}` })).json() as FaceFramePage
  const nearest = page.frames.sort((a, b) => Math.abs(a.t - atMs) - Math.abs(b.t - atMs))[0]
  return nearest?.face?.box ?? null
}

/** What every store holds for one analysis: MariaDB rows in any analysis table, MongoDB frames, S3 artifacts. */
async function storedFor (app: App, storage: ObjectStorage, artifactsBucket: string, id: string): Promise<{ rows: number, frames: number, artifacts: number }> {
  const tables: Array<{ name: string }> = await app.mariadb.query(
    "SELECT table_name AS name FROM information_schema.columns WHERE table_schema = DATABASE() AND column_name IN ('analysis_id') UNION SELECT 'analyses'")
  let rows = 0
  for (const { name } of tables) {
    const column = name === 'analyses' ? 'id' : 'analysis_id'
    const [row] = await app.mariadb.query(`SELECT COUNT(*) AS n FROM \`${name}\` WHERE ${column} = ?`, [id])
    rows += Number(row.n)
  }
  const frames = await app.frames.collection.countDocuments({ a: id })
  let artifacts = 0
  for await (const _ of storage.listKeys(artifactsBucket, `analyses/${id}/`)) artifacts++
  return { rows, frames, artifacts }
}
