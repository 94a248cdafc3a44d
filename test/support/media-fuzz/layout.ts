/**
 * Where a header edit can land in a media file: the fields, sizes, ids and tables of its
 * container, found by walking the container's own structure (EBML elements for Matroska/webm,
 * boxes for mp4), and where the compressed payload lies. Only ever run on the clean base
 * videos, so the walkers may trust what they read; every site keeps its width, so an edit never
 * moves the rest of the file.
 */

/**
 * uint: big-endian unsigned; float: IEEE 754 (4 or 8 bytes); ebml-size: an EBML size vint
 * (marker kept); box-size: an mp4 box's 32-bit size; ebml-id / fourcc: an element id or box
 * type; ascii: a string field; bytes: opaque bytes (codec setup); flags: a bit field.
 */
export type SiteKind = 'uint' | 'float' | 'ebml-size' | 'box-size' | 'ebml-id' | 'fourcc' | 'ascii' | 'bytes' | 'flags'

/** field: header values; size/id: structure; table: sample tables; block: per-frame headers; codec: decoder setup. */
export type SiteGroup = 'field' | 'size' | 'id' | 'table' | 'block' | 'codec'

export interface EditSite {
  label: string
  group: SiteGroup
  kind: SiteKind
  offset: number
  width: number
  /** Same-width replacements that mean something (other codec ids, rotation matrices...). */
  alternatives?: Buffer[]
}

export interface MediaLayout {
  sites: EditSite[]
  /** The compressed frames and samples: Matroska clusters, the mp4 mdat. */
  payload: { start: number, end: number }
}

// --- Matroska / webm (EBML) ------------------------------------------------------------------

type EbmlType = 'master' | 'uint' | 'float' | 'ascii' | 'bytes' | 'block'

const EBML: Record<number, [string, EbmlType]> = {
  0x1A45DFA3: ['EBML', 'master'],
  0x4286: ['EBMLVersion', 'uint'],
  0x42F7: ['EBMLReadVersion', 'uint'],
  0x42F2: ['EBMLMaxIDLength', 'uint'],
  0x42F3: ['EBMLMaxSizeLength', 'uint'],
  0x4282: ['DocType', 'ascii'],
  0x4287: ['DocTypeVersion', 'uint'],
  0x4285: ['DocTypeReadVersion', 'uint'],
  0x18538067: ['Segment', 'master'],
  0x114D9B74: ['SeekHead', 'master'],
  0x4DBB: ['Seek', 'master'],
  0x53AB: ['SeekID', 'bytes'],
  0x53AC: ['SeekPosition', 'uint'],
  0x1549A966: ['Info', 'master'],
  0x2AD7B1: ['TimecodeScale', 'uint'],
  0x4489: ['Duration', 'float'],
  0x1654AE6B: ['Tracks', 'master'],
  0xAE: ['TrackEntry', 'master'],
  0xD7: ['TrackNumber', 'uint'],
  0x83: ['TrackType', 'uint'],
  0x9C: ['FlagLacing', 'uint'],
  0x86: ['CodecID', 'ascii'],
  0x63A2: ['CodecPrivate', 'bytes'],
  0x56AA: ['CodecDelay', 'uint'],
  0x56BB: ['SeekPreRoll', 'uint'],
  0x23E383: ['DefaultDuration', 'uint'],
  0xE0: ['Video', 'master'],
  0xB0: ['PixelWidth', 'uint'],
  0xBA: ['PixelHeight', 'uint'],
  0x54B0: ['DisplayWidth', 'uint'],
  0x54BA: ['DisplayHeight', 'uint'],
  0x55B0: ['Colour', 'master'],
  0xE1: ['Audio', 'master'],
  0xB5: ['SamplingFrequency', 'float'],
  0x9F: ['Channels', 'uint'],
  0x6264: ['BitDepth', 'uint'],
  0x1F43B675: ['Cluster', 'master'],
  0xE7: ['ClusterTimecode', 'uint'],
  0xA3: ['SimpleBlock', 'block'],
  0xA0: ['BlockGroup', 'master'],
  0xA1: ['Block', 'block'],
  0x9B: ['BlockDuration', 'uint'],
  0x1C53BB6B: ['Cues', 'master'],
  0xBB: ['CuePoint', 'master'],
  0xB3: ['CueTime', 'uint'],
  0xB7: ['CueTrackPositions', 'master'],
  0xF7: ['CueTrack', 'uint'],
  0xF1: ['CueClusterPosition', 'uint'],
  // Walked no further: tag names and strings would crowd out the fields that matter.
  0x1254C367: ['Tags', 'bytes']
}

