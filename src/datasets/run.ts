/**
 * One dataset run: scan the input folder, decide per video what to do from the earlier run's
 * manifest, extract (a few videos at once, each with its own engine), write each .npz and the
 * manifest atomically, upload in parallel, and the manifest last. A bad video is recorded with
 * its reason and the run goes on; an abort (Ctrl-C) stops at once and leaves a manifest that
 * the next run resumes from. A dry run decides the same way and prints the plan, writing
 * nothing at all.
 *
 * Output layout: <out>/<path of the video under the input>.npz, the video's own extension kept
 * (clip.mp4 -> clip.mp4.npz), so clip.mp4 and clip.mov never collide; S3 key
 * <prefix>/<the same path>.npz; <out>/manifest.json and <prefix>/manifest.json.
 */
import fs from 'node:fs/promises'
import path from 'node:path'
import { HeadBucketCommand, type S3Client } from '@aws-sdk/client-s3'
import type { Extractor, ExtractOptions } from './extract.js'
import { encodeNpz, HEADER_MEMBER } from './npz.js'
import {
  emptyEntry, ManifestWriter, MANIFEST_FILE, MANIFEST_VERSION, readManifest, round, sha256Bytes, sha256File, computeTotals,
  writeFileAtomic, type Manifest, type ManifestEntry, type ManifestTotals
} from './manifest.js'
import { describeOptions, extractionFingerprint, type EffectiveOptions } from './presets.js'
import type { RunProgress } from './progress.js'
import { scanVideos } from './scan.js'
import { keyFor, remoteSha256, TaskQueue, uploadFile } from './upload.js'
import { formatBytes, percent } from '../format.js'
import { MediaError } from '../media/ffprobe.js'
import { ProcessError } from '../media/process-runner.js'

export interface RunInput {
  input: string
  out: string
  /** Where to upload; null when uploads are skipped. */
  bucket: string | null
  prefix: string
  effective: EffectiveOptions
  skipUpload: boolean
  dryRun: boolean
  /** Needed unless uploads are skipped (a dry run without it cannot tell what S3 holds). */
  s3?: S3Client
  /** Called once per extraction slot, only when something is to be extracted. */
  createExtractor: () => Promise<Extractor>
  progress: RunProgress
  /** The plan and the summary (stdout in the CLI). */
  print: (line: string) => void
  signal?: AbortSignal
  /** Called after each video is finished (done or failed), with its manifest entry. */
  afterVideo?: (entry: Readonly<ManifestEntry>) => void
  partBytes?: number
}

export type VideoAction = 'extract' | 'reuse' | 'skip-empty'
export type UploadAction = 'upload' | 'unchanged' | 'skip-upload' | 'none'

export interface PlanItem {
  video: string
  action: VideoAction
  /** Why a video is extracted again, or why it is skipped. */
  reason: string
  output: string
  s3Key: string | null
  upload: UploadAction
}

export interface RunSummary {
  plan: PlanItem[]
  warnings: string[]
  extracted: number
  reused: number
  failed: number
  skipped: number
  pending: number
  uploaded: number
  uploadUnchanged: number
  uploadFailed: number
  interrupted: boolean
  elapsedMs: number
  /** Seconds of video extracted in this run, and the wall time of the extraction phase. */
  videoSeconds: number
  extractPhaseMs: number
  totals: ManifestTotals | null
  manifestFile: string | null
  manifestUpload: 'uploaded' | 'unchanged' | 'skipped' | 'failed' | null
}

export class RunError extends Error {
  constructor (message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'RunError'
  }
}

function npzName (relative: string): string {
  return `${relative}.npz`
}

function abortReason (signal?: AbortSignal): boolean {
  return signal?.aborted === true
}

/** Short reason from an extraction error for the manifest: the message, first line. */
function reasonOf (error: unknown): string {
  const message = error instanceof Error ? error.message : String(error)
  return message.split('\n')[0]!.slice(0, 500)
}

