/**
 * The run's manifest (<out>/manifest.json): one entry per video with its status, counts, sizes,
 * hashes and S3 key. It is rewritten atomically (temp file, fsync, rename) after every change,
 * so a killed run loses nothing, and a rerun reads it to skip what is already done. It holds no
 * run timestamps of its own: a run that changes nothing writes the same bytes (and its S3 copy
 * is then not uploaded again).
 */
import crypto from 'node:crypto'
import fs from 'node:fs'
import fsp from 'node:fs/promises'
import path from 'node:path'
import type { SequenceOptions } from './presets.js'

export const MANIFEST_FILE = 'manifest.json'
export const MANIFEST_VERSION = 1

/**
 * done: the .npz is written (and uploaded unless the run skipped uploads).
 * failed: extraction or upload failed, `error` says why; retried by the next run.
 * skipped: not attempted because the file is empty; looked at again when it changes.
 * pending: found but not processed yet (an interrupted run leaves these).
 */
export type VideoStatus = 'done' | 'failed' | 'skipped' | 'pending'
export const VIDEO_STATUSES: readonly VideoStatus[] = ['done', 'failed', 'skipped', 'pending']

export interface ManifestEntry {
  /** Path under the input folder ('/' separators). */
  video: string
  status: VideoStatus
  videoBytes: number
  videoMtimeMs: number
  /** sha256 of the source video, to recognise it when only its mtime changed. */
  videoSha256: string | null
  /** The .npz, relative to the output folder. */
  output: string
  npzBytes: number | null
  /** .npz bytes / video bytes. */
  ratio: number | null
  /** sha256 of the .npz. */
  sha256: string | null
  framesSeen: number | null
  framesKept: number | null
  durationS: number | null
  /** The extraction options the .npz was made with (presets.extractionFingerprint). */
  fingerprint: string | null
  extractedAt: string | null
  extractMs: number | null
  s3Key: string | null
  uploaded: boolean
  uploadedAt: string | null
  error: string | null
}

export interface Manifest {
  version: typeof MANIFEST_VERSION
  input: string
  bucket: string | null
  prefix: string
  preset: string
  options: SequenceOptions
  totals: ManifestTotals
  videos: ManifestEntry[]
}

export interface ManifestTotals {
  videos: number
  done: number
  failed: number
  skipped: number
  pending: number
  uploaded: number
  videoBytes: number
  npzBytes: number
  /** npzBytes / videoBytes over the done videos. */
  ratio: number | null
  durationS: number
  framesSeen: number
  framesKept: number
}

export class ManifestError extends Error {
  constructor (message: string) {
    super(message)
    this.name = 'ManifestError'
  }
}

export function emptyEntry (video: string, output: string, stat: { size: number, mtimeMs: number }): ManifestEntry {
  return {
    video, status: 'pending', videoBytes: stat.size, videoMtimeMs: stat.mtimeMs, videoSha256: null, output,
    npzBytes: null, ratio: null, sha256: null, framesSeen: null, framesKept: null, durationS: null, fingerprint: null,
    extractedAt: null, extractMs: null, s3Key: null, uploaded: false, uploadedAt: null, error: null
  }
}

export function computeTotals (videos: ReadonlyArray<ManifestEntry>): ManifestTotals {
  const done = videos.filter((v) => v.status === 'done')
  const videoBytes = done.reduce((sum, v) => sum + v.videoBytes, 0)
  const npzBytes = done.reduce((sum, v) => sum + (v.npzBytes ?? 0), 0)
  const count = (status: VideoStatus) => videos.filter((v) => v.status === status).length
  return {
    videos: videos.length, done: done.length, failed: count('failed'), skipped: count('skipped'), pending: count('pending'),
    uploaded: videos.filter((v) => v.uploaded).length,
    videoBytes, npzBytes, ratio: videoBytes > 0 ? round(npzBytes / videoBytes, 6) : null,
    durationS: round(done.reduce((sum, v) => sum + (v.durationS ?? 0), 0), 3),
    framesSeen: done.reduce((sum, v) => sum + (v.framesSeen ?? 0), 0),
    framesKept: done.reduce((sum, v) => sum + (v.framesKept ?? 0), 0)
  }
}

export function round (value: number, digits: number): number {
  const f = 10 ** digits
  return Math.round(value * f) / f
}

/** The manifest as written: stable key order and two-space indent, ending with a newline. */
export function serialiseManifest (manifest: Omit<Manifest, 'totals'>): string {
  const full: Manifest = { ...manifest, totals: computeTotals(manifest.videos) } as Manifest
  const ordered = {
    version: full.version, input: full.input, bucket: full.bucket, prefix: full.prefix, preset: full.preset,
    options: full.options, totals: full.totals, videos: full.videos
  }
  return `${JSON.stringify(ordered, null, 2)}\n`
}

