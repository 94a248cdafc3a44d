/**
 * The .npz writer against NumPy itself: arrays of every dtype and shape (fast-check, plus fixed
 * cases) written by encodeNpz are loaded with numpy.load in a child process and compared value
 * for value (bit for bit), with their dtype and shape; the JSON header reads back; bad input is
 * refused with a message naming the array.
 */
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import t from 'tap'
import fc from 'fast-check'
import { encodeNpz, encodeNpy, encodeSequenceNpz, HEADER_MEMBER } from '../../src/datasets/npz.js'
import type { SequenceArray, SequenceArrays, SequenceDtype } from '../../src/datasets/extract.js'
import { hexOf, loadNpz } from './numpy.js'

const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'candor-npz-'))
t.teardown(() => fs.rm(dir, { recursive: true, force: true }))
let fileNo = 0
async function roundTrip (bytes: Uint8Array) {
  const file = path.join(dir, `${fileNo++}.npz`)
  await fs.writeFile(file, bytes)
  return loadNpz(file)
}

const DESCR: Record<SequenceDtype, string> = { float32: '<f4', float64: '<f8', int32: '<i4', uint8: '|u1' }

t.test('fixed arrays: values, dtypes, shapes and the header as numpy reads them', async (t) => {
  const arrays: SequenceArrays = {
    landmarks: { dtype: 'float32', shape: [2, 3, 3], data: Float32Array.from({ length: 18 }, (_, i) => i / 7 - 1) },
    timestamps: { dtype: 'float64', shape: [2], data: Float64Array.from([0, 33.36666666666667]) },
    kept_indices: { dtype: 'int32', shape: [2], data: Int32Array.from([0, 2_000_000_000]) },
    mask: { dtype: 'uint8', shape: [2, 2], data: Uint8Array.from([0, 1, 254, 255]) },
    scalar: { dtype: 'float32', shape: [], data: Float32Array.from([1.5]) },
    empty: { dtype: 'float32', shape: [0, 33, 3], data: new Float32Array(0) }
  }
  const header = { format: 'candor-sequence', source: { file: 'a b é.mp4' }, fps: 10 }
  const loaded = await roundTrip(encodeSequenceNpz({ arrays, header }))
  t.same(loaded.files.sort(), [...Object.keys(arrays), HEADER_MEMBER].sort())
  t.same(loaded.header, header, 'json.loads(z["header.json"]) gives the header back')
  for (const [name, array] of Object.entries(arrays)) {
    const got = loaded.arrays[name]!
    t.equal(got.dtype, DESCR[array.dtype], `${name} dtype`)
    t.same(got.shape, array.shape, `${name} shape`)
    t.equal(got.hex, hexOf(array.data), `${name} bytes`)
  }
  t.same(loaded.arrays.landmarks!.values, [[[...arrays.landmarks!.data.slice(0, 3)], [...arrays.landmarks!.data.slice(3, 6)], [...arrays.landmarks!.data.slice(6, 9)]], [[...arrays.landmarks!.data.slice(9, 12)], [...arrays.landmarks!.data.slice(12, 15)], [...arrays.landmarks!.data.slice(15, 18)]]], 'C order: the last index varies fastest')
  t.same(loaded.arrays.kept_indices!.values, [0, 2_000_000_000])
  t.equal(loaded.arrays.scalar!.values, 1.5, 'shape () is a 0-d array')
})

t.test('.npy headers follow the format spec: version 1.0, data aligned to 64 bytes', async (t) => {
  for (const shape of [[], [1], [5, 33, 3], [123456, 478, 3]]) {
    const count = shape.reduce((a, b) => a * b, 1)
    const npy = encodeNpy('a', { dtype: 'float32', shape, data: new Float32Array(count) })
    t.same([...npy.subarray(0, 8)], [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0])
    const headerLength = npy[8]! | (npy[9]! << 8)
    t.equal((10 + headerLength) % 64, 0, `shape ${JSON.stringify(shape)}: data starts at a multiple of 64`)
    t.equal(npy[10 + headerLength - 1], 0x0a, 'the header ends with a newline')
    t.equal(npy.length, 10 + headerLength + count * 4)
  }
})

