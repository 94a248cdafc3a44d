import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { spawnSync } from 'node:child_process'
import t from 'tap'
import { analyzeVoice, type VoiceAnalysis } from '../../src/signals/voice/engine/index.js'
import { VoiceAnalyser, type VoiceContours } from '../../src/signals/voice/engine/contours.js'
import { summariseVoice } from '../../src/signals/voice/engine/summary.js'
import { streamAudio } from '../../src/media/audio.js'
import { fixtures } from '../helpers/environment.js'
import { toWebm } from '../helpers/media.js'

const tools = { ffmpegPath: 'ffmpeg', ffprobePath: 'ffprobe' }
const RATE = 16_000

/**
 * Syllables counted from the transcripts (fixtures/README.md): "bin blue at f two now" 6,
 * "bin red by k se-ven now" 7, "lay blue at x four now" 6, "lay blue by c two a-gain" 7; JFK 28.
 */
const SYLLABLES: Array<[string, number]> = [
  ['audio/jfk.wav', 28],
  ['video/grid/bbaf2n.mpg', 6],
  ['video/grid/brbk7n.mpg', 7],
  ['video/grid/lbax4n.mpg', 6],
  ['video/grid/lbbc2a.mpg', 7]
]

const results = new Map<string, Promise<VoiceAnalysis>>()
function analyse (fixture: string): Promise<VoiceAnalysis> {
  if (!results.has(fixture)) results.set(fixture, analyzeVoice(path.join(fixtures, fixture), tools))
  return results.get(fixture)!
}

function contoursOf (samples: Float32Array, chunk = samples.length): VoiceContours {
  const analyser = new VoiceAnalyser(RATE)
  for (let at = 0; at < samples.length; at += chunk) analyser.push(samples.subarray(at, at + chunk))
  return analyser.finish()
}

/** `seconds` of audio at 16 kHz from a function of time. */
function synthesise (seconds: number, at: (time: number, n: number) => number): Float32Array {
  const samples = new Float32Array(Math.round(seconds * RATE))
  for (let n = 0; n < samples.length; n++) samples[n] = at(n / RATE, n)
  return samples
}

/** A voice-like harmonic complex (harmonics k = 1..6 at 1/k) of instantaneous phase 2π·cycles. */
const harmonics = (cycles: number, from = 1) => {
  let sum = 0
  for (let k = from; k <= 6; k++) sum += Math.sin(2 * Math.PI * k * cycles) / k
  return sum
}

/** Deterministic white noise in -0.5..0.5 from the sample index (an integer hash). */
function white (n: number): number {
  let h = Math.imul(n ^ 0x9e3779b9, 0x85ebca6b)
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35)
  return ((h ^ (h >>> 16)) >>> 0) / 2 ** 32 - 0.5
}

/** A recording's background hiss, about -65 dBFS. */
const hiss = (n: number) => white(n) * 0.002

function medianVoiced (contours: VoiceContours): number {
  const voiced = Array.from(contours.pitchHz).filter((hz) => hz > 0).sort((a, b) => a - b)
  return voiced[voiced.length >> 1] ?? Number.NaN
}

t.test('syllable count within 15 % of the transcript on every fixture', async (t) => {
  for (const [fixture, truth] of SYLLABLES) {
    const { hasAudio, metrics, frames } = await analyse(fixture)
    t.ok(hasAudio, fixture)
    const count = metrics!.syllables
    t.comment(`${fixture}: ${count} syllables (truth ${truth}) at ${metrics!.nucleiMs.join(', ')} ms`)
    t.ok(Math.abs(count - truth) <= 0.15 * truth, `${fixture}: ${count} syllables, truth ${truth}`)
    t.equal(metrics!.nucleiMs.length, count)
    t.equal(frames.reduce((sum, f) => sum + f.syllables, 0), count, 'per-second syllables add up')
    t.equal(frames.length, Math.ceil(metrics!.durationS), 'one frame per second')
  }
})

