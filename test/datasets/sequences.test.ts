/**
 * The dataset pipeline end to end on real fixture videos, the real engine and the local S3:
 * a folder with good videos and a bad one processed into the bucket; an interrupted run
 * resumed without redoing finished videos; a second run that uploads nothing; dry runs that
 * write nothing; and the CLI's argument checks, presets and config file.
 */
import crypto from 'node:crypto'
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { spawnSync } from 'node:child_process'
import t from 'tap'
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3'
import { projectRoot } from '../../src/config.js'
import { createS3Client } from '../../src/storage/object-storage.js'
import { createExtractor, type Extractor } from '../../src/datasets/extract.js'
import { readManifest, sha256File, type Manifest } from '../../src/datasets/manifest.js'
import { PRESETS, readConfigFile, resolveOptions, OptionsError } from '../../src/datasets/presets.js'
import { LineProgress } from '../../src/datasets/progress.js'
import { runSequences, type RunInput } from '../../src/datasets/run.js'
import { scanVideos } from '../../src/datasets/scan.js'
import { keyFor, uploadFile } from '../../src/datasets/upload.js'
import { ProcessError } from '../../src/media/process-runner.js'
import { fixtures, testEnvironment, type TestContext } from '../helpers/environment.js'

const WRITES = new Set(['PutObjectCommand', 'CreateMultipartUploadCommand', 'UploadPartCommand', 'CompleteMultipartUploadCommand'])

/** An S3 client that counts the commands it sends that write. */
function countingClient (s3: Parameters<typeof createS3Client>[0]) {
  const client = createS3Client(s3)
  const writes: string[] = []
  client.middlewareStack.add((next, context) => async (args) => {
    if (WRITES.has(context.commandName ?? '')) writes.push(`${context.commandName} ${String((args.input as { Key?: string }).Key)}`)
    return next(args)
  }, { step: 'initialize', name: 'countWrites' })
  return { client, writes }
}

async function tempDir (t: TestContext, name: string): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), `candor-${name}-`))
  t.teardown(() => fs.rm(dir, { recursive: true, force: true }))
  return dir
}

async function listBucket (client: S3Client, bucket: string): Promise<string[]> {
  const out = await client.send(new ListObjectsV2Command({ Bucket: bucket }))
  return (out.Contents ?? []).map((o) => `${o.Key} ${o.Size} ${o.ETag} ${o.LastModified?.toISOString()}`).sort()
}

async function snapshotTree (dir: string): Promise<string[]> {
  const entries = await fs.readdir(dir, { recursive: true, withFileTypes: true }).catch(() => null)
  if (!entries) return ['<absent>']
  const lines: string[] = []
  for (const e of entries) {
    const full = path.join(e.parentPath, e.name)
    const stat = await fs.lstat(full)
    lines.push(`${path.relative(dir, full)} ${stat.size} ${stat.mtimeMs}`)
  }
  return lines.sort()
}

function cli (args: string[], env: NodeJS.ProcessEnv) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/sequences.ts', ...args], {
    cwd: projectRoot, encoding: 'utf8', timeout: 120_000, env: { ...env, LOG_LEVEL: 'silent' }
  })
}

t.test('scan: recursive, case-insensitive, stable order, link loops end, output folder left out', async (t) => {
  const dir = await tempDir(t, 'scan')
  await fs.mkdir(path.join(dir, 'b/deep'), { recursive: true })
  for (const name of ['a.mp4', 'a.MOV', 'b/deep/c.webm', 'b/x.txt', 'Z.mkv']) await fs.writeFile(path.join(dir, name), 'x')
  await fs.symlink(dir, path.join(dir, 'b/loop')) // a loop back to the root
  await fs.symlink(path.join(dir, 'missing.mp4'), path.join(dir, 'dangling.mp4'))
  await fs.mkdir(path.join(dir, 'out'))
  await fs.writeFile(path.join(dir, 'out/old.mp4'), 'x')
  const { videos, warnings } = await scanVideos(dir, { exclude: [path.join(dir, 'out')] })
  t.same(videos.map((v) => v.relative), ['Z.mkv', 'a.MOV', 'a.mp4', 'b/deep/c.webm'])
  t.match(warnings.join('\n'), /b\/loop\/: already scanned/)
  t.match(warnings.join('\n'), /dangling\.mp4: a link to nothing readable/)
  const only = await scanVideos(dir, { extensions: ['WEBM'] })
  t.same(only.videos.map((v) => v.relative), ['b/deep/c.webm'])
  await t.rejects(scanVideos(path.join(dir, 'a.mp4')), /is not a folder/)
  await t.rejects(scanVideos(path.join(dir, 'nope')), /does not exist/)
})

