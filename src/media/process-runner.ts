/**
 * Spawning the media tools (ffprobe, ffmpeg): one small runner with a time limit, an abort
 * signal, bounded capture of what the tool prints, a kill that leaves nothing running, and
 * errors that name the tool and how it ended. Knows nothing of media: ffprobe.ts, frames.ts
 * and audio.ts turn its errors into MediaErrors.
 *
 * Tools run in the caller's process group by default, so that killing a worker's group (as
 * operators, the fault run and the fuzz harness do) takes its ffmpeg along; `ownGroup` puts a
 * tool in a group of its own, killed as a whole, for a tool that starts children of its own.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process'
import path from 'node:path'
import type { Readable } from 'node:stream'

export type ProcessErrorKind = 'not_found' | 'start_failed' | 'timeout' | 'output_limit' | 'stopped'

/**
 * The tool could not run to completion: it is not installed, took too long, printed too much,
 * or was stopped from outside.
 */
export class ProcessError extends Error {
  constructor (readonly kind: ProcessErrorKind, readonly tool: string, message: string) {
    super(message)
    this.name = 'ProcessError'
  }
}

/** How a tool ended: its exit code, or the signal that killed it. */
export interface ProcessExit {
  code: number | null
  signal: NodeJS.Signals | null
}

export interface ProcessResult extends ProcessExit {
  stdout: string
  /** The last `maxStderrBytes` of stderr. */
  stderr: string
}

export interface ProcessOptions {
  /** Killed after this long: ProcessError 'timeout'. Default: no limit. */
  timeoutMs?: number
  /** Kills the tool; the run rejects with the signal's reason. */
  signal?: AbortSignal
  /** Only the tail of stderr is kept (for messages). Default 64 KiB. */
  maxStderrBytes?: number
  /** Each stderr chunk as text, as it comes (e.g. to stop the tool on a message). */
  onStderr?: (text: string) => void
  /** Its own process group, killed as a whole (default: the caller's group). */
  ownGroup?: boolean
}

export interface RunOptions extends ProcessOptions {
  /** Collected stdout beyond this many bytes kills the tool: ProcessError 'output_limit'. Default 16 MiB. */
  maxStdoutBytes?: number
  /**
   * Takes stdout chunk by chunk instead of collecting it (`stdout` is then empty). A throw
   * kills the tool and the run rejects with what was thrown.
   */
  onStdout?: (chunk: Buffer) => void
}

/**
 * Signals that stop a tool from outside: an operator or supervisor stopping the worker's whole
 * process group (Ctrl-C, systemd's KillMode=control-group), the OOM killer. The tool's output
 * then ends early for a reason that has nothing to do with the file, so the run fails
 * ('stopped', retried) instead of reading as a damaged file. A crash (SIGSEGV, SIGABRT) is the
 * tool's answer to the file and stays an ordinary exit.
 */
const STOP_SIGNALS: ReadonlySet<NodeJS.Signals> = new Set(['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGQUIT', 'SIGKILL'])

const DEFAULT_MAX_STDOUT = 16 * 1024 * 1024
const DEFAULT_MAX_STDERR = 64 * 1024

/** "ffprobe" for "/usr/bin/ffprobe": how messages name a tool. */
export function toolName (command: string): string {
  return path.basename(command)
}

