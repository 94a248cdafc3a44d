/**
 * Mutated copies of small, valid videos, for fuzzing the analysis job: random bit flips and
 * byte noise, runs of 0x00/0xFF, truncations, chunks duplicated, removed, swapped or inserted,
 * and edits of the container's own fields (Matroska PixelWidth, Duration, TimecodeScale,
 * block headers...; mp4 mvhd/tkhd/mdhd timescales and durations, sample tables, avcC...).
 * Variant i of a seed is the same on every run and can be rebuilt alone (Random.forItem), and
 * each says in words what was done to it, so a failure can be replayed and understood.
 */
import { Random } from './random.js'
import { matroskaLayout, mp4Layout, type EditSite, type MediaLayout, type SiteGroup } from './layout.js'

export type Container = 'matroska' | 'mp4'

export interface BaseVideo {
  /** Short name used in variant names: webm, mp4, mkv... */
  name: string
  ext: string
  container: Container
  data: Buffer
}

/** Each category gets an equal share of the variants, so small runs cover them all. */
export const CATEGORIES = ['bit-flips', 'byte-noise', 'runs', 'truncation', 'chunks', 'header', 'mixed'] as const
export type Category = typeof CATEGORIES[number]

export interface Variant {
  index: number
  /** v007-mp4-truncation: also its file name (with the base's extension). */
  name: string
  base: string
  ext: string
  category: Category
  /** What was done, in order, e.g. "tkhd.width 0x01400000 -> 0x00000000". */
  mutations: string[]
  data: Buffer
}

const layouts = new WeakMap<Buffer, MediaLayout>()

export function layoutOf (base: BaseVideo): MediaLayout {
  let layout = layouts.get(base.data)
  if (!layout) {
    layout = base.container === 'matroska' ? matroskaLayout(base.data) : mp4Layout(base.data)
    layouts.set(base.data, layout)
  }
  return layout
}

/**
 * Variant `index` of the run with this seed: categories in turn, and for each category the
 * bases in turn, so every CATEGORIES.length x bases.length variants cover every pair.
 */
export function makeVariant (bases: readonly BaseVideo[], seed: number, index: number): Variant {
  const random = Random.forItem(seed, index)
  const category = CATEGORIES[index % CATEGORIES.length]!
  const base = bases[Math.floor(index / CATEGORIES.length) % bases.length]!
  const layout = layoutOf(base)
  let data: Buffer = Buffer.from(base.data)
  const mutations: string[] = []
  const apply = (operation: Operation) => {
    const done = operation(data, random, layout)
    data = done.data
    mutations.push(done.description)
  }
  switch (category) {
    case 'bit-flips': apply(flipBits); break
    case 'byte-noise': apply(byteNoise); break
    case 'runs': for (let i = random.int(1, 3); i > 0; i--) apply(fillRun); break
    case 'truncation': apply(truncate); break
    case 'chunks': for (let i = random.int(1, 2); i > 0; i--) apply(random.pick(CHUNK_OPERATIONS)); break
    case 'header': for (let i = random.weighted([[6, 1], [3, 2], [1, 3]] as const); i > 0; i--) apply(editField); break
    case 'mixed':
      // Field edits first: they use the base's offsets, which later length changes would shift.
      apply(editField)
      for (let i = random.int(1, 2); i > 0; i--) apply(random.pick(GENERIC_OPERATIONS))
      break
  }
  // A field set to the value it had changes nothing: the variant must differ from its base.
  if (data.equals(base.data)) apply(flipBits)
  return { index, name: `v${String(index).padStart(3, '0')}-${base.name}-${category}`, base: base.name, ext: base.ext, category, mutations, data }
}

export function makeVariants (bases: readonly BaseVideo[], seed: number, count: number): Variant[] {
  return Array.from({ length: count }, (_, index) => makeVariant(bases, seed, index))
}

// --- operations ------------------------------------------------------------------------------

type Operation = (data: Buffer, random: Random, layout: MediaLayout) => { data: Buffer, description: string }

interface Region { start: number, end: number, name: string }

/** Where generic damage goes: anywhere, only the payload (the demuxer still reads the headers), or only the structure. */
function region (data: Buffer, random: Random, layout: MediaLayout): Region {
  const whole = { start: 0, end: data.length, name: 'anywhere' }
  const payload = { start: Math.min(layout.payload.start, data.length), end: Math.min(layout.payload.end, data.length), name: 'payload' }
  const before = { start: 0, end: payload.start, name: 'headers' }
  const after = { start: payload.end, end: data.length, name: 'headers' }
  const structure = before.end - before.start >= after.end - after.start ? before : after
  const usable = (r: Region) => r.end - r.start >= 16
  const choice = random.weighted([[4, whole], [4, payload], [2, structure]] as const)
  return usable(choice) ? choice : whole
}