t.test('random arrays (fast-check) load in numpy bit for bit', async (t) => {
  const dtype = fc.constantFrom<SequenceDtype>('float32', 'float64', 'int32', 'uint8')
  const shape = fc.array(fc.integer({ min: 0, max: 5 }), { maxLength: 4 })
  const array = fc.tuple(dtype, shape).chain(([dtype, shape]) => {
    const count = shape.reduce((a, b) => a * b, 1)
    const values = dtype === 'float32'
      ? fc.float32Array({ minLength: count, maxLength: count })
      : dtype === 'float64'
        ? fc.float64Array({ minLength: count, maxLength: count })
        : dtype === 'int32'
          ? fc.int32Array({ minLength: count, maxLength: count })
          : fc.uint8Array({ minLength: count, maxLength: count })
    return values.map((data): SequenceArray => ({ dtype, shape, data }))
  })
  const arrays = fc.dictionary(fc.stringMatching(/^[a-z_][a-z0-9_]{0,12}$/), array, { minKeys: 1, maxKeys: 5 })
  let runs = 0
  await fc.assert(fc.asyncProperty(arrays, fc.jsonValue(), async (arrays, extra) => {
    runs++
    const header = { extra }
    const loaded = await roundTrip(encodeNpz(arrays, { [HEADER_MEMBER]: JSON.stringify(header) }))
    for (const [name, a] of Object.entries(arrays)) {
      const got = loaded.arrays[name]
      if (!got || got.dtype !== DESCR[a.dtype] || JSON.stringify(got.shape) !== JSON.stringify(a.shape) || got.hex !== hexOf(a.data)) return false
    }
    return Object.keys(loaded.arrays).length === Object.keys(arrays).length && JSON.stringify(loaded.header) === JSON.stringify(JSON.parse(JSON.stringify(header)))
  }), { numRuns: Number(process.env.NPZ_RUNS ?? 40), seed: Number(process.env.NPZ_SEED ?? 20240813) })
  t.ok(runs >= 1, `${runs} random files loaded by numpy`)
})

t.test('the same arrays always give the same bytes', async (t) => {
  const arrays: SequenceArrays = { a: { dtype: 'int32', shape: [3], data: Int32Array.from([1, 2, 3]) } }
  const first = encodeNpz(arrays, { [HEADER_MEMBER]: '{}' })
  await new Promise((resolve) => setTimeout(resolve, 2100)) // across a zip timestamp tick
  t.same(Buffer.from(encodeNpz(arrays, { [HEADER_MEMBER]: '{}' })), Buffer.from(first))
})

t.test('bad input is refused with the array named', async (t) => {
  const f = (data: Float32Array, shape: number[]) => ({ x: { dtype: 'float32' as const, shape, data } })
  t.throws(() => encodeNpz(f(new Float32Array(5), [2, 3])), /array x: shape \[2,3\] holds 6 values, the data 5/)
  t.throws(() => encodeNpz(f(new Float32Array(1), [-1])), /array x: shape must be whole numbers/)
  t.throws(() => encodeNpz({ x: { dtype: 'int32', shape: [1], data: new Float32Array(1) } }), /array x: dtype int32 needs a Int32Array, got Float32Array/)
  t.throws(() => encodeNpz({ 'a/b': { dtype: 'uint8', shape: [0], data: new Uint8Array(0) } }), /array name "a\/b"/)
  t.throws(() => encodeNpz({ x: { dtype: 'int64' as never, shape: [0], data: new Uint8Array(0) } }), /unknown dtype int64/)
  t.throws(() => encodeNpz({}, { 'x.npy': 'no' }), /must be a plain file name not ending in .npy/)
  t.throws(() => encodeNpz({}, { '../x': 'no' }), /plain file name/)
})
