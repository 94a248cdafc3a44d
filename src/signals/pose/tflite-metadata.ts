/**
 * Adds the input normalisation metadata that tasks-vision requires of a float model to a
 * `.tflite` file that has none (the legacy `@mediapipe/pose` package's models), leaving the
 * model itself byte for byte as it was.
 *
 * tasks-vision's image preprocessing refuses a float32 input without `NormalizationOptions`
 * ("Input tensor has type float32: it requires specifying NormalizationOptions metadata");
 * the legacy graphs hard-coded the same numbers. The metadata is the TFLite Metadata schema's
 * `ModelMetadata` (identifier "M001") with one input tensor: `ImageProperties` RGB and
 * `NormalizationOptions` { mean, std }, stored in a new model buffer and named
 * "TFLITE_METADATA" in `Model.metadata`.
 *
 * Flatbuffer offsets are relative and point forward, so the new root `Model` table, its
 * vectors and the metadata are written in front of the old content (which moves by a multiple
 * of 16 bytes, keeping every alignment); the new table reuses the old one's operator codes,
 * subgraphs and buffers where they are.
 */

type Field = { u8: number } | { u32: number } | Ref | undefined
type Ref =
  | { table: Field[] }
  | { string: string }
  | { vector: Ref[] }
  | { floats: number[] }
  | { bytes: Uint8Array }
  | { at: number } // an object already in the buffer, by its final position

class ForwardWriter {
  private buffer = Buffer.alloc(1024)
  length = 0
  private readonly patches: Array<{ slot: number, target: Ref }> = []
  private readonly placed = new Map<Ref, number>()

  constructor (private readonly existing: (position: number) => number = (p) => p) {}

  private grow (bytes: number): number {
    while (this.length + bytes > this.buffer.length) this.buffer = Buffer.concat([this.buffer, Buffer.alloc(this.buffer.length)])
    const at = this.length
    this.length += bytes
    return at
  }

  /** The 4-byte file identifier, right after the root offset. */
  identifier (id: string): void {
    const at = this.grow(4)
    this.buffer.write(id, at, 'latin1')
  }

  align (to: number): void {
    this.grow((to - (this.length % to)) % to)
  }

  u32 (value: number): number {
    this.align(4)
    const at = this.grow(4)
    this.buffer.writeUInt32LE(value >>> 0, at)
    return at
  }

  /** A slot holding a uoffset to `target`, resolved by finish(). */
  offset (target: Ref): number {
    const slot = this.u32(0)
    this.patches.push({ slot, target })
    return slot
  }

  /** Writes `ref` (and, depth first, whatever it points to) and returns its position. */
  write (ref: Ref): number {
    if ('at' in ref) return this.existing(ref.at)
    if ('string' in ref) {
      const bytes = Buffer.from(ref.string, 'utf8')
      const at = this.u32(bytes.length)
      const data = this.grow(bytes.length + 1) // grow() may replace this.buffer: position first
      this.buffer.set(bytes, data)
      return at
    }
    if ('floats' in ref) {
      const at = this.u32(ref.floats.length)
      for (const value of ref.floats) {
        const data = this.grow(4)
        this.buffer.writeFloatLE(value, data)
      }
      return at
    }
    if ('bytes' in ref) {
      // The length word just before 16-aligned data (the data is a flatbuffer of its own).
      while ((this.length + 4) % 16 !== 0) this.grow(1)
      const at = this.u32(ref.bytes.length)
      const data = this.grow(ref.bytes.length)
      this.buffer.set(ref.bytes, data)
      return at
    }
    if ('vector' in ref) {
      const at = this.u32(ref.vector.length)
      for (const item of ref.vector) this.offset(item)
      for (const item of ref.vector) this.place(item)
      return at
    }
    // A table: its vtable first, then the table (4-byte fields, then 1-byte ones), then what its fields point to.
    const fields = ref.table
    const layout: number[] = []
    let size = 4
    for (const [i, field] of fields.entries()) if (field && !('u8' in field)) { layout[i] = size; size += 4 }
    for (const [i, field] of fields.entries()) if (field && 'u8' in field) { layout[i] = size; size += 1 }
    this.align(2)
    const vtable = this.grow(4 + 2 * fields.length)
    this.buffer.writeUInt16LE(4 + 2 * fields.length, vtable)
    this.buffer.writeUInt16LE(size, vtable + 2)
    for (let i = 0; i < fields.length; i++) this.buffer.writeUInt16LE(layout[i] ?? 0, vtable + 4 + 2 * i)
    const table = this.u32(0)
    this.buffer.writeInt32LE(table - vtable, table)
    this.grow(size - 4)
    const children: Ref[] = []
    for (const [i, field] of fields.entries()) {
      if (!field) continue
      const at = table + layout[i]!
      if ('u8' in field) this.buffer.writeUInt8(field.u8, at)
      else if ('u32' in field) this.buffer.writeUInt32LE(field.u32 >>> 0, at)
      else {
        this.patches.push({ slot: at, target: field })
        children.push(field)
      }
    }
    for (const child of children) this.place(child)
    return table
  }