t.test('a browser recording (Opus in WebM) counts the same', async (t) => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'candor-voice-'))
  t.teardown(() => fs.rm(dir, { recursive: true, force: true }))
  const webm = toWebm('video/grid/brbk7n.mpg', path.join(dir, 'brbk7n.webm'))
  const { metrics } = await analyzeVoice(webm, tools)
  t.ok(Math.abs(metrics!.syllables - 7) <= 1, `${metrics!.syllables} syllables`)
})

t.test('JFK: pauses where the intensity falls to the noise floor, none inside phrases', async (t) => {
  // The contour (10 ms frames) sits at the noise floor (about -41 dBFS, 30 dB under the vowels)
  // over 2.12-3.28 s (after "Americans"), 4.30-5.41 s (after "ask not") and 7.54-8.18 s (after
  // "for you"); "ask | not" has a 0.27 s gap, at the edge of the 0.3 s minimum.
  const { metrics } = await analyse('audio/jfk.wav')
  const pauses = metrics!.pauses
  t.comment(`pauses: ${pauses.items.map((p) => `${p.startMs}-${p.endMs}`).join(', ')}`)
  const near = (startMs: number, endMs: number) =>
    pauses.items.some((p) => Math.abs(p.startMs - startMs) <= 150 && Math.abs(p.endMs - endMs) <= 150)
  t.ok(near(2120, 3280), 'the pause after "Americans"')
  t.ok(near(4300, 5410), 'the pause after "ask not"')
  t.ok(near(7540, 8180), 'the pause after "for you"')
  t.ok(pauses.count >= 3 && pauses.count <= 4, `${pauses.count} pauses`)
  t.notOk(pauses.items.some((p) => p.startMs < 2000 || (p.startMs > 5500 && p.endMs < 7400) || p.startMs > 8300), 'no pause inside a phrase')
  t.ok(Math.abs(pauses.longestS - 1.16) <= 0.15)
  t.ok(metrics!.speakingRatio > 0.55 && metrics!.speakingRatio < 0.75, `speaking ratio ${metrics!.speakingRatio}`)
  // ~28 syllables in ~7 s of speech: 200-260 a minute (fluent English is 200-300).
  t.ok(metrics!.syllablesPerMinuteSpeaking > 180 && metrics!.syllablesPerMinuteSpeaking < 300, `${metrics!.syllablesPerMinuteSpeaking} per minute speaking`)
  t.ok(Math.abs(metrics!.syllablesPerMinuteTotal - (metrics!.syllables * 60) / 11) < 0.1)
})

t.test('pitch of real voices', async (t) => {
  // The two male GRID speakers.
  for (const fixture of ['video/grid/bbaf2n.mpg', 'video/grid/lbax4n.mpg']) {
    const { metrics } = await analyse(fixture)
    t.ok(metrics!.pitch.medianHz! > 85 && metrics!.pitch.medianHz! < 180, `${fixture}: ${metrics!.pitch.medianHz} Hz`)
  }
  // Kennedy declaims outdoors, well above his conversational pitch: the spectrum of the vowel
  // at 0.75 s has harmonics at 315, 630 and 945 Hz, at 1.1 s at 270, 540, 810 and 1080 Hz.
  const { metrics } = await analyse('audio/jfk.wav')
  t.ok(metrics!.pitch.medianHz! > 200 && metrics!.pitch.medianHz! < 280, `JFK: ${metrics!.pitch.medianHz} Hz`)
  t.ok(metrics!.pitch.rangeSemitones! > 3 && metrics!.pitch.rangeSemitones! < 12, `range ${metrics!.pitch.rangeSemitones} st`)
  t.ok(metrics!.pitch.variabilitySemitones! > 1.5, `variability ${metrics!.pitch.variabilitySemitones} st: not monotone`)
})

