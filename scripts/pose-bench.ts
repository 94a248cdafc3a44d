/**
 * npm run bench:pose -- [video]: what the pose stage costs, lite against full. The
 * frames of the video (default ../shared/fixtures/video/sad_to_happy_pexels.mp4, at the
 * analysis width) on the default pose rate's grid go through the pose worker thread, once per
 * model variant; prints ms per analysed frame end to end (frame transfer, detector when
 * needed, landmarks) and the worker's split. `npm run bench` shows the stage inside a whole
 * analysis.
 */
import path from 'node:path'
import { loadConfigOrExit, projectRoot } from '../src/config.js'
import { probeVideo } from '../src/media/ffprobe.js'
import { openFrameStream, type VideoFrame } from '../src/media/frames.js'
import { startPoseStage, POSE_STAGE_DEFAULTS } from '../src/signals/pose/stage.js'

const config = loadConfigOrExit()
const file = process.argv[2] ?? path.resolve(projectRoot, '..', 'shared', 'fixtures', 'video', 'sad_to_happy_pexels.mp4')
const video = await probeVideo(file, config.ffmpeg)
const stream = await openFrameStream(file, video, config.ffmpeg, { maxWidth: config.engine.analysisWidth })
const frames: VideoFrame[] = []
for await (const frame of stream.frames) frames.push(frame)

const stage = await startPoseStage({ modelsDir: config.modelsDir, emotionModel: config.engine.emotionModel })
console.log(`pose stage: ${path.basename(file)}, ${frames.length} frames at ${stream.width}x${stream.height}`)
for (const poseModel of [0, 1] as const) {
  for (const warm of [true, false]) {
    await stage.reset({ poseFps: POSE_STAGE_DEFAULTS.poseFps, poseModel })
    let found = 0
    let analysed = 0
    let ms = 0
    for (const frame of warm ? frames.slice(0, 30) : frames) {
      if (!stage.wants(frame.timeMs)) continue
      const copy = { ...frame, data: frame.data.slice() }
      const started = performance.now()
      const { pose } = await stage.process(copy, new Map())
      ms += performance.now() - started
      analysed++
      if (pose) found++
    }
    if (warm) continue
    const split = Object.entries(await stage.timings()).map(([k, v]) => `${k} ${(v.ms / analysed).toFixed(1)} ms`).join(', ')
    console.log(`  ${poseModel === 0 ? 'lite' : 'full'}: ${(ms / analysed).toFixed(1)} ms a frame (${split}); ${analysed} frames at ${POSE_STAGE_DEFAULTS.poseFps}/s, body in ${found}`)
  }
}
await stage.close()
