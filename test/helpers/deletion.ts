/**
 * A completed analysis with something in every store (rows in every analysis_* table, frames
 * of two kinds in MongoDB, artifacts under analyses/{id}/, the recording in S3), and a count of
 * what is left of one: for the deletion and sweeper tests.
 */
import crypto from 'node:crypto'
import type { App } from '../../src/app.js'
import type { Config } from '../../src/config.js'
import { artifactsPrefix } from '../../src/storage/artifact-keys.js'
import { BUCKET_SIZE } from '../../src/repositories/frame-store.js'

export const ARTIFACT_NAMES = ['playback.webm', 'timeline_overview.jpg', 'events/0/frame_500.jpg', 'events/0/frame_500_annotated.jpg']

/** The face frames span two buckets, so a deletion must remove more than one document. */
export const FACE_FRAMES = BUCKET_SIZE + 20

export interface Seeded { id: string, tenantId: string, userId: string, s3Bucket: string, s3Key: string }

export async function seedCompletedAnalysis (app: App, config: Config, options: { tenantId?: string, userId?: string, s3Key?: string } = {}): Promise<Seeded> {
  const tenantId = options.tenantId ?? 'tenant-a'
  const userId = options.userId ?? 'u1'
  const s3Bucket = config.s3.uploadsBucket
  const s3Key = options.s3Key ?? `recordings/${crypto.randomUUID()}.webm`
  await app.tenants.upsertTenant(tenantId)
  const { analysis } = await app.analyses.create({ tenantId, userId, sessionId: crypto.randomUUID(), s3Bucket, s3Key, idempotencyKey: crypto.randomUUID() })
  const id = analysis.id
  await app.storage.put(s3Bucket, s3Key, Buffer.from(`recording of ${id}`), 'video/webm')

  const q = (sql: string, values: unknown[]) => app.mariadb.query(sql, values)
  await q('INSERT INTO analysis_scores (analysis_id, score_version, interview_score, attention_score, scores) VALUES (?, ?, ?, ?, ?)',
    [id, '2.0', 61, 70, JSON.stringify({ version: '2.0' })])
  await q('INSERT INTO analysis_signals (analysis_id, kind, version, metrics) VALUES (?, ?, ?, ?), (?, ?, ?, ?)',
    [id, 'face', '1.0', '{}', id, 'voice', '1.0', '{}'])
  await q('INSERT INTO analysis_events (analysis_id, seq, kind, start_ms, end_ms, thumbnail_key) VALUES (?, 0, ?, 400, 600, ?)',
    [id, 'blink', `${artifactsPrefix(id)}events/0/frame_500.jpg`])
  await q('INSERT INTO analysis_feedback (analysis_id, language, source, prompt_version, yaml_text, parsed) VALUES (?, ?, ?, ?, ?, ?)',
    [id, 'en', 'rules', 'p1', 'summary: fine', '{"summary":"fine"}'])
  await q('INSERT INTO analysis_transcripts (analysis_id, model, text, words, fillers) VALUES (?, ?, ?, ?, ?)',
    [id, 'stt', 'hello', '[]', '{"count":0,"perMinute":0,"items":[]}'])
  await q('INSERT INTO analysis_artifacts (analysis_id, name, s3_key, content_type) VALUES (?, ?, ?, ?)',
    [id, 'playback', `${artifactsPrefix(id)}playback.webm`, 'video/webm'])

  const face = app.frames.writer(id, 'face')
  await face.add(Array.from({ length: FACE_FRAMES }, (_, i) => ({ t: i * 33, v: i })))
  await face.finish()
  const voice = app.frames.writer(id, 'voice')
  await voice.add([{ t: 0 }, { t: 1000 }])
  await voice.finish()

  for (const name of ARTIFACT_NAMES) await app.storage.put(config.s3.artifactsBucket, `${artifactsPrefix(id)}${name}`, Buffer.from(name))
  await app.analyses.markCompleted(id, { analysedFrames: FACE_FRAMES, modelVersions: { engine: 'test' }, scoreVersion: '2.0' })
  return { id, tenantId, userId, s3Bucket, s3Key }
}

/** Every MariaDB table with an analysis_id column (analyses_* and any added later), but uploads (not the analysis's own). */
export async function analysisTables (app: App): Promise<string[]> {
  const rows: Array<{ name: string }> = await app.mariadb.query(
    `SELECT TABLE_NAME AS name FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND COLUMN_NAME = 'analysis_id'
       AND TABLE_NAME <> 'uploads' ORDER BY TABLE_NAME`)
  return rows.map((r) => r.name)
}

export interface Remains { analyses: number, tables: Record<string, number>, frameBuckets: number, artifacts: number, source: boolean }

/** What is left of an analysis in every store. */
export async function remainsOf (app: App, config: Config, seeded: Seeded): Promise<Remains> {
  const tables: Record<string, number> = {}
  for (const table of await analysisTables(app)) {
    const [row] = await app.mariadb.query(`SELECT COUNT(*) AS n FROM \`${table}\` WHERE analysis_id = ?`, [seeded.id])
    tables[table] = Number(row.n)
  }
  const [row] = await app.mariadb.query('SELECT COUNT(*) AS n FROM analyses WHERE id = ?', [seeded.id])
  let artifacts = 0
  for await (const object of app.storage.listKeys(config.s3.artifactsBucket, artifactsPrefix(seeded.id))) if (object) artifacts++
  return {
    analyses: Number(row.n),
    tables,
    frameBuckets: await app.frames.collection.countDocuments({ a: seeded.id }),
    artifacts,
    source: (await app.storage.head(seeded.s3Bucket, seeded.s3Key)) !== null
  }
}

export const nothingLeft = (remains: Remains): boolean =>
  remains.analyses === 0 && Object.values(remains.tables).every((n) => n === 0) && remains.frameBuckets === 0 && remains.artifacts === 0

/** The artifacts bucket (the test environment makes only the uploads bucket), emptied and removed at the end. */
export async function artifactsBucketFor (t: { teardown: (fn: () => unknown) => void }, app: App, config: Config): Promise<void> {
  const bucket = config.s3.artifactsBucket
  await app.storage.ensureBucket(bucket)
  t.teardown(async () => {
    const { ObjectStorage, createS3Client } = await import('../../src/storage/object-storage.js')
    const { DeleteBucketCommand } = await import('@aws-sdk/client-s3')
    const storage = new ObjectStorage(createS3Client(config.s3))
    try {
      await storage.deletePrefix(bucket, 'analyses/')
      for await (const object of storage.listKeys(bucket, '')) await storage.delete(bucket, object.key)
      await storage.client.send(new DeleteBucketCommand({ Bucket: bucket }))
    } catch { /* cleanup only */ } finally {
      storage.destroy()
    }
  })
}