/** "ffmpeg exited with code 1: <its last stderr line>", "ffmpeg was killed by SIGKILL". */
export function describeExit (command: string, exit: ProcessExit & { stderr?: string }): string {
  const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code ?? 'unknown'}`
  const last = exit.stderr?.trim().split('\n').pop()?.trim()
  return `${toolName(command)} ${how}${last ? `: ${last}` : ''}`
}

export interface RunningProcess {
  child: ChildProcessByStdio<null, Readable, Readable>
  /** The last stderr text (bounded). */
  stderrTail: () => string
  /**
   * Settles when the tool has ended and its pipes are closed; rejects with a ProcessError
   * (not installed, timeout) or, when the signal aborted it, with the signal's reason.
   */
  exited: Promise<ProcessExit>
  /** SIGKILL to the tool (its group with `ownGroup`); nothing when it has ended. */
  kill: () => void
}

/**
 * Starts a tool whose stdout the caller reads (a stream of frames or samples). Throws the
 * signal's reason at once when it has already aborted.
 */
export function startProcess (command: string, args: string[], options: ProcessOptions = {}): RunningProcess {
  const { signal, timeoutMs, ownGroup = false, maxStderrBytes = DEFAULT_MAX_STDERR } = options
  signal?.throwIfAborted()
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: ownGroup })
  let stderr = ''
  child.stderr.setEncoding('utf8')
  child.stderr.on('data', (text: string) => {
    stderr = (stderr + text).slice(-maxStderrBytes)
    options.onStderr?.(text)
  })
  let failure: unknown = null
  let killed = false
  const kill = () => {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return
    killed = true
    try {
      if (ownGroup) process.kill(-child.pid, 'SIGKILL')
      else child.kill('SIGKILL')
    } catch { /* already gone */ }
  }
  const stop = (reason: unknown) => {
    failure ??= reason
    kill()
  }
  const onAbort = () => stop(signal!.reason)
  signal?.addEventListener('abort', onAbort, { once: true })
  const timer = timeoutMs === undefined
    ? undefined
    : setTimeout(() => stop(new ProcessError('timeout', toolName(command), `${toolName(command)} did not finish within ${timeoutMs} ms`)), timeoutMs)
  const exited = new Promise<ProcessExit>((resolve, reject) => {
    const settle = (exit: ProcessExit | null, error?: NodeJS.ErrnoException) => {
      clearTimeout(timer)
      signal?.removeEventListener('abort', onAbort)
      // A tool in a group of its own may have left children: the group goes too.
      if (ownGroup && child.pid !== undefined) {
        try { process.kill(-child.pid, 'SIGKILL') } catch { /* the group is gone */ }
      }
      if (failure !== null) return reject(failure)
      if (exit?.signal && !killed && STOP_SIGNALS.has(exit.signal)) {
        return reject(new ProcessError('stopped', toolName(command), `${toolName(command)} was stopped by ${exit.signal} from outside Candor before it finished`))
      }
      if (error) {
        return reject(error.code === 'ENOENT'
          ? new ProcessError('not_found', toolName(command), `${command} is not installed or not on PATH (install ffmpeg)`)
          : new ProcessError('start_failed', toolName(command), `${toolName(command)} could not start: ${error.message}`))
      }
      resolve(exit!)
    }
    child.once('error', (error: NodeJS.ErrnoException) => settle(null, error))
    child.once('close', (code, killedBy) => settle({ code, signal: killedBy }))
    // Killed, it is done: a child it left (outside `ownGroup`) may hold its pipes open.
    child.once('exit', (code, killedBy) => {
      if (!killed) return
      child.stdout.destroy()
      child.stderr.destroy()
      settle({ code, signal: killedBy })
    })
  })
  return { child, stderrTail: () => stderr, exited, kill }
}

/**
 * Runs a tool to completion and collects what it prints. Resolves whatever the exit code
 * (callers know what a failure of their tool means; describeExit words it); rejects when
 * the tool cannot start, runs out of time, prints too much, or the signal aborts.
 */
export async function runProcess (command: string, args: string[], options: RunOptions = {}): Promise<ProcessResult> {
  const { maxStdoutBytes = DEFAULT_MAX_STDOUT, onStdout } = options
  const running = startProcess(command, args, options)
  const chunks: Buffer[] = []
  let size = 0
  let failure: unknown = null
  running.child.stdout.on('data', (chunk: Buffer) => {
    if (failure !== null) return
    try {
      if (onStdout) return onStdout(chunk)
      size += chunk.length
      if (size > maxStdoutBytes) {
        throw new ProcessError('output_limit', toolName(command), `${toolName(command)} printed more than ${maxStdoutBytes} bytes`)
      }
      chunks.push(chunk)
    } catch (error) {
      failure = error
      running.kill()
    }
  })
  const exit = await running.exited.catch((error: unknown) => { throw failure ?? error })
  if (failure !== null) throw failure
  return { ...exit, stdout: Buffer.concat(chunks).toString('utf8'), stderr: running.stderrTail() }
}