const flipBits: Operation = (data, random, layout) => {
  const where = region(data, random, layout)
  const count = random.weighted([[5, random.int(1, 4)], [3, random.int(5, 16)], [1, random.int(17, 64)]] as const)
  const flipped: string[] = []
  for (let i = 0; i < count; i++) {
    const at = random.int(where.start, where.end - 1)
    const bit = random.int(0, 7)
    data[at] ^= 1 << bit
    flipped.push(`${at}.${bit}`)
  }
  return { data, description: `flipped ${count} bit${count > 1 ? 's' : ''} (${where.name}) at ${listed(flipped)}` }
}

const byteNoise: Operation = (data, random, layout) => {
  const where = region(data, random, layout)
  const rate = random.pick([0.001, 0.003, 0.01, 0.03])
  const count = Math.max(2, Math.round((where.end - where.start) * rate))
  for (let i = 0; i < count; i++) data[random.int(where.start, where.end - 1)] ^= random.int(1, 255)
  return { data, description: `xor-ed ${count} random bytes (${(rate * 100).toFixed(1)} %, ${where.name} ${where.start}-${where.end})` }
}

const fillRun: Operation = (data, random, layout) => {
  const where = region(data, random, layout)
  const length = Math.min(where.end - where.start, random.pick([16, 64, 256, 1024, 4096]))
  const at = random.int(where.start, where.end - length)
  const fill = random.pick(['0x00', '0xFF', 'random'] as const)
  if (fill === 'random') random.bytes(length).copy(data, at)
  else data.fill(fill === '0x00' ? 0 : 0xff, at, at + length)
  return { data, description: `${length} bytes of ${fill} at ${at} (${where.name})` }
}

const truncate: Operation = (data, random, layout) => {
  const payloadStart = Math.min(layout.payload.start, data.length - 1)
  // Inside the headers, anywhere, or just short of the end (an upload cut off at the last moment).
  const at = random.weighted([
    [2, random.int(1, Math.max(1, Math.min(payloadStart, data.length - 1)))],
    [5, random.int(1, data.length - 1)],
    [2, random.int(Math.floor(data.length * 0.95), data.length - 1)]
  ] as const)
  return { data: data.subarray(0, at), description: `truncated to ${at} of ${data.length} bytes (${((at / data.length) * 100).toFixed(1)} %)` }
}

function chunkLength (data: Buffer, random: Random): number {
  return Math.max(1, Math.min(Math.floor(data.length / 4), random.pick([1, 7, 64, 512, 4096, 16384])))
}

const duplicateChunk: Operation = (data, random) => {
  const length = chunkLength(data, random)
  const from = random.int(0, data.length - length)
  const to = random.chance(0.5) ? from + length : random.int(0, data.length)
  const chunk = data.subarray(from, from + length)
  return { data: Buffer.concat([data.subarray(0, to), chunk, data.subarray(to)]), description: `copied bytes ${from}-${from + length} to ${to}` }
}

const removeChunk: Operation = (data, random) => {
  const length = chunkLength(data, random)
  const from = random.int(0, data.length - length)
  return { data: Buffer.concat([data.subarray(0, from), data.subarray(from + length)]), description: `removed bytes ${from}-${from + length}` }
}

const swapChunks: Operation = (data, random) => {
  const length = Math.min(chunkLength(data, random), Math.floor(data.length / 2))
  const a = random.int(0, data.length - 2 * length)
  const b = random.int(a + length, data.length - length)
  const first = Buffer.from(data.subarray(a, a + length))
  data.copy(data, a, b, b + length)
  first.copy(data, b)
  return { data, description: `swapped bytes ${a}-${a + length} with ${b}-${b + length}` }
}

const insertGarbage: Operation = (data, random) => {
  const length = chunkLength(data, random)
  const at = random.int(0, data.length)
  return { data: Buffer.concat([data.subarray(0, at), random.bytes(length), data.subarray(at)]), description: `inserted ${length} random bytes at ${at}` }
}

const repeatChunk: Operation = (data, random) => {
  const length = Math.min(chunkLength(data, random), 1024)
  const from = random.int(0, data.length - length)
  const times = random.int(2, 20)
  const chunk = data.subarray(from, from + length)
  return {
    data: Buffer.concat([data.subarray(0, from + length), ...Array.from({ length: times }, () => chunk), data.subarray(from + length)]),
    description: `repeated bytes ${from}-${from + length} ${times} more times`
  }
}

const CHUNK_OPERATIONS = [duplicateChunk, removeChunk, swapChunks, insertGarbage, repeatChunk]
const GENERIC_OPERATIONS = [flipBits, byteNoise, fillRun, truncate, ...CHUNK_OPERATIONS]

// --- container field edits -------------------------------------------------------------------

const GROUP_WEIGHTS: ReadonlyArray<readonly [number, SiteGroup]> = [[5, 'field'], [2, 'size'], [1, 'id'], [3, 'table'], [2, 'block'], [2, 'codec']]

