/**
 * npm run models [-- install|verify] [--all] [name...]
 *   install (default): copy from CANDOR_MODELS_MIRROR or download each model, checking sha256.
 *   verify: report each file's state; exit 1 if a required one is not ok.
 *   --all: optional models too (e.g. the EfficientNet emotion model).
 */
import fs from 'node:fs'
import path from 'node:path'
import { loadConfigOrExit } from '../src/config.js'
import { readManifest, installModel, checkModel } from '../src/model-files.js'
import { installPoseLandmarkerTask, POSE_TASK_FILE } from '../src/signals/pose/task-bundle.js'

const args = process.argv.slice(2)
const command = args[0] === 'verify' || args[0] === 'install' ? args.shift()! : 'install'
const all = args.includes('--all')
const names = args.filter((a) => !a.startsWith('--'))

const config = loadConfigOrExit()
const manifest = readManifest()
const unknown = names.filter((n) => !manifest.some((m) => m.file === n))
if (unknown.length > 0) {
  console.error(`Unknown model file(s): ${unknown.join(', ')}. Known: ${manifest.map((m) => m.file).join(', ')}`)
  process.exit(2)
}
const selected = manifest.filter((m) => (names.length > 0 ? names.includes(m.file) : all || m.required))

let failures = 0
for (const entry of selected) {
  try {
    if (command === 'verify') {
      const state = await checkModel(config.modelsDir, entry)
      if (state !== 'ok' && entry.required) failures++
      console.log(`${state.padEnd(10)} ${entry.file}`)
    } else {
      const started = Date.now()
      const source = await installModel(entry, config.modelsDir, config.modelsMirror)
      console.log(`${source.padEnd(8)} ${entry.file} (${Date.now() - started} ms)`)
    }
  } catch (error) {
    failures++
    console.error(`FAILED   ${entry.file}: ${(error as Error).message}`)
  }
}
// The web app's live mode loads the pose model as a tasks-vision bundle built from @mediapipe/pose.
if (names.length === 0) {
  try {
    if (command === 'verify') console.log(`${(fs.existsSync(path.join(config.modelsDir, POSE_TASK_FILE)) ? 'ok' : 'missing').padEnd(10)} ${POSE_TASK_FILE} (built)`)
    else {
      const started = Date.now()
      console.log(`${(installPoseLandmarkerTask(config.modelsDir) ? 'built' : 'present').padEnd(8)} ${POSE_TASK_FILE} (${Date.now() - started} ms)`)
    }
  } catch (error) {
    failures++
    console.error(`FAILED   ${POSE_TASK_FILE}: ${(error as Error).message}`)
  }
}

if (failures > 0) {
  console.error(`${failures} model file(s) not ${command === 'verify' ? 'ok' : 'installed'} in ${config.modelsDir}`)
  process.exit(1)
}
