/**
 * Numbered SQL migrations (src/db/migrations/NNN_name.sql), applied in order, each once.
 * A named lock keeps two processes starting together (API and worker) from racing, and a
 * checksum catches an applied migration that was edited afterwards.
 */
import fs from 'node:fs/promises'
import path from 'node:path'
import crypto from 'node:crypto'
import { fileURLToPath } from 'node:url'
import { connectForMigrations, ensureDatabase } from './mariadb.js'

export const migrationsDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations')

export interface Migration { version: number, name: string, sql: string, checksum: string }

export async function readMigrations (dir = migrationsDir): Promise<Migration[]> {
  const files = (await fs.readdir(dir)).filter((f) => f.endsWith('.sql')).sort()
  const migrations: Migration[] = []
  for (const file of files) {
    const match = /^(\d+)_([\w-]+)\.sql$/.exec(file)
    if (!match) throw new Error(`Migration file name must look like 001_name.sql: ${file}`)
    const sql = await fs.readFile(path.join(dir, file), 'utf8')
    migrations.push({
      version: Number(match[1]),
      name: match[2]!,
      sql,
      checksum: crypto.createHash('sha256').update(sql).digest('hex')
    })
  }
  const versions = migrations.map((m) => m.version)
  if (new Set(versions).size !== versions.length) throw new Error(`Two migrations share a number in ${dir}`)
  return migrations
}

/** Applies pending migrations; returns the names of those applied now. */
export async function migrate (url: string, dir = migrationsDir): Promise<string[]> {
  await ensureDatabase(url)
  const migrations = await readMigrations(dir)
  const connection = await connectForMigrations(url)
  try {
    const [lock] = await connection.query('SELECT GET_LOCK(\'candor_migrations\', 60) AS got')
    if (Number(lock.got) !== 1) throw new Error('Timed out waiting for another process to finish migrating')
    await connection.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version INT UNSIGNED NOT NULL PRIMARY KEY,
      name VARCHAR(128) NOT NULL,
      checksum CHAR(64) NOT NULL,
      applied_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
    ) ENGINE = InnoDB`)
    const appliedRows: Array<{ version: number, checksum: string }> =
      await connection.query('SELECT version, checksum FROM schema_migrations')
    const applied = new Map(appliedRows.map((r) => [Number(r.version), r.checksum]))
    const done: string[] = []
    for (const migration of migrations) {
      const label = `${String(migration.version).padStart(3, '0')}_${migration.name}`
      const checksum = applied.get(migration.version)
      if (checksum !== undefined) {
        if (checksum !== migration.checksum) {
          throw new Error(`Migration ${label} was changed after it was applied; add a new migration instead`)
        }
        continue
      }
      // DDL commits implicitly in MariaDB, so a failed migration is reported with its name
      // and left for a human; it is recorded only after all of its statements succeeded.
      try {
        await connection.query(migration.sql)
      } catch (error) {
        throw new Error(`Migration ${label} failed: ${(error as Error).message}`, { cause: error })
      }
      await connection.query('INSERT INTO schema_migrations (version, name, checksum) VALUES (?, ?, ?)',
        [migration.version, migration.name, migration.checksum])
      done.push(label)
    }
    return done
  } finally {
    await connection.query('SELECT RELEASE_LOCK(\'candor_migrations\')').catch(() => {})
    await connection.end()
  }
}
