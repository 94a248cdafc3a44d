import { buildApp, type App } from '../../src/app.js'
import { migrate } from '../../src/db/migrate.js'
import { testEnvironment, type TestContext, type TestEnvironment } from './environment.js'

/** The whole app on isolated real services, migrated and ready; closed when the test ends. */
export async function testApp (t: TestContext, env: Record<string, string> = {}, extend?: (app: App) => void): Promise<TestEnvironment & { app: App }> {
  const environment = await testEnvironment(t, { mongo: true, env })
  await migrate(environment.config.mariadb.url)
  const app = await buildApp(environment.config, environment.logger)
  t.teardown(() => app.close())
  extend?.(app)
  await app.ready()
  return { ...environment, app }
}