export async function runSequences (run: RunInput): Promise<RunSummary> {
  const started = performance.now()
  const input = path.resolve(run.input)
  const out = path.resolve(run.out)
  const { options } = run.effective
  const fingerprint = extractionFingerprint(options)
  const upload = !run.skipUpload
  if (upload && (!run.bucket || !run.s3)) throw new RunError('uploading needs a bucket and an S3 client (or --skip-upload)')

  const outStat = await fs.stat(out).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return null
    throw new RunError(`cannot use the output folder ${out}: ${error.message}`)
  })
  if (outStat && !outStat.isDirectory()) throw new RunError(`the output ${out} is not a folder`)
  if (out === input) throw new RunError('the output folder must not be the input folder')

  const { videos, warnings } = await scanVideos(input, { extensions: options.extensions, exclude: [out] })
  const manifestFile = path.join(out, MANIFEST_FILE)
  const previous = await readManifest(manifestFile)
  const before = new Map((previous?.videos ?? []).map((v) => [v.video, v]))
  if (previous && previous.input !== input) warnings.push(`the manifest was written for the input ${previous.input}; videos are matched by their path under the input, size and content`)
  const found = new Set(videos.map((v) => v.relative))
  const gone = [...before.keys()].filter((v) => !found.has(v))
  if (gone.length > 0) warnings.push(`${gone.length} video(s) of the earlier run are no longer in the input (${gone.slice(0, 3).join(', ')}${gone.length > 3 ? ', ...' : ''}); their .npz files are left in place`)

  // Decide per video, from the earlier manifest and what is on disk.
  const entries: ManifestEntry[] = []
  const plan: PlanItem[] = []
  for (const video of videos) {
    const output = npzName(video.relative)
    const s3Key = upload ? keyFor(run.prefix, output) : null
    const prev = before.get(video.relative)
    let action: VideoAction = 'extract'
    let reason = prev ? `earlier run: ${prev.status}${prev.error ? ` (${prev.error})` : ''}` : 'new'
    let entry = emptyEntry(video.relative, output, video)
    if (video.size === 0) {
      action = 'skip-empty'
      reason = 'empty file (0 bytes)'
      entry = { ...entry, status: 'skipped', error: reason }
    } else if (prev?.status === 'done') {
      const check = await reusable(prev, video, path.join(out, output), fingerprint)
      if (check.ok) {
        action = 'reuse'
        reason = 'done earlier, source and .npz unchanged'
        entry = { ...prev, videoMtimeMs: video.mtimeMs, output, error: null }
        // A new bucket or prefix: the file has to go there too. Without uploads, what the
        // earlier run uploaded stays recorded.
        if (upload && prev.s3Key !== s3Key) Object.assign(entry, { s3Key, uploaded: false, uploadedAt: null })
      } else {
        reason = check.reason
      }
    }
    if (action === 'extract') entry.s3Key = s3Key
    entries.push(entry)
    plan.push({ video: video.relative, action, reason, output, s3Key, upload: action === 'skip-empty' ? 'none' : upload ? 'upload' : 'skip-upload' })
  }

  const summary: RunSummary = {
    plan, warnings, extracted: 0, reused: plan.filter((p) => p.action === 'reuse').length, failed: 0, skipped: 0, pending: 0,
    uploaded: 0, uploadUnchanged: 0, uploadFailed: 0, interrupted: false, elapsedMs: 0, videoSeconds: 0, extractPhaseMs: 0,
    totals: null, manifestFile: null, manifestUpload: null
  }

  if (run.dryRun) {
    await printPlan(run, plan, entries, warnings)
    summary.elapsedMs = performance.now() - started
    return summary
  }

  for (const warning of warnings) run.progress.log(`warning: ${warning}`)
  if (upload) await checkBucket(run.s3!, run.bucket!)
  await fs.mkdir(out, { recursive: true })
  const snapshot = (): Omit<Manifest, 'totals'> => ({
    version: MANIFEST_VERSION, input, bucket: upload ? run.bucket : previous?.bucket ?? null, prefix: run.prefix, preset: run.effective.preset, options, videos: entries
  })
  const writer = new ManifestWriter(manifestFile, snapshot)
  await writer.write()

  // Uploads run beside the extraction, a few files at once.
  const uploads = new TaskQueue(options.uploadConcurrency)
  const uploading: Array<Promise<void>> = []
  const queueUpload = (entry: ManifestEntry) => {
    const file = path.join(out, entry.output)
    const task = uploads.run(async () => {
      if (abortReason(run.signal)) return
      run.progress.uploadAdd(entry.output, entry.npzBytes ?? 0)
      try {
        const outcome = await uploadFile({
          client: run.s3!, bucket: run.bucket!, key: entry.s3Key!, file, sha256: entry.sha256!, contentType: 'application/zip',
          signal: run.signal, ...(run.partBytes ? { partBytes: run.partBytes } : {}),
          onProgress: (loaded) => run.progress.uploadBytes(entry.output, loaded)
        })
        if (outcome === 'uploaded') summary.uploaded++
        else summary.uploadUnchanged++
        if (!entry.uploaded || outcome === 'uploaded') entry.uploadedAt = new Date().toISOString()
        entry.uploaded = true
        entry.error = null
        run.progress.uploadEnd(entry.output, outcome === 'uploaded' ? `uploaded to ${entry.s3Key}` : 'already there (same sha256), not sent')
      } catch (error) {
        if (abortReason(run.signal)) {
          run.progress.uploadEnd(entry.output, 'interrupted')
          return
        }
        summary.uploadFailed++
        entry.uploaded = false
        entry.error = `upload: ${reasonOf(error)}`
        run.progress.uploadEnd(entry.output, `FAILED: ${entry.error}`)
      }
      await writer.write()
    })
    task.catch(() => {}) // awaited below; this only keeps an early failure from counting as unhandled
    uploading.push(task)
  }
  if (upload) for (const entry of entries) if (entry.status === 'done') queueUpload(entry)

  // Extraction: `concurrency` slots, each with its own engine, pulling the next pending video.
  const todo = entries.filter((_entry, i) => plan[i]!.action === 'extract')
  const byName = new Map(videos.map((v) => [v.relative, v]))
  run.progress.extractTotal(todo.length)
  const extractStarted = performance.now()
  const extractors: Array<Extractor | null> = []
  let next = 0
  // A problem of this machine rather than of a video (ffmpeg or a model file missing) stops
  // the run instead of failing every video in turn.
  let fatal: Error | null = null
  const slot = async (index: number) => {
    while (next < todo.length && !abortReason(run.signal) && !fatal) {
      const entry = todo[next++]!
      const video = byName.get(entry.video)!
      let ok: boolean
      try {
        extractors[index] ??= await run.createExtractor()
        ok = await extractOne(run, extractors[index]!, entry, video.path, path.join(out, entry.output), fingerprint, summary)
      } catch (error) {
        entry.status = 'pending'
        fatal ??= error instanceof Error ? error : new Error(String(error))
        run.progress.videoEnd(entry.video, `stopped: ${reasonOf(error)}`)
        break
      }
      if (!ok && !abortReason(run.signal)) {
        // An engine that failed on one video may be broken (a dead worker thread): start afresh.
        await extractors[index]!.close().catch(() => {})
        extractors[index] = null
      }
      await writer.write()
      if (abortReason(run.signal) && entry.status === 'pending') continue
      run.afterVideo?.(entry)
      if (entry.status === 'done' && upload) queueUpload(entry)
    }
  }
  try {
    await Promise.all(Array.from({ length: Math.min(options.concurrency, Math.max(1, todo.length)) }, (_, i) => slot(i)))
  } finally {
    await Promise.all(extractors.map((e) => e?.close().catch(() => {})))
  }
  if (fatal) {
    for (const task of uploading) await task.catch(() => {})
    await writer.write()
    run.progress.stop()
    throw new RunError(`stopped, nothing wrong with the videos: ${reasonOf(fatal)}; the manifest keeps what is done`, { cause: fatal })
  }
  summary.extractPhaseMs = performance.now() - extractStarted
  // Uploads queued while others finished: wait until the queue is empty.
  for (let i = 0; i < uploading.length; i++) await uploading[i]
  await writer.write()
  await writer.flush()

  summary.interrupted = abortReason(run.signal)
  const totals = computeTotals(entries)
  summary.totals = totals
  summary.failed = totals.failed
  summary.skipped = totals.skipped
  summary.pending = totals.pending
  summary.manifestFile = manifestFile

  // The manifest goes up last, describing everything above it.
  if (upload && !summary.interrupted) {
    const key = keyFor(run.prefix, MANIFEST_FILE)
    try {
      const outcome = await uploadFile({ client: run.s3!, bucket: run.bucket!, key, file: manifestFile, sha256: await sha256File(manifestFile), contentType: 'application/json', signal: run.signal })
      summary.manifestUpload = outcome
      if (outcome === 'uploaded') summary.uploaded++
      run.progress.uploadEnd(MANIFEST_FILE, outcome === 'uploaded' ? `uploaded to ${key}` : 'already there (same sha256), not sent')
    } catch (error) {
      summary.manifestUpload = 'failed'
      summary.uploadFailed++
      run.progress.uploadEnd(MANIFEST_FILE, `FAILED: ${reasonOf(error)}`)
    }
  } else {
    summary.manifestUpload = 'skipped'
  }
  run.progress.stop()
  summary.elapsedMs = performance.now() - started
  printSummary(run, summary, entries)
  return summary
}