t.test('presets: preset < config file < flags, clear errors', async (t) => {
  const dir = await tempDir(t, 'presets')
  const file = path.join(dir, 'team.json')
  await fs.writeFile(file, JSON.stringify({ extends: 'fast', fps: 12, 'min-confidence': 0.6, signals: ['face', 'pose'] }))
  const config = await readConfigFile(file)
  const effective = resolveOptions({ config, configFile: file, flags: { fps: 8 } })
  t.equal(effective.preset, 'fast')
  t.equal(effective.options.fps, 8)
  t.equal(effective.sources.fps, 'flag')
  t.equal(effective.options.minConfidence, 0.6)
  t.equal(effective.sources.minConfidence, 'config')
  t.same(effective.options.signals, ['pose', 'face'])
  t.equal(effective.options.model, PRESETS.fast.model)
  t.equal(effective.sources.model, 'preset')
  t.equal(resolveOptions({ preset: 'high-accuracy', config, flags: {} }).options.model, 'full', '--preset replaces the base the file extends')
  const bad = async (json: unknown, message: RegExp) => {
    await fs.writeFile(file, typeof json === 'string' ? json : JSON.stringify(json))
    await t.rejects(readConfigFile(file), message)
  }
  await bad('{"fps": 5,', /not valid JSON/)
  await bad({ extends: 'turbo' }, /unknown preset "turbo"; the presets are development, production, high-accuracy, fast/)
  await bad({ fps: -1 }, /fps must be a number from 0\.1 to 60, got -1/)
  await bad({ model: 'huge' }, /model must be "lite" or "full"/)
  await bad({ signals: ['pose', 'hands'] }, /signals must be a list of pose, face/)
  await bad({ frames: 10 }, /unknown field "frames"/)
  await bad([1], /must be a JSON object/)
  await t.rejects(readConfigFile(path.join(dir, 'none.json')), OptionsError)
})

t.test('upload: multipart with parallel parts, the sha256 kept with the object, same content not sent again', async (t) => {
  const env = await testEnvironment(t)
  const { client, writes } = countingClient(env.config.s3)
  t.teardown(() => client.destroy())
  const dir = await tempDir(t, 'upload')
  const file = path.join(dir, 'big.bin')
  await fs.writeFile(file, crypto.randomBytes(11 * 1024 * 1024))
  const sha256 = await sha256File(file)
  const bucket = env.config.s3.uploadsBucket
  const loaded: number[] = []
  const first = await uploadFile({ client, bucket, key: 'd/big.bin', file, sha256, partBytes: 5 * 1024 * 1024, onProgress: (n) => loaded.push(n) })
  t.equal(first, 'uploaded')
  t.equal(writes.filter((w) => w.startsWith('UploadPartCommand')).length, 3, 'three 5 MiB parts')
  t.ok(loaded.length > 0, 'progress reported')
  const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: 'd/big.bin' }))
  t.equal(head.ContentLength, 11 * 1024 * 1024)
  t.equal(head.Metadata?.sha256, sha256)
  writes.length = 0
  t.equal(await uploadFile({ client, bucket, key: 'd/big.bin', file, sha256, partBytes: 5 * 1024 * 1024 }), 'unchanged')
  t.same(writes, [], 'nothing sent the second time')
  t.equal(keyFor('/a//b/', 'c/d.npz'), 'a/b/c/d.npz')
  t.equal(keyFor('', 'c.npz'), 'c.npz')
})

