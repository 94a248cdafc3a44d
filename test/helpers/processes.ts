import fs from 'node:fs/promises'
import net from 'node:net'
import { spawn, type ChildProcess } from 'node:child_process'
import { projectRoot } from '../../src/config.js'
import { waitFor } from './environment.js'

export async function freePort (): Promise<number> {
  const server = net.createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as net.AddressInfo
  await new Promise((resolve) => server.close(resolve))
  return port
}

async function portAnswers (port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1')
    socket.once('connect', () => { socket.destroy(); resolve(true) })
    socket.once('error', () => resolve(false))
  })
}

/** A throwaway redis-server of our own, so a test can stop it without touching anyone else's. */
export class PrivateRedis {
  private process?: ChildProcess
  constructor (readonly port: number) {}

  get url (): string { return `redis://127.0.0.1:${this.port}` }

  async start (): Promise<void> {
    this.process = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' })
    await waitFor(`redis-server on ${this.port}`, async () => ((await portAnswers(this.port)) ? true : undefined), 10_000, 50)
  }

  async stop (): Promise<void> {
    const child = this.process
    if (!child || child.exitCode !== null || child.signalCode !== null) return
    const exited = new Promise((resolve) => child.once('exit', resolve))
    child.kill('SIGTERM')
    await exited
  }
}

/** A TCP relay to a real server that can be cut and restored, as if the server went away. */
export class Relay {
  private server?: net.Server
  private readonly sockets = new Set<net.Socket>()
  constructor (readonly port: number, private readonly target: { host: string, port: number }) {}

  async start (): Promise<void> {
    this.server = net.createServer((client) => {
      const upstream = net.connect(this.target.port, this.target.host)
      for (const socket of [client, upstream]) {
        this.sockets.add(socket)
        socket.on('close', () => this.sockets.delete(socket))
        socket.on('error', () => { client.destroy(); upstream.destroy() })
      }
      client.pipe(upstream).pipe(client)
    })
    await new Promise<void>((resolve) => this.server!.listen(this.port, '127.0.0.1', resolve))
  }

  async stop (): Promise<void> {
    for (const socket of this.sockets) socket.destroy()
    await new Promise((resolve) => this.server?.close(resolve) ?? resolve(undefined))
  }
}

/**
 * `npm run worker` in its own process group, so killGroup reaches its sandboxed job children
 * too. Its logs (and its job children's) go to `logFd` if given, else to stderr unless
 * LOG_LEVEL is silent.
 */
export function startWorkerProcess (env: NodeJS.ProcessEnv, logFd?: number): ChildProcess {
  const output = logFd ?? (env.LOG_LEVEL === 'silent' ? 'ignore' : 2)
  return spawn(process.execPath, ['--import', 'tsx', 'src/worker.ts'], {
    cwd: projectRoot, env, detached: true, stdio: ['ignore', output, output]
  })
}

/** kill -9 of the whole process group, as when a machine dies. */
export function killGroup (child: ChildProcess): void {
  try { process.kill(-child.pid!, 'SIGKILL') } catch { /* already gone */ }
}

/** The live (not zombie) processes whose parent is `parent`, with their command names, from /proc. */
export async function childProcesses (parent: number): Promise<Array<{ pid: number, command: string }>> {
  const found: Array<{ pid: number, command: string }> = []
  for (const name of await fs.readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue
    const stat = await fs.readFile(`/proc/${name}/stat`, 'utf8').catch(() => '')
    const command = /\((.*)\)/.exec(stat)?.[1]
    const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    if (command && state !== 'Z' && Number(ppid) === parent) found.push({ pid: Number(name), command })
  }
  return found
}

/** ffmpeg and ffprobe processes whose parent is this test process (to prove none is left running). */
export async function mediaChildren (): Promise<number[]> {
  return (await childProcesses(process.pid)).filter(({ command }) => command === 'ffmpeg' || command === 'ffprobe').map(({ pid }) => pid)
}
