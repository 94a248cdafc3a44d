import fs from 'node:fs'
import path from 'node:path'
import { spawnSync } from 'node:child_process'
import t from 'tap'
import { loadConfig, ConfigError, variables, projectRoot } from '../src/config.js'

t.test('defaults give a working local configuration', async (t) => {
  const config = loadConfig({})
  t.equal(config.http.port, 3000)
  t.equal(config.mariadb.url, 'mariadb://root@127.0.0.1:3306/candor')
  t.equal(config.s3.forcePathStyle, true)
  t.equal(config.limits.maxVideoBytes, 2 * 1024 ** 3)
  t.equal(config.modelsDir, path.join(projectRoot, 'models'))
  t.notOk(config.s3.credentials, 'no credentials unless given')
})

t.test('values are parsed and typed', async (t) => {
  const config = loadConfig({
    PORT: '8081', WORKER_IN_PROCESS: 'no', MAX_VIDEO_BYTES: '500MiB', CORS_ORIGINS: 'https://a.example, https://b.example',
    S3_ACCESS_KEY_ID: 'key', S3_SECRET_ACCESS_KEY: 'secret', LOG_FILE: 'logs/x.log'
  })
  t.equal(config.http.port, 8081)
  t.equal(config.queue.inProcessWorker, false)
  t.equal(config.limits.maxVideoBytes, 500 * 1024 ** 2)
  t.same(config.http.corsOrigins, ['https://a.example', 'https://b.example'])
  t.same(config.s3.credentials, { accessKeyId: 'key', secretAccessKey: 'secret' })
  t.equal(config.log.file, path.join(projectRoot, 'logs/x.log'))
})

t.test('every problem is reported at once, naming the variable', async (t) => {
  const error = t.throws(() => loadConfig({
    PORT: 'eighty', MARIADB_URL: 'postgres://x/y', WORKER_IN_PROCESS: 'maybe', S3_BUCKET: 'Bad_Bucket', S3_ACCESS_KEY_ID: 'k'
  })) as ConfigError
  t.type(error, ConfigError)
  const text = error.problems.join('\n')
  t.match(text, /PORT must be an integer, got "eighty"/)
  t.match(text, /MARIADB_URL must use mariadb:\/\/ or mysql:\/\//)
  t.match(text, /WORKER_IN_PROCESS must be true or false/)
  t.match(text, /S3_BUCKET must be a valid S3 bucket name/)
  t.match(text, /S3_SECRET_ACCESS_KEY is required when S3_ACCESS_KEY_ID is set/)
  t.equal(error.problems.length, 5)
})

t.test('environment.example documents exactly the declared variables', async (t) => {
  const example = fs.readFileSync(path.join(projectRoot, 'environment.example'), 'utf8')
  const documented = [...example.matchAll(/^#?\s*([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]!)
    .filter((name) => !name.startsWith('AWS_SDK_'))
  // Read by scripts/services (bash), not by the app's config module.
  const servicesScriptOnly = ['CANDOR_DATA_DIR', 'SERVICES_TIMEOUT']
  const services = fs.readFileSync(path.join(projectRoot, 'scripts/services'), 'utf8')
  for (const name of servicesScriptOnly) t.match(services, name, `${name} is really read by scripts/services`)
  t.same([...new Set(documented)].sort(), [...Object.keys(variables), ...servicesScriptOnly].sort())
})

t.test('the server exits with a message naming a bad variable', async (t) => {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: projectRoot, env: { ...process.env, PORT: '99999', REDIS_URL: 'http://nope' }, encoding: 'utf8', timeout: 30_000
  })
  t.equal(result.status, 78, 'exit code EX_CONFIG')
  t.match(result.stderr, /PORT must be between 0 and 65535, got 99999/)
  t.match(result.stderr, /REDIS_URL must use redis:\/\/ or rediss:\/\//)
  t.notMatch(result.stderr, /\bat .*\(.*:\d+:\d+\)/, 'no stack trace')
})
