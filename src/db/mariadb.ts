/**
 * The MariaDB connection pool. The pool reconnects by itself: a query issued while the server
 * is down fails fast (acquireTimeout) and the next one after it returns gets a fresh connection.
 */
import mariadb, { type Pool, type PoolConfig, type Connection } from 'mariadb'

export type { Pool, Connection }

export interface MariaDbTarget {
  host: string
  port: number
  user: string
  password: string
  database: string
}

export function parseMariaDbUrl (url: string): MariaDbTarget {
  const parsed = new URL(url)
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ''))
  if (!/^[A-Za-z0-9_]+$/.test(database)) {
    throw new Error(`MARIADB_URL must name a database of letters, digits and _, got "${database}"`)
  }
  return {
    host: parsed.hostname,
    port: parsed.port ? Number(parsed.port) : 3306,
    user: decodeURIComponent(parsed.username || 'root'),
    password: decodeURIComponent(parsed.password),
    database
  }
}

const sharedOptions: Partial<PoolConfig> = {
  connectTimeout: 3000,
  // JSON columns come back parsed, BIGINT as number (our ids fit in 2^53), dates as Date.
  autoJsonMap: true,
  bigIntAsNumber: true,
  insertIdAsNumber: true,
  dateStrings: false,
  timezone: 'Z'
}

export function createPool (url: string, size: number): Pool {
  const target = parseMariaDbUrl(url)
  return mariadb.createPool({
    ...sharedOptions,
    ...target,
    connectionLimit: size,
    acquireTimeout: 3000,
    idleTimeout: 60,
    minimumIdle: 0
  })
}

/** A single connection without a default database, to create it before the pool needs it. */
export async function ensureDatabase (url: string): Promise<void> {
  const { database, ...server } = parseMariaDbUrl(url)
  const connection = await mariadb.createConnection({ ...sharedOptions, ...server })
  try {
    await connection.query(`CREATE DATABASE IF NOT EXISTS \`${database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`)
  } finally {
    await connection.end()
  }
}

export async function connectForMigrations (url: string): Promise<Connection> {
  return mariadb.createConnection({ ...sharedOptions, ...parseMariaDbUrl(url), multipleStatements: true })
}
