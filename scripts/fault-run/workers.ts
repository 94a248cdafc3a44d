/**
 * The fault run's `npm run worker` processes: a fixed number of slots, each with its own
 * process group (kill -9 reaches the sandboxed job children and their ffmpeg too), its own
 * CANDOR_TMP_DIR subfolder (kept across restarts, so the next job there sweeps what a killed
 * one left) and its own log file. A worker that exits without being killed or stopped (it
 * found MariaDB down at start-up, say) is counted and started again, as a supervisor would.
 */
import fs from 'node:fs'
import path from 'node:path'
import type { ChildProcess } from 'node:child_process'
import { startWorkerProcess, killGroup } from '../../test/helpers/processes.js'

export interface UnexpectedExit { slot: number, atMs: number, code: number | null, signal: string | null }

interface Slot {
  index: number
  tmpDir: string
  logFile: string
  child?: ChildProcess
  /** Set before we kill or stop it: its exit is then expected. */
  expectingExit: boolean
}

const RESTART_AFTER_UNEXPECTED_EXIT_MS = 2000

export class WorkerSlots {
  readonly slots: Slot[]
  /** Every process group a worker of ours ever had (the worker's pid): none may outlive the run. */
  readonly groups: number[] = []
  readonly unexpectedExits: UnexpectedExit[] = []
  private stopping = false
  private readonly started = Date.now()

  constructor (private readonly env: NodeJS.ProcessEnv, count: number, tmpRoot: string, logDir: string) {
    this.slots = Array.from({ length: count }, (_, index) => ({
      index,
      tmpDir: path.join(tmpRoot, `w${index + 1}`),
      logFile: path.join(logDir, `worker-${index + 1}.log`),
      expectingExit: false
    }))
  }

  isRunning (index: number): boolean {
    const child = this.slots[index]!.child
    return Boolean(child && child.exitCode === null && child.signalCode === null)
  }

  start (index: number): void {
    const slot = this.slots[index]!
    if (this.stopping || this.isRunning(index)) return
    fs.mkdirSync(slot.tmpDir, { recursive: true })
    const log = fs.openSync(slot.logFile, 'a')
    const child = startWorkerProcess({ ...this.env, CANDOR_TMP_DIR: slot.tmpDir }, log)
    fs.closeSync(log)
    slot.child = child
    slot.expectingExit = false
    this.groups.push(child.pid!)
    child.once('exit', (code, signal) => {
      if (slot.child !== child || slot.expectingExit || this.stopping) return
      this.unexpectedExits.push({ slot: index, atMs: Date.now() - this.started, code, signal })
      setTimeout(() => this.start(index), RESTART_AFTER_UNEXPECTED_EXIT_MS).unref()
    })
  }

  /** kill -9 of the slot's whole process group; false if it was not running. */
  kill (index: number): boolean {
    const slot = this.slots[index]!
    if (!this.isRunning(index)) return false
    slot.expectingExit = true
    killGroup(slot.child!)
    return true
  }

  /**
   * SIGTERM to every worker (a graceful stop: it finishes or hands back its job and closes its
   * job children), then SIGKILL to each group; returns the workers that needed the SIGKILL.
   */
  async stopAll (graceMs: number): Promise<number[]> {
    this.stopping = true
    const forced: number[] = []
    await Promise.all(this.slots.map(async (slot) => {
      const child = slot.child
      if (!child || child.exitCode !== null || child.signalCode !== null) return
      slot.expectingExit = true
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.kill('SIGTERM')
      const timer = setTimeout(() => { forced.push(slot.index); killGroup(child) }, graceMs)
      await exited
      clearTimeout(timer)
    }))
    return forced
  }

  /** kill -9 of every group we ever started (clean-up; harmless for groups already gone). */
  killEverything (): void {
    this.stopping = true
    for (const group of this.groups) {
      try { process.kill(-group, 'SIGKILL') } catch { /* gone */ }
    }
  }
}
