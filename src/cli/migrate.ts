/** npm run migrate: apply pending MariaDB migrations and list them. */
import { loadConfigOrExit } from '../config.js'
import { migrate } from '../db/migrate.js'

const config = loadConfigOrExit()
try {
  const applied = await migrate(config.mariadb.url)
  console.log(applied.length > 0 ? `applied: ${applied.join(', ')}` : 'schema is up to date')
} catch (error) {
  console.error(`migration failed: ${(error as Error).message}`)
  process.exit(1)
}
