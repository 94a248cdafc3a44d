/**
 * NumPy .npz writer (stub; body follows).
 */
import type { SequenceArrays } from './extract.js'

export const HEADER_MEMBER = 'header.json'

export function encodeNpz (arrays: SequenceArrays, extraFiles: Record<string, string | Uint8Array> = {}): Uint8Array {
  throw new Error(`encodeNpz: not implemented yet (${Object.keys(arrays).length} arrays, ${Object.keys(extraFiles).length} extra)`)
}
