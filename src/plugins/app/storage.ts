import fp from 'fastify-plugin'
import type { Config } from '../../config.js'
import { ObjectStorage, createS3Client } from '../../storage/object-storage.js'

declare module 'fastify' {
  interface FastifyInstance { storage: ObjectStorage }
}

/** S3: the uploads bucket must exist and answer for the service to be ready. */
export default fp<{ config: Config }>(async (fastify, { config }) => {
  const storage = new ObjectStorage(createS3Client(config.s3))
  fastify.decorate('storage', storage)

  fastify.readiness.register('s3', async () => {
    if (!(await storage.bucketExists(config.s3.uploadsBucket))) throw new Error(`bucket ${config.s3.uploadsBucket} does not exist`)
    return `bucket ${config.s3.uploadsBucket}`
  })

  fastify.addHook('onClose', async () => storage.destroy())
}, { name: 'storage', dependencies: ['readiness'] })
