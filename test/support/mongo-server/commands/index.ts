/** Command registry: routes a decoded command to its handler and shapes errors. */
import type { Document } from 'bson'
import { CommandError, toCommandError } from '../errors.js'
import { adminCommands } from './admin.js'
import { catalogCommands } from './catalog.js'
import type { CommandContext, CommandHandler } from './context.js'
import { readCommands } from './read.js'
import { writeCommands } from './write.js'

const handlers: Record<string, CommandHandler> = {
  ...adminCommands,
  ...catalogCommands,
  ...readCommands,
  ...writeCommands
}

/**
 * Real commands that code under test might plausibly send but the double does not emulate.
 * They get NotImplemented rather than CommandNotFound, so a failure says what is missing.
 */
const NOT_IMPLEMENTED = new Set([
  'bulkWrite',
  'collMod',
  'collStats',
  'dbStats',
  'explain',
  'mapReduce',
  'serverStatus',
  'currentOp',
  'validate',
  'saslStart',
  'saslContinue',
  'authenticate',
  'createUser',
  'startSession'
])

const TRANSACTION_COMMANDS = new Set(['commitTransaction', 'abortTransaction'])

export function runCommand (context: CommandContext): Document {
  try {
    const { name, command } = context
    // A standalone mongod rejects transactions the same way.
    if (TRANSACTION_COMMANDS.has(name) || 'txnNumber' in command || 'startTransaction' in command) {
      throw new CommandError('IllegalOperation', 'Transaction numbers are only allowed on a replica set member or mongos')
    }
    if (Object.hasOwn(handlers, name)) return handlers[name](context)
    if (NOT_IMPLEMENTED.has(name)) {
      throw new CommandError('NotImplemented', `command '${name}' is not implemented by the Candor MongoDB test double`)
    }
    throw new CommandError('CommandNotFound', `no such command: '${name}'`)
  } catch (error) {
    return toCommandError(error).toReply()
  }
}