t.test('a folder of videos to .npz files in S3: bad video recorded, interrupted run resumed, second run uploads nothing, dry runs write nothing', async (t) => {
  const env = await testEnvironment(t)
  const bucket = env.config.s3.uploadsBucket
  const prefix = 'datasets/run1'
  const { client, writes } = countingClient(env.config.s3)
  t.teardown(() => client.destroy())

  const input = await tempDir(t, 'seq-in')
  const out = path.join(await tempDir(t, 'seq-out'), 'dataset')
  await fs.mkdir(path.join(input, 'grid'))
  await fs.mkdir(path.join(input, 'pose'))
  await fs.symlink(path.join(fixtures, 'video/grid/bbaf2n.mpg'), path.join(input, 'grid/bbaf2n.mpg'))
  await fs.symlink(path.join(fixtures, 'video/grid/lbax4n.mpg'), path.join(input, 'grid/lbax4n.mpg'))
  await fs.symlink(path.join(fixtures, 'pose/street_demo.mp4'), path.join(input, 'pose/street_demo.mp4'))
  await fs.writeFile(path.join(input, 'bad.mp4'), 'this is a text file, not a video\n')
  const configFile = path.join(input, 'dataset.json')
  await fs.writeFile(configFile, JSON.stringify({ extends: 'fast', fps: 5, extensions: ['.mp4', '.mpg'] }))
  const effective = resolveOptions({ config: await readConfigFile(configFile), configFile, flags: { minConfidence: 0.3, concurrency: 1 } })

  // One engine for the whole test, counting what it is asked to extract.
  const real = await createExtractor({ modelsDir: env.config.modelsDir, tools: env.config.ffmpeg, maxWidth: env.config.engine.analysisWidth, limits: env.config.limits })
  t.teardown(() => real.close())
  const extracted: string[] = []
  const extractor: Extractor = {
    extract: (file, options) => {
      extracted.push(path.relative(input, file))
      return real.extract(file, options)
    },
    close: async () => {}
  }
  const lines: string[] = []
  const run = (more: Partial<RunInput> = {}) => runSequences({
    input, out, bucket, prefix, effective, skipUpload: false, dryRun: false, s3: client,
    createExtractor: async () => extractor, progress: new LineProgress((l) => lines.push(l)), print: (l) => lines.push(l), ...more
  })

  await t.test('dry run on a fresh folder: the plan with the effective options, nothing written', async (t) => {
    const r = cli(['--input', input, '--out', out, '--bucket', bucket, '--prefix', prefix, '--config', configFile, '--min-confidence', '0.3', '--dry-run'], env.env)
    t.equal(r.status, 0, r.stderr)
    t.match(r.stdout, /dry run: nothing is extracted, written or uploaded/)
    t.match(r.stdout, /preset: fast \(extended by .*dataset\.json\)/)
    t.match(r.stdout, /fps\s+5\s+\(config\)/)
    t.match(r.stdout, /min-confidence\s+0\.3\s+\(flag\)/)
    t.match(r.stdout, /model\s+lite\s+\(preset\)/)
    t.match(r.stdout, /extract bad\.mp4 -> bad\.mp4\.npz \(new\); upload to datasets\/run1\/bad\.mp4\.npz/)
    t.match(r.stdout, /extract grid\/bbaf2n\.mpg -> grid\/bbaf2n\.mpg\.npz/)
    t.match(r.stdout, /would extract 4, skip 0 done, skip 0 empty; upload 4 file\(s\) and the manifest/)
    t.same(await snapshotTree(out), ['<absent>'], 'no output folder')
    t.same(await listBucket(client, bucket), [], 'bucket untouched')
  })

  await t.test('interrupted after the first finished video', async (t) => {
    const controller = new AbortController()
    const summary = await run({ signal: controller.signal, afterVideo: (e) => { if (e.status === 'done') controller.abort(new Error('test stop')) } })
    t.ok(summary.interrupted)
    t.same(extracted, ['bad.mp4', 'grid/bbaf2n.mpg'], 'stopped after the first good video')
    const m = (await readManifest(path.join(out, 'manifest.json')))!
    t.same(m.videos.map((v) => [v.video, v.status]), [['bad.mp4', 'failed'], ['grid/bbaf2n.mpg', 'done'], ['grid/lbax4n.mpg', 'pending'], ['pose/street_demo.mp4', 'pending']])
    t.match(m.videos[0]!.error, /no video stream|not a video|invalid|cannot/i, 'the reason is recorded')
    t.equal(await sha256File(path.join(out, 'grid/bbaf2n.mpg.npz')), m.videos[1]!.sha256)
    t.notOk(summary.manifestUpload === 'uploaded', 'an interrupted run does not upload the manifest')
  })

  let afterResume: Manifest
  await t.test('resumed: finished videos are not extracted again, the rest are, all in S3', async (t) => {
    const before = (await readManifest(path.join(out, 'manifest.json')))!
    extracted.length = 0
    writes.length = 0
    const summary = await run()
    t.notOk(summary.interrupted)
    t.same(extracted, ['bad.mp4', 'grid/lbax4n.mpg', 'pose/street_demo.mp4'], 'the done video was skipped, the failed one retried')
    const m = afterResume = (await readManifest(path.join(out, 'manifest.json')))!
    const by = Object.fromEntries(m.videos.map((v) => [v.video, v]))
    t.equal(by['grid/bbaf2n.mpg']!.extractedAt, before.videos[1]!.extractedAt, 'its extraction time is the first run\'s')
    t.equal(by['bad.mp4']!.status, 'failed')
    t.ok(by['bad.mp4']!.error)
    for (const name of ['grid/bbaf2n.mpg', 'grid/lbax4n.mpg', 'pose/street_demo.mp4']) {
      const e = by[name]!
      t.equal(e.status, 'done', name)
      t.ok(e.framesKept! > 0 && e.framesKept! <= e.framesSeen!, `${name}: ${e.framesKept}/${e.framesSeen} frames kept`)
      t.ok(e.npzBytes! > 0 && e.ratio! > 0)
      t.equal(e.s3Key, `${prefix}/${name}.npz`)
      t.equal(e.uploaded, true)
      const local = await sha256File(path.join(out, e.output))
      t.equal(local, e.sha256, `${name}: local file matches the manifest`)
      const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: e.s3Key! }))
      const remote = crypto.createHash('sha256').update(await object.Body!.transformToByteArray()).digest('hex')
      t.equal(remote, local, `${name}: the S3 copy is the local file`)
      t.equal(object.Metadata?.sha256, local)
    }
    t.equal(m.totals.done, 3)
    t.equal(m.totals.failed, 1)
    const remoteManifest = await client.send(new GetObjectCommand({ Bucket: bucket, Key: `${prefix}/manifest.json` }))
    t.equal(await remoteManifest.Body!.transformToString(), await fs.readFile(path.join(out, 'manifest.json'), 'utf8'), 'the manifest went up last, as it is locally')
    t.ok(writes.some((w) => w.includes('grid/bbaf2n.mpg.npz')), 'the first video, interrupted before its upload, went up now')
  })

  await t.test('a second full run uploads nothing and changes nothing', async (t) => {
    const bucketBefore = await listBucket(client, bucket)
    const manifestBefore = await fs.readFile(path.join(out, 'manifest.json'), 'utf8')
    extracted.length = 0
    writes.length = 0
    const summary = await run()
    t.same(writes, [], 'no PUT of any kind')
    t.same(extracted, ['bad.mp4'], 'only the failed video is tried again')
    t.equal(summary.uploaded, 0)
    t.equal(summary.uploadUnchanged, 3)
    t.equal(summary.manifestUpload, 'unchanged')
    t.equal(await fs.readFile(path.join(out, 'manifest.json'), 'utf8'), manifestBefore)
    t.same(await listBucket(client, bucket), bucketBefore)
    t.match(lines.join('\n'), /already there \(same sha256\), not sent/)
  })

  await t.test('dry run on the finished folder: says what it would skip, writes nothing', async (t) => {
    const treeBefore = await snapshotTree(out)
    const bucketBefore = await listBucket(client, bucket)
    const r = cli(['--input', input, '--out', out, '--bucket', bucket, '--prefix', prefix, '--config', configFile, '--min-confidence', '0.3', '--dry-run'], env.env)
    t.equal(r.status, 0, r.stderr)
    t.match(r.stdout, /skip {4}grid\/bbaf2n\.mpg -> grid\/bbaf2n\.mpg\.npz \(done earlier, source and \.npz unchanged\); upload: skip, datasets\/run1\/grid\/bbaf2n\.mpg\.npz already holds it/)
    t.match(r.stdout, /extract bad\.mp4 -> bad\.mp4\.npz \(earlier run: failed/)
    t.match(r.stdout, /would extract 1, skip 3 done/)
    t.same(await snapshotTree(out), treeBefore)
    t.same(await listBucket(client, bucket), bucketBefore)
    // Other extraction options make the done files stale.
    const changed = cli(['--input', input, '--out', out, '--bucket', bucket, '--prefix', prefix, '--config', configFile, '--fps', '4', '--dry-run'], env.env)
    t.match(changed.stdout, /would extract 4, skip 0 done/)
    t.match(changed.stdout, /extraction options changed/)
  })

  await t.test('a changed .npz or source is redone; --skip-upload writes locally only', async (t) => {
    await fs.appendFile(path.join(out, 'pose/street_demo.mp4.npz'), 'x')
    extracted.length = 0
    writes.length = 0
    const summary = await run({ skipUpload: true, bucket: null })
    t.same(extracted, ['bad.mp4', 'pose/street_demo.mp4'])
    t.same(writes, [])
    t.equal(summary.manifestUpload, 'skipped')
    const m = (await readManifest(path.join(out, 'manifest.json')))!
    const street = m.videos.find((v) => v.video === 'pose/street_demo.mp4')!
    t.equal(street.uploaded, false, 'the new file is not in S3 yet')
    t.equal(m.videos.find((v) => v.video === 'grid/lbax4n.mpg')!.uploaded, true, 'what went up earlier stays recorded')
    t.not(street.extractedAt, afterResume.videos.find((v) => v.video === 'pose/street_demo.mp4')!.extractedAt)
  })
})

