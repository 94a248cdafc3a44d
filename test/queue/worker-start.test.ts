/**
 * A worker process started while MariaDB is down (found by `npm run faults`: a worker killed
 * and started again during a MariaDB restart exited with code 1) waits for it, as the API does,
 * and takes jobs once it is back.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import t from 'tap'
import { parseMariaDbUrl } from '../../src/db/mariadb.js'
import { createAnalysisQueue } from '../../src/queue/analysis-queue.js'
import { testEnvironment, waitFor } from '../helpers/environment.js'
import { freePort, Relay, startWorkerProcess, killGroup } from '../helpers/processes.js'

t.test('started with MariaDB down: waits, then works', async (t) => {
  const { config, env } = await testEnvironment(t)
  // MariaDB through a relay that is not listening yet.
  const target = parseMariaDbUrl(config.mariadb.url)
  const relay = new Relay(await freePort(), { host: target.host, port: target.port })
  const url = new URL(config.mariadb.url)
  url.port = String(relay.port)
  const queue = createAnalysisQueue(config)
  const worker = startWorkerProcess({ ...env, MARIADB_URL: url.toString() })
  t.teardown(async () => {
    killGroup(worker)
    await relay.stop()
    await queue.close()
  })

  const exited = new Promise<string>((resolve) => worker.once('exit', (code) => resolve(`exited with code ${code}`)))
  t.equal(await Promise.race([exited, sleep(6000).then(() => 'running')]), 'running', 'still running 6 s later')
  await relay.start()
  await Promise.race([
    waitFor('the worker to take jobs', async () => ((await queue.getWorkersCount()) >= 1 ? true : undefined), 60_000, 200),
    exited.then((how) => { throw new Error(`the worker ${how}`) })
  ])
  t.equal(worker.exitCode, null, 'and running')
})
