/**
 * Dataset files to S3. Each object carries the sha256 of its content as user metadata
 * (x-amz-meta-sha256); before uploading, a HEAD of the key says whether the same content is
 * already there, and then nothing is sent. Files larger than one part go up as multipart
 * uploads with parts in parallel (lib-storage); several files go up at once (UploadQueue).
 */
import fs from 'node:fs'
import { HeadObjectCommand, S3ServiceException, type S3Client } from '@aws-sdk/client-s3'
import { Upload } from '@aws-sdk/lib-storage'

export const SHA256_METADATA = 'sha256'
export const DEFAULT_PART_BYTES = 8 * 1024 * 1024

export type UploadOutcome = 'uploaded' | 'unchanged'

export class UploadError extends Error {
  constructor (message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'UploadError'
  }
}

export interface UploadFileOptions {
  client: S3Client
  bucket: string
  key: string
  file: string
  sha256: string
  contentType?: string
  partBytes?: number
  /** Parts of one file in flight at once. */
  partConcurrency?: number
  signal?: AbortSignal
  onProgress?: (loaded: number, total: number) => void
}

function statusOf (error: unknown): number | undefined {
  return error instanceof S3ServiceException ? error.$metadata.httpStatusCode : (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode
}

function describe (error: unknown, bucket: string, key: string): string {
  const name = (error as { name?: string }).name
  const status = statusOf(error)
  if (name === 'NoSuchBucket') return `bucket ${bucket} does not exist`
  if (status === 403 || name === 'AccessDenied' || name === 'SignatureDoesNotMatch' || name === 'InvalidAccessKeyId') return `access denied to ${bucket}/${key} (${name ?? 'HTTP 403'}): check the S3 credentials`
  return `${bucket}/${key}: ${error instanceof Error ? error.message : String(error)}`
}

/** The sha256 stored with the object at the key, '' when it has none, null when there is no object. */
export async function remoteSha256 (client: S3Client, bucket: string, key: string, signal?: AbortSignal): Promise<string | null> {
  try {
    const out = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: signal })
    return out.Metadata?.[SHA256_METADATA] ?? ''
  } catch (error) {
    if (statusOf(error) === 404) return null
    throw new UploadError(`cannot check ${bucket}/${key}: ${describe(error, bucket, key)}`, { cause: error })
  }
}

/** Uploads a file unless the key already holds the same content (by its sha256). */
export async function uploadFile (options: UploadFileOptions): Promise<UploadOutcome> {
  const { client, bucket, key, file, sha256 } = options
  if (await remoteSha256(client, bucket, key, options.signal) === sha256) return 'unchanged'
  const size = (await fs.promises.stat(file)).size
  const controller = new AbortController()
  const onAbort = () => controller.abort(options.signal?.reason)
  options.signal?.addEventListener('abort', onAbort, { once: true })
  if (options.signal?.aborted) controller.abort(options.signal.reason)
  const upload = new Upload({
    client,
    params: {
      Bucket: bucket, Key: key, Body: fs.createReadStream(file), ContentLength: size,
      ContentType: options.contentType ?? 'application/octet-stream',
      Metadata: { [SHA256_METADATA]: sha256 }
    },
    partSize: Math.max(5 * 1024 * 1024, options.partBytes ?? DEFAULT_PART_BYTES),
    queueSize: options.partConcurrency ?? 4,
    abortController: controller
  })
  if (options.onProgress) upload.on('httpUploadProgress', (p) => options.onProgress!(p.loaded ?? 0, p.total ?? size))
  try {
    await upload.done()
  } catch (error) {
    if (options.signal?.aborted) throw options.signal.reason ?? error
    throw new UploadError(`upload failed: ${describe(error, bucket, key)}`, { cause: error })
  } finally {
    options.signal?.removeEventListener('abort', onAbort)
  }
  return 'uploaded'
}

/** Runs at most `limit` tasks at once, in the order they were added. */
export class TaskQueue {
  private running = 0
  private readonly waiting: Array<() => void> = []

  constructor (private readonly limit: number) {}

  async run<T> (task: () => Promise<T>): Promise<T> {
    // A finishing task hands its slot straight to the next waiting one.
    if (this.running >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve))
    else this.running++
    try {
      return await task()
    } finally {
      const next = this.waiting.shift()
      if (next) next()
      else this.running--
    }
  }
}

/** An S3 key under a prefix: no leading or doubled slashes whatever the prefix looks like. */
export function keyFor (prefix: string, relative: string): string {
  const clean = prefix.split('/').filter((p) => p !== '').join('/')
  return clean === '' ? relative : `${clean}/${relative}`
}
