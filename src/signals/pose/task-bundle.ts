/**
 * The pose landmarker bundle tasks-vision's PoseLandmarker loads, built from the `.tflite` files
 * of the npm `@mediapipe/pose` package (the ones the project's ONNX models were converted from):
 * a zip holding `pose_detector.tflite` and `pose_landmarks_detector.tflite`, the names
 * PoseLandmarkerGraph looks up. The files are stored, not deflated (the bundle reader takes
 * either).
 */
import fs from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { withImageInputMetadata } from './tflite-metadata.js'

export const posePackage = path.dirname(createRequire(import.meta.url).resolve('@mediapipe/pose/pose.js'))

/**
 * The package's detector is not a file of its own: it is the only entry of the solution's
 * packed assets (`pose_solution_packed_assets.data`, laid out by its loader script).
 */
export function poseDetectorTflite (): Uint8Array {
  const loader = fs.readFileSync(path.join(posePackage, 'pose_solution_packed_assets_loader.js'), 'utf8')
  const entry = /"filename":\s*"[^"]*\/pose_detection\.tflite",\s*"start":\s*(\d+),\s*"end":\s*(\d+)/.exec(loader)
  if (!entry) throw new Error('pose_detection.tflite not listed in @mediapipe/pose\'s packed assets')
  const data = fs.readFileSync(path.join(posePackage, 'pose_solution_packed_assets.data'))
  return data.subarray(Number(entry[1]), Number(entry[2]))
}

const CRC_TABLE = Uint32Array.from({ length: 256 }, (_, n) => {
  let c = n
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
  return c >>> 0
})

function crc32 (data: Uint8Array): number {
  let c = 0xffffffff
  for (const byte of data) c = CRC_TABLE[(c ^ byte) & 0xff]! ^ (c >>> 8)
  return (c ^ 0xffffffff) >>> 0
}

/** A zip of stored entries (no compression, no timestamps: the same bytes every time). */
export function storedZip (entries: ReadonlyArray<{ name: string, data: Uint8Array }>): Buffer {
  const parts: Buffer[] = []
  const central: Buffer[] = []
  let offset = 0
  for (const { name, data } of entries) {
    const fileName = Buffer.from(name, 'utf8')
    const crc = crc32(data)
    const local = Buffer.alloc(30)
    local.writeUInt32LE(0x04034b50, 0)
    local.writeUInt16LE(20, 4) // version needed
    local.writeUInt16LE(0x21, 12) // 1980-01-01
    local.writeUInt32LE(crc, 14)
    local.writeUInt32LE(data.length, 18)
    local.writeUInt32LE(data.length, 22)
    local.writeUInt16LE(fileName.length, 26)
    const header = Buffer.alloc(46)
    header.writeUInt32LE(0x02014b50, 0)
    header.writeUInt16LE(20, 4) // version made by
    header.writeUInt16LE(20, 6)
    header.writeUInt16LE(0x21, 14)
    header.writeUInt32LE(crc, 16)
    header.writeUInt32LE(data.length, 20)
    header.writeUInt32LE(data.length, 24)
    header.writeUInt16LE(fileName.length, 28)
    header.writeUInt32LE(offset, 42)
    parts.push(local, fileName, Buffer.from(data.buffer, data.byteOffset, data.length))
    central.push(header, fileName)
    offset += local.length + fileName.length + data.length
  }
  const directory = Buffer.concat(central)
  const end = Buffer.alloc(22)
  end.writeUInt32LE(0x06054b50, 0)
  end.writeUInt16LE(entries.length, 8)
  end.writeUInt16LE(entries.length, 10)
  end.writeUInt32LE(directory.length, 12)
  end.writeUInt32LE(offset, 16)
  return Buffer.concat([...parts, directory, end])
}

/** The `.task` bundle's bytes for `lite` or `full` (the same bytes every time). */
export function poseLandmarkerTask (variant: 'lite' | 'full'): Buffer {
  return storedZip([
    // The legacy graphs' input ranges: the detector takes [-1, 1], the landmark model [0, 1].
    { name: 'pose_detector.tflite', data: withImageInputMetadata(poseDetectorTflite(), 'pose_detector', 127.5, 127.5) },
    { name: 'pose_landmarks_detector.tflite', data: withImageInputMetadata(fs.readFileSync(path.join(posePackage, `pose_landmark_${variant}.tflite`)), 'pose_landmarks_detector', 0, 255) }
  ])
}

/** The `.task` bundle for `lite` or `full`, written to `file`. */
export function writePoseLandmarkerTask (variant: 'lite' | 'full', file: string): void {
  fs.writeFileSync(file, poseLandmarkerTask(variant))
}

/** The bundle the web app's live mode loads (src/routes/web.ts serves it from MODELS_DIR). */
export const POSE_TASK_FILE = 'pose_landmarker_lite.task'

/**
 * Writes MODELS_DIR/pose_landmarker_lite.task unless it is already there with the same bytes
 * (atomic: a temporary file renamed into place). Returns whether it wrote.
 */
export function installPoseLandmarkerTask (modelsDir: string): boolean {
  const target = path.join(modelsDir, POSE_TASK_FILE)
  const bytes = poseLandmarkerTask('lite')
  if (fs.existsSync(target) && fs.readFileSync(target).equals(bytes)) return false
  fs.mkdirSync(modelsDir, { recursive: true })
  const partial = `${target}.partial-${process.pid}`
  try {
    fs.writeFileSync(partial, bytes, { mode: 0o444 })
    fs.renameSync(partial, target)
  } finally {
    fs.rmSync(partial, { force: true })
  }
  return true
}
