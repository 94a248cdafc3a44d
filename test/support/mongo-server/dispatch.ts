/**
 * Turns one wire request into one reply: decodes the command (both ways, see values.ts),
 * folds kind-1 document sequences into it, runs it and encodes the answer in the
 * request's own protocol (OP_MSG -> OP_MSG, legacy OP_QUERY handshake -> OP_REPLY).
 */
import type { Document } from 'bson'
import { runCommand } from './commands/index.js'
import type { ServerState } from './commands/context.js'
import { CommandError } from './errors.js'
import { TYPED, VIEW } from './values.js'
import { decodeDocument, encodeOpMsg, encodeOpReply, OP_QUERY, ProtocolError } from './wire.js'
import type { OpMsgRequest, OpQueryRequest, WireRequest } from './wire.js'

/** The only commands mongod (5.1+) still accepts over OP_QUERY. */
const OP_QUERY_COMMANDS = new Set(['hello', 'isMaster', 'ismaster'])

/** Returns the reply bytes, or undefined when the client asked for none (moreToCome). */
export function handleRequest (request: WireRequest, state: ServerState, connectionId: number): Buffer | undefined {
  return request.opCode === OP_QUERY
    ? handleOpQuery(request, state, connectionId)
    : handleOpMsg(request, state, connectionId)
}

function handleOpMsg (request: OpMsgRequest, state: ServerState, connectionId: number): Buffer | undefined {
  const command = decodeDocument(request.body, VIEW)
  const typed = decodeDocument(request.body, TYPED)
  for (const [field, documents] of request.sequences) {
    command[field] = documents.map((raw) => decodeDocument(raw, VIEW))
    typed[field] = documents.map((raw) => decodeDocument(raw, TYPED))
  }
  const name = Object.keys(command)[0]
  if (name === undefined) throw new ProtocolError('empty command document')
  const database = command.$db
  const reply =
    typeof database === 'string'
      ? runCommand({ ...state, connectionId, database, name, command, typed })
      : new CommandError('FailedToParse', 'OP_MSG requests require a $db argument').toReply()
  return request.moreToCome ? undefined : encodeOpMsg(request.requestId, reply)
}

function handleOpQuery (request: OpQueryRequest, state: ServerState, connectionId: number): Buffer {
  const [database, collection] = splitNamespace(request.namespace)
  let command = decodeDocument(request.query, VIEW)
  // Drivers may wrap a command sent with read preference as { $query: {...}, $readPreference }.
  if (command.$query && typeof command.$query === 'object') command = command.$query as Document
  const name = Object.keys(command)[0] ?? ''
  let reply: Document
  if (collection === '$cmd' && OP_QUERY_COMMANDS.has(name)) {
    reply = runCommand({ ...state, connectionId, database, name, command, typed: command })
  } else {
    reply = new CommandError(
      'UnsupportedOpQueryCommand',
      `Unsupported OP_QUERY command: ${name}. The client driver may require an upgrade. For more details see https://dochub.mongodb.org/core/legacy-opcode-removal`
    ).toReply()
  }
  return encodeOpReply(request.requestId, reply)
}

function splitNamespace (namespace: string): [string, string] {
  const dot = namespace.indexOf('.')
  if (dot <= 0) throw new ProtocolError(`invalid OP_QUERY namespace ${namespace}`)
  return [namespace.slice(0, dot), namespace.slice(dot + 1)]
}
