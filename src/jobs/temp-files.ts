/**
 * Temp files of analysis jobs live in one folder per job, named after the process that owns
 * it: host, pid and the process's start time. A process killed with kill -9 cannot clean up,
 * so every job first sweeps the folders whose owner no longer runs; several worker processes
 * (and their sandboxed children) share CANDOR_TMP_DIR, and a live owner's folder is never
 * touched. The start time tells a dead owner from a new process that reuses its pid.
 */
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import crypto from 'node:crypto'

/** job-<host>-<pid>-<start>-<random>; host names may hold dashes, the rest cannot. */
const JOB_DIR = /^job-(.+)-(\d+)-(\d+)-[0-9a-f]{8}$/
/** Files written directly into the folder by versions before job folders existed. */
const LEGACY_FILE = /\.video$/
/** Such a file untouched this long belongs to no running job. */
const LEGACY_MAX_AGE_MS = 24 * 3600 * 1000

const host = os.hostname().replace(/[^A-Za-z0-9.-]/g, '_')
let ownStart: Promise<number> | undefined

/** A new, empty folder for one job's files under `root`; the job removes it when it ends. */
export async function createJobTempDir (root: string): Promise<string> {
  ownStart ??= processStartTime(process.pid).then((start) => start ?? 0)
  const dir = path.join(root, `job-${host}-${process.pid}-${await ownStart}-${crypto.randomBytes(4).toString('hex')}`)
  await fs.mkdir(dir, { recursive: true, mode: 0o700 })
  return dir
}

/**
 * Removes the job folders under `root` whose owner process is gone (and loose video files of
 * older versions, once a day old); returns what it removed. Folders of other hosts sharing
 * the folder are left to their own sweeps: their pids mean nothing here.
 */
export async function sweepOrphanedTempFiles (root: string): Promise<string[]> {
  const entries = await fs.readdir(root, { withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return []
    throw error
  })
  const removed: string[] = []
  for (const entry of entries) {
    const full = path.join(root, entry.name)
    const owner = JOB_DIR.exec(entry.name)
    const orphaned = owner && entry.isDirectory()
      ? owner[1] === host && !(await ownerRuns(Number(owner[2]), Number(owner[3])))
      : entry.isFile() && LEGACY_FILE.test(entry.name) && (await ageMs(full)) > LEGACY_MAX_AGE_MS
    if (!orphaned) continue
    await fs.rm(full, { recursive: true, force: true })
    removed.push(full)
  }
  return removed
}

/** Whether the process that made a folder still runs: its pid is alive and started when it did. */
async function ownerRuns (pid: number, start: number): Promise<boolean> {
  try {
    process.kill(pid, 0)
  } catch (error) {
    // EPERM: it runs, as another user.
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false
  }
  const actual = await processStartTime(pid)
  // Without /proc (or a folder named without a start time) a live pid must be trusted.
  return actual === null || start === 0 || actual === start
}

/** Start time of a process in clock ticks since boot (field 22 of /proc/<pid>/stat); null without /proc. */
export async function processStartTime (pid: number): Promise<number | null> {
  try {
    const stat = await fs.readFile(`/proc/${pid}/stat`, 'utf8')
    // The command name (field 2) is in parentheses and may hold spaces: count from after it.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    const start = Number(fields[19])
    return Number.isInteger(start) ? start : null
  } catch {
    return null
  }
}

async function ageMs (file: string): Promise<number> {
  const stat = await fs.stat(file).catch(() => null)
  return stat ? Date.now() - stat.mtimeMs : 0
}
