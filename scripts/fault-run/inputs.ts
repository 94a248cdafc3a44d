/**
 * The fault run's inputs: short real recordings from ../shared/fixtures/video, some re-encoded
 * as a browser or phone would upload them (VP9/Opus webm, H.264/AAC mp4). Each is uploaded
 * once; every analysis of the same input must then give the same result.
 */
import fs from 'node:fs/promises'
import path from 'node:path'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { fixtures } from '../../test/helpers/environment.js'
import type { ObjectStorage } from '../../src/storage/object-storage.js'

const run = promisify(execFile)

export interface Input {
  name: string
  /** What the input is, for the report. */
  about: string
  s3Key: string
}

interface InputSpec { name: string, source: string, about: string, encode?: string[] }

const SPECS: InputSpec[] = [
  { name: 'single_face.mp4', source: 'video/single_face.mp4', about: '2.4 s, H.264 + MP3, one face' },
  { name: 'bbaf2n.webm', source: 'video/grid/bbaf2n.mpg', about: 'GRID 3.0 s as VP9 + Opus webm, two blinks', encode: ['-c:v', 'libvpx-vp9', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', '500k', '-c:a', 'libopus'] },
  { name: 'brbk7n.mp4', source: 'video/grid/brbk7n.mpg', about: 'GRID 3.0 s as H.264 + AAC mp4', encode: ['-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p', '-c:a', 'aac'] },
  { name: 'lbax4n.mpg', source: 'video/grid/lbax4n.mpg', about: 'GRID 3.0 s, MPEG-1 + MP2 as recorded' },
  { name: 'no_face.mp4', source: 'video/no_face.mp4', about: '3.9 s, H.264 + AAC, no face at all' }
]

/** Makes (re-encodes where asked) and uploads each input under `prefix` in `bucket`. */
export async function prepareInputs (storage: ObjectStorage, bucket: string, prefix: string, workDir: string, ffmpeg: string): Promise<Input[]> {
  await fs.mkdir(workDir, { recursive: true })
  const inputs: Input[] = []
  for (const spec of SPECS) {
    let file = path.join(fixtures, spec.source)
    if (spec.encode) {
      const made = path.join(workDir, spec.name)
      await run(ffmpeg, ['-hide_banner', '-loglevel', 'error', '-y', '-i', file, ...spec.encode, made], { timeout: 120_000 })
      file = made
    }
    const s3Key = `${prefix}${spec.name}`
    await storage.put(bucket, s3Key, await fs.readFile(file))
    inputs.push({ name: spec.name, about: spec.about, s3Key })
  }
  return inputs
}
