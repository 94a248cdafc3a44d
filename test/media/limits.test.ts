/**
 * Media limits judged from the probe, before decoding: the pure check's reasons, what
 * ffprobe's figures become, and small hostile files made here with ffmpeg, each refused from
 * its headers alone.
 */
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import t from 'tap'
import { loadConfig } from '../../src/config.js'
import { probeVideo, toMetadata } from '../../src/media/ffprobe.js'
import { openFrameStream } from '../../src/media/frames.js'
import { checkMediaLimits, checkCountedFrames, MediaLimitError, type LimitedFacts } from '../../src/media/limits.js'
import { fixtures } from '../helpers/environment.js'
import { declaredSize, tenHoursOfTinyFrames, statedFrameRate, manyStreams, growingFrames, unstatedFrameRate } from '../helpers/hostile-media.js'

const tools = { ffmpegPath: 'ffmpeg', ffprobePath: 'ffprobe' }
const limits = loadConfig({}).limits

function refusal (check: () => void): { code: string, message: string } | null {
  try {
    check()
    return null
  } catch (error) {
    if (!(error instanceof MediaLimitError)) throw error
    return { code: error.code, message: error.message }
  }
}

t.test('defaults: 4096x2160, 240 fps, an hour, 216000 frames, 16 streams', async (t) => {
  t.match(limits, { maxVideoPixels: 4096 * 2160, maxVideoFps: 240, maxVideoSeconds: 3600, maxVideoFrames: 216_000, maxMediaStreams: 16 })
  t.same(limits.jobTimeLimit, { baseSeconds: 600, perVideoSecond: 3 })
})

t.test('each limit refuses with a stable code and a message naming the value and the limit', async (t) => {
  const legal: LimitedFacts = { sizeBytes: 5_000_000, durationS: 60, mediaDurationS: 60, width: 1280, height: 720, averageFps: 30, streamCount: 2 }
  t.equal(refusal(() => checkMediaLimits(legal, limits)), null, 'a minute of 720p30 passes')
  const cases: Array<[string, Partial<LimitedFacts>, string, string]> = [
    ['ten hours of 1x1 frames', { durationS: 36_000, mediaDurationS: 36_000, width: 1, height: 1, averageFps: 1 }, 'video_too_long', 'video too long: 10h > 1h limit'],
    ['an audio track that outlasts the video', { durationS: 10, mediaDurationS: 7200 }, 'video_too_long', 'video too long: 2h > 1h limit'],
    ['16384x16384 frames', { width: 16384, height: 16384 }, 'resolution_too_high', 'resolution too high: 16384x16384 = 268.4 MP > 8.8 MP limit'],
    ['1000 fps', { averageFps: 1000 }, 'frame_rate_too_high', 'frame rate too high: 1000 fps > 240 fps limit'],
    ['40 streams', { streamCount: 40 }, 'too_many_streams', 'too many streams: 40 > 16 limit'],
    ['50 minutes at 100 fps', { durationS: 3000, mediaDurationS: 3000, averageFps: 100 }, 'too_many_frames', 'too many frames: 300000 (50min at 100 fps) > 216000 limit'],
    ['3 GiB', { sizeBytes: 3 * 1024 ** 3 }, 'file_too_large', 'video too large: 3.00 GiB > 2.00 GiB limit']
  ]
  for (const [what, change, code, message] of cases) {
    t.same(refusal(() => checkMediaLimits({ ...legal, ...change }, limits)), { code, message }, what)
  }
  t.equal(refusal(() => checkMediaLimits({ ...legal, averageFps: null }, limits)), null, 'an unstated rate waits for the packet count')
  t.same(refusal(() => checkCountedFrames(1500, 1.499, limits)),
    { code: 'frame_rate_too_high', message: 'frame rate too high: 1000 fps counted in the file > 240 fps limit' })
  t.same(refusal(() => checkCountedFrames(300_000, 3000, limits)),
    { code: 'too_many_frames', message: 'too many frames: 300000 in the file > 216000 limit' })
  t.equal(refusal(() => checkCountedFrames(30, 0.04, limits)), null, 'a few frames close together are no rate')
  t.equal(refusal(() => checkCountedFrames(1800, 59.97, limits)), null, 'a minute at 30 fps passes')
})

t.test('the probe exposes what the limits need', async (t) => {
  const stream = { codec_type: 'video', codec_name: 'vp8', width: 640, height: 480 }
  const browser = toMetadata({
    streams: [{ ...stream, avg_frame_rate: '0/0', r_frame_rate: '1000/1' }, { codec_type: 'audio', codec_name: 'opus', duration: '61.5' }],
    format: { duration: '60.2' }
  }, 1)
  t.match(browser, { fps: 1000, averageFps: null, streamCount: 2, durationS: 60.2, mediaDurationS: 61.5 },
    'a rate guessed from the time base is not taken as the average')
  t.match(toMetadata({ streams: [{ ...stream, avg_frame_rate: '1000/1' }] }, 1), { fps: 1000, averageFps: 1000 },
    'a stated 1000 fps is reported, for the limit to judge')
  const refused = toMetadata({ streams: [{ ...stream, width: 0, height: 0, avg_frame_rate: '5/1' }], refusedPictureSize: { width: 16384, height: 16384 } }, 1)
  t.match(refused, { width: 16384, height: 16384 }, 'a size ffmpeg refused to allocate is still reported')
})

