/**
 * Request/response calls to a worker thread. onnxruntime-node runs inference synchronously
 * on the calling JS thread, so the only way to use both cores is to put models in workers.
 * Large buffers are transferred, not copied. A worker keeps the process alive only while a
 * call is pending, so an idle engine never blocks exit.
 */
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { Worker, parentPort, type TransferListItem } from 'node:worker_threads'

interface Request { id: number, method: string, args: unknown }
type Response = { id: number, result: unknown } | { id: number, error: { message: string, name: string } }

export class WorkerRpc {
  private readonly worker: Worker
  private readonly pending = new Map<number, { resolve: (value: unknown) => void, reject: (error: Error) => void }>()
  private nextId = 0
  private failure: Error | null = null

  constructor (file: string, workerData: unknown) {
    this.worker = new Worker(workerEntry(file), { workerData })
    this.worker.unref()
    this.worker.on('message', (response: Response) => {
      const call = this.pending.get(response.id)
      if (!call) return
      this.pending.delete(response.id)
      if (this.pending.size === 0) this.worker.unref()
      if ('error' in response) call.reject(Object.assign(new Error(response.error.message), { name: response.error.name }))
      else call.resolve(response.result)
    })
    const fail = (error: Error) => {
      this.failure = error
      for (const call of this.pending.values()) call.reject(error)
      this.pending.clear()
    }
    this.worker.on('error', fail)
    this.worker.on('exit', (code) => { if (code !== 0) fail(new Error(`engine worker ${path.basename(file)} exited with code ${code}`)) })
  }

  call<T> (method: string, args: unknown, transfer: TransferListItem[] = []): Promise<T> {
    if (this.failure) return Promise.reject(this.failure)
    const id = this.nextId++
    return new Promise<T>((resolve, reject) => {
      if (this.pending.size === 0) this.worker.ref()
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject })
      this.worker.postMessage({ id, method, args } satisfies Request, transfer)
    })
  }

  async close (): Promise<void> {
    await this.worker.terminate()
  }
}

export interface Reply<T> { result: T, transfer?: TransferListItem[] }
export type Handlers = Record<string, (args: never) => Promise<Reply<unknown>> | Reply<unknown>>

/**
 * Worker side: answers requests one at a time, in arrival order (inference is synchronous
 * anyway, and tracking needs frames in order).
 */
export function serve (handlers: Handlers): void {
  const port = parentPort
  if (!port) throw new Error('serve() must run in a worker thread')
  let queue = Promise.resolve()
  port.on('message', (request: Request) => {
    queue = queue.then(async () => {
      try {
        const handler = handlers[request.method]
        if (!handler) throw new Error(`unknown worker method ${request.method}`)
        const { result, transfer } = await handler(request.args as never)
        port.postMessage({ id: request.id, result } satisfies Response, transfer ?? [])
      } catch (error) {
        const { message, name } = error instanceof Error ? error : new Error(String(error))
        port.postMessage({ id: request.id, error: { message, name } } satisfies Response)
      }
    })
  })
}

/**
 * A built .js worker starts directly. A .ts worker (development, tests) needs tsx, whose
 * loader flags do not reach worker threads: a one-line module registers it in the worker and
 * then imports the real entry.
 */
function workerEntry (file: string): string | URL {
  if (!file.endsWith('.ts')) return file
  const boot = `import { register } from ${JSON.stringify(import.meta.resolve('tsx/esm/api'))}
register()
await import(${JSON.stringify(pathToFileURL(file).href)})`
  return new URL(`data:text/javascript,${encodeURIComponent(boot)}`)
}

/** The file next to `from` with the same extension (.ts under tsx, .js when built). */
export function siblingFile (from: string, name: string): string {
  return path.join(path.dirname(from), `${name}${path.extname(from)}`)
}
