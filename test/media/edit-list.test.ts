/**
 * MP4 edit lists. A stream copy cut at a frame that is not a keyframe keeps the packets from
 * the keyframe before it and writes an edit list that starts the presentation at the cut
 * (obama.mp4 is such a file: 158 packets, 55 frames played). ffprobe's nb_frames and the
 * packet count include the packets before the cut; the stream duration and the decoder do
 * not. The expected frame count must be the decoder's, or every such file is reported as
 * "video ends early ... (damaged file)"; a file that really is damaged must still be.
 */
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { spawnSync } from 'node:child_process'
import t from 'tap'
import { probeVideo, MediaError } from '../../src/media/ffprobe.js'
import { openFrameStream, type VideoFrame } from '../../src/media/frames.js'
import { fixtures } from '../helpers/environment.js'
import { ffmpeg } from '../helpers/hostile-media.js'
import { sharedEngine, tools } from '../helpers/engine.js'

const source = path.join(fixtures, 'video/single_face.mp4') // 72 frames at 30 fps, one keyframe

async function decodeAll (frames: AsyncGenerator<VideoFrame>): Promise<VideoFrame[]> {
  const all: VideoFrame[] = []
  for await (const frame of frames) all.push(frame)
  return all
}

function ffprobeStream (file: string): { nb_frames: string, duration: string } {
  const probed = spawnSync('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=nb_frames,duration', '-of', 'json', file], { encoding: 'utf8' })
  return (JSON.parse(probed.stdout) as { streams: Array<{ nb_frames: string, duration: string }> }).streams[0]!
}

/** Zeroes the bytes from half the file to 95 %: the index is intact, half the frames are garbage. */
async function damaged (from: string, out: string): Promise<string> {
  const data = await fs.readFile(from)
  data.fill(0, Math.floor(data.length / 2), Math.floor(data.length * 0.95))
  await fs.writeFile(out, data)
  return out
}

t.test('an edit list that plays part of the media: the frames expected are the frames decoded', async (t) => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'candor-editlist-'))
  t.teardown(() => fs.rm(dir, { recursive: true, force: true }))
  const cut = path.join(dir, 'cut.mp4')
  ffmpeg(['-ss', '1.5', '-i', source, '-c', 'copy', cut])

  // What ffprobe says on its own: every packet counted, the edit list's duration.
  const stream = ffprobeStream(cut)
  t.equal(Number(stream.nb_frames), 72, 'nb_frames counts every packet in the file')
  t.ok(Math.abs(Number(stream.duration) - 0.9) < 0.01, 'the stream duration is the edit list\'s (0.9 s)')

  const video = await probeVideo(cut, tools)
  t.match(video.packets, { count: 72, played: 27 }, 'the packets the edit list skips are told apart')
  t.equal(video.frameCount, 27, 'the frame count respects the edit list')
  t.ok(Math.abs(video.durationS - 0.9) < 0.01)

  const frames = await openFrameStream(cut, video, tools)
  t.equal(frames.expectedFrames, 27)
  t.equal(frames.packets.count, 72, 'the limits still judge every packet the decoder reads')
  const decoded = await decodeAll(frames.frames)
  t.ok(Math.abs(decoded.length - frames.expectedFrames) <= 2, `decoded ${decoded.length} of ${frames.expectedFrames} expected`)
  t.ok(decoded.length >= frames.expectedFrames * 0.9, 'the engine\'s "video ends early" check passes')
  t.equal(decoded[0]!.timeMs, 0, 'times start at the edit list\'s start')
  t.ok(decoded.every((f, i) => i === 0 || f.timeMs > decoded[i - 1]!.timeMs), 'times increase')
  t.ok(Math.abs(decoded.at(-1)!.timeMs - 866.7) < 1, 'and end where the played part ends')

  const resampled = await openFrameStream(cut, video, tools, { fps: 10 })
  t.equal(resampled.expectedFrames, 9, 'at a lower rate: the edit list\'s duration times the rate')
  t.ok(Math.abs((await decodeAll(resampled.frames)).length - 9) <= 1)

  const engine = await sharedEngine()
  const result = await engine.analyze(cut, tools)
  t.same(result.warnings, [], 'the engine warns of nothing')
  t.equal(result.sampling.frames, 27)
})

t.test('a damaged file is still reported', async (t) => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'candor-editlist-'))
  t.teardown(() => fs.rm(dir, { recursive: true, force: true }))
  // The index first (faststart), so that the file stays readable when its end is missing.
  const whole = path.join(dir, 'whole.mp4')
  ffmpeg(['-i', source, '-c', 'copy', '-movflags', '+faststart', whole])

  // Frames whose data is garbage: the packets are all there, the decoder gives half of them.
  const garbage = await damaged(whole, path.join(dir, 'garbage.mp4'))
  const video = await probeVideo(garbage, tools)
  const frames = await openFrameStream(garbage, video, tools)
  t.equal(frames.expectedFrames, 72)
  const decoded = (await decodeAll(frames.frames)).length
  t.ok(decoded < frames.expectedFrames * 0.9, `decoded ${decoded} of ${frames.expectedFrames}: the engine's check fires`)
  const result = await (await sharedEngine()).analyze(garbage, tools)
  t.match(result.warnings, [/^video ends early: decoded \d+ of 72 expected frames \(damaged file\)$/])

  // An upload cut off half-way: the packets stop long before the declared duration.
  const data = await fs.readFile(whole)
  const truncated = path.join(dir, 'truncated.mp4')
  await fs.writeFile(truncated, data.subarray(0, Math.floor(data.length / 2)))
  const cutOff = await probeVideo(truncated, tools)
  t.ok(cutOff.packets!.played < 60, `${cutOff.packets!.played} packets of 72 left`)
  const error = await openFrameStream(truncated, cutOff, tools).then(() => null, (e: unknown) => e)
  t.type(error, MediaError)
  t.match(error, { code: 'truncated', message: /^damaged or truncated video: frames stop at \d\.\d s of the declared 2\.4 s$/ })
})
