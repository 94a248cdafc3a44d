/**
 * MongoDB wire protocol framing: splits the TCP byte stream into messages, decodes OP_MSG and
 * the legacy OP_QUERY handshake, and encodes OP_MSG / OP_REPLY answers. Anything malformed
 * raises ProtocolError, on which the connection is closed (as mongod does).
 */
import { deserialize, serialize } from 'bson'
import type { Document } from 'bson'

export const OP_REPLY = 1
export const OP_QUERY = 2004
export const OP_MSG = 2013

/** mongod's limits, also advertised in the hello reply. */
export const MAX_BSON_OBJECT_SIZE = 16 * 1024 * 1024
export const MAX_MESSAGE_SIZE_BYTES = 48_000_000

const HEADER_SIZE = 16
const FLAG_CHECKSUM_PRESENT = 1 << 0
const FLAG_MORE_TO_COME = 1 << 1
/** Bits 0-15 are "required": a receiver must reject unknown ones. */
const KNOWN_REQUIRED_FLAGS = FLAG_CHECKSUM_PRESENT | FLAG_MORE_TO_COME

export class ProtocolError extends Error {
  override name = 'ProtocolError'
}

/** A raw BSON document as it came off the wire; decoded lazily because we need it two ways. */
export type RawDocument = Uint8Array

export interface OpMsgRequest {
  opCode: typeof OP_MSG
  requestId: number
  /** The client sent moreToCome (w:0 writes): it expects no reply. */
  moreToCome: boolean
  body: RawDocument
  /** Kind-1 sections, e.g. `documents` of insert, `updates` of update. */
  sequences: Map<string, RawDocument[]>
}

export interface OpQueryRequest {
  opCode: typeof OP_QUERY
  requestId: number
  /** Full namespace, e.g. `admin.$cmd`. */
  namespace: string
  query: RawDocument
}

export type WireRequest = OpMsgRequest | OpQueryRequest

/** Accumulates socket chunks and yields complete messages. */
export class MessageReader {
  private buffered: Buffer[] = []
  private bufferedLength = 0

  push (chunk: Buffer): WireRequest[] {
    this.buffered.push(chunk)
    this.bufferedLength += chunk.length
    const messages: WireRequest[] = []
    while (this.bufferedLength >= 4) {
      if (this.buffered[0].length < 4) this.buffered = [Buffer.concat(this.buffered)]
      const length = this.buffered[0].readInt32LE(0)
      if (length < HEADER_SIZE || length > MAX_MESSAGE_SIZE_BYTES) {
        throw new ProtocolError(`invalid message length ${length}`)
      }
      // Concatenate only once the whole message is here, so large messages stay linear.
      if (this.bufferedLength < length) break
      const data = this.buffered.length === 1 ? this.buffered[0] : Buffer.concat(this.buffered)
      messages.push(decodeMessage(data.subarray(0, length)))
      const rest = data.subarray(length)
      this.buffered = rest.length > 0 ? [rest] : []
      this.bufferedLength = rest.length
    }
    return messages
  }
}

function decodeMessage (message: Buffer): WireRequest {
  const requestId = message.readInt32LE(4)
  const opCode = message.readInt32LE(12)
  if (opCode === OP_MSG) return decodeOpMsg(message, requestId)
  if (opCode === OP_QUERY) return decodeOpQuery(message, requestId)
  throw new ProtocolError(`unsupported opCode ${opCode}`)
}

