import fp from 'fastify-plugin'
import type { Config } from '../../config.js'
import { ffmpegVersion } from '../../media/ffprobe.js'
import { readManifest, checkModel } from '../../model-files.js'

/** Local prerequisites of the analysis itself: ffmpeg on PATH and verified model files. */
export default fp<{ config: Config }>(async (fastify, { config }) => {
  fastify.readiness.register('ffmpeg', () => ffmpegVersion(config.ffmpeg))

  const required = readManifest().filter((m) => m.required)
  fastify.readiness.register('models', async () => {
    const states = await Promise.all(required.map(async (m) => ({ file: m.file, state: await checkModel(config.modelsDir, m) })))
    const bad = states.filter((s) => s.state !== 'ok')
    if (bad.length > 0) {
      throw new Error(`${bad.map((b) => `${b.file}: ${b.state}`).join(', ')} in ${config.modelsDir} (run npm run models)`)
    }
    return `${states.length} files verified`
  })
}, { name: 'toolchain', dependencies: ['readiness'] })