t.test('a missing tool stops the run (exit 1) instead of failing every video', async (t) => {
  const input = await tempDir(t, 'seq-tool')
  const out = path.join(input, 'out')
  for (const name of ['a.mp4', 'b.mp4', 'c.mp4']) await fs.writeFile(path.join(input, name), 'x')
  const tried: string[] = []
  const extractor: Extractor = {
    extract: async (file) => {
      tried.push(path.basename(file))
      throw new ProcessError('not_found', 'ffprobe', 'ffprobe is not installed or not on PATH (install ffmpeg)')
    },
    close: async () => {}
  }
  await t.rejects(runSequences({
    input, out, bucket: null, prefix: 'p', effective: resolveOptions({ flags: {} }), skipUpload: true, dryRun: false,
    createExtractor: async () => extractor, progress: new LineProgress(() => {}), print: () => {}
  }), /stopped, nothing wrong with the videos: ffprobe is not installed/)
  t.same(tried, ['a.mp4'])
  const m = (await readManifest(path.join(out, 'manifest.json')))!
  t.same(m.videos.map((v) => v.status), ['pending', 'pending', 'pending'], 'nothing marked failed')
})

t.test('CLI: argument and config errors exit 2 with the reason', async (t) => {
  const dir = await tempDir(t, 'seq-cli')
  const env = { ...process.env }
  const expect = (args: string[], code: number, message: RegExp) => {
    const r = cli(args, env)
    t.equal(r.status, code, `${args.join(' ')}: ${r.stderr}`)
    t.match(r.stderr, message)
  }
  expect(['--out', dir], 2, /--input is required/)
  expect(['--input', dir], 2, /--out is required/)
  expect(['--input', dir, '--out', dir, '--fps', 'fast'], 2, /--fps must be a number from 0\.1 to 60, got "fast"/)
  expect(['--input', dir, '--out', dir, '--model', 'huge'], 2, /--model must be "lite" or "full"/)
  expect(['--input', dir, '--out', dir, '--preset', 'turbo'], 2, /--preset: unknown preset "turbo"/)
  expect(['--input', dir, '--out', dir, '--signals', 'pose,hands'], 2, /--signals must be a list of pose, face/)
  expect(['--input', dir, '--out', dir, '--config', path.join(dir, 'none.json')], 2, /--config .*none\.json: cannot read it \(ENOENT\)/)
  expect(['--input', dir, '--out', dir, '--frames', '3'], 2, /Unknown option '--frames'/)
  expect(['--input', path.join(dir, 'missing'), '--out', path.join(dir, 'o'), '--skip-upload'], 1, /cannot read the input folder .*missing: it does not exist/)
  const help = cli(['--help'], env)
  t.equal(help.status, 0)
  t.match(help.stdout, /--input DIR/)
  t.match(help.stdout, /high-accuracy\s+signals pose,face, fps 30/)
})