/** Whether an earlier run's done video can be kept: same options, same source, .npz intact. */
async function reusable (prev: ManifestEntry, video: { path: string, size: number, mtimeMs: number }, npz: string, fingerprint: string): Promise<{ ok: true } | { ok: false, reason: string }> {
  if (prev.fingerprint !== fingerprint) return { ok: false, reason: 'extraction options changed since the earlier run' }
  if (prev.videoBytes !== video.size) return { ok: false, reason: 'the video changed (size)' }
  if (prev.videoMtimeMs !== video.mtimeMs) {
    const same = prev.videoSha256 !== null && await sha256File(video.path).then((h) => h === prev.videoSha256, () => false)
    if (!same) return { ok: false, reason: 'the video changed (modified, content differs)' }
  }
  const stat = await fs.stat(npz).catch(() => null)
  if (!stat) return { ok: false, reason: 'its .npz is missing' }
  if (stat.size !== prev.npzBytes || await sha256File(npz) !== prev.sha256) return { ok: false, reason: 'its .npz changed since it was written' }
  return { ok: true }
}

async function extractOne (run: RunInput, extractor: Extractor, entry: ManifestEntry, file: string, npzFile: string, fingerprint: string, summary: RunSummary): Promise<boolean> {
  const { options } = run.effective
  run.progress.videoStart(entry.video)
  const t0 = performance.now()
  const sourceHash = sha256File(file).catch(() => null)
  try {
    const extractOptions: ExtractOptions = {
      signals: options.signals, fps: options.fps, minConfidence: options.minConfidence, model: options.model,
      ...(options.maxFrames !== null ? { maxFrames: options.maxFrames } : {}),
      onProgress: (done, total) => run.progress.videoFrames(entry.video, done, total),
      ...(run.signal ? { signal: run.signal } : {})
    }
    const result = await extractor.extract(file, extractOptions)
    if (result.framesKept === 0) {
      throw new Error(`nothing kept: 0 of ${result.framesSeen} sampled frames had ${options.signals.join('/')} landmarks at confidence >= ${options.minConfidence}`)
    }
    const header = { ...result.header, video: entry.video }
    const bytes = encodeNpz(result.arrays, { [HEADER_MEMBER]: JSON.stringify(header) })
    await fs.mkdir(path.dirname(npzFile), { recursive: true })
    await writeFileAtomic(npzFile, bytes)
    const extractMs = performance.now() - t0
    Object.assign(entry, {
      status: 'done', videoSha256: await sourceHash, npzBytes: bytes.byteLength, ratio: round(bytes.byteLength / entry.videoBytes, 6),
      sha256: sha256Bytes(bytes), framesSeen: result.framesSeen, framesKept: result.framesKept, durationS: round(result.durationS, 3),
      fingerprint, extractedAt: new Date().toISOString(), extractMs: Math.round(extractMs), uploaded: false, uploadedAt: null, error: null
    } satisfies Partial<ManifestEntry>)
    summary.extracted++
    summary.videoSeconds += result.durationS
    run.progress.videoEnd(entry.video, `${result.framesKept}/${result.framesSeen} frames kept, ${result.durationS.toFixed(1)} s of video, ${formatBytes(bytes.byteLength)} (${percent(bytes.byteLength / entry.videoBytes)} of the video) in ${(extractMs / 1000).toFixed(1)} s`)
    return true
  } catch (error) {
    await sourceHash
    if (machineProblem(error)) throw error
    if (abortReason(run.signal)) {
      entry.status = 'pending'
      run.progress.videoEnd(entry.video, 'interrupted')
      return false
    }
    // No timing here: a video that fails the same way again leaves the manifest byte-identical.
    Object.assign(entry, { status: 'failed', error: reasonOf(error), videoSha256: await sourceHash } satisfies Partial<ManifestEntry>)
    run.progress.videoEnd(entry.video, `FAILED: ${entry.error}`)
    return false
  }
}

