/**
 * What a fault run must not leave behind once its workers have stopped: processes (a worker's
 * process group outliving it, an ffmpeg still reading a job's file) and temp files. A job
 * killed with kill -9 cannot remove its folder; the next job in the same CANDOR_TMP_DIR sweeps
 * it before making its own, so each worker's folder may end with at most one, and only if
 * that worker was killed after its last job started.
 */
import fs from 'node:fs/promises'
import path from 'node:path'
import type { WorkerSlots } from './workers.js'

/** Processes in any of `groups`, or whose command line names a path under `tmpRoot`. */
export async function strayProcesses (groups: number[], tmpRoot: string): Promise<string[]> {
  const ours = new Set(groups)
  const found: string[] = []
  for (const name of await fs.readdir('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue
    const stat = await fs.readFile(`/proc/${name}/stat`, 'utf8').catch(() => '')
    if (!stat) continue
    // After "(command)": state, ppid, pgrp.
    const group = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2])
    const command = (await fs.readFile(`/proc/${name}/cmdline`, 'utf8').catch(() => '')).replaceAll('\0', ' ').trim()
    if (ours.has(group) || command.includes(tmpRoot)) found.push(`process ${name} (group ${group}) still runs: ${command.slice(0, 160)}`)
  }
  return found
}

/** Violations, and how many killed jobs' folders are left (at most one per worker). */
export async function leftovers (slots: WorkerSlots, tmpRoot: string): Promise<{ found: string[], foldersLeft: number }> {
  const found = await strayProcesses(slots.groups, tmpRoot)
  let foldersLeft = 0
  const expected = new Set(slots.slots.map((slot) => path.basename(slot.tmpDir)))
  for (const entry of await fs.readdir(tmpRoot)) {
    if (!expected.has(entry)) found.push(`unexpected temp entry ${path.join(tmpRoot, entry)}`)
  }
  for (const slot of slots.slots) {
    const entries = await fs.readdir(slot.tmpDir).catch(() => [] as string[])
    const jobFolders = entries.filter((entry) => entry.startsWith('job-'))
    foldersLeft += jobFolders.length
    if (jobFolders.length > 1) found.push(`${slot.tmpDir}: ${jobFolders.length} job folders left (the sweep leaves at most the last killed job's)`)
    const other = entries.filter((entry) => !entry.startsWith('job-'))
    if (other.length > 0) found.push(`${slot.tmpDir}: files outside job folders: ${other.join(', ')}`)
  }
  return { found, foldersLeft }
}
