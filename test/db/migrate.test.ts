import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import t from 'tap'
import mariadb from 'mariadb'
import { migrate, migrationsDir } from '../../src/db/migrate.js'
import { parseMariaDbUrl } from '../../src/db/mariadb.js'
import { dropDatabase, uniqueName, type TestContext } from '../helpers/environment.js'

function databaseUrl (t: TestContext): string {
  const url = new URL(process.env.MARIADB_URL ?? 'mariadb://root@127.0.0.1:3306/candor')
  url.pathname = `/${uniqueName('candor_migrate')}`
  t.teardown(() => dropDatabase(url.toString()))
  return url.toString()
}

async function tables (url: string): Promise<string[]> {
  const connection = await mariadb.createConnection(parseMariaDbUrl(url))
  try {
    const rows: Array<Record<string, string>> = await connection.query('SHOW TABLES')
    return rows.map((r) => Object.values(r)[0]!).sort()
  } finally {
    await connection.end()
  }
}

t.test('creates the database and every table, once', async (t) => {
  const url = databaseUrl(t)
  t.same(await migrate(url), ['001_analyses', '002_transcripts', '003_tenants_api_keys'])
  t.same(await tables(url), ['analyses', 'analysis_events', 'analysis_feedback', 'analysis_scores', 'analysis_transcripts', 'api_keys', 'schema_migrations', 'tenants'])
  t.same(await migrate(url), [], 'second run applies nothing')
})

t.test('two processes migrating at once apply each migration exactly once', async (t) => {
  const url = databaseUrl(t)
  const results = await Promise.all([migrate(url), migrate(url), migrate(url)])
  t.same(results.flat().sort(), ['001_analyses', '002_transcripts', '003_tenants_api_keys'])
})

t.test('analyses made before tenants existed belong to the tenant "default"', async (t) => {
  const url = databaseUrl(t)
  const before = await fs.mkdtemp(path.join(os.tmpdir(), 'candor-migrations-'))
  t.teardown(() => fs.rm(before, { recursive: true, force: true }))
  for (const name of ['001_analyses.sql', '002_transcripts.sql']) await fs.copyFile(path.join(migrationsDir, name), path.join(before, name))
  await migrate(url, before)
  const connection = await mariadb.createConnection(parseMariaDbUrl(url))
  t.teardown(() => connection.end())
  await connection.query(`INSERT INTO analyses (id, user_id, session_id, source_hash, s3_bucket, s3_key, options)
    VALUES ('00000000-0000-4000-8000-000000000001', 'u', 's', REPEAT('a', 32), 'b', 'k', '{}')`)
  t.same(await migrate(url), ['003_tenants_api_keys'])
  const [row] = await connection.query('SELECT tenant_id FROM analyses')
  t.equal(row.tenant_id, 'default')
})

t.test('an applied migration that was edited afterwards is refused', async (t) => {
  const url = databaseUrl(t)
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'candor-migrations-'))
  t.teardown(() => fs.rm(dir, { recursive: true, force: true }))
  await fs.writeFile(path.join(dir, '001_first.sql'), 'CREATE TABLE a (id INT PRIMARY KEY);')
  t.same(await migrate(url, dir), ['001_first'])
  await fs.writeFile(path.join(dir, '001_first.sql'), 'CREATE TABLE a (id BIGINT PRIMARY KEY);')
  await t.rejects(migrate(url, dir), /Migration 001_first was changed after it was applied/)
})

t.test('a failing migration names itself and is not recorded', async (t) => {
  const url = databaseUrl(t)
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'candor-migrations-'))
  t.teardown(() => fs.rm(dir, { recursive: true, force: true }))
  await fs.writeFile(path.join(dir, '001_ok.sql'), 'CREATE TABLE a (id INT PRIMARY KEY);')
  await fs.writeFile(path.join(dir, '002_broken.sql'), 'CREATE TABLE b (id INT PRIMARY KEY, nonsense);')
  await t.rejects(migrate(url, dir), /Migration 002_broken failed/)
  await fs.writeFile(path.join(dir, '002_broken.sql'), 'CREATE TABLE b (id INT PRIMARY KEY);')
  t.same(await migrate(url, dir), ['002_broken'], 'fixed migration applies on the next run')
})

t.test('the shipped migrations are numbered files', async (t) => {
  const files = (await fs.readdir(migrationsDir)).filter((f) => f.endsWith('.sql'))
  t.ok(files.length > 0)
  for (const file of files) t.match(file, /^\d{3}_[\w-]+\.sql$/)
})
