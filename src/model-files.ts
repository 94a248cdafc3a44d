/**
 * Model weights: the committed manifest (models/manifest.json) says which files exist, their
 * size, sha256 and public origin. Files are installed from a local mirror folder or their URL
 * into the models folder, written under a temporary name and renamed only once their sha256
 * matches, so a half-downloaded or tampered file is never used.
 */
import fs from 'node:fs'
import fsp from 'node:fs/promises'
import path from 'node:path'
import crypto from 'node:crypto'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type { ReadableStream as WebReadableStream } from 'node:stream/web'
import { projectRoot } from './config.js'

export const manifestPath = path.join(projectRoot, 'models', 'manifest.json')

export interface ModelEntry {
  file: string
  bytes?: number
  sha256: string
  url: string | null
  required: boolean
  role: string
  license: string
}

export type ModelState = 'ok' | 'missing' | 'wrong_size' | 'wrong_hash'

export function readManifest (file = manifestPath): ModelEntry[] {
  const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as { models?: unknown }
  if (!Array.isArray(parsed.models)) throw new Error(`${file}: "models" must be an array`)
  return parsed.models.map((raw: Record<string, unknown>, i) => {
    const where = `${file}: models[${i}]`
    if (typeof raw.file !== 'string' || raw.file.includes('/')) throw new Error(`${where}.file must be a plain file name`)
    if (typeof raw.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(raw.sha256)) throw new Error(`${where}.sha256 must be 64 hex digits`)
    if (raw.bytes !== undefined && !Number.isInteger(raw.bytes)) throw new Error(`${where}.bytes must be an integer`)
    return {
      file: raw.file,
      ...(raw.bytes !== undefined ? { bytes: raw.bytes as number } : {}),
      sha256: raw.sha256,
      url: typeof raw.url === 'string' ? raw.url : null,
      required: raw.required === true,
      role: String(raw.role ?? ''),
      license: String(raw.license ?? '')
    }
  })
}

export async function sha256File (file: string): Promise<string> {
  const hash = crypto.createHash('sha256')
  await pipeline(fs.createReadStream(file), hash)
  return hash.digest('hex')
}

// A file's hash is computed once per process for a given size and mtime: readiness asks often.
const verified = new Map<string, string>()

export async function checkModel (dir: string, entry: ModelEntry): Promise<ModelState> {
  const file = path.join(dir, entry.file)
  const stat = await fsp.stat(file).catch(() => null)
  if (!stat?.isFile()) return 'missing'
  if (entry.bytes !== undefined && stat.size !== entry.bytes) return 'wrong_size'
  const stamp = `${stat.size}:${stat.mtimeMs}`
  if (verified.get(file) === stamp) return 'ok'
  if ((await sha256File(file)) !== entry.sha256) return 'wrong_hash'
  verified.set(file, stamp)
  return 'ok'
}

export type InstallSource = 'present' | 'mirror' | 'url'

/** Makes one model file present and verified in `dir`; returns where it came from. */
export async function installModel (entry: ModelEntry, dir: string, mirror?: string): Promise<InstallSource> {
  if ((await checkModel(dir, entry)) === 'ok') return 'present'
  await fsp.mkdir(dir, { recursive: true })
  const target = path.join(dir, entry.file)
  const partial = `${target}.partial-${process.pid}`
  let source: InstallSource
  try {
    const mirrored = mirror ? path.join(mirror, entry.file) : null
    if (mirrored && fs.existsSync(mirrored)) {
      await fsp.copyFile(mirrored, partial)
      source = 'mirror'
    } else if (entry.url) {
      const response = await fetch(entry.url, { redirect: 'follow', signal: AbortSignal.timeout(300_000) })
      if (!response.ok || !response.body) throw new Error(`download of ${entry.file} failed: HTTP ${response.status} from ${entry.url}`)
      await pipeline(Readable.fromWeb(response.body as WebReadableStream), fs.createWriteStream(partial))
      source = 'url'
    } else {
      throw new Error(`${entry.file} is not in the mirror${mirror ? ` (${mirror})` : ''} and has no public URL`)
    }
    const actual = await sha256File(partial)
    if (actual !== entry.sha256) {
      throw new Error(`${entry.file} from the ${source} has sha256 ${actual}, expected ${entry.sha256}: refusing to install it`)
    }
    await fsp.rename(partial, target)
    return source
  } catch (error) {
    await fsp.rm(partial, { force: true })
    if (error instanceof TypeError && (error as { cause?: unknown }).cause) {
      throw new Error(`download of ${entry.file} from ${entry.url} failed: ${String((error.cause as Error).message ?? error.cause)}`, { cause: error })
    }
    throw error
  }
}
