/**
 * A worker process that goes away mid-job (kill -9 of the worker alone, or its own exit after
 * the shutdown grace period) takes its sandboxed job process and that one's ffmpeg with it.
 * Left running, the orphan would finish a job whose lock has expired while another worker
 * runs it again: the same analysis twice at once.
 */
import { readFile } from 'node:fs/promises'
import t from 'tap'
import { testEnvironment, waitFor } from '../helpers/environment.js'
import { childProcesses } from '../helpers/processes.js'
import { workerTestbed } from '../helpers/workers.js'

t.test('kill -9 of the worker alone: its job process and ffmpeg exit too', async (t) => {
  const environment = await testEnvironment(t, { mongo: true, env: { JOB_LOCK_MS: '2000', RECONCILE_INTERVAL_MS: '600000' } })
  const bed = await workerTestbed(t, environment)
  const analysis = await bed.queueFixture('video/sad_to_happy_pexels.mp4', 'gone/pexels.mp4')
  const worker = bed.startWorker()
  const jobProcesses = await waitFor('the job process to be decoding', async () => {
    const [job] = await childProcesses(worker.pid!)
    const tools = job ? await childProcesses(job.pid) : []
    return job && tools.some(({ command }) => command === 'ffmpeg') ? [job, ...tools] : undefined
  }, 120_000, 50)
  t.equal((await bed.row(analysis.id)).status, 'processing', 'the analysis is running')

  process.kill(worker.pid!, 'SIGKILL')
  const killedAt = Date.now()
  const anyAlive = async () => (await Promise.all(jobProcesses.map(({ pid }) => isAlive(pid)))).some(Boolean)
  await waitFor('the job process and its tools to exit', async () => (await anyAlive() ? undefined : true), 10_000, 50)
  t.comment(`${jobProcesses.map((p) => p.command).join(', ')} gone ${Date.now() - killedAt} ms after the worker`)
  t.pass('nothing of the job is left running')
})

/** Whether the process exists and is not a zombie. */
async function isAlive (pid: number): Promise<boolean> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '')
  return stat !== '' && stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z'
}