t.test('silence, a video without audio and noise: no speech, no syllables', async (t) => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'candor-voice-'))
  t.teardown(() => fs.rm(dir, { recursive: true, force: true }))
  const make = (name: string, args: string[]) => {
    const out = path.join(dir, name)
    const made = spawnSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', ...args, out])
    t.equal(made.status, 0, `ffmpeg made ${name}: ${String(made.stderr)}`)
    return out
  }
  const black = ['-f', 'lavfi', '-i', 'color=black:s=320x240:d=3']
  const silent = make('silent.mp4', [...black, '-f', 'lavfi', '-i', 'anullsrc=r=16000:cl=mono', '-t', '3', '-c:v', 'libx264', '-c:a', 'aac'])
  const noAudio = make('no-audio.mp4', [...black, '-c:v', 'libx264'])
  const white = make('white.wav', ['-f', 'lavfi', '-i', 'anoisesrc=d=3:c=white:a=0.1'])
  const pink = make('pink-in-video.mp4', [...black, '-f', 'lavfi', '-i', 'anoisesrc=d=3:c=pink:a=0.3', '-t', '3', '-c:v', 'libx264', '-c:a', 'aac'])
  const hum = make('hum.wav', ['-f', 'lavfi', '-i', 'sine=f=100:d=3', '-f', 'lavfi', '-i', 'anoisesrc=d=3:c=white:a=0.02', '-filter_complex', 'amix=inputs=2'])

  const none = await analyzeVoice(noAudio, tools)
  t.same(none, { hasAudio: false, metrics: null, frames: [] })

  for (const file of [silent, white, pink, hum]) {
    const { hasAudio, metrics, frames } = await analyzeVoice(file, tools)
    const name = path.basename(file)
    t.ok(hasAudio, name)
    t.ok(metrics!.syllables <= 1, `${name}: ${metrics!.syllables} syllables`)
    t.ok(metrics!.speakingRatio < 0.1, `${name}: speaking ratio ${metrics!.speakingRatio}`)
    t.equal(metrics!.pauses.count, 0, name)
    t.ok(frames.every((f) => f.speech < 0.2), name)
  }
})

t.test('pitch tracker: a 220 Hz sine, a voice-like sweep, a missing fundamental', async (t) => {
  const sine = contoursOf(synthesise(3, (time) => 0.3 * Math.sin(2 * Math.PI * 220 * time)))
  t.ok(Math.abs(medianVoiced(sine) / 220 - 1) <= 0.02, `sine: ${medianVoiced(sine)} Hz`)
  t.ok(sine.pitchHz.filter((hz) => hz > 0).length > 280, 'voiced throughout')

  // F0 gliding linearly from 100 to 140 Hz over 3 s (median 120 Hz), six harmonics.
  const sweep = contoursOf(synthesise(3, (time) => 0.1 * harmonics(100 * time + (20 / 3) * time * time)))
  t.ok(Math.abs(medianVoiced(sweep) / 120 - 1) <= 0.02, `sweep: ${medianVoiced(sweep)} Hz`)
  const early = sweep.pitchHz[50]!
  const late = sweep.pitchHz[250]!
  t.ok(Math.abs(early / (100 + (40 * 0.505) / 3) - 1) < 0.03 && Math.abs(late / (100 + (40 * 2.505) / 3) - 1) < 0.03, `follows the glide: ${early}, ${late} Hz`)

  // Harmonics 2-6 of 110 Hz and no fundamental: the period is still 1/110 s (no octave error).
  const missing = contoursOf(synthesise(2, (time) => 0.1 * harmonics(110 * time, 2)))
  t.ok(Math.abs(medianVoiced(missing) / 110 - 1) <= 0.02, `missing fundamental: ${medianVoiced(missing)} Hz`)

  // White noise is not voiced.
  const noise = contoursOf(synthesise(2, (_, n) => 0.3 * white(n)))
  const voicedNoise = noise.pitchHz.filter((hz) => hz > 0).length
  t.ok(voicedNoise <= 5, `noise is unvoiced (${voicedNoise} of 200 frames voiced)`)
})

