/**
 * Mutation fuzzing of media through the real worker path, small enough for every CI run: each
 * mutation category on each base video once (28 variants; `npm run fuzz:media` runs 200 and
 * more). Mutated files go through POST /analyze (or straight to the queue when it refuses them)
 * to real `npm run worker` processes; each must end completed or failed with a code and a
 * message, with no worker or job process dying, no job outliving the time limit, and nothing
 * left in CANDOR_TMP_DIR or running. MEDIA_FUZZ_SEED / MEDIA_FUZZ_VARIANTS explore further.
 */
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import t from 'tap'
import { makeBaseVideos } from '../support/media-fuzz/base-videos.js'
import { CATEGORIES, layoutOf, makeVariant, makeVariants } from '../support/media-fuzz/mutations.js'
import { runMediaFuzz, formatReport } from '../helpers/media-fuzz.js'
import type { TestContext } from '../helpers/environment.js'
import { statedFramesOverTime } from '../helpers/hostile-media.js'
import { sharedEngine, tools } from '../helpers/engine.js'
import { matroskaLayout } from '../support/media-fuzz/layout.js'
import { loadConfig } from '../../src/config.js'
import { MediaLimitError } from '../../src/media/limits.js'

const seed = Number(process.env.MEDIA_FUZZ_SEED ?? 20240808)
const variants = Number(process.env.MEDIA_FUZZ_VARIANTS ?? CATEGORIES.length * 4)

async function tempDir (t: TestContext): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'candor-media-fuzz-'))
  t.teardown(() => fs.rm(dir, { recursive: true, force: true }))
  return dir
}

t.test('the mutations: reproducible from the seed, aimed at the fields that matter', async (t) => {
  const bases = await makeBaseVideos(await tempDir(t))
  const labels = bases.map((base) => layoutOf(base).sites.map((site) => site.label).join(' '))
  for (const [i, wanted] of [
    [0, /Video\/PixelWidth .*Video\/PixelHeight/], [0, /Info\/Duration/], [0, /Info\/TimecodeScale/], [0, /SimpleBlock#2\.timecode/],
    [1, /moov\/mvhd\.timescale/], [1, /tkhd\.width/], [1, /mdhd\.duration/], [1, /stsz\[\d+\]\.entry_size/], [1, /stco\[0\]\.chunk_offset/], [1, /avcC\.sps/],
    [3, /TrackEntry\/DefaultDuration/], [3, /CodecPrivate/]
  ] as const) t.match(labels[i], wanted, `${bases[i]!.name}: ${wanted}`)
  t.ok(layoutOf(bases[2]!).payload.start < layoutOf(bases[2]!).payload.end && layoutOf(bases[2]!).payload.end < bases[2]!.data.length, 'mp4tail: mdat before moov')

  const first = makeVariants(bases, seed, 28)
  t.same(first.map((v) => [v.name, v.mutations, v.data]), makeVariants(bases, seed, 28).map((v) => [v.name, v.mutations, v.data]), 'the same seed gives the same variants')
  t.same(makeVariant(bases, seed, 17).data, first[17]!.data, 'a variant can be rebuilt alone')
  t.ok(first.every((v) => !v.data.equals(bases.find((b) => b.name === v.base)!.data)), 'every variant differs from its base')
  t.same(new Set(first.map((v) => `${v.base}/${v.category}`)).size, 28, 'every category on every base')
})

t.test('mutated videos through the API and real workers: each ends with a verdict, nothing dies, hangs or stays behind', async (t) => {
  const report = await runMediaFuzz(t, { variants, seed, workers: 2, timeLimitS: 20, dir: await tempDir(t), log: (line) => t.comment(line) })
  for (const line of formatReport(report)) t.comment(line)
  const { outcomes } = report
  t.equal(outcomes.filter((o) => o.analysisId !== null).length, variants, 'every variant reached a worker')
  t.ok(outcomes.every((o) => o.status === 'completed' || (o.status === 'failed' && o.code && o.message)), 'each ended completed or failed with a code and a message')
  t.ok(outcomes.some((o) => o.status === 'completed') && outcomes.some((o) => o.status === 'failed'), 'some variants still play, others are refused')
  t.same(report.workerExits, [], 'no worker process died')
  t.ok(report.jobProcesses.seen >= 1 && report.jobProcesses.seen <= report.jobProcesses.expected, `no job process restarted (${report.jobProcesses.seen} for ${report.jobProcesses.expected} workers)`)
  t.same(report.leftoverTempFiles, [], 'no temp file left')
  t.same(report.strayProcesses, [], 'no ffmpeg or ffprobe left running')
  t.same(report.violations, [], 'no violation')
})

t.test('found by fuzzing: a header that says 1.5 s over frames that span two hours is refused before decoding', async (t) => {
  // A SimpleBlock timecode pushed 33 s ahead passed MAX_VIDEO_SECONDS=30 and completed. Made
  // larger: three frames over 2 h stating 30 fps, the Duration element set to 1.5 s. Resampled
  // (options.fps 5) ffmpeg fills the span with 36000 frames that only the job time limit stopped.
  const file = path.join(await tempDir(t), 'understated.webm')
  const data = await fs.readFile(statedFramesOverTime(file, 30, 7200))
  const duration = matroskaLayout(data).sites.find((site) => site.label === 'Segment/Info/Duration')!
  data.writeDoubleBE(1500, duration.offset)
  await fs.writeFile(file, data)
  const limits = loadConfig({}).limits
  const engine = await sharedEngine()
  const started = performance.now()
  const error = await engine.analyze(file, tools, { fps: 5, limits, keepFrames: false }).then(() => null, (e: unknown) => e)
  t.ok(error instanceof MediaLimitError, 'refused by a limit')
  t.match(error, { code: 'video_too_long', message: /^video too long: its frames span 2(\.0)?h > 1h limit \(more than the file's header says\)$/ }, 'named as too long')
  t.ok(performance.now() - started < 10_000, `within seconds (${Math.round(performance.now() - started)} ms)`)
})
