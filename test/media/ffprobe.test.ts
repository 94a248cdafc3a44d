import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import t from 'tap'
import { probeVideo, toMetadata, ffmpegVersion, MediaError } from '../../src/media/ffprobe.js'
import { fixtures } from '../helpers/environment.js'

const tools = { ffmpegPath: 'ffmpeg', ffprobePath: 'ffprobe' }

t.test('reads the fixture videos', async (t) => {
  const single = await probeVideo(path.join(fixtures, 'video/single_face.mp4'), tools)
  t.match(single, { width: 640, height: 360, fps: 30, frameCount: 72, videoCodec: 'h264', hasAudio: true, rotation: 0 })
  t.ok(Math.abs(single.durationS - 2.4) < 0.05)
  const pexels = await probeVideo(path.join(fixtures, 'video/sad_to_happy_pexels.mp4'), tools)
  t.ok(Math.abs(pexels.fps - 23.976) < 0.001)
  t.equal(pexels.frameCount, 472)
  const hevc = await probeVideo(path.join(fixtures, 'video/face_then_noface.mov'), tools)
  t.equal(hevc.videoCodec, 'hevc')
  const grid = await probeVideo(path.join(fixtures, 'video/grid/bbaf2n.mpg'), tools)
  t.match(grid, { container: 'mpeg', videoCodec: 'mpeg1video', audioCodec: 'mp2', fps: 25 })
})

t.test('bad input gets an error naming what is wrong', async (t) => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'candor-probe-'))
  t.teardown(() => fs.rm(dir, { recursive: true, force: true }))
  const empty = path.join(dir, 'empty.webm')
  await fs.writeFile(empty, '')
  const text = path.join(dir, 'text.webm')
  await fs.writeFile(text, 'this is not a video\n'.repeat(100))
  const expectations: Array<[string, string, RegExp]> = [
    [path.join(dir, 'missing.webm'), 'file_not_found', /video file not found/],
    [empty, 'empty_file', /the file is empty/],
    [text, 'not_media', /not a video: ffprobe cannot read it/],
    [path.join(fixtures, 'audio/jfk.wav'), 'no_video_stream', /not a video: no video stream/]
  ]
  for (const [file, code, message] of expectations) {
    const error = await probeVideo(file, tools).then(() => null, (e: unknown) => e)
    t.type(error, MediaError, path.basename(file))
    t.equal((error as MediaError).code, code)
    t.match((error as MediaError).message, message)
  }
})

t.test('rotation from the display matrix and the legacy tag', async (t) => {
  const stream = { codec_type: 'video', codec_name: 'h264', width: 1920, height: 1080, avg_frame_rate: '30/1' }
  t.equal(toMetadata({ streams: [{ ...stream, side_data_list: [{ rotation: -90 }] }] }, 1).rotation, 90)
  t.equal(toMetadata({ streams: [{ ...stream, tags: { rotate: '270' } }] }, 1).rotation, 270)
  const portrait = toMetadata({ streams: [{ ...stream, side_data_list: [{ rotation: 90 }] }] }, 1)
  t.match(portrait, { rotation: 270, displayWidth: 1080, displayHeight: 1920 })
  t.throws(() => toMetadata({ streams: [{ codec_type: 'video', width: 300, height: 300, disposition: { attached_pic: 1 } }] }, 1),
    /no video stream/, 'cover art is not a video')
})

t.test('reports a missing ffmpeg clearly', async (t) => {
  t.match(await ffmpegVersion(tools), /^\d+\.\d+/)
  await t.rejects(ffmpegVersion({ ffmpegPath: '/nonexistent/ffmpeg', ffprobePath: 'ffprobe' }), /not installed or not on PATH/)
})
