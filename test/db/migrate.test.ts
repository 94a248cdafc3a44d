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

/** JSON columns come back parsed or as text, depending on how MariaDB declares them. */
const parsed = (value: unknown) => (typeof value === 'string' ? JSON.parse(value) : value)

const ALL = ['001_analyses', '002_transcripts', '003_tenants_api_keys', '004_signals', '005_artifacts', '006_uploads', '007_deletion']

t.test('creates the database and every table, once', async (t) => {
  const url = databaseUrl(t)
  t.same(await migrate(url), ALL)
  t.same(await tables(url), ['analyses', 'analysis_artifacts', 'analysis_events', 'analysis_feedback', 'analysis_scores', 'analysis_signals', 'analysis_transcripts', 'api_keys', 'schema_migrations', 'tenants', 'uploads'])
  t.same(await migrate(url), [], 'second run applies nothing')
})

t.test('two processes migrating at once apply each migration exactly once', async (t) => {
  const url = databaseUrl(t)
  const results = await Promise.all([migrate(url), migrate(url), migrate(url)])
  t.same(results.flat().sort(), ALL)
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
  t.same(await migrate(url), ALL.slice(2))
  const [row] = await connection.query('SELECT tenant_id FROM analyses')
  t.equal(row.tenant_id, 'default')
})

t.test('analyses stored before signal modules read the same afterwards: face, voice, scores and transcript errors move', async (t) => {
  const url = databaseUrl(t)
  const before = await fs.mkdtemp(path.join(os.tmpdir(), 'candor-migrations-'))
  t.teardown(() => fs.rm(before, { recursive: true, force: true }))
  for (const name of ['001_analyses.sql', '002_transcripts.sql', '003_tenants_api_keys.sql']) await fs.copyFile(path.join(migrationsDir, name), path.join(before, name))
  await migrate(url, before)
  const connection = await mariadb.createConnection(parseMariaDbUrl(url))
  t.teardown(() => connection.end())
  const id = '00000000-0000-4000-8000-000000000002'
  await connection.query(`INSERT INTO analyses (id, tenant_id, user_id, session_id, source_hash, s3_bucket, s3_key, options)
    VALUES (?, 'default', 'u', 's', REPEAT('b', 32), 'b', 'k', '{}')`, [id])
  const face = { version: '1.0', durationS: 2.4, blinks: { count: 1 }, scores: { version: '1.0', interviewScore: 40.2, attentionScore: 80, categories: { eyeContact: 80, expression: 60, composure: 70, presence: 100 } } }
  const voice = { hasAudio: true, metrics: { speechS: 1.5 }, transcriptError: 'transcript failed: 503' }
  await connection.query(`INSERT INTO analysis_scores (analysis_id, score_version, interview_score, attention_score, blink_count, voice, metrics)
    VALUES (?, '1.0', 40.2, 80, 1, ?, ?)`, [id, JSON.stringify(voice), JSON.stringify(face)])
  t.same(await migrate(url), ALL.slice(3))
  const signals: Array<{ kind: string, version: string, metrics: unknown }> = await connection.query('SELECT kind, version, metrics FROM analysis_signals WHERE analysis_id = ? ORDER BY kind', [id])
  t.same(signals.map((s) => [s.kind, s.version]), [['face', '1.0'], ['voice', '1.0']])
  const { scores: _scores, ...faceWithoutScores } = face
  t.same(parsed(signals[0]!.metrics), faceWithoutScores, 'face metrics as before, without the scores')
  t.same(parsed(signals[1]!.metrics), { hasAudio: true, metrics: { speechS: 1.5 } }, 'voice summary without the transcript error')
  const [row] = await connection.query('SELECT scores FROM analysis_scores WHERE analysis_id = ?', [id])
  t.same(parsed(row.scores), { version: '1.0', interviewScore: 40.2, attentionScore: 80, categories: { eye_contact: 80, expression: 60, composure: 70, presence: 100 } })
  const [transcript] = await connection.query('SELECT text, error FROM analysis_transcripts WHERE analysis_id = ?', [id])
  t.same({ ...transcript }, { text: '', error: 'transcript failed: 503' })
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