t.test('a synthetic syllable train: every burst a nucleus, the gap a pause', async (t) => {
  // 180 ms vowel-like bursts every 250 ms at 150 Hz (Hann envelope): 8 in the first 2 s, a 1 s
  // gap, 4 in the last second; the 70 ms between bursts is too short for a pause.
  const burst = (time: number) => {
    const phase = (time % 0.25) / 0.18
    return phase < 1 ? 0.5 - 0.5 * Math.cos(2 * Math.PI * phase) : 0
  }
  const samples = synthesise(4, (time, n) => (time >= 2 && time < 3 ? 0 : 0.2 * burst(time) * harmonics(150 * time)) + hiss(n))
  const { metrics, frames } = summariseVoice(contoursOf(samples))
  t.equal(metrics.syllables, 12)
  t.equal(metrics.pauses.count, 1)
  const pause = metrics.pauses.items[0]!
  t.ok(pause.startMs > 1850 && pause.startMs < 2000 && pause.endMs > 3000 && pause.endMs < 3100, `pause ${pause.startMs}-${pause.endMs}`)
  t.ok(Math.abs(metrics.pitch.medianHz! / 150 - 1) < 0.01, `${metrics.pitch.medianHz} Hz`)
  t.ok(metrics.pitch.variabilitySemitones! < 0.3, 'a monotone voice is monotone')
  t.ok(metrics.pitch.rangeSemitones! < 0.5)
  t.same(frames.map((f) => f.syllables), [4, 4, 0, 4])
  t.same(frames.map((f) => f.pitchHz === null), [false, false, true, false])
  t.ok(metrics.speakingRatio > 0.65 && metrics.speakingRatio < 0.8, `speaking ratio ${metrics.speakingRatio}`)
  t.ok(Math.abs(metrics.syllablesPerMinuteTotal - 180) < 0.1)
})

t.test('contours do not depend on how the stream is chunked', async (t) => {
  const chunks: Float32Array[] = []
  for await (const chunk of streamAudio(path.join(fixtures, 'video/grid/lbbc2a.mpg'), tools)) chunks.push(chunk)
  const samples = new Float32Array(chunks.reduce((sum, c) => sum + c.length, 0))
  chunks.reduce((offset, c) => { samples.set(c, offset); return offset + c.length }, 0)
  const whole = contoursOf(samples)
  t.equal(whole.intensityDb.length, Math.ceil(samples.length / 160))
  for (const size of [1, 159, 4096]) {
    const chunked = contoursOf(samples, size)
    t.same(chunked, whole, `chunks of ${size} samples`)
  }
})

t.test('no samples at all: empty metrics, no frames', async (t) => {
  const { metrics, frames } = summariseVoice(new VoiceAnalyser(RATE).finish())
  t.same(frames, [])
  t.match(metrics, { durationS: 0, speechS: 0, speakingRatio: 0, syllables: 0, syllablesPerMinuteSpeaking: 0, pauses: { count: 0 }, pitch: { medianHz: null } })
  t.throws(() => new VoiceAnalyser(44_100), /16 kHz or 8 kHz/)
})

t.test('speed: CPU per second of audio', async (t) => {
  // One minute of speech (JFK looped) through the analyser and the summary.
  const chunks: Float32Array[] = []
  for await (const chunk of streamAudio(path.join(fixtures, 'audio/jfk.wav'), tools)) chunks.push(chunk)
  t.equal(chunks.reduce((sum, c) => sum + c.length, 0), 11 * RATE, 'every sample of the 11 s WAV, none split')
  const seconds = 60
  const started = process.cpuUsage()
  const analyser = new VoiceAnalyser(RATE)
  let fed = 0
  while (fed < seconds * RATE) {
    for (const chunk of chunks) { analyser.push(chunk); fed += chunk.length }
  }
  const { metrics } = summariseVoice(analyser.finish())
  const used = process.cpuUsage(started)
  const msPerSecond = (used.user + used.system) / 1000 / metrics.durationS
  t.comment(`voice analysis: ${msPerSecond.toFixed(1)} ms of CPU per second of audio`)
  // The budget: well under 10 % of a video analysis running at ~3x real time (~30 ms a second).
  t.ok(msPerSecond < 30, `${msPerSecond.toFixed(1)} ms/s`)
})