/** Errors that would fail every video the same way: the tools or the models are missing. */
function machineProblem (error: unknown): boolean {
  if (error instanceof ProcessError) return error.kind === 'not_found'
  if (error instanceof MediaError && error.code === 'tool_failed') return /not installed or not on PATH/.test(error.message)
  return error instanceof Error && /model file missing/.test(error.message)
}

async function checkBucket (client: S3Client, bucket: string): Promise<void> {
  try {
    await client.send(new HeadBucketCommand({ Bucket: bucket }))
  } catch (error) {
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode
    if (status === 404) throw new RunError(`the bucket ${bucket} does not exist; create it first (or pass --skip-upload)`, { cause: error })
    if (status === 403) throw new RunError(`access denied to the bucket ${bucket}: check the S3 credentials`, { cause: error })
    throw new RunError(`cannot reach S3 for the bucket ${bucket}: ${reasonOf(error)}`, { cause: error })
  }
}

async function printPlan (run: RunInput, plan: PlanItem[], entries: ManifestEntry[], warnings: string[]): Promise<void> {
  const print = run.print
  print('dry run: nothing is extracted, written or uploaded')
  print(`input:  ${path.resolve(run.input)}`)
  print(`output: ${path.resolve(run.out)} (manifest ${MANIFEST_FILE})`)
  print(run.skipUpload ? 'upload: skipped (--skip-upload)' : `upload: s3://${run.bucket}/${keyFor(run.prefix, '')}`)
  print(describeOptions(run.effective))
  for (const warning of warnings) print(`warning: ${warning}`)
  let bucketOk = true
  if (!run.skipUpload && run.s3) {
    try {
      await checkBucket(run.s3, run.bucket!)
    } catch (error) {
      bucketOk = false
      print(`warning: ${(error as Error).message}; a real run would stop here`)
    }
  }
  // What S3 already holds, for the videos whose .npz would not change.
  for (let i = 0; i < plan.length; i++) {
    const item = plan[i]!
    const entry = entries[i]!
    if (item.action === 'reuse' && item.upload === 'upload' && run.s3 && bucketOk) {
      const remote = await remoteSha256(run.s3, run.bucket!, item.s3Key!).catch(() => null)
      if (remote === entry.sha256) item.upload = 'unchanged'
    }
  }
  print(`${plan.length} video(s):`)
  for (const item of plan) {
    const what = item.action === 'extract' ? 'extract' : 'skip   '
    const up = item.upload === 'upload'
      ? `upload to ${item.s3Key}`
      : item.upload === 'unchanged' ? `upload: skip, ${item.s3Key} already holds it` : item.upload === 'skip-upload' ? 'skip-upload' : ''
    print(`  ${what} ${item.video} -> ${item.output} (${item.reason})${up ? `; ${up}` : ''}`)
  }
  const count = (a: VideoAction) => plan.filter((p) => p.action === a).length
  print(`would extract ${count('extract')}, skip ${count('reuse')} done, skip ${count('skip-empty')} empty; upload ${plan.filter((p) => p.upload === 'upload').length} file(s)${run.skipUpload ? '' : ' and the manifest'}`)
}

