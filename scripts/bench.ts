/**
 * npm run bench: speed and memory of the analysis engine, printed (never asserted in tests).
 *
 * Videos: ../shared/fixtures/video/sad_to_happy_pexels.mp4 and a 60 s 640x480 VP9 webm made
 * from it (cached in the temp folder). For each: the default pipeline with every signal on
 * (every frame through tracking, mesh, blendshapes and blink/gaze, emotion at 5 per second,
 * pose at its default rate, voice), then face only. Prints the real-time factor (seconds of
 * video per second of wall time), the per-stage split with ms per call, ffmpeg's decode-only
 * time for the same frames and the ratio to it, and the peak memory of the process; then what
 * the job adds: the event pictures and the playback copy.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { spawnSync } from 'node:child_process'
import { loadConfigOrExit, projectRoot } from '../src/config.js'
import { probeVideo } from '../src/media/ffprobe.js'
import { openFrameStream } from '../src/media/frames.js'
import { AnalysisEngine } from '../src/engine/analyze.js'
import { analyzeVoice } from '../src/signals/voice/engine/index.js'
import { analysisOutcome } from '../src/signals/outcome.js'
import { grabFrames } from '../src/artifacts/frame-grab.js'
import { thumbnailJpeg } from '../src/artifacts/thumbnail.js'
import { annotatedJpeg } from '../src/artifacts/annotate.js'
import { makePlaybackCopies } from '../src/artifacts/playback.js'

const config = loadConfigOrExit()
const fixtures = path.resolve(projectRoot, '..', 'shared', 'fixtures', 'video')
const source = path.join(fixtures, 'sad_to_happy_pexels.mp4')

function sixtySecondWebm (): string {
  const file = path.join(os.tmpdir(), 'candor-bench-60s-640x480-v1.webm')
  if (fs.existsSync(file)) return file
  process.stderr.write('making the 60 s 640x480 webm (once)...\n')
  const made = spawnSync(config.ffmpeg.ffmpegPath, [
    '-hide_banner', '-loglevel', 'error', '-y', '-stream_loop', '3', '-i', source, '-t', '60',
    '-vf', 'scale=640:480:force_original_aspect_ratio=decrease,pad=640:480:(ow-iw)/2:(oh-ih)/2,fps=30',
    '-c:v', 'libvpx-vp9', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', '1M', '-c:a', 'libopus', `${file}.part.webm`
  ], { stdio: 'inherit' })
  if (made.status !== 0) throw new Error('ffmpeg could not make the benchmark video')
  fs.renameSync(`${file}.part.webm`, file)
  return file
}

/** ffmpeg decoding the same frames to raw RGB, as the engine reads them, with nothing else. */
async function decodeOnlyMs (file: string): Promise<number> {
  const video = await probeVideo(file, config.ffmpeg)
  const stream = await openFrameStream(file, video, config.ffmpeg, { maxWidth: config.engine.analysisWidth })
  const started = performance.now()
  for await (const _frame of stream.frames) { /* drain */ }
  return performance.now() - started
}

function peakRssTracker (): { stop: () => number } {
  let peak = process.memoryUsage().rss
  const timer = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss) }, 50)
  return { stop: () => { clearInterval(timer); return Math.max(peak, process.memoryUsage().rss) } }
}

const mib = (bytes: number) => `${(bytes / 1024 ** 2).toFixed(0)} MiB`
const engine = await AnalysisEngine.load({ modelsDir: config.modelsDir, emotionModel: config.engine.emotionModel })
const engineOnlyMs = new Map<string, number>()
const signals = { ...config.engine.signals, face: { emotionFps: 5 } }

async function run (file: string, kinds?: string[]) {
  const memory = peakRssTracker()
  const started = performance.now()
  const result = await engine.analyze(file, config.ffmpeg, { ...(kinds ? { kinds } : {}), signals, keepFrames: false, maxWidth: config.engine.analysisWidth })
  return { result, wallMs: performance.now() - started, peak: memory.stop() }
}