  /** Writes `ref` once, wherever offsets to it are. */
  place (ref: Ref): void {
    if (!this.placed.has(ref)) this.placed.set(ref, this.write(ref))
  }

  /** Resolves the offsets; the bytes written so far. */
  finish (): Buffer {
    for (const { slot, target } of this.patches) {
      const position = 'at' in target ? this.existing(target.at) : this.placed.get(target)
      if (position === undefined || position <= slot) throw new Error('flatbuffer offset must point forward')
      this.buffer.writeUInt32LE(position - slot, slot)
    }
    return this.buffer.subarray(0, this.length)
  }
}

/** The TFLite Metadata flatbuffer: one RGB image input normalised as (x - mean) / std. */
export function imageInputMetadata (name: string, mean: number, std: number): Buffer {
  const writer = new ForwardWriter()
  const normalization: Ref = { table: [{ floats: [mean] }, { floats: [std] }] } // NormalizationOptions { mean, std }
  const processUnit: Ref = { table: [{ u8: 1 }, normalization] } // ProcessUnit { options_type: NormalizationOptions, options }
  const content: Ref = { table: [{ u8: 2 }, { table: [{ u8: 1 }] }] } // Content { ImageProperties { color_space: RGB } }
  const input: Ref = { table: [{ string: 'image' }, undefined, undefined, content, { vector: [processUnit] }] } // TensorMetadata
  const subgraph: Ref = { table: [undefined, undefined, { vector: [input] }] } // SubGraphMetadata { input_tensor_metadata }
  const model: Ref = { table: [{ string: name }, undefined, undefined, { vector: [subgraph] }, undefined, undefined, undefined, { string: '1.0.0' }] }
  writer.offset(model)
  writer.identifier('M001')
  writer.place(model)
  return writer.finish()
}

export function withImageInputMetadata (model: Uint8Array, name: string, mean: number, std: number): Buffer {
  const old = Buffer.from(model.buffer, model.byteOffset, model.byteLength)
  if (old.toString('latin1', 4, 8) !== 'TFL3') throw new Error('not a TFLite model (no TFL3 identifier)')
  const root = old.readUInt32LE(0)
  const vtable = root - old.readInt32LE(root)
  const vtableSize = old.readUInt16LE(vtable)
  // Model's fields: version, operator_codes, subgraphs, description, buffers, metadata_buffer, metadata, signature_defs.
  const fieldAt = (i: number): number | undefined => {
    if (4 + 2 * i >= vtableSize) return undefined
    const offset = old.readUInt16LE(vtable + 4 + 2 * i)
    return offset === 0 ? undefined : root + offset
  }
  const target = (i: number): number | undefined => {
    const at = fieldAt(i)
    return at === undefined ? undefined : at + old.readUInt32LE(at)
  }
  const vectorItems = (vector: number | undefined): Ref[] => {
    if (vector === undefined) return []
    return Array.from({ length: old.readUInt32LE(vector) }, (_, k) => {
      const slot = vector + 4 + 4 * k
      return { at: slot + old.readUInt32LE(slot) }
    })
  }
  const buffers = vectorItems(target(4))
  const metadataEntries = vectorItems(target(6))
  const metadata = imageInputMetadata(name, mean, std)
  const existing = (i: number): Ref | undefined => { const at = target(i); return at === undefined ? undefined : { at } }
  const version = fieldAt(0)
  const newModel: Ref = {
    table: [
      version === undefined ? undefined : { u32: old.readUInt32LE(version) },
      existing(1), existing(2), existing(3),
      { vector: [...buffers, { table: [{ bytes: metadata }] }] },
      existing(5),
      { vector: [...metadataEntries, { table: [{ string: 'TFLITE_METADATA' }, { u32: buffers.length }] }] },
      existing(7)
    ]
  }
  // Two passes: the prefix's size first, then the same prefix with the old content's final positions.
  const build = (shift: number) => {
    const writer = new ForwardWriter((p) => p + shift)
    writer.offset(newModel)
    writer.identifier('TFL3')
    writer.place(newModel)
    return writer
  }
  const prefixLength = build(1 << 30).length
  const shift = Math.ceil((prefixLength - 8) / 16) * 16
  const writer = build(shift)
  const prefix = writer.finish()
  return Buffer.concat([prefix, Buffer.alloc(8 + shift - prefix.length), old.subarray(8)])
}