/** Same-length strings a demuxer knows: a codec id swapped for another, a doc type changed. */
const ASCII_ALTERNATIVES = ['V_VP8', 'V_VP9', 'V_AV1', 'A_AAC', 'A_AC3', 'S_ASS', 'A_OPUS', 'A_FLAC', 'A_VORBIS', 'V_MPEG2', 'A_MPEG/L3', 'A_MPEG/L2',
  'V_MPEG4/ISO/AVC', 'V_MPEG4/ISO/ASP', 'webm', 'matroska', 'V_MJPEG', 'A_PCM/INT/LIT', 'V_MPEGH/ISO/HEVC'].map((s) => Buffer.from(s, 'latin1'))

interface Vint { length: number, value: number, unknown: boolean }

function readVint (data: Buffer, at: number, keepMarker: boolean): Vint | null {
  const first = data[at]
  if (first === undefined || first === 0) return null
  const length = Math.clz32(first) - 23
  if (at + length > data.length) return null
  const marker = 0x80 >> (length - 1)
  let value = keepMarker ? first : first & (marker - 1)
  let allOnes = (first & (marker - 1)) === marker - 1
  for (let i = 1; i < length; i++) {
    value = value * 256 + data[at + i]!
    allOnes &&= data[at + i] === 0xff
  }
  return { length, value, unknown: !keepMarker && allOnes }
}

export function matroskaLayout (data: Buffer): MediaLayout {
  const sites: EditSite[] = []
  let payloadStart = data.length
  const seen = new Map<string, number>()
  const walk = (start: number, end: number, path: string): void => {
    let at = start
    while (at < end) {
      const id = readVint(data, at, true)
      const size = id && readVint(data, at + id.length, false)
      if (!id || !size) return
      const dataOffset = at + id.length + size.length
      const dataEnd = size.unknown ? end : Math.min(end, dataOffset + size.value)
      const [name, type] = EBML[id.value] ?? [`0x${id.value.toString(16)}`, 'bytes']
      // Numbered per name (TrackEntry#2.PixelWidth): labels stay readable and unique enough.
      const count = (seen.get(`${path}/${name}`) ?? 0) + 1
      seen.set(`${path}/${name}`, count)
      const label = `${path}${name}${count > 1 ? `#${count}` : ''}`
      const isBlock = type === 'block'
      sites.push({ label: `${label}.size`, group: isBlock ? 'block' : 'size', kind: 'ebml-size', offset: at + id.length, width: size.length })
      if (type === 'master' || EBML[id.value]) sites.push({ label: `${label}.id`, group: isBlock ? 'block' : 'id', kind: 'ebml-id', offset: at, width: id.length })
      const width = dataEnd - dataOffset
      if (type === 'master') {
        if (id.value === 0x1F43B675) payloadStart = Math.min(payloadStart, at)
        walk(dataOffset, dataEnd, `${label}/`)
      } else if (type === 'uint' && width >= 1 && width <= 8) {
        sites.push({ label, group: name === 'ClusterTimecode' ? 'block' : 'field', kind: 'uint', offset: dataOffset, width })
      } else if (type === 'float' && (width === 4 || width === 8)) {
        sites.push({ label, group: 'field', kind: 'float', offset: dataOffset, width })
      } else if (type === 'ascii' && width > 0) {
        sites.push({ label, group: 'field', kind: 'ascii', offset: dataOffset, width, alternatives: ASCII_ALTERNATIVES.filter((s) => s.length === width) })
      } else if (name === 'CodecPrivate' && width > 0) {
        sites.push({ label, group: 'codec', kind: 'bytes', offset: dataOffset, width })
      } else if (isBlock && width >= 4) {
        // Block header: track number (a 1-byte vint here), int16 relative timecode, flags.
        sites.push({ label: `${label}.track`, group: 'block', kind: 'uint', offset: dataOffset, width: 1 })
        sites.push({ label: `${label}.timecode`, group: 'block', kind: 'uint', offset: dataOffset + 1, width: 2 })
        sites.push({ label: `${label}.flags`, group: 'block', kind: 'flags', offset: dataOffset + 3, width: 1 })
      }
      at = dataEnd
    }
  }
  walk(0, data.length, '')
  return { sites, payload: { start: Math.min(payloadStart, data.length), end: data.length } }
}

