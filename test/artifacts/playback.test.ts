/**
 * The playback copy on recordings as phones and browsers make them: ffprobe reads the codecs,
 * the upright size and the recording's own frame times back from the copy, and Debian's
 * Chromium, served the file over HTTP with range requests, loads it, plays it and seeks in it.
 */
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import t, { type Test } from 'tap'
import { makePlaybackCopies, playbackSize, type PlaybackCopy } from '../../src/artifacts/playback.js'
import { MediaError, probeVideo } from '../../src/media/ffprobe.js'
import { closeBrowser, playInBrowser } from '../helpers/browser.js'
import { tools } from '../helpers/engine.js'
import { fixtures } from '../helpers/environment.js'
import { browserRecording, CUES_ID, phoneVideo, PHONE_BAR_ROWS, SOURCE_FRAME_S, videoFrameTimes, type MadeVideo } from '../helpers/phone-video.js'

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'candor-playback-'))
t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }))
t.teardown(closeBrowser)
const server = await serveFiles(dir)
t.teardown(() => new Promise((resolve) => server.close(resolve)))

/** Serves the files in `root` by name, with single-range requests as a browser makes them. */
async function serveFiles (root: string): Promise<http.Server> {
  const server = http.createServer((request, response) => {
    const file = path.join(root, path.basename(decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname)))
    if (!fs.existsSync(file)) return response.writeHead(404).end()
    const size = fs.statSync(file).size
    const type = file.endsWith('.mp4') ? 'video/mp4' : 'video/webm'
    const range = /^bytes=(\d*)-(\d*)$/.exec(request.headers.range ?? '')
    if (!range) {
      response.writeHead(200, { 'content-type': type, 'content-length': size, 'accept-ranges': 'bytes' })
      return fs.createReadStream(file).pipe(response)
    }
    const start = range[1] ? Number(range[1]) : size - Number(range[2])
    const end = range[1] && range[2] ? Math.min(Number(range[2]), size - 1) : size - 1
    if (start >= size || start > end) return response.writeHead(416, { 'content-range': `bytes */${size}` }).end()
    response.writeHead(206, { 'content-type': type, 'content-length': end - start + 1, 'content-range': `bytes ${start}-${end}/${size}`, 'accept-ranges': 'bytes' })
    fs.createReadStream(file, { start, end }).pipe(response)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return server
}

/** The copy under a name of its own in the served folder, as a URL. */
function urlOf (copy: PlaybackCopy, name: string): string {
  fs.renameSync(copy.file, path.join(dir, name))
  copy.file = path.join(dir, name)
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/${name}`
}

function outDir (name: string): string {
  return fs.mkdtempSync(path.join(dir, `${name}-`))
}

interface Streams { streams: Array<{ codec_type: string, codec_name: string, width?: number, height?: number, side_data_list?: unknown[] }> }

function streamsOf (file: string): Streams['streams'] {
  const run = spawnSync('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_type,codec_name,width,height:stream_side_data', '-of', 'json', file], { encoding: 'utf8' })
  return (JSON.parse(run.stdout) as Streams).streams
}

/** Keyframe times of the first video stream, seconds. */
function keyframeTimes (file: string): number[] {
  const run = spawnSync('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'packet=pts_time,flags', '-of', 'csv=p=0', file], { encoding: 'utf8' })
  return run.stdout.split('\n').filter((line) => /,K/.test(line)).map((line) => Number(line.split(',')[0])).sort((a, b) => a - b)
}

/** Mean brightness of rows [from, to) of the first frame, 0..255, as ffmpeg decodes it. */
function rowBrightness (file: string, width: number, height: number, from: number, to: number): number {
  const run = spawnSync('ffmpeg', ['-v', 'error', '-i', file, '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'gray', 'pipe:1'], { maxBuffer: 64 * 1024 * 1024 })
  const gray = run.stdout
  if (gray.length !== width * height) throw new Error(`first frame of ${file} is ${gray.length} bytes, not ${width}x${height}`)
  let sum = 0
  for (let i = from * width; i < to * width; i++) sum += gray[i]!
  return sum / ((to - from) * width)
}

/** What every copy of `made` must be: VP9 (+ Opus) WebM, upright, on the recording's clock, seekable. */
async function checkWebmCopy (t: Test, copy: PlaybackCopy, made: MadeVideo): Promise<void> {
  const frame = SOURCE_FRAME_S
  t.equal(copy.contentType, 'video/webm')
  t.same(copy.codecs, made.hasAudio ? ['vp9', 'opus'] : ['vp9'])
  const streams = streamsOf(copy.file)
  t.same(streams.map((s) => `${s.codec_type}:${s.codec_name}`), made.hasAudio ? ['video:vp9', 'audio:opus'] : ['video:vp9'], 'ffprobe reads VP9 (and Opus)')
  t.match(streams[0], { width: made.uprightWidth, height: made.uprightHeight }, 'upright size')
  t.notOk(streams[0]!.side_data_list, 'no rotation left in the copy')
  t.same([copy.width, copy.height], [made.uprightWidth, made.uprightHeight])
  t.ok(Math.abs(copy.durationS - made.durationS) <= frame, `duration ${copy.durationS} s within one frame of the recording's ${made.durationS.toFixed(3)} s`)
  t.equal(copy.bytes, fs.statSync(copy.file).size)

  // The recording's clock: every frame kept, each at its own time (WebM counts milliseconds).
  const times = videoFrameTimes(copy.file)
  t.equal(times.length, made.frameTimesS.length, 'every frame kept, none added')
  const worst = Math.max(...times.map((time, i) => Math.abs(time - made.frameTimesS[i]!)))
  t.ok(worst <= 0.0015, `frame times match the recording's (worst ${(worst * 1000).toFixed(2)} ms off)`)
  const gaps = new Set(times.slice(1).map((time, i) => Math.round((time - times[i]!) * 1000 / (frame * 1000))))
  t.ok(gaps.has(1) && gaps.has(2), `variable frame rate kept (gaps of ${[...gaps].join(', ')} frames)`)

  // Seekable: Cues near the front and keyframes close together.
  const bytes = fs.readFileSync(copy.file)
  const cues = bytes.indexOf(CUES_ID)
  t.ok(cues > 0 && cues < bytes.length / 2, `Cues at byte ${cues} of ${bytes.length}`)
  const keyframes = [...keyframeTimes(copy.file), copy.durationS]
  const widest = Math.max(...keyframes.slice(1).map((time, i) => time - keyframes[i]!))
  t.ok(widest <= (copy.videoCopied ? 10 : 4 + frame), `keyframes at most ${widest.toFixed(2)} s apart`)
}

async function checkPlays (t: Test, url: string, copy: PlaybackCopy): Promise<void> {
  const played = await playInBrowser(url)
  t.equal(played.error, undefined, 'Chromium reports no error')
  t.ok(played.played, 'Chromium plays it')
  t.ok(played.seeked, 'Chromium seeks to the middle')
  t.ok(played.decodedFrames > 0, `Chromium decoded ${played.decodedFrames} frames`)
  t.same([played.videoWidth, played.videoHeight], [copy.width, copy.height], 'Chromium shows it upright')
  t.ok(Math.abs(played.durationS - copy.durationS) <= SOURCE_FRAME_S, `Chromium reads its duration: ${played.durationS} s`)
}

t.test('a portrait phone MP4 (H.264 + AAC, rotated 90°, variable frame rate) becomes an upright VP9 + Opus WebM', async (t) => {
  const made = phoneVideo(dir)
  const probe = await probeVideo(made.file, tools)
  t.equal(probe.rotation, 90, 'the engine reads a quarter turn clockwise')
  const [copy, ...more] = await makePlaybackCopies(made.file, outDir('phone'), probe, { maxHeight: 720, tools })
  t.equal(more.length, 0, 'one copy by default')
  t.equal(copy!.videoCopied, false)
  await checkWebmCopy(t, copy!, made)
  // Upright, not upside down: the white bar drawn across the top of the upright picture is on top.
  const top = rowBrightness(copy!.file, 360, 640, 4, PHONE_BAR_ROWS - 4)
  const bottom = rowBrightness(copy!.file, 360, 640, 640 - PHONE_BAR_ROWS + 4, 636)
  t.ok(top > 235 && bottom < 200, `white bar on top (top rows ${top.toFixed(0)}, bottom rows ${bottom.toFixed(0)})`)
  await checkPlays(t, urlOf(copy!, 'phone.webm'), copy!)
})

t.test('scaled down to maxHeight with even sides, never up; an MP4 (H.264 + AAC, faststart) beside the WebM when asked', async (t) => {
  t.same(playbackSize({ displayWidth: 640, displayHeight: 360 }, 720), { width: 640, height: 360 }, 'never scaled up')
  t.same(playbackSize({ displayWidth: 1920, displayHeight: 1080 }, 720), { width: 1280, height: 720 })
  t.same(playbackSize({ displayWidth: 641, displayHeight: 361 }, 720), { width: 640, height: 360 }, 'odd sides made even')
  const made = phoneVideo(dir, 3)
  const probe = await probeVideo(made.file, tools)
  const copies = await makePlaybackCopies(made.file, outDir('small'), probe, { maxHeight: 321, tools, formats: ['webm', 'mp4'] })
  t.same(copies.map((c) => [c.format, c.contentType, c.codecs.join('+'), c.width, c.height]),
    [['webm', 'video/webm', 'vp9+opus', 180, 320], ['mp4', 'video/mp4', 'h264+aac', 180, 320]])
  const mp4 = copies[1]!
  const bytes = fs.readFileSync(mp4.file)
  t.ok(bytes.indexOf('moov') < bytes.indexOf('mdat'), 'faststart: the index before the media')
  t.ok(Math.abs(mp4.durationS - made.durationS) <= SOURCE_FRAME_S, `MP4 duration ${mp4.durationS} s`)
  const times = videoFrameTimes(mp4.file)
  t.ok(times.length === made.frameTimesS.length && times.every((time, i) => Math.abs(time - made.frameTimesS[i]!) <= 0.001), 'the MP4 keeps every frame time too')
  await checkPlays(t, urlOf(copies[0]!, 'small.webm'), copies[0]!)
  await checkPlays(t, urlOf(mp4, 'small.mp4'), mp4)
})

t.test('a MediaRecorder-style VP9 WebM (no duration, no Cues) gets both by a copy of its streams', async (t) => {
  const made = browserRecording(dir)
  const source = `http://127.0.0.1:${(server.address() as AddressInfo).port}/${path.basename(made.file)}`
  t.equal((await playInBrowser(source)).durationS, Infinity, 'Chromium cannot tell the recording\'s own duration')
  const probe = await probeVideo(made.file, tools)
  const [copy] = await makePlaybackCopies(made.file, outDir('browser'), probe, { maxHeight: 720, tools })
  t.equal(copy!.videoCopied, true, 'the VP9 is copied, not encoded again')
  await checkWebmCopy(t, copy!, made)
  await checkPlays(t, urlOf(copy!, 'browser.webm'), copy!)
})

t.test('a VP8 WebM without audio becomes a video-only VP9 WebM', async (t) => {
  const made = browserRecording(dir, { codec: 'vp8', audio: false })
  const probe = await probeVideo(made.file, tools)
  const [copy] = await makePlaybackCopies(made.file, outDir('silent'), probe, { maxHeight: 720, tools })
  t.equal(copy!.videoCopied, false)
  await checkWebmCopy(t, copy!, made)
  await checkPlays(t, urlOf(copy!, 'silent.webm'), copy!)
})

t.test('a damaged or truncated recording fails with a MediaError and leaves no copy', async (t) => {
  // A WebM whose header states 6 s, cut after half its bytes: its frames stop near 3 s.
  const whole = path.join(dir, 'whole.webm')
  const made = browserRecording(dir)
  spawnSync('ffmpeg', ['-v', 'error', '-i', made.file, '-c', 'copy', whole])
  const cut = path.join(dir, 'cut.webm')
  const bytes = fs.readFileSync(whole)
  fs.writeFileSync(cut, bytes.subarray(0, bytes.length / 2))
  const cutProbe = await probeVideo(cut, tools)
  t.ok(cutProbe.durationS > 5.9, 'the header still states the whole duration')
  const truncatedOut = outDir('cut')
  await t.rejects(makePlaybackCopies(cut, truncatedOut, cutProbe, { maxHeight: 720, tools }),
    { name: 'MediaError', code: 'truncated', message: /damaged or truncated video: the playback copy ends at [23]\.\d s of the declared 6\.0 s/ })
  t.same(fs.readdirSync(truncatedOut), [], 'the partial copy is removed')

  // An MP4 whose frames are all zeros: the index is intact, no frame decodes.
  const zeroed = path.join(dir, 'zeroed.mp4')
  fs.writeFileSync(zeroed, zeroMdat(fs.readFileSync(path.join(fixtures, 'video/single_face.mp4'))))
  const zeroedOut = outDir('zeroed')
  const failure = await makePlaybackCopies(zeroed, zeroedOut, await probeVideo(zeroed, tools), { maxHeight: 720, tools }).catch((error: unknown) => error)
  t.ok(failure instanceof MediaError, 'a MediaError')
  t.match(failure, { code: 'not_media', message: /could not make the playback copy: the recording cannot be decoded \(h264: .*ffmpeg exited with code/ })
  t.same(fs.readdirSync(zeroedOut), [], 'nothing left behind')
})

t.test('an aborted signal or the time limit stops ffmpeg, and nothing is left behind', async (t) => {
  const made = phoneVideo(dir, 2)
  const probe = await probeVideo(made.file, tools)
  const controller = new AbortController()
  controller.abort(new Error('analysis cancelled'))
  const out = outDir('aborted')
  await t.rejects(makePlaybackCopies(made.file, out, probe, { maxHeight: 720, tools, signal: controller.signal }), { message: 'analysis cancelled' })
  t.same(fs.readdirSync(out), [])
  await t.rejects(makePlaybackCopies(made.file, out, probe, { maxHeight: 720, tools, timeoutMs: 1 }),
    { name: 'MediaError', code: 'timeout', message: /ffmpeg did not finish within 1 ms/ }, 'ffmpeg past its time limit: a timeout, retried')
  t.same(fs.readdirSync(out), [], 'nothing left behind')
  await t.rejects(makePlaybackCopies(made.file, out, probe, { maxHeight: 720, tools, formats: [] }), RangeError)
})

/** An MP4 with the payload of its mdat box zeroed (its moov index left as it was). */
function zeroMdat (mp4: Buffer): Buffer {
  const out = Buffer.from(mp4)
  for (let at = 0; at + 8 <= out.length;) {
    const size = out.readUInt32BE(at)
    if (size < 8) throw new Error(`box of ${size} bytes at ${at}: not a plain MP4`)
    if (out.toString('latin1', at + 4, at + 8) === 'mdat') out.fill(0, at + 8, at + size)
    at += size
  }
  return out
}
