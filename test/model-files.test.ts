import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import crypto from 'node:crypto'
import t from 'tap'
import type { TestContext } from './helpers/environment.js'
import { readManifest, installModel, checkModel, type ModelEntry } from '../src/model-files.js'

async function tempDir (t: TestContext, prefix: string): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), prefix))
  t.teardown(() => fs.rm(dir, { recursive: true, force: true }))
  return dir
}

function entryFor (file: string, content: string, url: string | null = null): ModelEntry {
  return {
    file, bytes: Buffer.byteLength(content), url, required: true, role: 'test', license: 'none',
    sha256: crypto.createHash('sha256').update(content).digest('hex')
  }
}

t.test('the committed manifest lists the engine models with hashes and origins', async (t) => {
  const manifest = readManifest()
  for (const name of ['face_detection_yunet_2023mar.onnx', 'face_landmarks_detector.onnx', 'face_blendshapes.onnx']) {
    const entry = manifest.find((m) => m.file === name)
    t.ok(entry?.required, `${name} is required`)
    t.match(entry?.url, /^https:\/\//)
  }
  t.ok(manifest.every((m) => /^[0-9a-f]{64}$/.test(m.sha256)))
})

t.test('installs from a mirror, verifies, and is idempotent', async (t) => {
  const mirror = await tempDir(t, 'candor-mirror-')
  const dir = await tempDir(t, 'candor-models-')
  await fs.writeFile(path.join(mirror, 'a.onnx'), 'weights-a')
  const entry = entryFor('a.onnx', 'weights-a')
  t.equal(await checkModel(dir, entry), 'missing')
  t.equal(await installModel(entry, dir, mirror), 'mirror')
  t.equal(await checkModel(dir, entry), 'ok')
  t.equal(await installModel(entry, dir, mirror), 'present')
})

t.test('refuses a file whose sha256 does not match, leaving nothing behind', async (t) => {
  const mirror = await tempDir(t, 'candor-mirror-')
  const dir = await tempDir(t, 'candor-models-')
  await fs.writeFile(path.join(mirror, 'a.onnx'), 'tampered!')
  const entry = entryFor('a.onnx', 'weights-a')
  entry.bytes = undefined
  await t.rejects(installModel(entry, dir, mirror), /has sha256 [0-9a-f]{64}, expected [0-9a-f]{64}: refusing to install it/)
  t.same(await fs.readdir(dir), [], 'no partial or bad file installed')
})

t.test('detects a corrupted installed file', async (t) => {
  const dir = await tempDir(t, 'candor-models-')
  const entry = entryFor('a.onnx', 'weights-a')
  await fs.writeFile(path.join(dir, 'a.onnx'), 'weights-b')
  t.equal(await checkModel(dir, entry), 'wrong_hash')
  await fs.writeFile(path.join(dir, 'a.onnx'), 'weights')
  t.equal(await checkModel(dir, entry), 'wrong_size')
})

t.test('downloads from the URL when there is no mirror copy', async (t) => {
  const http = await import('node:http')
  const server = http.createServer((req, res) => {
    if (req.url === '/a.onnx') res.end('weights-a')
    else { res.statusCode = 404; res.end() }
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => server.close())
  const { port } = server.address() as { port: number }
  const dir = await tempDir(t, 'candor-models-')
  t.equal(await installModel(entryFor('a.onnx', 'weights-a', `http://127.0.0.1:${port}/a.onnx`), dir), 'url')
  await t.rejects(installModel(entryFor('b.onnx', 'x', `http://127.0.0.1:${port}/b.onnx`), dir), /HTTP 404/)
  await t.rejects(installModel(entryFor('c.onnx', 'x'), dir, dir), /not in the mirror .* and has no public URL/)
})
