/**
 * An in-process MongoDB wire-protocol test double for tests run without MONGODB_URL.
 * See README.md in this folder for what it implements and how it differs from MongoDB.
 */
import { createServer } from 'node:net'
import type { AddressInfo, Socket } from 'node:net'
import type { ServerState } from './commands/context.js'
import { CursorRegistry } from './cursors.js'
import { handleRequest } from './dispatch.js'
import { Store } from './storage.js'
import { MessageReader } from './wire.js'

export interface MongoTestServer {
  /** e.g. `mongodb://127.0.0.1:40123/`, ready for `new MongoClient(url)`. */
  url: string
  port: number
  /** Stops listening, destroys open connections and drops all data. */
  close(): Promise<void>
}

export async function startMongoTestServer (options: { port?: number, host?: string } = {}): Promise<MongoTestServer> {
  const host = options.host ?? '127.0.0.1'
  const state: ServerState = { store: new Store(), cursors: new CursorRegistry() }
  const sockets = new Set<Socket>()
  let connections = 0

  const server = createServer((socket) => {
    sockets.add(socket)
    const connectionId = ++connections
    const reader = new MessageReader()
    socket.on('data', (chunk) => {
      try {
        for (const request of reader.push(chunk)) {
          const reply = handleRequest(request, state, connectionId)
          if (socket.destroyed) return
          if (reply) socket.write(reply)
        }
      } catch {
        // Malformed input (bad framing, unknown opcode, corrupt BSON): like mongod, drop
        // this connection and keep serving everyone else.
        socket.destroy()
      }
    })
    socket.on('error', () => socket.destroy())
    socket.on('close', () => sockets.delete(socket))
  })

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const { port } = server.address() as AddressInfo
  const urlHost = host.includes(':') ? `[${host}]` : host

  let closing: Promise<void> | undefined
  return {
    url: `mongodb://${urlHost}:${port}/`,
    port,
    close () {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve())
        for (const socket of sockets) socket.destroy()
        state.cursors.clear()
      })
      return closing
    }
  }
}
