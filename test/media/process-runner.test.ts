/**
 * The process runner the media tools are spawned through: time limit, abort, bounded output,
 * the kill, and messages that name the tool and how it ended. Plain shell commands stand in
 * for ffmpeg.
 */
import { execFileSync } from 'node:child_process'
import t from 'tap'
import { runProcess, startProcess, describeExit, ProcessError } from '../../src/media/process-runner.js'
import { waitFor } from '../helpers/environment.js'

/** Whether a process with this pid still exists (a zombie counts as gone). */
function alive (pid: number): boolean {
  try {
    return !/Z/.test(execFileSync('ps', ['-o', 'stat=', '-p', String(pid)], { encoding: 'utf8' }))
  } catch {
    return false
  }
}

t.test('collects stdout and stderr and resolves whatever the exit code', async (t) => {
  const ok = await runProcess('sh', ['-c', 'echo out; echo err >&2'])
  t.match(ok, { code: 0, signal: null, stdout: 'out\n', stderr: 'err\n' })
  const failed = await runProcess('sh', ['-c', 'echo first >&2; echo "the last line" >&2; exit 3'])
  t.match(failed, { code: 3, signal: null })
  t.equal(describeExit('/usr/bin/ffmpeg', failed), 'ffmpeg exited with code 3: the last line', 'names the tool, the code and what it said last')
  t.equal(describeExit('ffprobe', { code: null, signal: 'SIGSEGV' }), 'ffprobe was killed by SIGSEGV')
})

t.test('a missing tool is named', async (t) => {
  const error = await runProcess('/nonexistent/ffprobe', ['-version']).then(() => null, (e: unknown) => e)
  t.type(error, ProcessError)
  t.match(error, { kind: 'not_found', tool: 'ffprobe', message: '/nonexistent/ffprobe is not installed or not on PATH (install ffmpeg)' })
})

t.test('the time limit kills the tool', async (t) => {
  const started = performance.now()
  let pid = 0
  const run = runProcess('sh', ['-c', 'echo $$; exec sleep 30'], { timeoutMs: 300, onStdout: (chunk) => { pid = Number(String(chunk).trim()) } })
  const error = await run.then(() => null, (e: unknown) => e)
  const ms = performance.now() - started
  t.match(error, { name: 'ProcessError', kind: 'timeout', tool: 'sh', message: 'sh did not finish within 300 ms' })
  t.ok(ms < 5000, `rejected after ${Math.round(ms)} ms`)
  t.ok(pid > 0 && !alive(pid), 'the process is gone')
})

t.test('an aborted signal kills the tool and rejects with its reason', async (t) => {
  const controller = new AbortController()
  const reason = new Error('job stopped')
  let pid = 0
  const run = runProcess('sh', ['-c', 'echo $$; exec sleep 30'], {
    signal: controller.signal,
    onStdout: (chunk) => { pid = Number(String(chunk).trim()); controller.abort(reason) }
  })
  t.equal(await run.then(() => null, (e: unknown) => e), reason)
  t.ok(pid > 0 && !alive(pid), 'the process is gone')
  t.equal(await runProcess('sh', ['-c', 'exit 0'], { signal: controller.signal }).then(() => null, (e: unknown) => e), reason,
    'an already aborted signal starts nothing')
})

t.test('output is bounded: too much stdout kills the tool; stderr keeps its tail', async (t) => {
  const flood = await runProcess('sh', ['-c', 'yes 0123456789'], { maxStdoutBytes: 100_000, timeoutMs: 10_000 }).then(() => null, (e: unknown) => e)
  t.match(flood, { kind: 'output_limit', message: 'sh printed more than 100000 bytes' })
  const chatty = await runProcess('sh', ['-c', 'for i in $(seq 1 2000); do echo "line $i" >&2; done; echo end >&2'], { maxStderrBytes: 1000 })
  t.ok(chatty.stderr.length <= 1000)
  t.match(chatty.stderr, /line 2000\nend\n$/)
  const thrown = new Error('not what I expected')
  t.equal(await runProcess('sh', ['-c', 'yes'], { onStdout: () => { throw thrown } }).then(() => null, (e: unknown) => e), thrown,
    'a consumer that throws stops the tool with its error')
})

t.test('a streamed tool: stdout read by the caller, kill at any time', async (t) => {
  const running = startProcess('sh', ['-c', 'echo ready; exec sleep 30'])
  const first = await new Promise<string>((resolve) => running.child.stdout.once('data', (chunk: Buffer) => resolve(String(chunk))))
  t.equal(first, 'ready\n')
  running.kill()
  t.same(await running.exited, { code: null, signal: 'SIGKILL' })
  t.notOk(alive(running.child.pid!))
})

t.test('ownGroup: the tool and whatever it started are killed together', async (t) => {
  // The shell starts a sleep in the background and prints its pid: a child of the tool's own.
  const running = startProcess('sh', ['-c', 'sleep 30 & echo $!; wait'], { ownGroup: true, timeoutMs: 20_000 })
  const grandchild = await new Promise<number>((resolve) => running.child.stdout.once('data', (chunk: Buffer) => resolve(Number(String(chunk).trim()))))
  t.ok(alive(grandchild))
  running.kill()
  await running.exited
  await waitFor('the whole group to be gone', async () => (alive(grandchild) ? undefined : true), 5000, 20)
  t.pass('the background child went with the group')
})

t.test('stopped from outside (SIGTERM to the worker group, the OOM killer) is an error; a crash is an exit', async (t) => {
  for (const signal of ['TERM', 'KILL', 'INT'] as const) {
    const error = await runProcess('sh', ['-c', `kill -${signal} $$; sleep 5`]).then(() => null, (e: unknown) => e)
    t.match(error, { kind: 'stopped', tool: 'sh', message: `sh was stopped by SIG${signal} from outside Candor before it finished` }, `SIG${signal}`)
  }
  const crashed = await runProcess('sh', ['-c', 'kill -SEGV $$; sleep 5'])
  t.match(crashed, { code: null, signal: 'SIGSEGV' }, 'a crash resolves with its signal, as before')
  // Our own kill is not "from outside".
  const running = startProcess('sh', ['-c', 'exec sleep 30'])
  running.kill()
  t.match(await running.exited, { signal: 'SIGKILL' }, 'killed by the runner itself: an ordinary end')
})
