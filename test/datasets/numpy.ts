/**
 * Loads an .npz with NumPy in a child process: Debian's python3-numpy (/usr/bin/python3, which
 * scripts/setup installs), else PYTHON, else the python3 on PATH. Every array comes back as its
 * dtype, shape, C-order bytes (hex, so NaN and -0 compare exactly) and values; the header from
 * its JSON member.
 */
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'

const SCRIPT = `
import json, sys
import numpy as np
z = np.load(sys.argv[1])   # allow_pickle stays False
out = {'numpy': np.__version__, 'files': list(z.files), 'arrays': {}}
for name in z.files:
    if name.endswith('.json'):
        out['header'] = json.loads(z[name])
        continue
    a = z[name]
    values = a.tolist() if a.dtype.kind != 'f' or np.isfinite(a).all() else None
    out['arrays'][name] = {'dtype': a.dtype.str, 'shape': list(a.shape), 'hex': np.ascontiguousarray(a).tobytes().hex(), 'values': values}
print(json.dumps(out))
`

export interface LoadedArray { dtype: string, shape: number[], hex: string, values: unknown }
export interface LoadedNpz { numpy: string, files: string[], arrays: Record<string, LoadedArray>, header?: Record<string, unknown> }

let python: string | undefined
export function numpyPython (): string {
  if (python) return python
  for (const candidate of ['/usr/bin/python3', process.env.PYTHON, 'python3']) {
    if (!candidate || (candidate.startsWith('/') && !existsSync(candidate))) continue
    if (spawnSync(candidate, ['-c', 'import numpy'], { stdio: 'ignore' }).status === 0) return (python = candidate)
  }
  throw new Error('no python3 with numpy: run scripts/setup (it installs python3-numpy)')
}

export function loadNpz (file: string): LoadedNpz {
  const run = spawnSync(numpyPython(), ['-c', SCRIPT, file], { encoding: 'utf8', maxBuffer: 1 << 30 })
  if (run.status !== 0) throw new Error(`numpy.load ${file} failed: ${run.stderr}`)
  return JSON.parse(run.stdout) as LoadedNpz
}

export const hexOf = (data: ArrayBufferView) => Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('hex')
