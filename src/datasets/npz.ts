/**
 * NumPy .npz files: a zip (deflated) of one .npy per named array, plus extra members such as
 * the sequence's JSON header. In Python, one call:
 *
 *   z = np.load('clip.npz')                  # no pickle needed (allow_pickle stays False)
 *   z['landmarks'].shape                     # (K, 33, 3) float32
 *   header = json.loads(z['header.json'])    # a member that is not a .npy comes back as bytes
 *
 * .npy is written as NumPy's format spec says (numpy.lib.format, version 1.0): the magic
 * "\x93NUMPY", version 1.0, a little-endian uint16 header length, then the header dict in ASCII
 * ({'descr': '<f4', 'fortran_order': False, 'shape': (K, 33, 3), }) padded with spaces and a
 * final newline so the data starts at a multiple of 64 bytes; the data in C order,
 * little-endian. The zip is fflate's (deflate level 6); every member carries the same fixed
 * date, so the same arrays always give the same bytes (a content hash means the content).
 */
import os from 'node:os'
import { zipSync, type Zippable } from 'fflate'
import type { SequenceArray, SequenceArrays, SequenceDtype } from './extract.js'

export const HEADER_MEMBER = 'header.json'

const DESCR: Record<SequenceDtype, string> = { float32: '<f4', float64: '<f8', int32: '<i4', uint8: '|u1' }
const TYPED: Record<SequenceDtype, typeof Float32Array | typeof Float64Array | typeof Int32Array | typeof Uint8Array> = { float32: Float32Array, float64: Float64Array, int32: Int32Array, uint8: Uint8Array }
const NAME = /^[A-Za-z_][A-Za-z0-9_]{0,99}$/
const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59] // \x93NUMPY
/** DOS dates start in 1980; one fixed date keeps the output reproducible. */
const FIXED_DATE = new Date(1980, 0, 1, 0, 0, 0)
const MAX_ZIP_BYTES = 0xffff_ffff // fflate writes no zip64

if (os.endianness() !== 'LE') throw new Error('npz: typed arrays are written as they sit in memory, which must be little-endian')

/** The .npy header dict for a dtype and shape (shape () is a scalar, (n,) a vector). */
export function npyHeader (dtype: SequenceDtype, shape: readonly number[]): string {
  const dims = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`
  return `{'descr': '${DESCR[dtype]}', 'fortran_order': False, 'shape': ${dims}, }`
}

/** One array as a .npy file (version 1.0). */
export function encodeNpy (name: string, array: SequenceArray): Uint8Array {
  checkArray(name, array)
  let dict = npyHeader(array.dtype, array.shape)
  // magic (6) + version (2) + header length (2) + dict + '\n', padded to 64 bytes.
  const unpadded = 10 + dict.length + 1
  dict += ' '.repeat((64 - (unpadded % 64)) % 64) + '\n'
  if (dict.length > 0xffff) throw new RangeError(`npz: array ${name}: header too long for .npy 1.0`)
  const bytes = new Uint8Array(array.data.buffer, array.data.byteOffset, array.data.byteLength)
  const out = new Uint8Array(10 + dict.length + bytes.length)
  out.set(MAGIC, 0)
  out[6] = 1
  out[7] = 0
  out[8] = dict.length & 0xff
  out[9] = dict.length >> 8
  for (let i = 0; i < dict.length; i++) out[10 + i] = dict.charCodeAt(i)
  out.set(bytes, 10 + dict.length)
  return out
}

function checkArray (name: string, array: SequenceArray): void {
  if (!NAME.test(name)) throw new RangeError(`npz: array name "${name}" must be letters, digits and _ (up to 100), not starting with a digit`)
  if (!(array.dtype in DESCR)) throw new RangeError(`npz: array ${name}: unknown dtype ${String(array.dtype)} (float32, float64, int32, uint8)`)
  if (!(array.data instanceof TYPED[array.dtype]!)) throw new TypeError(`npz: array ${name}: dtype ${array.dtype} needs a ${TYPED[array.dtype]!.name}, got ${array.data?.constructor?.name ?? typeof array.data}`)
  if (!Array.isArray(array.shape) || !array.shape.every((n) => Number.isSafeInteger(n) && n >= 0)) throw new RangeError(`npz: array ${name}: shape must be whole numbers >= 0, got ${JSON.stringify(array.shape)}`)
  const count = array.shape.reduce((a, b) => a * b, 1)
  if (count !== array.data.length) throw new RangeError(`npz: array ${name}: shape ${JSON.stringify(array.shape)} holds ${count} values, the data ${array.data.length}`)
}

/**
 * The .npz bytes: `<name>.npy` per array, then the extra members as they are (strings as
 * UTF-8), e.g. { 'header.json': JSON.stringify(header) }. Extra member names must not end in
 * .npy or clash with an array.
 */
export function encodeNpz (arrays: SequenceArrays, extraFiles: Record<string, string | Uint8Array> = {}): Uint8Array {
  const members: Zippable = {}
  for (const [name, array] of Object.entries(arrays)) members[`${name}.npy`] = [encodeNpy(name, array), { level: 6, mtime: FIXED_DATE }]
  for (const [name, content] of Object.entries(extraFiles)) {
    if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,99}$/.test(name) || name.endsWith('.npy')) throw new RangeError(`npz: extra member name "${name}" must be a plain file name not ending in .npy`)
    if (name in members || name in arrays) throw new RangeError(`npz: extra member ${name} clashes with an array`)
    const bytes = typeof content === 'string' ? new TextEncoder().encode(content) : content
    if (!(bytes instanceof Uint8Array)) throw new TypeError(`npz: extra member ${name} must be a string or a Uint8Array`)
    members[name] = [bytes, { level: 6, mtime: FIXED_DATE }]
  }
  const zip = zipSync(members)
  if (zip.length > MAX_ZIP_BYTES) throw new RangeError(`npz: ${zip.length} bytes is over the 4 GiB a zip without zip64 can hold; extract fewer frames per file`)
  return zip
}

/** A sequence as an .npz: its arrays, and its header as the member header.json. */
export function encodeSequenceNpz (sequence: { arrays: SequenceArrays, header: Record<string, unknown> }): Uint8Array {
  return encodeNpz(sequence.arrays, { [HEADER_MEMBER]: JSON.stringify(sequence.header) })
}
