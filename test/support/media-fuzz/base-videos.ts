/**
 * The videos the fuzzer mutates: 1.5 s of single_face.mp4 (a face, speech) at 320x180 and
 * 15 fps, so each analysis takes a second or two, in the containers and codecs Candor receives:
 * a browser's webm (VP8/Opus), a phone's mp4 (H.264/AAC) with its index first and last, and
 * Matroska with VP9/Vorbis. Made with ffmpeg in a few seconds; never committed.
 */
import fs from 'node:fs/promises'
import path from 'node:path'
import { fixtures } from '../../helpers/environment.js'
import { ffmpeg } from '../../helpers/hostile-media.js'
import type { BaseVideo, Container } from './mutations.js'

const SOURCE = path.join(fixtures, 'video', 'single_face.mp4')
// One thread, no realtime deadline, bit-exact muxing (no random track UIDs, no version
// strings): the same bytes on every run with the same ffmpeg, so a seed names the same variants.
const PICTURE = ['-t', '1.5', '-vf', 'scale=320:-2,fps=15', '-threads', '1', '-fflags', '+bitexact', '-flags', '+bitexact']
const VP = ['-deadline', 'good', '-cpu-used', '4', '-b:v', '300k']
const H264 = ['-c:v', 'libx264', '-preset', 'veryfast', '-crf', '28', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-b:a', '48k']

const RECIPES: Array<{ name: string, ext: string, container: Container, args: string[] }> = [
  { name: 'webm', ext: 'webm', container: 'matroska', args: ['-c:v', 'libvpx', ...VP, '-c:a', 'libopus', '-b:a', '32k'] },
  { name: 'mp4', ext: 'mp4', container: 'mp4', args: [...H264, '-movflags', '+faststart'] },
  { name: 'mp4tail', ext: 'mp4', container: 'mp4', args: H264 },
  { name: 'mkv', ext: 'mkv', container: 'matroska', args: ['-c:v', 'libvpx-vp9', ...VP, '-c:a', 'libvorbis', '-q:a', '2'] }
]

/** Makes the base videos in `dir` (sequentially: ffmpeg is not gentle with 2 shared cores). */
export async function makeBaseVideos (dir: string): Promise<BaseVideo[]> {
  const bases: BaseVideo[] = []
  for (const recipe of RECIPES) {
    const file = path.join(dir, `base-${recipe.name}.${recipe.ext}`)
    ffmpeg(['-i', SOURCE, ...PICTURE, ...recipe.args, file])
    bases.push({ name: recipe.name, ext: recipe.ext, container: recipe.container, data: await fs.readFile(file) })
  }
  return bases
}