function decodeOpMsg (message: Buffer, requestId: number): OpMsgRequest {
  if (message.length < HEADER_SIZE + 5) throw new ProtocolError('OP_MSG too short')
  const flags = message.readUInt32LE(HEADER_SIZE)
  if ((flags & 0xffff & ~KNOWN_REQUIRED_FLAGS) !== 0) {
    throw new ProtocolError(`unknown required OP_MSG flag bits ${flags.toString(2)}`)
  }
  let end = message.length
  if (flags & FLAG_CHECKSUM_PRESENT) {
    end -= 4
    if (end < HEADER_SIZE + 4) throw new ProtocolError('OP_MSG too short for checksum')
    if (crc32c(message.subarray(0, end)) !== message.readUInt32LE(end)) {
      throw new ProtocolError('OP_MSG checksum mismatch')
    }
  }

  let body: RawDocument | undefined
  const sequences = new Map<string, RawDocument[]>()
  let offset = HEADER_SIZE + 4
  while (offset < end) {
    const kind = message[offset++]
    if (kind === 0) {
      if (body) throw new ProtocolError('OP_MSG has more than one body section')
      body = readDocument(message, offset, end)
      offset += body.length
    } else if (kind === 1) {
      if (offset + 4 > end) throw new ProtocolError('truncated document sequence')
      const size = message.readInt32LE(offset)
      const sectionEnd = offset + size
      if (size < 5 || sectionEnd > end) throw new ProtocolError('bad document sequence size')
      const nul = message.indexOf(0, offset + 4)
      if (nul < 0 || nul >= sectionEnd) throw new ProtocolError('unterminated sequence identifier')
      const identifier = message.toString('utf8', offset + 4, nul)
      const documents: RawDocument[] = []
      let position = nul + 1
      while (position < sectionEnd) {
        const document = readDocument(message, position, sectionEnd)
        documents.push(document)
        position += document.length
      }
      if (sequences.has(identifier)) throw new ProtocolError(`duplicate sequence ${identifier}`)
      sequences.set(identifier, documents)
      offset = sectionEnd
    } else {
      throw new ProtocolError(`unknown OP_MSG section kind ${kind}`)
    }
  }
  if (!body) throw new ProtocolError('OP_MSG without a body section')
  return { opCode: OP_MSG, requestId, moreToCome: (flags & FLAG_MORE_TO_COME) !== 0, body, sequences }
}

function decodeOpQuery (message: Buffer, requestId: number): OpQueryRequest {
  // header | flags int32 | fullCollectionName cstring | numberToSkip | numberToReturn | query
  const nameStart = HEADER_SIZE + 4
  const nul = message.indexOf(0, nameStart)
  if (nul < 0) throw new ProtocolError('unterminated OP_QUERY namespace')
  const namespace = message.toString('utf8', nameStart, nul)
  const query = readDocument(message, nul + 1 + 8, message.length)
  return { opCode: OP_QUERY, requestId, namespace, query }
}

/** Slices one BSON document out of `buffer`, checking that it fits before `limit`. */
function readDocument (buffer: Buffer, offset: number, limit: number): RawDocument {
  if (offset + 5 > limit) throw new ProtocolError('truncated BSON document')
  const size = buffer.readInt32LE(offset)
  if (size < 5 || offset + size > limit || buffer[offset + size - 1] !== 0) {
    throw new ProtocolError('invalid BSON document size')
  }
  return buffer.subarray(offset, offset + size)
}

/** Decodes a raw document, turning BSON corruption into a connection-closing ProtocolError. */
export function decodeDocument (raw: RawDocument, options: Parameters<typeof deserialize>[1]): Document {
  try {
    return deserialize(raw, options)
  } catch (error) {
    throw new ProtocolError(`invalid BSON: ${(error as Error).message}`)
  }
}

let nextRequestId = 1

function header (length: number, responseTo: number, opCode: number): Buffer {
  const buffer = Buffer.alloc(HEADER_SIZE)
  buffer.writeInt32LE(length, 0)
  buffer.writeInt32LE(nextRequestId, 4)
  nextRequestId = (nextRequestId + 1) & 0x7fffffff
  buffer.writeInt32LE(responseTo, 8)
  buffer.writeInt32LE(opCode, 12)
  return buffer
}

export function encodeOpMsg (responseTo: number, document: Document): Buffer {
  const body = serialize(document)
  const flagsAndKind = Buffer.alloc(5) // flagBits = 0, section kind 0
  const total = HEADER_SIZE + flagsAndKind.length + body.length
  return Buffer.concat([header(total, responseTo, OP_MSG), flagsAndKind, body])
}

export function encodeOpReply (responseTo: number, document: Document): Buffer {
  const body = serialize(document)
  // responseFlags int32 | cursorID int64 | startingFrom int32 | numberReturned int32
  const fields = Buffer.alloc(20)
  fields.writeInt32LE(1, 16)
  const total = HEADER_SIZE + fields.length + body.length
  return Buffer.concat([header(total, responseTo, OP_REPLY), fields, body])
}

let crcTable: Uint32Array | undefined

/** CRC-32C (Castagnoli), the OP_MSG checksum algorithm. */
export function crc32c (data: Uint8Array): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256)
    for (let n = 0; n < 256; n++) {
      let c = n
      for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1
      crcTable[n] = c >>> 0
    }
  }
  let crc = 0xffffffff
  for (const byte of data) crc = crcTable[(crc ^ byte) & 0xff] ^ (crc >>> 8)
  return (crc ^ 0xffffffff) >>> 0
}
