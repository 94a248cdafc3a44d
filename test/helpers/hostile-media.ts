/**
 * Small files that ask the decoder for far too much, made with ffmpeg in a few hundred
 * milliseconds: frames declared 16384x16384 in a 66 KB file, a stated 1000 fps, ten hours of
 * 1x1 frames in 675 bytes, dozens of streams, and frames that decode larger than the header
 * says. Never committed: each test makes what it needs in a temp folder.
 */
import fs from 'node:fs/promises'
import path from 'node:path'
import { spawnSync } from 'node:child_process'

export function ffmpeg (args: string[]): void {
  const made = spawnSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', ...args])
  if (made.status !== 0) throw new Error(`ffmpeg ${args.join(' ')} failed: ${String(made.stderr)}`)
}

/**
 * One 256x256 grey frame, uncompressed in Matroska, whose header then declares width x height
 * (rawvideo has no bitstream header of its own, so the container's size is all ffprobe sees).
 */
export async function declaredSize (out: string, width: number, height: number): Promise<string> {
  const source = `${out}.source.mkv`
  ffmpeg(['-f', 'lavfi', '-i', 'color=c=gray:s=256x256:r=5:d=0.2', '-c:v', 'rawvideo', '-pix_fmt', 'gray', source])
  const data = await fs.readFile(source)
  await fs.rm(source)
  // PixelWidth (0xB0) and PixelHeight (0xBA), each a 2-byte unsigned integer holding 256.
  for (const [id, value] of [[0xB0, width], [0xBA, height]] as const) {
    const at = data.indexOf(Buffer.from([id, 0x82, 0x01, 0x00]))
    if (at < 0) throw new Error('PixelWidth/PixelHeight not found in the Matroska header')
    data.writeUInt16BE(value, at + 2)
  }
  await fs.writeFile(out, data)
  return out
}

/** Three 1x1 frames at 0, 5 and 10 hours: ten hours of video in under a kilobyte. */
export function tenHoursOfTinyFrames (out: string): string {
  ffmpeg(['-f', 'lavfi', '-i', 'color=s=1x1:r=1:d=3,format=gray', '-vf', 'setpts=N*18000/TB', '-fps_mode', 'passthrough', '-c:v', 'ffv1', out])
  return out
}

/** 16x16 H.264 in mp4 at `fps`: the file states that average rate. */
export function statedFrameRate (out: string, fps: number, seconds: number): string {
  ffmpeg(['-f', 'lavfi', '-i', `color=s=16x16:r=${fps}:d=${seconds}`, '-c:v', 'libx264', '-preset', 'ultrafast', out])
  return out
}

/** 16x16 VP8 in webm with packets `fps` a second but no stated average (as browser recordings). */
export function unstatedFrameRate (out: string, fps: number, seconds: number): string {
  ffmpeg(['-f', 'lavfi', '-i', `color=s=16x16:r=${fps}:d=${seconds}`, '-c:v', 'libvpx', '-b:v', '10k', '-r', String(fps), out])
  return out
}

/** `count` tiny video streams in one Matroska file. */
export function manyStreams (out: string, count: number): string {
  const maps = Array.from({ length: count }, () => ['-map', '0:v']).flat()
  ffmpeg(['-f', 'lavfi', '-i', 'color=s=16x16:r=5:d=0.4', ...maps, '-c:v', 'libvpx', '-b:v', '10k', out])
  return out
}

/** 64x64 frames for half a second, then `large`x`large` ones: the header says 64x64. */
export async function growingFrames (out: string, large: number): Promise<string> {
  const dir = path.dirname(out)
  const small = path.join(dir, 'grow-small.webm')
  const big = path.join(dir, 'grow-big.webm')
  const list = path.join(dir, 'grow-list.txt')
  ffmpeg(['-f', 'lavfi', '-i', 'color=c=red:s=64x64:r=10:d=0.5', '-c:v', 'libvpx', '-b:v', '50k', small])
  ffmpeg(['-f', 'lavfi', '-i', `color=c=blue:s=${large}x${large}:r=10:d=0.5`, '-c:v', 'libvpx', '-b:v', '50k', '-deadline', 'realtime', '-cpu-used', '8', big])
  await fs.writeFile(list, `file '${small}'\nfile '${big}'\n`)
  ffmpeg(['-f', 'concat', '-safe', '0', '-i', list, '-c', 'copy', out])
  return out
}

/** Three 16x16 frames spread over `seconds`, in a file that states `fps`: frames = seconds x fps. */
export function statedFramesOverTime (out: string, fps: number, seconds: number): string {
  ffmpeg(['-f', 'lavfi', '-i', 'color=s=16x16:r=1:d=3', '-vf', `setpts=N*${seconds / 2}/TB`, '-fps_mode', 'passthrough', '-r', String(fps), '-c:v', 'libvpx', '-b:v', '1k', out])
  return out
}