// --- mp4 / mov (ISO BMFF boxes) --------------------------------------------------------------

/** Boxes holding boxes, and the bytes of their own fields before the first child. */
const MP4_CONTAINERS: Record<string, number> = {
  moov: 0, trak: 0, mdia: 0, minf: 0, stbl: 0, edts: 0, dinf: 0, udta: 0, mvex: 0, moof: 0, traf: 0, mfra: 0,
  meta: 4, stsd: 8, dref: 8, avc1: 78, avc3: 78, hvc1: 78, hev1: 78, mp4a: 28
}

const BOX_TYPES = ['free', 'skip', 'junk', 'moov', 'trak', 'mdat', 'stbl', 'uuid', '\0\0\0\0'].map((s) => Buffer.from(s, 'latin1'))
const HANDLERS = ['vide', 'soun', 'hint', 'meta', 'text', 'subt'].map((s) => Buffer.from(s, 'latin1'))

/** 3x3 fixed-point matrices: rotations by 90, 180 and 270 degrees, a mirror, and all zeros. */
const MATRICES = [
  [0, 0x10000, 0, -0x10000, 0, 0, 0, 0, 0x40000000],
  [-0x10000, 0, 0, 0, -0x10000, 0, 0, 0, 0x40000000],
  [0, -0x10000, 0, 0x10000, 0, 0, 0, 0, 0x40000000],
  [-0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000],
  [0, 0, 0, 0, 0, 0, 0, 0, 0]
].map((m) => {
  const out = Buffer.alloc(36)
  m.forEach((v, i) => out.writeInt32BE(v, i * 4))
  return out
})

/** Up to `most` entry indexes spread over a table, the last one included. */
function sampleIndexes (count: number, most = 6): number[] {
  if (count <= most) return Array.from({ length: count }, (_, i) => i)
  return [...new Set(Array.from({ length: most }, (_, i) => Math.round((i * (count - 1)) / (most - 1))))]
}

