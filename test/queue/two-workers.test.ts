/**
 * Two `npm run worker` processes on one queue, as on two machines: each in its own process
 * group with its own CANDOR_TMP_DIR and log. Both take jobs; every analysis is run once, to
 * the end, by one of them; neither leaves a file behind; both stop cleanly on SIGTERM.
 */
import fs from 'node:fs'
import path from 'node:path'
import t from 'tap'
import type { ChildProcess } from 'node:child_process'
import { testEnvironment, waitFor } from '../helpers/environment.js'
import { startWorkerProcess } from '../helpers/processes.js'
import { workerTestbed } from '../helpers/workers.js'

const CLIPS = ['bbaf2n.mpg', 'brbk7n.mpg', 'lbax4n.mpg', 'lbbc2a.mpg']

/** Analysis id -> how many times this log says a run of it completed (the worker's line). */
function completedRuns (logFile: string): Map<string, number> {
  const runs = new Map<string, number>()
  for (const line of fs.readFileSync(logFile, 'utf8').split('\n')) {
    if (!line.includes('"job completed"')) continue
    const entry = JSON.parse(line) as { msg?: string, analysisId?: string, outcome?: string }
    if (entry.msg === 'job completed' && entry.outcome === 'completed' && entry.analysisId) runs.set(entry.analysisId, (runs.get(entry.analysisId) ?? 0) + 1)
  }
  return runs
}

/** Processes still in a process group (the worker's, its job children's, their ffmpeg). */
function groupMembers (group: number): number[] {
  return fs.readdirSync('/proc').filter((name) => /^\d+$/.test(name)).filter((name) => {
    let stat: string
    try { stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8') } catch { return false }
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]) === group
  }).map(Number)
}

t.test('two worker processes share one queue: each job once, both take part, nothing left behind', async (t) => {
  // info: the workers' "job completed" lines say which worker ran what. Pose off: this test is
  // about the queue, and 3 s clips keep it short (CI time).
  const environment = await testEnvironment(t, { mongo: true, env: { LOG_LEVEL: 'info', JOB_LOCK_MS: '10000', POSE_FPS: process.env.POSE_FPS ?? '0' } })
  const bed = await workerTestbed(t, environment)
  const { config, env } = environment
  const workers = [1, 2].map((n) => ({ tmpDir: path.join(config.tmpDir, `w${n}`), logFile: path.join(config.tmpDir, `worker-${n}.log`), child: undefined as ChildProcess | undefined }))
  for (const worker of workers) {
    fs.mkdirSync(worker.tmpDir, { recursive: true })
    const log = fs.openSync(worker.logFile, 'w')
    worker.child = startWorkerProcess({ ...env, CANDOR_TMP_DIR: worker.tmpDir }, log)
    fs.closeSync(log)
    bed.workers.push(worker.child) // killed (group) at teardown if still running
  }
  const startedAt = Date.now()
  await waitFor('both workers to connect', async () => ((await bed.queue.getWorkersCount()) >= 2 ? true : undefined), 60_000, 100)
  const connectedS = (Date.now() - startedAt) / 1000

  const queued = []
  for (const [i, clip] of CLIPS.entries()) queued.push(await bed.queueFixture(`video/grid/${clip}`, `grid/${i}-${clip}`))
  const ended = await Promise.all(queued.map((analysis) => waitFor(`analysis ${analysis.id} to end`, async () => {
    const row = await bed.row(analysis.id)
    return row.status === 'completed' || row.status === 'failed' ? row : undefined
  }, 90_000, 100)))

  t.comment(`workers connected after ${connectedS.toFixed(1)} s, ${CLIPS.length} jobs ended after ${((Date.now() - startedAt) / 1000).toFixed(1)} s`)
  for (const row of ended) {
    t.equal(row.status, 'completed', row.errorMessage ?? '')
    t.equal(row.attempts, 1, 'started once (MariaDB counts every start)')
    const job = (await bed.queue.getJob(row.id))!
    t.match(job, { attemptsStarted: 1, stalledCounter: 0 }, 'BullMQ started it once and never lost it')
  }
  // A worker logs "job completed" just after the job process has marked the analysis completed.
  const perWorker = await waitFor('the workers to log every job', async () => {
    const runs = workers.map((worker) => completedRuns(worker.logFile))
    return ended.every(({ id }) => runs.some((r) => r.has(id))) ? runs : undefined
  }, 10_000, 100).catch(() => workers.map((worker) => completedRuns(worker.logFile)))
  for (const { id } of ended) {
    const runs = perWorker.map((runs) => runs.get(id) ?? 0)
    t.same(runs.toSorted(), [0, 1], `${id}: completed by exactly one worker, once (${runs.join(' + ')})`)
  }
  t.same(perWorker.map((runs) => runs.size > 0), [true, true], `both workers took part (${perWorker.map((runs) => runs.size).join(' + ')} jobs)`)
  for (const worker of workers) t.same(fs.readdirSync(worker.tmpDir), [], `${worker.tmpDir} is empty`)

  // A graceful stop, as an orchestrator would: SIGTERM, exit 0, nothing left in either group.
  const codes = await Promise.all(workers.map(({ child }) => new Promise<number | null>((resolve) => {
    child!.once('exit', (code) => resolve(code))
    child!.kill('SIGTERM')
  })))
  t.same(codes, [0, 0], 'both exit 0 on SIGTERM')
  await waitFor('the job children to exit', async () => (workers.every(({ child }) => groupMembers(child!.pid!).length === 0) ? true : undefined), 10_000, 100)
  t.pass('no process left in either worker\'s group')
})