console.log(`Candor engine benchmark  (${os.cpus().length} cores: ${os.cpus()[0]?.model ?? '?'}; node ${process.version})`)
// A worker's engine lives from job to job: measure it warm (JIT, model buffers), as a job after its first.
await engine.analyze(path.join(fixtures, 'single_face.mp4'), config.ffmpeg, { signals, keepFrames: false })
for (const file of [source, sixtySecondWebm()]) {
  const decodeMs = await decodeOnlyMs(file)
  const { result, wallMs, peak } = await run(file)
  engineOnlyMs.set(file, wallMs)
  const { video, sampling, timings } = result
  const realTime = (ms: number) => `${((video.durationS * 1000) / ms).toFixed(2)}x`
  console.log(`\n${path.basename(file)}: ${video.width}x${video.height} ${video.videoCodec}, ${video.durationS.toFixed(1)} s, ${sampling.frames} frames at ${sampling.fps.toFixed(2)} fps (analysed at ${sampling.width}x${sampling.height})`)
  console.log(`  every signal (${Object.keys(result.signals).join(', ')}):`)
  console.log(`    wall time            ${(wallMs / 1000).toFixed(2)} s`)
  console.log(`    real-time factor     ${realTime(wallMs)}   (target >= 4x)`)
  console.log(`    per frame            ${(wallMs / sampling.frames).toFixed(2)} ms`)
  console.log(`    ffmpeg decode only   ${(decodeMs / 1000).toFixed(2)} s   (engine / decode = ${(wallMs / decodeMs).toFixed(2)}x)`)
  console.log(`    peak memory (RSS)    ${mib(peak)}   (target < 1 GiB)`)
  const faceOnly = await run(file, ['face'])
  console.log(`  face only:`)
  console.log(`    wall time            ${(faceOnly.wallMs / 1000).toFixed(2)} s`)
  console.log(`    real-time factor     ${realTime(faceOnly.wallMs)}   (target >= 5x)`)
  console.log(`    peak memory (RSS)    ${mib(faceOnly.peak)}`)
  // The voice stage runs beside the frames; alone it shows what it costs.
  const voiceStarted = performance.now()
  await analyzeVoice(file, config.ffmpeg)
  const voiceMs = performance.now() - voiceStarted
  console.log(`  voice stage alone      ${(voiceMs / 1000).toFixed(2)} s = ${((voiceMs / wallMs) * 100).toFixed(1)} % of the analysis   (target < 10 %)`)
  // Every stage the modules timed (face: detect, mesh, blendshapes, emotion, count_faces; pose; voice; *_metrics).
  // Times are wall time inside a thread that shares 2 cores with the others, so a stage's
  // ms per call here is above its cost alone.
  console.log('  stage split of every-signal run (stages overlap in threads):')
  console.log(`    ${'stage'.padEnd(16)} ${'total ms'.padStart(9)} ${'share'.padStart(7)} ${'calls'.padStart(6)} ${'ms/call'.padStart(8)}`)
  for (const [stage, { ms, calls }] of Object.entries(timings).filter(([key]) => key !== 'total' && key !== 'frames_total')) {
    console.log(`    ${stage.padEnd(16)} ${String(ms).padStart(9)} ${`${((ms / wallMs) * 100).toFixed(1)} %`.padStart(7)} ${String(calls).padStart(6)} ${(ms / calls).toFixed(2).padStart(8)}`)
  }
  await artifactCosts(file, result)
}

