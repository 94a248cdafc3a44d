/**
 * The temp-file sweep: folders of processes killed with kill -9 go, folders of live processes
 * (however many share the temp folder) stay, and a reused pid does not protect a dead
 * owner's folder.
 */
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { spawn, type ChildProcess } from 'node:child_process'
import t from 'tap'
import { projectRoot } from '../../src/config.js'
import { createJobTempDir, sweepOrphanedTempFiles } from '../../src/jobs/temp-files.js'

/** A process that makes a job folder with a downloaded "video" in it, then waits to be killed. */
async function ownerProcess (root: string): Promise<{ child: ChildProcess, dir: string }> {
  const code = `import { createJobTempDir } from './src/jobs/temp-files.ts'
import fs from 'node:fs/promises'
const dir = await createJobTempDir(${JSON.stringify(root)})
await fs.writeFile(dir + '/input.video', 'partly downloaded')
console.log(dir)
setInterval(() => {}, 1000)`
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { cwd: projectRoot, stdio: ['ignore', 'pipe', 'inherit'] })
  const dir = await new Promise<string>((resolve, reject) => {
    child.stdout!.once('data', (line: Buffer) => resolve(line.toString().trim()))
    child.once('exit', (status) => reject(new Error(`owner process exited with ${status}`)))
  })
  return { child, dir }
}

async function kill9 (child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve))
  child.kill('SIGKILL')
  await exited
}

const exists = (file: string) => fs.stat(file).then(() => true, () => false)

t.test('dead owners\' folders are swept, live owners\' folders stay', async (t) => {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'candor-sweep-'))
  t.teardown(() => fs.rm(root, { recursive: true, force: true }))

  const killed = await ownerProcess(root)
  const alive = await ownerProcess(root)
  t.teardown(() => { alive.child.kill('SIGKILL') })
  await kill9(killed.child)
  const mine = await createJobTempDir(root)
  await fs.writeFile(path.join(mine, 'input.video'), 'this process is analysing it')

  // This process's pid with another start time: a dead process whose pid was reused.
  const reused = mine.replace(/-(\d+)-([0-9a-f]{8})$/, (_all, start: string, random: string) => `-${Number(start) + 1}-${random}`)
  await fs.mkdir(reused)
  // A dead pid on another machine sharing the folder: only that machine can judge it.
  const otherHost = path.join(root, path.basename(killed.dir).replace(/^job-.+?-(\d+-\d+-[0-9a-f]{8})$/, 'job-other.host-$1'))
  await fs.mkdir(otherHost)
  // Left by a version before job folders: loose files, removed once a day old.
  const oldLoose = path.join(root, '3f0e-1c2d.video')
  const freshLoose = path.join(root, '9a8b-7c6d.video')
  const unrelated = path.join(root, 'notes.txt')
  for (const file of [oldLoose, freshLoose, unrelated]) await fs.writeFile(file, 'x')
  const twoDaysAgo = new Date(Date.now() - 2 * 24 * 3600 * 1000)
  await fs.utimes(oldLoose, twoDaysAgo, twoDaysAgo)
  await fs.utimes(unrelated, twoDaysAgo, twoDaysAgo)

  const removed = await sweepOrphanedTempFiles(root)
  t.same(removed.sort(), [killed.dir, reused, oldLoose].sort(), 'exactly the dead owners\' folders and the old loose file')
  t.notOk(await exists(killed.dir), 'the folder of the process killed with kill -9 is gone')
  t.ok(await exists(path.join(alive.dir, 'input.video')), 'another live process\'s file stays')
  t.ok(await exists(path.join(mine, 'input.video')), 'this process\'s file stays')
  for (const kept of [otherHost, freshLoose, unrelated]) t.ok(await exists(kept), `${path.basename(kept)} stays`)

  await kill9(alive.child)
  t.same(await sweepOrphanedTempFiles(root), [alive.dir], 'the second owner\'s folder goes once it is killed')
  t.same(await sweepOrphanedTempFiles(path.join(root, 'missing')), [], 'a temp folder that does not exist yet is nothing to sweep')
})
