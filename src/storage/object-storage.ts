/**
 * S3-compatible object storage: the only module that talks to S3. Errors come out as
 * StorageError with a small set of codes the rest of the app can act on, and every download
 * is streamed with a size cap so a huge or lying object can never fill memory or disk.
 */
import fs from 'node:fs'
import { Transform, type Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import {
  S3Client, HeadObjectCommand, GetObjectCommand, PutObjectCommand, DeleteObjectCommand, HeadBucketCommand,
  CreateBucketCommand, ListObjectsV2Command, CreateMultipartUploadCommand, UploadPartCommand, ListPartsCommand,
  CompleteMultipartUploadCommand, AbortMultipartUploadCommand, S3ServiceException, type ListObjectsV2CommandOutput
} from '@aws-sdk/client-s3'
import { Upload } from '@aws-sdk/lib-storage'
import { getSignedUrl } from '@aws-sdk/s3-request-presigner'
import type { Config } from '../config.js'
import { formatBytes } from '../format.js'

export type StorageErrorCode = 'object_not_found' | 'bucket_not_found' | 'too_large' | 'access_denied' | 'unavailable'

export class StorageError extends Error {
  constructor (readonly code: StorageErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'StorageError'
  }
}

export interface ObjectInfo {
  size: number
  etag?: string
  contentType?: string
  lastModified?: Date
}

export interface UploadedPart { partNumber: number, etag: string, size: number }

export interface ListedObject { key: string, size: number, lastModified?: Date }

export function createS3Client (s3: Config['s3']): S3Client {
  return new S3Client({
    region: s3.region,
    ...(s3.endpoint ? { endpoint: s3.endpoint } : {}),
    ...(s3.credentials ? { credentials: s3.credentials } : {}),
    forcePathStyle: s3.forcePathStyle,
    // Non-AWS servers (Swift, MinIO, Ceph...) reject or omit the newer default checksums.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: 3
  })
}

/** Storage for the configured S3, signing client URLs for its public endpoint when one is set. */
export function createObjectStorage (s3: Config['s3']): ObjectStorage {
  return new ObjectStorage(createS3Client(s3), s3.publicEndpoint ? createS3Client({ ...s3, endpoint: s3.publicEndpoint }) : undefined)
}

export class ObjectStorage {
  /** `signer` signs the URLs handed to clients (another endpoint than the service's, if any). */
  constructor (readonly client: S3Client, private readonly signer: S3Client = client) {}

  /** Object metadata, or null when the object does not exist (a missing bucket throws). */
  async head (bucket: string, key: string): Promise<ObjectInfo | null> {
    try {
      const out = await this.client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }))
      return {
        size: out.ContentLength ?? 0,
        ...(out.ETag ? { etag: out.ETag.replaceAll('"', '') } : {}),
        ...(out.ContentType ? { contentType: out.ContentType } : {}),
        ...(out.LastModified ? { lastModified: out.LastModified } : {})
      }
    } catch (error) {
      if (statusOf(error) === 404) {
        // HEAD has no body to tell a missing key from a missing bucket: ask the bucket.
        if (!(await this.bucketExists(bucket))) throw new StorageError('bucket_not_found', `S3 bucket not found: ${bucket}`)
        return null
      }
      throw toStorageError(error, bucket, key)
    }
  }

  /** Streams an object; fails with too_large as soon as more than maxBytes arrive. */
  async getStream (bucket: string, key: string, options: { maxBytes: number }): Promise<{ stream: Readable, info: ObjectInfo }> {
    let out
    try {
      out = await this.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }))
    } catch (error) {
      throw toStorageError(error, bucket, key)
    }
    const size = out.ContentLength ?? 0
    const body = out.Body as Readable
    if (size > options.maxBytes) {
      body.destroy()
      throw tooLarge(bucket, key, size, options.maxBytes)
    }
    const info: ObjectInfo = { size, ...(out.ETag ? { etag: out.ETag.replaceAll('"', '') } : {}), ...(out.ContentType ? { contentType: out.ContentType } : {}) }
    const limited = byteLimit(options.maxBytes, () => tooLarge(bucket, key, undefined, options.maxBytes))
    // pipe() alone forwards neither errors nor teardown: wire both directions explicitly.
    body.on('error', (error) => limited.destroy(toStorageError(error, bucket, key)))
    limited.on('close', () => body.destroy())
    return { stream: body.pipe(limited), info }
  }

  /** Streams an object into a file (never all in memory); removes the partial file on failure. */
  async download (bucket: string, key: string, file: string, options: { maxBytes: number }): Promise<ObjectInfo> {
    const { stream, info } = await this.getStream(bucket, key, options)
    try {
      await pipeline(stream, fs.createWriteStream(file, { flags: 'w', mode: 0o600 }))
    } catch (error) {
      await fs.promises.rm(file, { force: true })
      throw error instanceof StorageError ? error : toStorageError(error, bucket, key)
    }
    return info
  }

  /** Uploads a body of any size; large streams go up in parallel multipart chunks. */
  async put (bucket: string, key: string, body: Buffer | Uint8Array | string | Readable, contentType?: string): Promise<void> {
    try {
      await new Upload({
        client: this.client,
        params: { Bucket: bucket, Key: key, Body: body, ...(contentType ? { ContentType: contentType } : {}) },
        queueSize: 4,
        partSize: 8 * 1024 * 1024
      }).done()
    } catch (error) {
      throw toStorageError(error, bucket, key)
    }
  }

  async delete (bucket: string, key: string): Promise<void> {
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }))
    } catch (error) {
      if (statusOf(error) === 404) return
      throw toStorageError(error, bucket, key)
    }
  }

  /** A time-limited URL that lets a browser GET the object without credentials. */
  async presignGet (bucket: string, key: string, expiresInSeconds = 900): Promise<string> {
    return getSignedUrl(this.signer, new GetObjectCommand({ Bucket: bucket, Key: key }), { expiresIn: expiresInSeconds })
  }

  /**
   * A time-limited URL a client PUTs one object to. Content-Type and Content-Length are signed,
   * so the upload must send exactly those: the size limit holds without the API seeing a byte.
   */
  async presignPut (bucket: string, key: string, options: { contentType: string, contentLength: number, expiresInSeconds: number }): Promise<string> {
    return getSignedUrl(this.signer, new PutObjectCommand({ Bucket: bucket, Key: key, ContentType: options.contentType, ContentLength: options.contentLength }), {
      expiresIn: options.expiresInSeconds, signableHeaders: new Set(['content-type', 'content-length'])
    })
  }

  /** Starts a multipart upload; its parts are then PUT to presignPart URLs. */
  async createMultipartUpload (bucket: string, key: string, contentType: string): Promise<string> {
    try {
      const out = await this.client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, ContentType: contentType }))
      if (!out.UploadId) throw new Error('no UploadId in the answer')
      return out.UploadId
    } catch (error) {
      throw toStorageError(error, bucket, key)
    }
  }

  /** A part's upload URL; its Content-Length is signed, so a part cannot be larger than planned. */
  async presignPart (bucket: string, key: string, uploadId: string, part: { partNumber: number, size: number }, expiresInSeconds: number): Promise<string> {
    return getSignedUrl(this.signer, new UploadPartCommand({ Bucket: bucket, Key: key, UploadId: uploadId, PartNumber: part.partNumber, ContentLength: part.size }), {
      expiresIn: expiresInSeconds, signableHeaders: new Set(['content-length'])
    })
  }

  /** The parts already uploaded (to resume an interrupted upload), in part order. */
  async listParts (bucket: string, key: string, uploadId: string): Promise<UploadedPart[]> {
    const parts: UploadedPart[] = []
    let marker: string | undefined
    try {
      do {
        const out = await this.client.send(new ListPartsCommand({ Bucket: bucket, Key: key, UploadId: uploadId, ...(marker ? { PartNumberMarker: marker } : {}) }))
        for (const p of out.Parts ?? []) parts.push({ partNumber: p.PartNumber!, etag: (p.ETag ?? '').replaceAll('"', ''), size: p.Size ?? 0 })
        marker = out.IsTruncated ? out.NextPartNumberMarker : undefined
      } while (marker)
    } catch (error) {
      throw toStorageError(error, bucket, key)
    }
    return parts.sort((a, b) => a.partNumber - b.partNumber)
  }

  async completeMultipartUpload (bucket: string, key: string, uploadId: string, parts: ReadonlyArray<{ partNumber: number, etag: string }>): Promise<void> {
    try {
      await this.client.send(new CompleteMultipartUploadCommand({
        Bucket: bucket, Key: key, UploadId: uploadId,
        MultipartUpload: { Parts: parts.map((p) => ({ PartNumber: p.partNumber, ETag: `"${p.etag.replaceAll('"', '')}"` })) }
      }))
    } catch (error) {
      throw toStorageError(error, bucket, key)
    }
  }

  async abortMultipartUpload (bucket: string, key: string, uploadId: string): Promise<void> {
    try {
      await this.client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId }))
    } catch (error) {
      if (statusOf(error) === 404) return
      throw toStorageError(error, bucket, key)
    }
  }

  /** Every key under a prefix (S3 answers at most 1,000 a request). */
  async * listKeys (bucket: string, prefix: string): AsyncGenerator<ListedObject> {
    for await (const page of this.listPages(bucket, prefix)) {
      for (const o of page.Contents ?? []) yield { key: o.Key!, size: o.Size ?? 0, ...(o.LastModified ? { lastModified: o.LastModified } : {}) }
    }
  }

  /** The "folders" directly under a prefix (e.g. analyses/<id>/ under analyses/). */
  async * listFolders (bucket: string, prefix: string): AsyncGenerator<string> {
    for await (const page of this.listPages(bucket, prefix, '/')) {
      for (const p of page.CommonPrefixes ?? []) if (p.Prefix) yield p.Prefix
    }
  }

  private async * listPages (bucket: string, prefix: string, delimiter?: string): AsyncGenerator<ListObjectsV2CommandOutput> {
    let token: string | undefined
    do {
      let out: ListObjectsV2CommandOutput
      try {
        out = await this.client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ...(delimiter ? { Delimiter: delimiter } : {}), ...(token ? { ContinuationToken: token } : {}) }))
      } catch (error) {
        throw toStorageError(error, bucket, prefix)
      }
      yield out
      token = out.IsTruncated ? out.NextContinuationToken : undefined
    } while (token)
  }

  /**
   * Deletes every object under a prefix, a few at a time (one DELETE each: multi-object
   * delete needs checksums some S3 servers reject); returns how many went.
   */
  async deletePrefix (bucket: string, prefix: string): Promise<number> {
    if (prefix === '') throw new Error('refusing to delete a whole bucket: empty prefix')
    let deleted = 0
    let batch: string[] = []
    const flush = async () => {
      await Promise.all(batch.map((key) => this.delete(bucket, key)))
      deleted += batch.length
      batch = []
    }
    for await (const object of this.listKeys(bucket, prefix)) {
      batch.push(object.key)
      if (batch.length >= 8) await flush()
    }
    await flush()
    return deleted
  }

  async bucketExists (bucket: string): Promise<boolean> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: bucket }))
      return true
    } catch (error) {
      if (statusOf(error) === 404) return false
      throw toStorageError(error, bucket)
    }
  }

  async ensureBucket (bucket: string): Promise<void> {
    if (await this.bucketExists(bucket)) return
    try {
      await this.client.send(new CreateBucketCommand({ Bucket: bucket }))
    } catch (error) {
      const name = (error as { name?: string }).name
      if (name === 'BucketAlreadyOwnedByYou' || name === 'BucketAlreadyExists') return
      throw toStorageError(error, bucket)
    }
  }

  destroy (): void {
    this.client.destroy()
    if (this.signer !== this.client) this.signer.destroy()
  }
}

