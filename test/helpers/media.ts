import path from 'node:path'
import { spawnSync } from 'node:child_process'
import { fixtures } from './environment.js'

/** A fixture re-encoded as a browser would record it: webm with VP8 or VP9 video and Opus audio. */
export function toWebm (fixture: string, out: string, codec: 'vp8' | 'vp9' = 'vp8'): string {
  const video = codec === 'vp8' ? ['-c:v', 'libvpx', '-b:v', '1M'] : ['-c:v', 'libvpx-vp9', '-b:v', '1M', '-row-mt', '1']
  const made = spawnSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-i', path.join(fixtures, fixture),
    ...video, '-deadline', 'realtime', '-cpu-used', '8', '-c:a', 'libopus', out])
  if (made.status !== 0) throw new Error(`ffmpeg could not make ${out}: ${String(made.stderr)}`)
  return out
}