function printSummary (run: RunInput, s: RunSummary, entries: ReadonlyArray<ManifestEntry>): void {
  const minutes = s.extractPhaseMs / 60_000
  const t = s.totals!
  const parts = [
    `${s.interrupted ? 'interrupted' : 'finished'} in ${(s.elapsedMs / 1000).toFixed(1)} s: extracted ${s.extracted}, skipped ${s.reused} already done, ${s.failed} failed, ${s.skipped} empty, ${s.pending} pending`
  ]
  if (s.extracted > 0 && minutes > 0) {
    parts.push(`throughput ${(s.extracted / minutes).toFixed(1)} videos/min, ${(s.videoSeconds / minutes).toFixed(0)} video-s/min`)
  }
  if (!run.skipUpload) parts.push(`uploaded ${s.uploaded} file(s), ${s.uploadUnchanged} already there${s.uploadFailed ? `, ${s.uploadFailed} FAILED` : ''}`)
  if (t.ratio !== null) parts.push(`dataset ${t.done} .npz, ${formatBytes(t.npzBytes)} for ${formatBytes(t.videoBytes)} of video (${percent(t.ratio)})`)
  for (const e of entries) {
    if (e.status === 'failed' || (e.status === 'done' && e.error)) run.print(`  ${e.status === 'failed' ? 'failed' : 'upload failed'}: ${e.video}: ${e.error}`)
  }
  run.print(parts.join('; '))
  run.print(`manifest: ${s.manifestFile}`)
}
