/**
 * Secrets never reach the logs: API keys (valid, wrong or revoked), the OpenAI key and the S3
 * secret, nor presigned URLs (read access to a recording), with every log line on (trace),
 * through requests, refusals and a whole analysis whose LLM and transcription calls fail.
 * Every process's lines are read back: the API's from a stream, the job's from LOG_FILE.
 */
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { PassThrough } from 'node:stream'
import t from 'tap'
import { testApp, callerFor, pollUntilDone } from '../helpers/app.js'
import { toWebm } from '../helpers/media.js'
import { createLogger } from '../../src/logger.js'

const OPENAI_KEY = 'sk-test-0penai-SECRET-do-not-log-4242'

t.test('no secret in any log line', async (t) => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'candor-logs-'))
  t.teardown(() => fs.rm(dir, { recursive: true, force: true }))
  const apiLines: string[] = []
  const stream = new PassThrough()
  stream.on('data', (chunk: Buffer) => apiLines.push(chunk.toString('utf8')))
  const jobLog = path.join(dir, 'job.log')
  const { app, api, key, config, storage } = await testApp(t, {
    LOG_LEVEL: 'trace',
    LOG_FILE: jobLog,
    WORKER_IN_PROCESS: 'true',
    JOB_ATTEMPTS: '1',
    OPENAI_API_KEY: OPENAI_KEY,
    // Nothing listens there: the LLM and the transcript fail, and their errors are logged.
    OPENAI_BASE_URL: 'http://127.0.0.1:9/v1',
    OPENAI_MAX_RETRIES: '0',
    OPENAI_TIMEOUT_MS: '2000'
  }, undefined, stream)
  const bucket = config.s3.uploadsBucket
  await storage.put(bucket, 'a.webm', await fs.readFile(toWebm('video/single_face.mp4', path.join(dir, 'a.webm'))), 'video/webm')
  await storage.put(bucket, 'text.webm', 'not a video\n'.repeat(100))

  const posted = await api({ method: 'POST', url: '/analyze', payload: { s3_bucket: bucket, s3_key: 'a.webm', user_id: 'u', session_id: 's' } })
  t.equal(posted.statusCode, 202, posted.body)
  const done = await pollUntilDone(api, posted.json().analysis_id)
  t.equal(done.status, 'completed', 'the analysis completes with rule-based feedback')
  t.equal((await api({ method: 'POST', url: '/analyze', payload: { s3_bucket: bucket, s3_key: 'text.webm', user_id: 'u', session_id: 's' } })).statusCode, 422)
  const revoked = await callerFor(app, 'tenant-a')
  await app.tenants.revokeKey(/^cnd_([0-9a-f]{16})_/.exec(revoked.key)![1]!)
  const wrong = key.slice(0, -4) + 'AAAA'
  for (const authorization of [revoked.authorization, `Bearer ${wrong}`, `Basic ${Buffer.from(`x:${key}`).toString('base64')}`]) {
    t.equal((await app.inject({ url: '/analysis/recent', headers: { authorization } })).statusCode, 401)
  }
  t.equal((await app.inject({ url: '/analysis/recent', headers: { 'x-api-key': key } })).statusCode, 401)
  t.equal((await api({ url: '/health/ready' })).statusCode, 200)

  const logs = apiLines.join('') + await fs.readFile(jobLog, 'utf8')
  t.ok(logs.split('\n').length > 30, `${logs.split('\n').length} log lines captured`)
  t.match(logs, /"analysisId"/, 'the job\'s lines are among them')
  t.match(logs, /LLM feedback failed|no transcript/, 'the failing LLM calls were logged')
  const secrets: Array<[string, string]> = [
    ['the API key', key],
    ['the API key\'s secret part', key.slice(-43)],
    ['a wrong key', wrong.slice(-43)],
    ['a revoked key', revoked.key.slice(-43)],
    ['the OpenAI key', OPENAI_KEY],
    ['the S3 secret', config.s3.credentials!.secretAccessKey],
    ['a presigned URL signature', 'X-Amz-Signature'],
    ['a Basic credential', Buffer.from(`x:${key}`).toString('base64')]
  ]
  for (const [what, secret] of secrets) t.notOk(logs.includes(secret), `${what} is not in the logs`)
})

t.test('redaction catches secrets in structured fields', async (t) => {
  const lines: string[] = []
  const stream = new PassThrough()
  stream.on('data', (chunk: Buffer) => lines.push(chunk.toString('utf8')))
  const logger = createLogger({ log: { level: 'info' } }, 'redaction', stream)
  logger.info({
    req: { headers: { authorization: 'Bearer cnd_secret-1' } },
    llm: { apiKey: 'secret-2', model: 'gpt-4o' },
    s3: { credentials: { accessKeyId: 'AKIA', secretAccessKey: 'secret-3' } },
    env: { OPENAI_API_KEY: 'secret-4', S3_SECRET_ACCESS_KEY: 'secret-5' },
    created: { key: 'cnd_secret-6' }
  }, 'a line carrying secrets')
  await new Promise((resolve) => setImmediate(resolve))
  const line = lines.join('')
  t.match(line, /a line carrying secrets/)
  t.match(line, /gpt-4o/, 'the rest of the object is kept')
  for (const secret of ['secret-1', 'secret-2', 'secret-3', 'secret-4', 'secret-5', 'secret-6']) t.notOk(line.includes(secret), `${secret} redacted`)
})