t.test('hostile files are refused from their headers, in milliseconds', async (t) => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'candor-limits-'))
  t.teardown(() => fs.rm(dir, { recursive: true, force: true }))
  const files: Array<[string, string, string, RegExp]> = [
    ['16384x16384 declared', await declaredSize(path.join(dir, 'huge.mkv'), 16384, 16384), 'resolution_too_high', /^resolution too high: 16384x16384 = 268\.4 MP > 8\.8 MP limit$/],
    ['8192x8192 declared', await declaredSize(path.join(dir, 'big.mkv'), 8192, 8192), 'resolution_too_high', /^resolution too high: 8192x8192 = 67\.1 MP > 8\.8 MP limit$/],
    ['ten hours of 1x1 frames', tenHoursOfTinyFrames(path.join(dir, 'ten-hours.mkv')), 'video_too_long', /^video too long: 10\.0h > 1h limit$/],
    ['1000 fps', statedFrameRate(path.join(dir, 'fast.mp4'), 1000, 0.3), 'frame_rate_too_high', /^frame rate too high: 1000 fps > 240 fps limit$/],
    ['20 streams', manyStreams(path.join(dir, 'streams.mkv'), 20), 'too_many_streams', /^too many streams: 20 > 16 limit$/]
  ]
  for (const [what, file, code, message] of files) {
    const started = performance.now()
    const video = await probeVideo(file, tools)
    const refused = refusal(() => checkMediaLimits(video, limits))
    t.comment(`${what} (${(await fs.stat(file)).size} bytes): refused in ${Math.round(performance.now() - started)} ms: ${refused?.message}`)
    t.equal(refused?.code, code, what)
    t.match(refused?.message, message, what)
  }
  for (const fixture of ['video/single_face.mp4', 'video/sad_to_happy_pexels.mp4', 'video/face_then_noface.mov', 'video/grid/bbaf2n.mpg']) {
    const video = await probeVideo(path.join(fixtures, fixture), tools)
    t.equal(refusal(() => checkMediaLimits(video, limits)), null, `${fixture} passes`)
  }
})

t.test('the decoder cannot be tricked into larger frames or more of them', async (t) => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'candor-limits-'))
  t.teardown(() => fs.rm(dir, { recursive: true, force: true }))

  // The header (and the first frames) say 64x64; later frames decode at 1024x1024.
  const growing = await growingFrames(path.join(dir, 'growing.webm'), 1024)
  const video = await probeVideo(growing, tools)
  t.match(video, { width: 64, height: 64 }, 'the probe sees only the header size')
  const unlimited = await openFrameStream(growing, video, tools)
  const sizes = new Set<string>()
  let count = 0
  for await (const frame of unlimited.frames) {
    sizes.add(`${frame.width}x${frame.height}:${frame.data.length}`)
    count++
  }
  t.equal(count, 10, 'every frame comes through')
  t.same([...sizes], [`64x64:${64 * 64 * 3}`], 'frames come out at the probed size whatever they decode to: memory stays as planned')

  const limited = await openFrameStream(growing, video, tools, { maxPixels: 100_000 })
  const started = performance.now()
  const error = await (async () => { for await (const _frame of limited.frames) { /* drain */ } })().then(() => null, (e: unknown) => e)
  t.comment(`frames larger than the header said: stopped in ${Math.round(performance.now() - started)} ms`)
  t.type(error, MediaLimitError)
  t.match(error, { code: 'resolution_too_high', message: 'resolution too high: frames decode at 1024x1024 = 1.0 MP > 0.1 MP limit (more than the file\'s header says)' })

  // No stated rate (as in browser recordings): the packets, counted before decoding, are judged.
  const unstated = unstatedFrameRate(path.join(dir, 'unstated.webm'), 1000, 1.5)
  const probed = await probeVideo(unstated, tools)
  t.equal(probed.averageFps, null)
  t.equal(refusal(() => checkMediaLimits(probed, limits)), null, 'the headers alone cannot tell')
  const stream = await openFrameStream(unstated, probed, tools)
  await stream.frames.return(undefined)
  t.equal(stream.packets.count, 1500)
  t.match(refusal(() => checkCountedFrames(stream.packets.count, stream.packets.spanS, limits)),
    { code: 'frame_rate_too_high', message: /^frame rate too high: 100\d(\.\d+)? fps counted in the file > 240 fps limit$/ })
})
