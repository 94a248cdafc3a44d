/**
 * The API as deployed, for the scripts that measure it from outside (npm run load,
 * npm run bench:workers): `node --import tsx src/server.ts` in a child process on a free port,
 * logging to a file, stopped with SIGTERM (SIGKILL after 15 s) at clean-up.
 */
import fs from 'node:fs'
import { spawn, type ChildProcess } from 'node:child_process'
import { projectRoot } from '../src/config.js'
import { waitFor } from '../test/helpers/environment.js'
import { freePort } from '../test/helpers/processes.js'
import type { Cleanup } from '../test/helpers/cleanup.js'

export interface ApiProcess { url: string, child: ChildProcess, logFile: string }

/** Starts the API with `env` and resolves once /health answers; rejects if it exits first. */
export async function startApiProcess (env: NodeJS.ProcessEnv, logFile: string, cleanup: Cleanup): Promise<ApiProcess> {
  const port = await freePort()
  const log = fs.openSync(logFile, 'w')
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: projectRoot,
    env: { ...env, HOST: '127.0.0.1', PORT: String(port) },
    stdio: ['ignore', log, log]
  })
  fs.closeSync(log)
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve))
  cleanup.teardown(async () => {
    if (child.exitCode !== null || child.signalCode !== null) return
    child.kill('SIGTERM')
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000)
    await exited
    clearTimeout(timer)
  })
  const url = `http://127.0.0.1:${port}`
  const up = waitFor('the API to answer /health', async () => ((await fetch(`${url}/health`).catch(() => null))?.ok ? true : undefined), 60_000, 200)
  const died = exited.then((code) => { throw new Error(`the API exited with code ${code} while starting; see ${logFile}`) })
  await Promise.race([up, died])
  return { url, child, logFile }
}
