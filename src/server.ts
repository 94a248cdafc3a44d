/** API process: `npm start` (built) or `npm run dev`. */
import { loadConfigOrExit } from './config.js'
import { createLogger } from './logger.js'
import { buildApp } from './app.js'
import { onShutdown } from './shutdown.js'

const config = loadConfigOrExit()
const logger = createLogger(config)
const app = await buildApp(config, logger)
onShutdown(logger, () => app.close())
try {
  await app.listen({ host: config.http.host, port: config.http.port })
} catch (error) {
  logger.fatal({ err: error }, 'could not start the HTTP server')
  process.exit(1)
}
