import path from 'node:path'
import { AnalysisEngine, signalOf, type AnalysisResult, type AnalyzeOptions } from '../../src/engine/analyze.js'
import { face } from '../../src/signals/face/index.js'
import { voice } from '../../src/signals/voice/index.js'
import { projectRoot } from '../../src/config.js'
import { fixtures } from './environment.js'

export const tools = { ffmpegPath: 'ffmpeg', ffprobePath: 'ffprobe' }
export const modelsDir = path.join(projectRoot, 'models')

let engine: Promise<AnalysisEngine> | undefined

/** One engine per test process: loading the models takes a moment and they are reused. */
export function sharedEngine (): Promise<AnalysisEngine> {
  engine ??= AnalysisEngine.load({ modelsDir, emotionModel: 'mobilefacenet' })
  return engine
}

export async function analyzeFixture (relative: string, options: AnalyzeOptions = {}): Promise<AnalysisResult> {
  return (await sharedEngine()).analyze(path.join(fixtures, relative), tools, options)
}

/** A result's face signals, typed (frames kept unless keepFrames was false). */
export const faceOf = (result: AnalysisResult) => signalOf(result, face)
/** A result's voice signals, typed. */
export const voiceOf = (result: AnalysisResult) => signalOf(result, voice)