export function mp4Layout (data: Buffer): MediaLayout {
  const sites: EditSite[] = []
  let payload = { start: data.length, end: data.length }
  const seen = new Map<string, number>()
  const field = (label: string, group: SiteGroup, offset: number, width: number, kind: SiteKind = 'uint', alternatives?: Buffer[]) => {
    if (offset >= 0 && offset + width <= data.length) sites.push({ label, group, kind, offset, width, ...(alternatives ? { alternatives } : {}) })
  }
  /** A full box's table: the entry count, then `columns` 4-byte fields per entry from `first`. */
  const table = (label: string, countAt: number, first: number, columns: string[], entryBytes = 4 * columns.length) => {
    if (countAt + 4 > data.length) return
    field(`${label}.entry_count`, 'table', countAt, 4)
    const count = data.readUInt32BE(countAt)
    for (const i of sampleIndexes(count)) {
      columns.forEach((column, c) => field(`${label}[${i}].${column}`, 'table', first + i * entryBytes + c * 4, entryBytes === 8 && columns.length === 1 ? 8 : 4))
    }
  }
  const walk = (start: number, end: number, path: string): void => {
    let at = start
    while (at + 8 <= end) {
      let size = data.readUInt32BE(at)
      const type = data.toString('latin1', at + 4, at + 8)
      let header = 8
      if (size === 1 && at + 16 <= end) {
        size = Number(data.readBigUInt64BE(at + 8))
        header = 16
      } else if (size === 0) {
        size = end - at
      }
      if (size < header) return
      const boxEnd = Math.min(end, at + size)
      const count = (seen.get(`${path}${type}`) ?? 0) + 1
      seen.set(`${path}${type}`, count)
      const label = `${path}${type}${count > 1 ? `#${count}` : ''}`
      field(`${label}.size`, 'size', at, 4, 'box-size')
      field(`${label}.type`, 'id', at + 4, 4, 'fourcc', BOX_TYPES)
      const d = at + header
      const v1 = data[d] === 1
      switch (type) {
        case 'mdat': payload = { start: d, end: boxEnd }; break
        case 'mvhd':
        case 'mdhd':
          field(`${label}.timescale`, 'field', d + (v1 ? 20 : 12), 4)
          field(`${label}.duration`, 'field', d + (v1 ? 24 : 16), v1 ? 8 : 4)
          break
        case 'tkhd':
          field(`${label}.track_ID`, 'field', d + (v1 ? 20 : 12), 4)
          field(`${label}.duration`, 'field', d + (v1 ? 28 : 20), v1 ? 8 : 4)
          field(`${label}.matrix`, 'field', d + (v1 ? 52 : 40), 36, 'bytes', MATRICES)
          field(`${label}.width`, 'field', d + (v1 ? 88 : 76), 4)
          field(`${label}.height`, 'field', d + (v1 ? 92 : 80), 4)
          break
        case 'hdlr': field(`${label}.handler_type`, 'field', d + 8, 4, 'fourcc', HANDLERS); break
        case 'stsd': field(`${label}.entry_count`, 'table', d + 4, 4); break
        case 'avc1': case 'avc3': case 'hvc1': case 'hev1':
          field(`${label}.width`, 'field', d + 24, 2)
          field(`${label}.height`, 'field', d + 26, 2)
          field(`${label}.frame_count`, 'field', d + 40, 2)
          field(`${label}.depth`, 'field', d + 74, 2)
          break
        case 'mp4a':
          field(`${label}.channelcount`, 'field', d + 16, 2)
          field(`${label}.samplesize`, 'field', d + 18, 2)
          field(`${label}.samplerate`, 'field', d + 24, 4)
          break
        case 'avcC': {
          // version, profile, compatibility, level, lengthSizeMinusOne, numSPS, then each SPS (length + bytes), numPPS, PPS.
          field(`${label}.profile`, 'codec', d + 1, 1)
          field(`${label}.level`, 'codec', d + 3, 1)
          field(`${label}.lengthSizeMinusOne`, 'codec', d + 4, 1, 'flags')
          field(`${label}.numSPS`, 'codec', d + 5, 1, 'flags')
          const spsLength = d + 8 <= boxEnd ? data.readUInt16BE(d + 6) : 0
          field(`${label}.spsLength`, 'codec', d + 6, 2)
          field(`${label}.sps`, 'codec', d + 8, Math.min(spsLength, boxEnd - d - 8), 'bytes')
          const pps = d + 8 + spsLength
          field(`${label}.numPPS`, 'codec', pps, 1, 'flags')
          field(`${label}.ppsLength`, 'codec', pps + 1, 2)
          if (pps + 3 < boxEnd) field(`${label}.pps`, 'codec', pps + 3, Math.min(data.readUInt16BE(pps + 1), boxEnd - pps - 3), 'bytes')
          break
        }
        case 'esds': field(`${label}.descriptors`, 'codec', d + 4, boxEnd - d - 4, 'bytes'); break
        case 'stts': case 'ctts': table(label, d + 4, d + 8, ['sample_count', 'sample_delta']); break
        case 'stss': table(label, d + 4, d + 8, ['sample_number']); break
        case 'stsc': table(label, d + 4, d + 8, ['first_chunk', 'samples_per_chunk', 'sample_description_index']); break
        case 'stsz':
          field(`${label}.sample_size`, 'table', d + 4, 4)
          table(label, d + 8, d + 12, ['entry_size'])
          break
        case 'stco': table(label, d + 4, d + 8, ['chunk_offset']); break
        case 'co64': table(label, d + 4, d + 8, ['chunk_offset'], 8); break
        case 'elst': table(label, d + 4, d + 8, v1 ? ['segment_duration_hi', 'segment_duration_lo', 'media_time_hi', 'media_time_lo', 'rate'] : ['segment_duration', 'media_time', 'rate']); break
      }
      const skip = MP4_CONTAINERS[type]
      if (skip !== undefined) walk(d + skip, boxEnd, `${label}/`)
      at = boxEnd
    }
  }
  walk(0, data.length, '')
  return { sites: sites.filter((site) => site.width > 0), payload }
}
