/** Handshake, diagnostics and session commands. */
import type { Document } from 'bson'
import { CommandError } from '../errors.js'
import { MAX_BSON_OBJECT_SIZE, MAX_MESSAGE_SIZE_BYTES } from '../wire.js'
import type { CommandContext, CommandHandler } from './context.js'

/**
 * Wire version 21 is MongoDB 7.0: inside the range driver 7 accepts (9..29) and old enough
 * that the driver does not expect 8.0-only features.
 */
export const MAX_WIRE_VERSION = 21
export const SERVER_VERSION = '7.0.0'

function hello (context: CommandContext): Document {
  return {
    // The legacy isMaster reply names the primary flag differently.
    ...(context.name === 'hello' ? { isWritablePrimary: true } : { ismaster: true }),
    helloOk: true,
    maxBsonObjectSize: MAX_BSON_OBJECT_SIZE,
    maxMessageSizeBytes: MAX_MESSAGE_SIZE_BYTES,
    maxWriteBatchSize: 100_000,
    localTime: new Date(),
    // Without this the driver disables sessions; the value is what mongod reports by default.
    logicalSessionTimeoutMinutes: 30,
    connectionId: context.connectionId,
    minWireVersion: 0,
    maxWireVersion: MAX_WIRE_VERSION,
    readOnly: false,
    ok: 1
  }
}

function buildInfo (): Document {
  return {
    version: SERVER_VERSION,
    gitVersion: 'candor-mongo-test-double',
    versionArray: SERVER_VERSION.split('.').map(Number).concat(0),
    bits: 64,
    debug: false,
    maxBsonObjectSize: MAX_BSON_OBJECT_SIZE,
    storageEngines: ['candor-test-double-memory'],
    javascriptEngine: 'none',
    ok: 1
  }
}

function getParameter (context: CommandContext): Document {
  const wanted = context.command.getParameter === '*' ? ['featureCompatibilityVersion'] : Object.keys(context.command)
  if (wanted.includes('featureCompatibilityVersion')) {
    return { featureCompatibilityVersion: { version: SERVER_VERSION.slice(0, 3) }, ok: 1 }
  }
  throw new CommandError('InvalidOptions', 'no option found to get')
}

/** Sessions are accepted (the driver attaches lsid to everything) but carry no state here. */
const acknowledge: CommandHandler = () => ({ ok: 1 })

export const adminCommands: Record<string, CommandHandler> = {
  hello,
  isMaster: hello,
  ismaster: hello,
  ping: acknowledge,
  buildInfo,
  buildinfo: buildInfo,
  getParameter,
  endSessions: acknowledge,
  killSessions: acknowledge,
  killAllSessions: acknowledge,
  refreshSessions: acknowledge
}
