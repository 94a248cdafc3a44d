/**
 * Server-side cursors. Results are materialised when the cursor opens (a snapshot, unlike
 * mongod's yielding plan executors) and handed out in batches via getMore.
 */
import { calculateObjectSize, Long } from 'bson'
import type { Document } from 'bson'
import { CommandError } from './errors.js'
import { MAX_BSON_OBJECT_SIZE } from './wire.js'

/** mongod's default first batch: 101 documents (or 16 MiB, whichever is reached first). */
export const DEFAULT_FIRST_BATCH_SIZE = 101

interface OpenCursor {
  namespace: string
  documents: Document[]
  position: number
}

export interface CursorReply {
  cursor: { id: Long, ns: string, firstBatch?: Document[], nextBatch?: Document[] }
  ok: 1
}

export class CursorRegistry {
  private readonly cursors = new Map<bigint, OpenCursor>()
  // Random-looking, never zero: 0 means "exhausted" on the wire.
  private nextId = BigInt(Math.floor(Math.random() * 2 ** 40)) + 1n

  /**
   * Returns the first batch; registers a cursor only if documents remain and the client did
   * not ask for a single batch. `batchSize` undefined means the server default.
   */
  open (namespace: string, documents: Document[], batchSize: number | undefined, singleBatch = false): CursorReply {
    const cursor: OpenCursor = { namespace, documents, position: 0 }
    const batch = this.take(cursor, batchSize ?? DEFAULT_FIRST_BATCH_SIZE)
    let id = 0n
    if (!singleBatch && cursor.position < documents.length) {
      id = this.nextId++
      this.cursors.set(id, cursor)
    }
    return { cursor: { id: Long.fromBigInt(id), ns: namespace, firstBatch: batch }, ok: 1 }
  }

  getMore (id: bigint, namespace: string, batchSize: number | undefined): CursorReply {
    const cursor = this.cursors.get(id)
    if (!cursor) throw new CommandError('CursorNotFound', `cursor id ${id} not found`)
    if (cursor.namespace !== namespace) {
      throw new CommandError(
        'Unauthorized',
        `Requested getMore on namespace '${namespace}', but cursor belongs to a different namespace ${cursor.namespace}`
      )
    }
    // Without batchSize, getMore returns as much as fits in one 16 MiB reply, like mongod.
    const batch = this.take(cursor, batchSize && batchSize > 0 ? batchSize : Infinity)
    const exhausted = cursor.position >= cursor.documents.length
    if (exhausted) this.cursors.delete(id)
    return { cursor: { id: Long.fromBigInt(exhausted ? 0n : id), ns: namespace, nextBatch: batch }, ok: 1 }
  }

  /** Returns [killed, notFound] id lists for the killCursors reply. */
  kill (ids: bigint[]): [bigint[], bigint[]] {
    const killed = ids.filter((id) => this.cursors.delete(id))
    return [killed, ids.filter((id) => !killed.includes(id))]
  }

  clear (): void {
    this.cursors.clear()
  }

  private take (cursor: OpenCursor, count: number): Document[] {
    const batch: Document[] = []
    let bytes = 0
    while (batch.length < count && cursor.position < cursor.documents.length) {
      const document = cursor.documents[cursor.position]
      const size = calculateObjectSize(document)
      if (batch.length > 0 && bytes + size > MAX_BSON_OBJECT_SIZE) break
      batch.push(document)
      bytes += size
      cursor.position++
    }
    return batch
  }
}
