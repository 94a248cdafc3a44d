/**
 * Per-frame signals in MongoDB, stored as buckets: one document holds up to BUCKET_SIZE
 * consecutive frames of one analysis and one kind (face, voice, ...). At 30 frames per second
 * that is one document per ~8.5 s of video instead of 256, which keeps the index small and
 * writes cheap for hours of video a day.
 *
 * A bucket's _id is derived from (analysis, kind, bucket number), so writing the same
 * analysis again replaces its buckets instead of adding to them, and a shorter re-run deletes
 * the leftover tail.
 */
import type { Collection, Db, AnyBulkWriteOperation } from 'mongodb'

export const BUCKET_SIZE = 256
export const FRAMES_COLLECTION = 'frames'

/** The stored frame: `t` is its time in milliseconds; the rest is the kind's own fields. */
export interface StoredFrame { t: number, [field: string]: unknown }

export interface FrameBucket {
  _id: string
  a: string // analysis id
  k: string // kind
  s: number // bucket number: frames s*BUCKET_SIZE .. (s+1)*BUCKET_SIZE-1
  t0: number // time of the first frame (ms)
  t1: number // time of the last frame (ms)
  n: number
  f: StoredFrame[]
  /** When the bucket was written: the sweeper leaves frames this recent alone (absent before it was added). */
  w?: Date
}

/** An analysis id found among the stored frames, with when its newest bucket was written. */
export interface StoredAnalysis { analysisId: string, lastWrite: Date | null }

export interface FramePage { frames: StoredFrame[], nextFromMs: number | null }

export class FrameStore {
  readonly collection: Collection<FrameBucket>
  private indexes?: Promise<void>

  constructor (db: Db) {
    this.collection = db.collection<FrameBucket>(FRAMES_COLLECTION)
  }

  /** Creates the indexes once per process; retried on the next call if MongoDB was down. */
  ensureIndexes (): Promise<void> {
    this.indexes ??= this.collection.createIndexes([
      // Reads one analysis and kind in time order.
      { key: { a: 1, k: 1, t0: 1 }, name: 'analysis_kind_time' }
    ]).then(() => undefined, (error: unknown) => {
      this.indexes = undefined
      throw error
    })
    return this.indexes
  }

  /** Starts writing the frames of one analysis and kind; frames must come in time order. */
  writer (analysisId: string, kind: string): FrameWriter {
    return new FrameWriter(this, analysisId, kind)
  }

  async countFrames (analysisId: string, kind: string): Promise<number> {
    const [row] = await this.collection.aggregate<{ frames: number }>([
      { $match: { a: analysisId, k: kind } },
      { $group: { _id: null, frames: { $sum: '$n' } } }
    ]).toArray()
    return row?.frames ?? 0
  }

  /**
   * Frames with fromMs <= t <= toMs in time order, at most `limit`; nextFromMs is where the
   * next page starts, or null at the end.
   */
  async readFrames (analysisId: string, kind: string, range: { fromMs?: number, toMs?: number, limit: number }): Promise<FramePage> {
    const fromMs = range.fromMs ?? 0
    const toMs = range.toMs ?? Number.MAX_SAFE_INTEGER
    const cursor = this.collection
      .find({ a: analysisId, k: kind, t1: { $gte: fromMs }, t0: { $lte: toMs } }, { projection: { f: 1 } })
      .sort({ t0: 1 })
      .batchSize(4)
    const frames: StoredFrame[] = []
    try {
      for await (const bucket of cursor) {
        for (const frame of bucket.f) {
          if (frame.t < fromMs || frame.t > toMs) continue
          if (frames.length === range.limit) return { frames, nextFromMs: frame.t }
          frames.push(frame)
        }
      }
    } finally {
      await cursor.close()
    }
    return { frames, nextFromMs: null }
  }

  /** Deletes every frame of one analysis, of every kind; returns how many buckets went. */
  async deleteAnalysis (analysisId: string): Promise<number> {
    const result = await this.collection.deleteMany({ a: analysisId })
    return result.deletedCount
  }

  /**
   * Every analysis that has frames, in id order, page by page through a cursor (no 16 MB
   * limit as with distinct): for the sweeper, to find frames whose analysis is gone.
   */
  async * listAnalyses (): AsyncGenerator<StoredAnalysis> {
    const cursor = this.collection.aggregate<{ _id: string, w: Date | null }>([
      { $group: { _id: '$a', w: { $max: '$w' } } },
      { $sort: { _id: 1 } }
    ], { allowDiskUse: true, batchSize: 500 })
    try {
      for await (const row of cursor) yield { analysisId: row._id, lastWrite: row.w instanceof Date ? row.w : null }
    } finally {
      await cursor.close()
    }
  }
}

/**
 * Buffers frames and writes each bucket when it is full; `finish` writes the last partial
 * bucket and removes buckets left over from an earlier, longer run of the same analysis.
 */
export class FrameWriter {
  private pending: StoredFrame[] = []
  private bucketNumber = 0
  private lastTime = -Infinity
  private written = 0

  constructor (private readonly store: FrameStore, readonly analysisId: string, readonly kind: string) {}

  /** Adds frames; resolves once any bucket they completed is stored. */
  async add (frames: readonly StoredFrame[]): Promise<void> {
    const full: FrameBucket[] = []
    for (const frame of frames) {
      if (!(frame.t >= this.lastTime)) throw new Error(`Frames must be added in time order: ${frame.t} after ${this.lastTime}`)
      this.lastTime = frame.t
      this.pending.push(frame)
      if (this.pending.length === BUCKET_SIZE) full.push(this.takeBucket())
    }
    await this.write(full)
  }

  /** Stores what is left; returns the number of frames written in all. */
  async finish (): Promise<number> {
    if (this.pending.length > 0) await this.write([this.takeBucket()])
    await this.store.collection.deleteMany({ a: this.analysisId, k: this.kind, s: { $gte: this.bucketNumber } })
    return this.written
  }

  private takeBucket (): FrameBucket {
    const f = this.pending
    this.pending = []
    const s = this.bucketNumber++
    return {
      _id: `${this.analysisId}:${this.kind}:${s}`,
      a: this.analysisId,
      k: this.kind,
      s,
      t0: f[0]!.t,
      t1: f[f.length - 1]!.t,
      n: f.length,
      f,
      w: new Date()
    }
  }

  private async write (buckets: FrameBucket[]): Promise<void> {
    if (buckets.length === 0) return
    await this.store.ensureIndexes()
    const operations: Array<AnyBulkWriteOperation<FrameBucket>> = buckets.map((bucket) => ({
      replaceOne: { filter: { _id: bucket._id }, replacement: bucket, upsert: true }
    }))
    await this.store.collection.bulkWrite(operations, { ordered: false })
    this.written += buckets.reduce((sum, b) => sum + b.n, 0)
  }
}
