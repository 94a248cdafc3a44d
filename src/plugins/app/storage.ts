import fp from 'fastify-plugin'
import type { Config } from '../../config.js'
import { createObjectStorage, type ObjectStorage } from '../../storage/object-storage.js'

declare module 'fastify' {
  interface FastifyInstance { storage: ObjectStorage }
}

/** S3: the uploads and artifacts buckets must exist and answer for the service to be ready. */
export default fp<{ config: Config }>(async (fastify, { config }) => {
  const storage = createObjectStorage(config.s3)
  fastify.decorate('storage', storage)

  fastify.readiness.register('s3', async () => {
    for (const bucket of [config.s3.uploadsBucket, config.s3.artifactsBucket]) {
      if (!(await storage.bucketExists(bucket))) throw new Error(`bucket ${bucket} does not exist`)
    }
    return `buckets ${config.s3.uploadsBucket}, ${config.s3.artifactsBucket}`
  })

  fastify.addHook('onClose', async () => storage.destroy())
}, { name: 'storage', dependencies: ['readiness'] })