/** The job's work after the engine: a picture pair per pictured event, and the playback copy. */
async function artifactCosts (file: string, result: Awaited<ReturnType<typeof run>>['result']): Promise<void> {
  const probe = await probeVideo(file, config.ffmpeg)
  const moments = analysisOutcome(result.signals).events.flatMap((e) => (e.keyMs === undefined ? [] : [e.keyMs]))
  const started = performance.now()
  const grabbed = await grabFrames(file, moments, { tools: config.ffmpeg, probe, width: config.engine.analysisWidth })
  for (const { image } of grabbed) if (image) await Promise.all([thumbnailJpeg(image), annotatedJpeg(image, {})])
  const picturesMs = performance.now() - started
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'candor-bench-copy-'))
  try {
    const copyStarted = performance.now()
    const [copy] = await makePlaybackCopies(file, dir, probe, { maxHeight: config.artifacts.playbackMaxHeight, tools: config.ffmpeg })
    const copyMs = performance.now() - copyStarted
    console.log(`  pictures: ${moments.length} events  ${(picturesMs / 1000).toFixed(2)} s (${moments.length ? (picturesMs / moments.length).toFixed(0) : 0} ms each: grab, thumbnail, annotated)`)
    console.log(`  playback copy          ${(copyMs / 1000).toFixed(2)} s = ${((probe.durationS * 1000) / copyMs).toFixed(1)}x real time (${copy!.codecs.join('+')}, ${copy!.videoCopied ? 'video copied' : 'encoded'}, ${(copy!.bytes / 1e6).toFixed(1)} MB)`)
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

await engine.close()
await endToEnd(source)

/**
 * The same video through the whole service: upload to S3, POST /analyze, the job (download,
 * engine, MongoDB frames, MariaDB scores and events, feedback), polled until completed.
 * Needs the services (scripts/services up); MongoDB is the test double when no server answers.
 */
async function endToEnd (file: string): Promise<void> {
  console.log(`\nend to end (${path.basename(file)}): S3 -> POST /analyze -> job -> MongoDB + MariaDB -> completed`)
  const { buildApp } = await import('../src/app.js')
  const { SCOPES } = await import('../src/auth/api-key.js')
  const { createLogger } = await import('../src/logger.js')
  const { migrate } = await import('../src/db/migrate.js')
  const { loadConfig, LOCAL_S3_ENV } = await import('../src/config.js')
  const { MongoClient } = await import('mongodb')
  let mongoUrl = config.mongodb.url
  let mongoNote = 'MongoDB at MONGODB_URL'
  let double: { close: () => Promise<void> } | null = null
  const probe = new MongoClient(mongoUrl, { serverSelectionTimeoutMS: 1500 })
  try {
    await probe.db().command({ ping: 1 })
  } catch {
    const { startMongoTestServer } = await import('../test/support/mongo-server/index.js')
    const server = await startMongoTestServer()
    double = server
    mongoUrl = `${server.url.replace(/\/$/, '')}/candor_bench`
    mongoNote = 'MongoDB: the wire-protocol test double (no MongoDB server here)'
  } finally {
    await probe.close()
  }
  const name = `candor_bench_${process.pid}`
  const benchConfig = loadConfig({ ...LOCAL_S3_ENV, ...process.env, MONGODB_URL: mongoUrl, MARIADB_URL: config.mariadb.url.replace(/\/[^/]*$/, `/${name}`), QUEUE_PREFIX: name, LOG_LEVEL: 'warn', WORKER_IN_PROCESS: 'true' })
  const app = await buildApp(benchConfig, createLogger(benchConfig))
  try {
    await migrate(benchConfig.mariadb.url)
    await app.ready()
    await app.storage.ensureBucket(benchConfig.s3.uploadsBucket)
    const key = `bench/${Date.now()}-${path.basename(file)}`
    await app.storage.put(benchConfig.s3.uploadsBucket, key, fs.readFileSync(file))
    // The API needs a key, as any client's: a tenant allowed the bench's objects.
    await app.tenants.upsertTenant('bench', { allowedLocations: [{ bucket: benchConfig.s3.uploadsBucket, prefix: 'bench/' }] })
    const headers = { authorization: `Bearer ${(await app.tenants.createKey({ tenantId: 'bench', scopes: [...SCOPES] })).key}` }
    // Warm-up job: the worker child loads its models once; measure the second.
    for (const round of ['warm-up', 'measured']) {
      const started = performance.now()
      const posted = await app.inject({ method: 'POST', url: '/analyze', headers, payload: { s3_bucket: benchConfig.s3.uploadsBucket, s3_key: key, user_id: 'bench', session_id: `${round}-${Date.now()}` } })
      if (posted.statusCode !== 202) throw new Error(`POST /analyze answered ${posted.statusCode}: ${posted.body}`)
      const id = posted.json().analysis_id as string
      let status = 'queued'
      while (status !== 'completed' && status !== 'failed') {
        await new Promise((resolve) => setTimeout(resolve, 100))
        status = (await app.inject({ url: `/analysis/${id}`, headers })).json().status
      }
      const endToEndMs = performance.now() - started
      if (round === 'measured') {
        const engineMs = engineOnlyMs.get(file)!
        console.log(`  ${mongoNote}`)
        console.log(`  end to end           ${(endToEndMs / 1000).toFixed(2)} s (${status})`)
        console.log(`  engine only          ${(engineMs / 1000).toFixed(2)} s`)
        console.log(`  end to end / engine  ${(endToEndMs / engineMs).toFixed(2)}x   (target <= 1.3x)`)
      }
    }
  } catch (error) {
    console.log(`  skipped: ${(error as Error).message} (start the services with scripts/services up)`)
  } finally {
    await app.close()
    await double?.close()
    const mariadb = await import('mariadb')
    const { parseMariaDbUrl } = await import('../src/db/mariadb.js')
    const { database: _db, ...server } = parseMariaDbUrl(benchConfig.mariadb.url)
    const connection = await mariadb.createConnection(server)
    await connection.query(`DROP DATABASE IF EXISTS \`${name}\``).finally(() => connection.end())
  }
}