/** One field of the container set to an edge value: zero, one, all ones, doubled, a codec swapped... */
const editField: Operation = (data, random, layout) => {
  const groups = GROUP_WEIGHTS.filter(([, group]) => layout.sites.some((site) => site.group === group && site.offset + site.width <= data.length))
  if (groups.length === 0) return flipBits(data, random, layout)
  const group = random.weighted(groups)
  const site = random.pick(layout.sites.filter((s) => s.group === group && s.offset + s.width <= data.length))
  const before = Buffer.from(data.subarray(site.offset, site.offset + site.width))
  const after = newValue(site, before, random, data.length)
  after.copy(data, site.offset)
  if (site.kind === 'bytes') {
    const changed = [...after.keys()].filter((i) => after[i] !== before[i]).map((i) => `+${i}`)
    return { data, description: `${site.label} (${site.width} bytes): changed ${changed.length} at ${listed(changed)}` }
  }
  return { data, description: `${site.label} ${show(site, before)} -> ${show(site, after)}` }
}

function newValue (site: EditSite, current: Buffer, random: Random, fileLength: number): Buffer {
  const { width } = site
  if (site.alternatives && site.alternatives.length > 0 && random.chance(0.6)) {
    return Buffer.from(random.pick(site.alternatives))
  }
  switch (site.kind) {
    case 'float': return floatValue(width, current, random)
    case 'ebml-size': return ebmlSizeValue(width, current, random)
    case 'box-size': {
      const value = current.readUInt32BE(0)
      return uintBytes(4, BigInt(random.pick([0, 1, 7, value + 8, Math.max(0, value - 8), value * 2, fileLength + 1, 0xffffffff, random.int(0, 0xffffffff)]) % 2 ** 32))
    }
    case 'ebml-id': {
      // The same length marker with other bits: an element the parser does not expect here.
      const out = random.bytes(width)
      out[0] = (out[0]! & ((0x80 >> (width - 1)) - 1)) | (0x80 >> (width - 1))
      return out
    }
    case 'fourcc':
    case 'ascii': {
      const out = Buffer.from(current)
      out[random.int(0, width - 1)] = random.int(0x20, 0x7e)
      return out
    }
    case 'flags': {
      const value = current[0]!
      return Buffer.from([random.pick([0, 0xff, value ^ 0x80, value ^ 0x06, value ^ 0x08, value ^ 0x01, value ^ random.int(1, 255)])])
    }
    case 'bytes': {
      const out = Buffer.from(current)
      for (let i = random.int(1, 4); i > 0; i--) out[random.int(0, width - 1)] ^= random.int(1, 255)
      return out
    }
    case 'uint': return uintValue(width, current, random)
  }
}

function readUint (bytes: Buffer): bigint {
  return bytes.reduce((value, byte) => value * 256n + BigInt(byte), 0n)
}

function uintBytes (width: number, value: bigint): Buffer {
  const out = Buffer.alloc(width)
  let rest = value & ((1n << BigInt(8 * width)) - 1n)
  for (let i = width - 1; i >= 0; i--) {
    out[i] = Number(rest & 0xffn)
    rest >>= 8n
  }
  return out
}

function uintValue (width: number, current: Buffer, random: Random): Buffer {
  const value = readUint(current)
  const max = (1n << BigInt(8 * width)) - 1n
  const choices = [0n, 1n, max, max >> 1n, (max >> 1n) + 1n, value + 1n, value > 0n ? value - 1n : max, value * 2n, value * 1000n, value >> 4n, readUint(random.bytes(width))]
  return uintBytes(width, random.pick(choices))
}

function floatValue (width: number, current: Buffer, random: Random): Buffer {
  const value = width === 4 ? current.readFloatBE(0) : current.readDoubleBE(0)
  const next = random.pick([0, -1, Number.NaN, Infinity, -Infinity, 1e30, 1e-30, value * 1000, value / 1000, -value, 3600e3, 86400e3 * 365])
  const out = Buffer.alloc(width)
  if (width === 4) out.writeFloatBE(next, 0)
  else out.writeDoubleBE(next, 0)
  return out
}

/** An EBML size vint of the same length: unknown (all ones), zero, off by a little or a lot. */
function ebmlSizeValue (width: number, current: Buffer, random: Random): Buffer {
  const marker = 1n << BigInt(7 * width)
  const value = readUint(current) & (marker - 1n)
  const next = random.pick([marker - 1n, 0n, value + 1n, value + 1000n, value > 0n ? value - 1n : 0n, value * 2n, marker - 2n, readUint(random.bytes(width)) & (marker - 1n)])
  return uintBytes(width, marker | (next & (marker - 1n)))
}

function show (site: EditSite, bytes: Buffer): string {
  if (site.kind === 'fourcc' || site.kind === 'ascii') return JSON.stringify(bytes.toString('latin1'))
  if (site.kind === 'float') return String(site.width === 4 ? bytes.readFloatBE(0) : bytes.readDoubleBE(0))
  return `0x${bytes.toString('hex')}`
}

function listed (items: string[]): string {
  return items.length <= 6 ? items.join(', ') : `${items.slice(0, 6).join(', ')}, ...`
}
