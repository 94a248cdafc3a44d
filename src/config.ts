/**
 * The one place that reads the environment. Every variable is declared once below with its
 * parser, default and description; `loadConfig` validates all of them together so a bad
 * deployment reports every mistake at once, naming each variable. Nothing else in the
 * project reads `process.env`.
 */
import path from 'node:path'
import os from 'node:os'
import { fileURLToPath } from 'node:url'
import type { MediaLimits } from './media/limits.js'

export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')

/**
 * The S3 settings of the local OpenStack Swift that `scripts/services up` starts. Not defaults
 * (unset S3_* means AWS); tests, the benchmark and environment.example use them.
 */
export const LOCAL_S3_ENV = {
  S3_ENDPOINT: 'http://127.0.0.1:8080',
  S3_ACCESS_KEY_ID: 'candor:admin',
  S3_SECRET_ACCESS_KEY: 'candor-secret'
} as const

export class ConfigError extends Error {
  constructor (readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`)
    this.name = 'ConfigError'
  }
}

type Parser<T> = (raw: string) => T

interface VariableSpec<T> {
  description: string
  parse: Parser<T>
  /** Used when the variable is unset or empty; a variable without a default is required. */
  default?: T
  optional?: boolean
}

// --- parsers: each throws an Error whose message completes "NAME must be …" ---------------

const text: Parser<string> = (raw) => raw

const integer = (min: number, max: number): Parser<number> => (raw) => {
  if (!/^-?\d+$/.test(raw)) throw new Error(`be an integer, got "${raw}"`)
  const value = Number(raw)
  if (value < min || value > max) throw new Error(`be between ${min} and ${max}, got ${value}`)
  return value
}

const boolean: Parser<boolean> = (raw) => {
  const normalised = raw.toLowerCase()
  if (['1', 'true', 'yes', 'on'].includes(normalised)) return true
  if (['0', 'false', 'no', 'off'].includes(normalised)) return false
  throw new Error(`be true or false, got "${raw}"`)
}

const oneOf = <T extends string>(...values: T[]): Parser<T> => (raw) => {
  if (!(values as string[]).includes(raw)) throw new Error(`be one of ${values.join(', ')}, got "${raw}"`)
  return raw as T
}

const url = (...protocols: string[]): Parser<string> => (raw) => {
  let parsed: URL
  try {
    parsed = new URL(raw)
  } catch {
    throw new Error(`be a URL, got "${raw}"`)
  }
  if (!protocols.includes(parsed.protocol.replace(/:$/, ''))) {
    throw new Error(`use ${protocols.map((p) => `${p}://`).join(' or ')}, got "${parsed.protocol}//"`)
  }
  return raw
}

const byteSize: Parser<number> = (raw) => {
  const match = /^(\d+(?:\.\d+)?)\s*(b|kb|kib|mb|mib|gb|gib)?$/i.exec(raw.trim())
  if (!match) throw new Error(`be a size such as 524288000, 500MiB or 2GiB, got "${raw}"`)
  const units: Record<string, number> = { b: 1, kb: 1e3, kib: 1024, mb: 1e6, mib: 1024 ** 2, gb: 1e9, gib: 1024 ** 3 }
  return Math.round(Number(match[1]) * units[(match[2] ?? 'b').toLowerCase()]!)
}

const s3BucketName: Parser<string> = (raw) => {
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(raw)) throw new Error(`be a valid S3 bucket name, got "${raw}"`)
  return raw
}

const list: Parser<string[]> = (raw) => raw.split(',').map((s) => s.trim()).filter(Boolean)

/** Relative paths are taken from the project root, so scripts work from any directory. */
const directory: Parser<string> = (raw) => path.resolve(projectRoot, raw)

// --- the variables ---------------------------------------------------------------------------

export const variables = {
  NODE_ENV: { description: 'development, production or test', parse: oneOf('development', 'production', 'test'), default: 'development' },
  HOST: { description: 'Interface the HTTP server listens on', parse: text, default: '0.0.0.0' },
  PORT: { description: 'HTTP port', parse: integer(0, 65535), default: 3000 },
  TRUST_PROXY: { description: 'Trust X-Forwarded-* headers (behind a load balancer)', parse: boolean, default: false },
  BODY_LIMIT_BYTES: { description: 'Largest accepted request body', parse: byteSize, default: 1024 * 1024 },
  CORS_ORIGINS: { description: 'Comma-separated allowed browser origins; * for any', parse: list, default: ['*'] },
  RATE_LIMIT_MAX: { description: 'Requests per API key per window (a key may have its own: npm run keys -- create --rate-limit n); callers without a key are counted per address; health checks are exempt', parse: integer(1, 1_000_000), default: 600 },
  TENANT_MAX_ACTIVE_ANALYSES: { description: 'Queued + processing analyses one tenant may have at once (a tenant may have its own: npm run keys -- tenant); beyond it POST /analyze answers 429', parse: integer(1, 1_000_000), default: 20 },
  RATE_LIMIT_WINDOW_MS: { description: 'Rate-limit window in milliseconds', parse: integer(100, 86_400_000), default: 60_000 },

  LOG_LEVEL: { description: 'fatal, error, warn, info, debug, trace or silent', parse: oneOf('fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'), default: 'info' },
  LOG_FILE: { description: 'Also write JSON logs to this file (relative paths are under the project root, e.g. logs/candor.log)', parse: directory, optional: true },

  MARIADB_URL: { description: 'MariaDB connection URL; the database is created if missing', parse: url('mariadb', 'mysql'), default: 'mariadb://root@127.0.0.1:3306/candor' },
  MARIADB_POOL_SIZE: { description: 'Connections in the MariaDB pool', parse: integer(1, 200), default: 10 },
  MONGODB_URL: { description: 'MongoDB connection URL; the path names the database', parse: url('mongodb', 'mongodb+srv'), default: 'mongodb://127.0.0.1:27017/candor' },
  REDIS_URL: { description: 'Redis URL for the job queue', parse: url('redis', 'rediss'), default: 'redis://127.0.0.1:6379' },

  S3_ENDPOINT: { description: 'S3 endpoint; leave empty for AWS', parse: url('http', 'https'), optional: true },
  S3_PUBLIC_ENDPOINT: { description: 'S3 endpoint the presigned URLs handed to clients point at, when browsers reach S3 by another address than the service (e.g. https://media.example.com); unset = S3_ENDPOINT', parse: url('http', 'https'), optional: true },
  S3_REGION: { description: 'S3 region', parse: text, default: 'us-east-1' },
  S3_ACCESS_KEY_ID: { description: 'S3 access key; leave empty to use the AWS default credential chain', parse: text, optional: true },
  S3_SECRET_ACCESS_KEY: { description: 'S3 secret key', parse: text, optional: true },
  S3_FORCE_PATH_STYLE: { description: 'Path-style bucket addressing (needed by most non-AWS servers)', parse: boolean, default: true },
  S3_BUCKET: { description: 'Bucket checked by readiness and used when a request names none', parse: s3BucketName, default: 'candor-uploads' },
  S3_ARTIFACTS_BUCKET: { description: 'Bucket for thumbnails and other derived files', parse: s3BucketName, default: 'candor-artifacts' },
  PRESIGNED_URL_SECONDS: { description: 'Lifetime of the presigned URLs the API hands out for thumbnails, annotated frames, the timeline overview and the playback copy (seconds)', parse: integer(1, 604_800), default: 3600 },
  UPLOAD_URL_SECONDS: { description: 'Lifetime of the presigned upload URLs from POST /uploads (seconds)', parse: integer(60, 604_800), default: 3600 },
  UPLOAD_PART_BYTES: { description: 'Part size of multipart uploads from POST /uploads (at least 5MiB, the S3 minimum)', parse: byteSize, default: 16 * 1024 ** 2 },
  UPLOAD_CONTENT_TYPES: { description: 'Content types POST /uploads and POST /uploads/direct accept (comma-separated)', parse: list, default: ['video/webm', 'video/mp4', 'video/quicktime', 'video/x-matroska'] },
  DIRECT_UPLOAD_MAX_BYTES: { description: 'Largest file POST /uploads/direct accepts (streamed to S3, never held in memory); larger files use POST /uploads', parse: byteSize, default: 512 * 1024 ** 2 },
  PLAYBACK_MAX_HEIGHT: { description: 'The browser-ready playback copy is scaled down to at most this many lines (pixels)', parse: integer(144, 2160), default: 720 },
  PLAYBACK_COPY: { description: 'Make a browser-ready playback copy of every analysed recording (off: GET /analysis/:id has playback null)', parse: boolean, default: true },
  PLAYBACK_MP4: { description: 'Also make an H.264 + AAC MP4 playback copy (for iPhones and iPads before iOS 17.4, which play no WebM); about doubles the copy\'s CPU cost', parse: boolean, default: false },
  RETENTION_DAYS: { description: 'Delete analyses (and what was derived from them) older than this many days, on a schedule; unset = keep forever', parse: integer(1, 36_500), optional: true },
  SWEEP_INTERVAL_MS: { description: 'How often the worker deletes expired analyses (RETENTION_DAYS) and orphaned artifacts and frames (milliseconds)', parse: integer(1000, 86_400_000), default: 3_600_000 },
  MAX_VIDEO_BYTES: { description: 'Largest video object accepted for analysis', parse: byteSize, default: 2 * 1024 ** 3 },
  MAX_VIDEO_SECONDS: { description: 'Longest video accepted for analysis, in seconds', parse: integer(1, 24 * 3600), default: 3600 },
  MAX_VIDEO_PIXELS: { description: 'Largest frame accepted, in pixels (width x height; 4096x2160 = 8847360)', parse: integer(1, 16384 * 16384), default: 4096 * 2160 },
  MAX_VIDEO_FPS: { description: 'Highest frame rate accepted, declared or counted in the file', parse: integer(1, 1000), default: 240 },
  MAX_VIDEO_FRAMES: { description: 'Most frames accepted in one video (duration x frame rate; an hour at 60 fps = 216000)', parse: integer(1, 100_000_000), default: 216_000 },
  MAX_MEDIA_STREAMS: { description: 'Most streams (video, audio, subtitles, data) accepted in one file', parse: integer(1, 1000), default: 16 },
  JOB_TIME_LIMIT_SECONDS: { description: 'Time an analysis job may take beyond its per-video-second allowance (download, model loading, feedback); then it is stopped and failed with job_timeout', parse: integer(1, 86_400), default: 600 },
  JOB_TIME_LIMIT_PER_VIDEO_SECOND: { description: 'Seconds an analysis job may take per second of video, on top of JOB_TIME_LIMIT_SECONDS', parse: integer(0, 1000), default: 3 },

  QUEUE_PREFIX: { description: 'Redis key prefix of the job queue (separates deployments sharing a Redis)', parse: text, default: 'candor' },
  WORKER_IN_PROCESS: { description: 'Run an analysis worker inside the API process', parse: boolean, default: true },
  WORKER_CONCURRENCY: { description: 'Analysis jobs one worker process runs at once', parse: integer(1, 64), default: 1 },
  JOB_ATTEMPTS: { description: 'Attempts per analysis job before it is marked failed', parse: integer(1, 20), default: 3 },
  JOB_LOCK_MS: { description: 'A job whose worker stops renewing its lock this long (crash, kill -9) is picked up again', parse: integer(1000, 3_600_000), default: 30_000 },
  RECONCILE_INTERVAL_MS: { description: 'How often every API and worker process compares unfinished analyses (unchanged for at least this long) with their jobs in Redis', parse: integer(500, 3_600_000), default: 30_000 },
  RECONCILE_STALE_MS: { description: 'A processing analysis whose job Redis no longer has is re-queued (or failed) once its row has been unchanged this long (a live job updates it far more often)', parse: integer(1000, 86_400_000), default: 300_000 },

  MODELS_DIR: { description: 'Folder holding the model files (installed by npm run models)', parse: directory, default: path.join(projectRoot, 'models') },
  CANDOR_MODELS_MIRROR: { description: 'Folder to install model files from instead of their public URLs (CI: ../shared/models)', parse: directory, optional: true },
  EMOTION_MODEL: { description: 'Emotion model: mobilefacenet (7 classes, installed by default) or enet_b0_8 (HSEmotion EfficientNet-B0, 8 classes; npm run models -- --all)', parse: oneOf('mobilefacenet', 'enet_b0_8'), default: 'mobilefacenet' },
  EMOTION_FPS: { description: 'Emotion estimates per second of video (0 turns emotion off)', parse: integer(0, 60), default: 5 },
  POSE_FPS: { description: 'Body pose estimates per second of video, for posture and gestures (0 turns pose off)', parse: integer(0, 30), default: 10 },
  ANALYSIS_WIDTH: { description: 'Frames wider than this are scaled down before analysis (pixels)', parse: integer(160, 3840), default: 640 },
  LIVE_MAX_SESSIONS: { description: 'Live practice sessions analysed on the server (GET /live) at once per API process; beyond it a new one is refused with close code 1013; 0 turns the server path off', parse: integer(0, 1000), default: 4 },
  LIVE_MAX_SESSIONS_PER_TENANT: { description: 'Live sessions one tenant may have at once per API process (close code 1013 beyond it)', parse: integer(1, 1000), default: 2 },
  LIVE_WORKERS: { description: 'Engine worker threads shared by the live sessions (0 = one per core); started with the first session', parse: integer(0, 64), default: 0 },
  LIVE_MAX_FPS: { description: 'Frames per second a live session may send; faster frames are dropped', parse: integer(1, 60), default: 20 },
  LIVE_MAX_FRAME_BYTES: { description: 'Largest JPEG frame of a live session (a larger one gets an error; one over twice this closes the socket with 1009)', parse: byteSize, default: 512 * 1024 },
  LIVE_MAX_FRAME_PIXELS: { description: 'Largest live frame in pixels (width x height; frames are analysed at ANALYSIS_WIDTH at most)', parse: integer(256, 16384 * 16384), default: 1920 * 1080 },
  LIVE_IDLE_SECONDS: { description: 'A live session that sends no frame this long is closed (code 4008)', parse: integer(1, 3600), default: 30 },
  LIVE_EMOTION_FPS: { description: 'Emotion estimates per second in a live session (0 = off)', parse: integer(0, 30), default: 2 },
  LIVE_POSE_FPS: { description: 'Body pose estimates per second in a live session (0 = off)', parse: integer(0, 30), default: 10 },
  OPENAI_API_KEY: { description: 'Key for the LLM that writes coaching feedback; unset = the rule-based writer only', parse: text, optional: true },
  OPENAI_BASE_URL: { description: 'OpenAI-compatible API base URL (e.g. a local server); unset = api.openai.com', parse: url('http', 'https'), optional: true },
  OPENAI_MODEL: { description: 'Model that writes feedback (any GPT-4-class chat model)', parse: text, default: 'gpt-4o' },
  OPENAI_VISION_MODEL: { description: 'Vision-capable model that writes the visual notes from annotated key frames; unset = OPENAI_MODEL', parse: text, optional: true },
  VISUAL_NOTES: { description: 'Send a handful of annotated key frames to the vision model for notes on appearance, framing, lighting and posture (needs OPENAI_API_KEY)', parse: boolean, default: true },
  OPENAI_TIMEOUT_MS: { description: 'Timeout of one LLM request in milliseconds', parse: integer(1000, 600_000), default: 60_000 },
  OPENAI_MAX_RETRIES: { description: 'Retries of a failed LLM request (with exponential backoff)', parse: integer(0, 10), default: 2 },
  TRANSCRIBE_MODEL: { description: 'Speech-to-text model for the optional transcript (needs OPENAI_API_KEY)', parse: text, default: 'whisper-1' },
  FILLER_WORDS_EN: { description: 'English filler words and phrases counted in transcripts (comma-separated)', parse: list, default: ['um', 'uh', 'er', 'ah', 'like', 'you know', 'i mean', 'sort of', 'kind of', 'basically', 'actually', 'so yeah'] },
  FILLER_WORDS_KO: { description: 'Korean filler words counted in transcripts (comma-separated)', parse: list, default: ['음', '어', '아', '그', '저', '저기', '그러니까', '뭐', '이제', '약간', '막'] },
  FEEDBACK_LANGUAGE: { description: 'Default feedback language: en or ko (a request may choose another)', parse: oneOf('en', 'ko'), default: 'en' },
  CANDOR_TMP_DIR: { description: 'Folder for downloaded videos while they are analysed', parse: directory, default: path.join(os.tmpdir(), 'candor') },
  FFMPEG_PATH: { description: 'ffmpeg executable', parse: text, default: 'ffmpeg' },
  FFPROBE_PATH: { description: 'ffprobe executable', parse: text, default: 'ffprobe' }
} satisfies Record<string, VariableSpec<unknown>>

type Variables = typeof variables
type ValueOf<K extends keyof Variables> =
  Variables[K] extends { parse: Parser<infer T>, default: unknown } ? T
    : Variables[K] extends { parse: Parser<infer T> } ? T | undefined : never
export type Environment = { [K in keyof Variables]: ValueOf<K> }

/** Parses every declared variable; throws one ConfigError listing all problems. */
export function readEnvironment (env: NodeJS.ProcessEnv): Environment {
  const values: Record<string, unknown> = {}
  const problems: string[] = []
  for (const [name, spec] of Object.entries(variables) as Array<[string, VariableSpec<unknown>]>) {
    const raw = env[name]?.trim()
    if (raw === undefined || raw === '') {
      if ('default' in spec) values[name] = spec.default
      else if (!spec.optional) problems.push(`${name} is required (${spec.description})`)
      continue
    }
    try {
      values[name] = spec.parse(raw)
    } catch (error) {
      problems.push(`${name} must ${(error as Error).message}`)
    }
  }
  if (env.S3_ACCESS_KEY_ID?.trim() && !env.S3_SECRET_ACCESS_KEY?.trim()) {
    problems.push('S3_SECRET_ACCESS_KEY is required when S3_ACCESS_KEY_ID is set')
  }
  if (problems.length > 0) throw new ConfigError(problems)
  return values as Environment
}

export interface Config {
  env: Environment['NODE_ENV']
  http: {
    host: string
    port: number
    trustProxy: boolean
    bodyLimitBytes: number
    corsOrigins: string[] | '*'
    rateLimit: { max: number, windowMs: number }
  }
  tenants: { maxActiveAnalyses: number }
  log: { level: Environment['LOG_LEVEL'], file?: string }
  mariadb: { url: string, poolSize: number }
  mongodb: { url: string }
  redis: { url: string }
  s3: {
    endpoint?: string
    /** Endpoint of the presigned URLs given to clients (default: endpoint). */
    publicEndpoint?: string
    region: string
    credentials?: { accessKeyId: string, secretAccessKey: string }
    forcePathStyle: boolean
    uploadsBucket: string
    artifactsBucket: string
    /** Lifetime of presigned GET URLs (thumbnails, playback copy...), seconds. */
    presignSeconds: number
  }
  uploads: { urlSeconds: number, partBytes: number, contentTypes: string[], directMaxBytes: number }
  artifacts: { playbackCopy: boolean, playbackMaxHeight: number, playbackMp4: boolean }
  retention: { days?: number, sweepIntervalMs: number }
  limits: MediaLimits & {
    /** A job may take baseSeconds + perVideoSecond x the video's duration. */
    jobTimeLimit: { baseSeconds: number, perVideoSecond: number }
  }
  queue: {
    prefix: string
    inProcessWorker: boolean
    concurrency: number
    attempts: number
    lockMs: number
    reconcileIntervalMs: number
    reconcileStaleMs: number
  }
  modelsDir: string
  modelsMirror?: string
  engine: {
    emotionModel: Environment['EMOTION_MODEL']
    analysisWidth: number
    /** Each kind of signal's options, by kind: the engine hands them to the module (StageOptions). */
    signals: Record<string, Readonly<Record<string, number | boolean | undefined>>>
  }
  /** Live practice analysed on the server (GET /live). */
  live: { maxSessions: number, maxSessionsPerTenant: number, workers: number, maxFps: number, maxFrameBytes: number, maxFramePixels: number, idleSeconds: number, emotionFps: number, poseFps: number }
  llm: { apiKey?: string, baseUrl?: string, model: string, timeoutMs: number, maxRetries: number }
  feedback: { defaultLanguage: Environment['FEEDBACK_LANGUAGE'] }
  /** Notes from a vision model on annotated key frames (used only with llm.apiKey). */
  visualNotes: { enabled: boolean, model: string }
  voice: { transcribeModel: string, fillerWords: { en: string[], ko: string[] } }
  tmpDir: string
  ffmpeg: { ffmpegPath: string, ffprobePath: string }
}

export function loadConfig (env: NodeJS.ProcessEnv = process.env): Config {
  const e = readEnvironment(env)
  return {
    env: e.NODE_ENV,
    http: {
      host: e.HOST,
      port: e.PORT,
      trustProxy: e.TRUST_PROXY,
      bodyLimitBytes: e.BODY_LIMIT_BYTES,
      corsOrigins: e.CORS_ORIGINS.includes('*') ? '*' : e.CORS_ORIGINS,
      rateLimit: { max: e.RATE_LIMIT_MAX, windowMs: e.RATE_LIMIT_WINDOW_MS }
    },
    tenants: { maxActiveAnalyses: e.TENANT_MAX_ACTIVE_ANALYSES },
    log: { level: e.LOG_LEVEL, ...(e.LOG_FILE ? { file: e.LOG_FILE } : {}) },
    mariadb: { url: e.MARIADB_URL, poolSize: e.MARIADB_POOL_SIZE },
    mongodb: { url: e.MONGODB_URL },
    redis: { url: e.REDIS_URL },
    s3: {
      ...(e.S3_ENDPOINT ? { endpoint: e.S3_ENDPOINT } : {}),
      ...(e.S3_PUBLIC_ENDPOINT ? { publicEndpoint: e.S3_PUBLIC_ENDPOINT } : {}),
      region: e.S3_REGION,
      ...(e.S3_ACCESS_KEY_ID && e.S3_SECRET_ACCESS_KEY
        ? { credentials: { accessKeyId: e.S3_ACCESS_KEY_ID, secretAccessKey: e.S3_SECRET_ACCESS_KEY } }
        : {}),
      forcePathStyle: e.S3_FORCE_PATH_STYLE,
      uploadsBucket: e.S3_BUCKET,
      artifactsBucket: e.S3_ARTIFACTS_BUCKET,
      presignSeconds: e.PRESIGNED_URL_SECONDS
    },
    uploads: { urlSeconds: e.UPLOAD_URL_SECONDS, partBytes: e.UPLOAD_PART_BYTES, contentTypes: e.UPLOAD_CONTENT_TYPES, directMaxBytes: e.DIRECT_UPLOAD_MAX_BYTES },
    artifacts: { playbackCopy: e.PLAYBACK_COPY, playbackMaxHeight: e.PLAYBACK_MAX_HEIGHT, playbackMp4: e.PLAYBACK_MP4 },
    retention: { ...(e.RETENTION_DAYS !== undefined ? { days: e.RETENTION_DAYS } : {}), sweepIntervalMs: e.SWEEP_INTERVAL_MS },
    limits: {
      maxVideoBytes: e.MAX_VIDEO_BYTES,
      maxVideoSeconds: e.MAX_VIDEO_SECONDS,
      maxVideoPixels: e.MAX_VIDEO_PIXELS,
      maxVideoFps: e.MAX_VIDEO_FPS,
      maxVideoFrames: e.MAX_VIDEO_FRAMES,
      maxMediaStreams: e.MAX_MEDIA_STREAMS,
      jobTimeLimit: { baseSeconds: e.JOB_TIME_LIMIT_SECONDS, perVideoSecond: e.JOB_TIME_LIMIT_PER_VIDEO_SECOND }
    },
    queue: {
      prefix: e.QUEUE_PREFIX,
      inProcessWorker: e.WORKER_IN_PROCESS,
      concurrency: e.WORKER_CONCURRENCY,
      attempts: e.JOB_ATTEMPTS,
      lockMs: e.JOB_LOCK_MS,
      reconcileIntervalMs: e.RECONCILE_INTERVAL_MS,
      reconcileStaleMs: e.RECONCILE_STALE_MS
    },
    modelsDir: e.MODELS_DIR,
    ...(e.CANDOR_MODELS_MIRROR ? { modelsMirror: e.CANDOR_MODELS_MIRROR } : {}),
    engine: { emotionModel: e.EMOTION_MODEL, analysisWidth: e.ANALYSIS_WIDTH, signals: { face: { emotionFps: e.EMOTION_FPS }, pose: { poseFps: e.POSE_FPS } } },
    live: {
      maxSessions: e.LIVE_MAX_SESSIONS,
      maxSessionsPerTenant: e.LIVE_MAX_SESSIONS_PER_TENANT,
      workers: e.LIVE_WORKERS,
      maxFps: e.LIVE_MAX_FPS,
      maxFrameBytes: e.LIVE_MAX_FRAME_BYTES,
      maxFramePixels: e.LIVE_MAX_FRAME_PIXELS,
      idleSeconds: e.LIVE_IDLE_SECONDS,
      emotionFps: e.LIVE_EMOTION_FPS,
      poseFps: e.LIVE_POSE_FPS
    },
    llm: {
      ...(e.OPENAI_API_KEY ? { apiKey: e.OPENAI_API_KEY } : {}),
      ...(e.OPENAI_BASE_URL ? { baseUrl: e.OPENAI_BASE_URL } : {}),
      model: e.OPENAI_MODEL,
      timeoutMs: e.OPENAI_TIMEOUT_MS,
      maxRetries: e.OPENAI_MAX_RETRIES
    },
    feedback: { defaultLanguage: e.FEEDBACK_LANGUAGE },
    visualNotes: { enabled: e.VISUAL_NOTES, model: e.OPENAI_VISION_MODEL ?? e.OPENAI_MODEL },
    voice: { transcribeModel: e.TRANSCRIBE_MODEL, fillerWords: { en: e.FILLER_WORDS_EN, ko: e.FILLER_WORDS_KO } },
    tmpDir: e.CANDOR_TMP_DIR,
    ffmpeg: { ffmpegPath: e.FFMPEG_PATH, ffprobePath: e.FFPROBE_PATH }
  }
}

/**
 * For entry points: loads `.env` from the project root when present (never overriding the real
 * environment), then the config; on error prints the problems and exits, as a deployment
 * with a typo should never half-start.
 */
export function loadConfigOrExit (): Config {
  try {
    process.loadEnvFile(path.join(projectRoot, '.env'))
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
  }
  try {
    return loadConfig()
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message)
      process.exit(78) // EX_CONFIG
    }
    throw error
  }
}

/**
 * Sandboxed job processors run in child processes; they receive the parent's validated config
 * through this variable rather than re-reading an environment the parent may have overridden.
 */
const CHILD_CONFIG_VARIABLE = 'CANDOR_CONFIG_JSON'

export function childProcessEnv (config: Config): NodeJS.ProcessEnv {
  return { ...process.env, [CHILD_CONFIG_VARIABLE]: JSON.stringify(config) }
}

export function loadChildConfig (): Config {
  const serialised = process.env[CHILD_CONFIG_VARIABLE]
  return serialised ? JSON.parse(serialised) as Config : loadConfigOrExit()
}
