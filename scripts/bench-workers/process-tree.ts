/**
 * CPU time and memory of a worker's whole process tree, from /proc (Linux only).
 *
 * How the CPU time is counted, and why it is right:
 * - /proc/<pid>/stat of a process gives utime and stime (fields 14, 15) of all its threads,
 *   living and ended (the kernel folds an ended thread's time into its process), and cutime
 *   and cstime (16, 17): the whole CPU time (their own plus their cutime/cstime) of the
 *   children it has reaped with wait(). Node (libuv) reaps every child it spawns, so a BullMQ
 *   sandbox child's, ffmpeg's and ffprobe's time moves into their parent's cutime/cstime when
 *   they end, and from there up the tree as parents end and are reaped.
 * - So the CPU a tree has used since its root started is the sum, over the tree's processes
 *   alive (or zombie) at that moment, of utime + stime + cutime + cstime: each tick a process
 *   of the tree ever used is counted exactly once, in the process itself while it exists and
 *   in the nearest live ancestor's c-fields once it is gone.
 * - The tree is the root plus every process whose parent chain leads to it, plus every process
 *   in the root's process group (`npm run worker` processes are started in a group of their
 *   own: test/helpers/processes.ts), which also catches a descendant orphaned by its parent's
 *   death (re-parented to init, its ppid no longer leads to the root).
 * - The CPU used between two moments is the difference of two such sums. The sums are taken
 *   while the workers are idle (before the first job of a batch is posted, after its last has
 *   completed), so no process starts or ends during the scan of /proc; a process reaped in the
 *   middle of a scan could otherwise be counted twice or not at all.
 * - What this misses: a descendant that leaves the group and is orphaned, then ends (its time
 *   goes to init). Nothing in the worker does that. The bench cross-checks the figure against
 *   its own cutime/cstime once the workers have exited (it reaped them: their whole lifetime).
 */
import fs from 'node:fs'
import { spawnSync } from 'node:child_process'

/** Clock ticks per second of the stat fields (getconf CLK_TCK; 100 on every Linux we know). */
export const CLOCK_TICKS = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100
const PAGE_BYTES = Number(spawnSync('getconf', ['PAGESIZE'], { encoding: 'utf8' }).stdout.trim()) || 4096

interface ProcStat { pid: number, command: string, ppid: number, group: number, cpuTicks: number, ownTicks: number, rssBytes: number }

function readStat (pid: number): ProcStat | null {
  let stat: string
  try { stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8') } catch { return null }
  // The command (field 2) is in parentheses and may hold spaces: count from after it.
  const command = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'))
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  // f[0] is field 3 (state): ppid = 4, pgrp = 5, utime..cstime = 14..17, rss = 24.
  const [utime, stime, cutime, cstime] = [f[11], f[12], f[13], f[14]].map(Number) as [number, number, number, number]
  return { pid, command, ppid: Number(f[1]), group: Number(f[2]), cpuTicks: utime + stime + cutime + cstime, ownTicks: utime + stime, rssBytes: Number(f[21]) * PAGE_BYTES }
}

function allProcesses (): ProcStat[] {
  const found: ProcStat[] = []
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue
    const stat = readStat(Number(name))
    if (stat) found.push(stat)
  }
  return found
}

/** The processes of the tree rooted at `root` (see above): by parent chain or by process group. */
export function treeOf (root: number, processes = allProcesses()): ProcStat[] {
  const children = new Map<number, ProcStat[]>()
  for (const p of processes) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p])
  const members = new Map<number, ProcStat>()
  const stack = processes.filter((p) => p.pid === root || p.group === root)
  while (stack.length > 0) {
    const p = stack.pop()!
    if (members.has(p.pid)) continue
    members.set(p.pid, p)
    stack.push(...(children.get(p.pid) ?? []))
  }
  return [...members.values()]
}

export interface TreeSample {
  /** CPU seconds (user + system) the tree has used since its root started. */
  cpuS: number
  /** Resident memory of the tree's live processes now (shared pages counted in each). */
  rssBytes: number
  processes: Array<{ pid: number, command: string }>
}

export function sampleTree (root: number): TreeSample {
  const tree = treeOf(root)
  return {
    cpuS: tree.reduce((sum, p) => sum + p.cpuTicks, 0) / CLOCK_TICKS,
    rssBytes: tree.reduce((sum, p) => sum + p.rssBytes, 0),
    processes: tree.map(({ pid, command }) => ({ pid, command }))
  }
}

/** The pids of a tree (to tell whose a temp folder named after a pid is). */
export function treePids (root: number): Set<number> {
  return new Set(treeOf(root).map((p) => p.pid))
}

/** utime+stime+cutime+cstime of this process's reaped children (the c-fields of /proc/self/stat), in seconds. */
export function reapedChildrenCpuS (): number {
  const self = readStat(process.pid)!
  return (self.cpuTicks - self.ownTicks) / CLOCK_TICKS
}

/** Busy and total CPU seconds of the whole machine since boot (first line of /proc/stat). */
export function machineCpu (): { busyS: number, totalS: number } {
  const line = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0]!
  // cpu user nice system idle iowait irq softirq steal guest guest_nice (guest is inside user)
  const [user, nice, system, idle, iowait, irq, softirq, steal] = line.trim().split(/\s+/).slice(1, 9).map(Number) as number[]
  const busy = user! + nice! + system! + irq! + softirq! + steal!
  return { busyS: busy / CLOCK_TICKS, totalS: (busy + idle! + iowait!) / CLOCK_TICKS }
}