/** Writes atomically: a temp file beside it, flushed to disk, then renamed over the old one. */
export async function writeFileAtomic (file: string, data: string | Uint8Array): Promise<void> {
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`)
  const handle = await fsp.open(temp, 'w', 0o644)
  try {
    await handle.writeFile(data)
    await handle.sync()
  } catch (error) {
    await handle.close().catch(() => {})
    await fsp.rm(temp, { force: true })
    throw error
  }
  await handle.close()
  try {
    await fsp.rename(temp, file)
  } catch (error) {
    await fsp.rm(temp, { force: true })
    throw error
  }
}

/**
 * Serialises manifest writes (videos finish concurrently): each write is of the manifest as it
 * is when the write runs, and `flush` waits for the last one.
 */
export class ManifestWriter {
  private chain: Promise<void> = Promise.resolve()
  private lastWritten: string | null = null

  constructor (readonly file: string, private readonly snapshot: () => Omit<Manifest, 'totals'>) {}

  write (): Promise<void> {
    const next = this.chain.then(async () => {
      const text = serialiseManifest(this.snapshot())
      if (text === this.lastWritten) return
      await writeFileAtomic(this.file, text)
      this.lastWritten = text
    })
    // A failed write fails its caller; the chain goes on for the next one.
    this.chain = next.catch(() => {})
    return next
  }

  async flush (): Promise<void> {
    await this.chain
  }
}

/** Reads an earlier run's manifest; null when there is none. A damaged one is an error naming the problem. */
export async function readManifest (file: string): Promise<Manifest | null> {
  let text: string
  try {
    text = await fsp.readFile(file, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw new ManifestError(`cannot read the manifest ${file}: ${(error as Error).message}`)
  }
  const bad = (what: string): never => {
    throw new ManifestError(`the manifest ${file} is not one this tool wrote (${what}); move it away to start over`)
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (error) {
    return bad(`not valid JSON: ${(error as Error).message}`)
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return bad('not a JSON object')
  const m = json as Record<string, unknown>
  if (m.version !== MANIFEST_VERSION) bad(`version ${JSON.stringify(m.version)}, expected ${MANIFEST_VERSION}`)
  if (!Array.isArray(m.videos)) bad('no "videos" list')
  const seen = new Set<string>()
  ;(m.videos as unknown[]).forEach((raw, i) => {
    const where = `videos[${i}]`
    if (typeof raw !== 'object' || raw === null) bad(`${where} is not an object`)
    const v = raw as Record<string, unknown>
    if (typeof v.video !== 'string' || v.video === '' || v.video.split('/').includes('..') || v.video.startsWith('/')) bad(`${where}.video must be a relative path`)
    if (seen.has(v.video as string)) bad(`${where}: ${String(v.video)} listed twice`)
    seen.add(v.video as string)
    if (!VIDEO_STATUSES.includes(v.status as VideoStatus)) bad(`${where}.status must be one of ${VIDEO_STATUSES.join(', ')}`)
    if (typeof v.output !== 'string' || v.output.split('/').includes('..') || v.output.startsWith('/')) bad(`${where}.output must be a relative path`)
    for (const key of ['videoBytes', 'videoMtimeMs'] as const) if (typeof v[key] !== 'number') bad(`${where}.${key} must be a number`)
    for (const key of ['npzBytes', 'ratio', 'framesSeen', 'framesKept', 'durationS', 'extractMs'] as const) {
      if (v[key] !== null && typeof v[key] !== 'number') bad(`${where}.${key} must be a number or null`)
    }
    for (const key of ['videoSha256', 'sha256', 'fingerprint', 'extractedAt', 's3Key', 'uploadedAt', 'error'] as const) {
      if (v[key] !== null && typeof v[key] !== 'string') bad(`${where}.${key} must be a string or null`)
    }
    if (typeof v.uploaded !== 'boolean') bad(`${where}.uploaded must be true or false`)
    if (v.status === 'done' && (typeof v.sha256 !== 'string' || typeof v.npzBytes !== 'number')) bad(`${where} is done without sha256 and npzBytes`)
  })
  return m as unknown as Manifest
}

/** sha256 of a file, streamed. */
export async function sha256File (file: string): Promise<string> {
  const hash = crypto.createHash('sha256')
  for await (const chunk of fs.createReadStream(file)) hash.update(chunk as Buffer)
  return hash.digest('hex')
}

export function sha256Bytes (data: Uint8Array | string): string {
  return crypto.createHash('sha256').update(data).digest('hex')
}
