/**
 * Presigned links to an analysis's derived files (the artifacts bucket stays private): every
 * link of one answer expires at the same moment, PRESIGNED_URL_SECONDS after it was made.
 */
import type { Static } from 'typebox'
import type { ObjectStorage } from '../storage/object-storage.js'
import type { StoredArtifact } from '../repositories/results.js'
import type { PlaybackInfo } from '../schemas/analysis.js'

export class ArtifactLinks {
  readonly expiresAt: Date

  constructor (private readonly storage: ObjectStorage, private readonly bucket: string, private readonly seconds: number) {
    this.expiresAt = new Date(Date.now() + seconds * 1000)
  }

  url (key: string): Promise<string> {
    return this.storage.presignGet(this.bucket, key, this.seconds)
  }
}

/** The playback section of GET /analysis/:id: the first copy, further containers as alternatives. */
export async function playbackView (artifacts: ReadonlyMap<string, StoredArtifact>, links: ArtifactLinks): Promise<Static<typeof PlaybackInfo> | null> {
  const main = artifacts.get('playback')
  if (!main) return null
  const alternatives = await Promise.all([...artifacts.values()]
    .filter((a) => a.name.startsWith('playback_') && a.s3Key && a.contentType)
    .map(async (a) => ({ url: await links.url(a.s3Key!), content_type: a.contentType! })))
  return {
    url: main.s3Key ? await links.url(main.s3Key) : null,
    expires_at: main.s3Key ? links.expiresAt.toISOString() : null,
    content_type: main.contentType,
    duration_s: main.durationS,
    width: main.width,
    height: main.height,
    size_bytes: main.bytes,
    error: main.error,
    alternatives
  }
}