function statusOf (error: unknown): number | undefined {
  return error instanceof S3ServiceException ? error.$metadata.httpStatusCode : undefined
}

function tooLarge (bucket: string, key: string, size: number | undefined, maxBytes: number): StorageError {
  return new StorageError('too_large',
    `S3 object too large: ${bucket}/${key} is ${size === undefined ? 'over' : formatBytes(size) + ' >'} the ${formatBytes(maxBytes)} limit`)
}

function toStorageError (error: unknown, bucket: string, key?: string): StorageError {
  if (error instanceof StorageError) return error
  const where = key === undefined ? bucket : `${bucket}/${key}`
  const name = (error as { name?: string }).name
  const status = statusOf(error)
  if (name === 'NoSuchBucket') return new StorageError('bucket_not_found', `S3 bucket not found: ${bucket}`, { cause: error })
  if (name === 'NoSuchKey' || name === 'NotFound' || status === 404) {
    return new StorageError('object_not_found', `S3 object not found: ${where}`, { cause: error })
  }
  if (status === 403 || name === 'AccessDenied' || name === 'SignatureDoesNotMatch' || name === 'InvalidAccessKeyId') {
    return new StorageError('access_denied', `S3 access denied for ${where} (${name ?? 'HTTP 403'}): check S3 credentials`, { cause: error })
  }
  const reason = error instanceof Error ? error.message : String(error)
  return new StorageError('unavailable', `S3 request for ${where} failed: ${reason}`, { cause: error })
}

/** Passes bytes through until more than `max` have gone by, then fails the stream. */
function byteLimit (max: number, makeError: () => Error): Transform {
  let seen = 0
  return new Transform({
    transform (chunk: Buffer, _encoding, callback) {
      seen += chunk.length
      if (seen > max) callback(makeError())
      else callback(null, chunk)
    }
  })
}
