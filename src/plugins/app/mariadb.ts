import fp from 'fastify-plugin'
import type { Config } from '../../config.js'
import { createPool, type Pool } from '../../db/mariadb.js'
import { migrate } from '../../db/migrate.js'
import { AnalysisRepository } from '../../repositories/analyses.js'
import { ResultsRepository } from '../../repositories/results.js'
import { UploadRepository } from '../../repositories/uploads.js'
import { retryInBackground } from './retry.js'

declare module 'fastify' {
  interface FastifyInstance {
    mariadb: Pool
    analyses: AnalysisRepository
    results: ResultsRepository
    uploads: UploadRepository
  }
}

/**
 * MariaDB: the pool, the analyses repository, and migrations. If MariaDB is down at start-up
 * the API still starts; migrations are retried in the background and readiness says why.
 */
export default fp<{ config: Config }>(async (fastify, { config }) => {
  const pool = createPool(config.mariadb.url, config.mariadb.poolSize)
  fastify.decorate('mariadb', pool)
  fastify.decorate('analyses', new AnalysisRepository(pool))
  fastify.decorate('results', new ResultsRepository(pool))
  fastify.decorate('uploads', new UploadRepository(pool))

  const schema = retryInBackground('mariadb migrations', () => migrate(config.mariadb.url), fastify.log)
  schema.ready.then((applied) => {
    if (applied.length > 0) fastify.log.info({ applied }, 'migrations applied')
  }, () => {})

  fastify.readiness.register('mariadb', async () => {
    const [row] = await pool.query('SELECT VERSION() AS version')
    if (!schema.done) throw new Error(`connected, but the schema is not migrated yet: ${schema.lastError ?? 'migrating'}`)
    return String(row.version)
  })

  fastify.addHook('onClose', async () => {
    schema.stop()
    await pool.end()
  })
}, { name: 'mariadb', dependencies: ['readiness'] })
