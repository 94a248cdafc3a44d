import fp from 'fastify-plugin'
import type { Config } from '../../config.js'
import { createMongo, type Mongo } from '../../db/mongo.js'
import { FrameStore } from '../../repositories/frame-store.js'
import { retryInBackground } from './retry.js'

declare module 'fastify' {
  interface FastifyInstance {
    mongo: Mongo
    frames: FrameStore
  }
}

/** MongoDB: per-frame signals. The driver connects lazily and reconnects by itself. */
export default fp<{ config: Config }>(async (fastify, { config }) => {
  const mongo = createMongo(config.mongodb.url)
  const frames = new FrameStore(mongo.db)
  fastify.decorate('mongo', mongo)
  fastify.decorate('frames', frames)

  const indexes = retryInBackground('mongodb indexes', () => frames.ensureIndexes(), fastify.log)
  indexes.ready.catch(() => {})

  fastify.readiness.register('mongodb', async () => {
    const info = await mongo.db.command({ buildInfo: 1 }) as { version?: string }
    return info.version
  })

  fastify.addHook('onClose', async () => {
    indexes.stop()
    await mongo.client.close()
  })
}, { name: 'mongodb', dependencies: ['readiness'] })
