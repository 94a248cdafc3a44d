/**
 * The videos of a dataset folder: a recursive walk that follows symbolic links (to files and to
 * folders) but never enters a folder twice, so a link loop ends; extensions are compared
 * case-insensitively; the result is sorted by relative path (code-unit order, the same on
 * every machine and locale), so runs and manifests list videos in a stable order.
 */
import fs from 'node:fs/promises'
import path from 'node:path'

export const DEFAULT_EXTENSIONS: readonly string[] = ['.mp4', '.mov', '.avi', '.mkv', '.webm']

export interface ScannedVideo {
  /** Absolute path as found (symbolic links not resolved). */
  path: string
  /** Path under the input folder with '/' separators: the output and S3 key mirror it. */
  relative: string
  size: number
  mtimeMs: number
}

export interface ScanResult {
  videos: ScannedVideo[]
  /** Entries that could not be read (dangling links, permissions), and link loops cut short. */
  warnings: string[]
}

export class ScanError extends Error {
  constructor (message: string) {
    super(message)
    this.name = 'ScanError'
  }
}

/** Checks and normalises an extension list: ".MP4" and "mp4" both become ".mp4". */
export function normaliseExtensions (list: ReadonlyArray<string>): string[] {
  const out = new Set<string>()
  for (const raw of list) {
    const trimmed = raw.trim().toLowerCase()
    const ext = trimmed.startsWith('.') ? trimmed : `.${trimmed}`
    if (!/^\.[a-z0-9][a-z0-9._-]*$/.test(ext)) throw new ScanError(`not a file extension: "${raw}"`)
    out.add(ext)
  }
  if (out.size === 0) throw new ScanError('no file extensions given')
  return [...out]
}

export async function scanVideos (root: string, options: { extensions?: ReadonlyArray<string>, exclude?: ReadonlyArray<string> } = {}): Promise<ScanResult> {
  const extensions = new Set(normaliseExtensions(options.extensions ?? DEFAULT_EXTENSIONS))
  const base = path.resolve(root)
  let rootStat
  try {
    rootStat = await fs.stat(base)
  } catch (error) {
    throw new ScanError(`cannot read the input folder ${base}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'it does not exist' : (error as Error).message}`)
  }
  if (!rootStat.isDirectory()) throw new ScanError(`the input ${base} is not a folder`)
  // Folders never to enter (the output folder when it lies inside the input), by real path.
  const excluded = new Set<string>()
  for (const folder of options.exclude ?? []) {
    excluded.add(await fs.realpath(folder).catch(() => path.resolve(folder)))
  }

  const videos: ScannedVideo[] = []
  const warnings: string[] = []
  const visited = new Set<string>()

  const walk = async (dir: string, relative: string): Promise<void> => {
    const real = await fs.realpath(dir)
    if (excluded.has(real)) return
    if (visited.has(real)) {
      if (relative !== '') warnings.push(`${relative}/: already scanned as ${real} (a link loop or a second link to it), not entered again`)
      return
    }
    visited.add(real)
    let entries
    try {
      entries = await fs.readdir(dir, { withFileTypes: true })
    } catch (error) {
      warnings.push(`${relative || '.'}/: cannot list (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`)
      return
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    for (const entry of entries) {
      const full = path.join(dir, entry.name)
      const rel = relative === '' ? entry.name : `${relative}/${entry.name}`
      let stat
      if (entry.isSymbolicLink()) {
        try {
          stat = await fs.stat(full)
        } catch (error) {
          if (extensions.has(path.extname(entry.name).toLowerCase())) {
            warnings.push(`${rel}: a link to nothing readable (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`)
          }
          continue
        }
      }
      if (entry.isDirectory() || stat?.isDirectory()) {
        await walk(full, rel)
      } else if ((entry.isFile() || stat?.isFile()) && extensions.has(path.extname(entry.name).toLowerCase())) {
        try {
          stat ??= await fs.stat(full)
        } catch (error) {
          warnings.push(`${rel}: cannot read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`)
          continue
        }
        videos.push({ path: full, relative: rel, size: stat.size, mtimeMs: stat.mtimeMs })
      }
    }
  }
  await walk(base, '')
  videos.sort((a, b) => (a.relative < b.relative ? -1 : a.relative > b.relative ? 1 : 0))
  return { videos, warnings }
}
