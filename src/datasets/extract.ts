/**
 * Per-video extraction of landmark sequences for datasets (stub; body follows).
 */
import type { ToolPaths } from '../media/ffprobe.js'
import type { MediaLimits } from '../media/limits.js'

export type SequenceSignal = 'pose' | 'face'
export type SequenceDtype = 'float32' | 'float64' | 'int32' | 'uint8'

export interface ExtractOptions {
  signals: ReadonlyArray<SequenceSignal>
  fps: number
  maxFrames?: number
  minConfidence: number
  model: 'lite' | 'full'
  onProgress?: (done: number, total: number) => void
  signal?: AbortSignal
}

export interface SequenceArray { dtype: SequenceDtype, shape: number[], data: Float32Array | Float64Array | Int32Array | Uint8Array }
export interface SequenceArrays { [name: string]: SequenceArray }

export interface ExtractedSequence {
  arrays: SequenceArrays
  header: Record<string, unknown>
  framesSeen: number
  framesKept: number
  durationS: number
}

export interface ExtractorConfig {
  modelsDir?: string
  emotionModel?: string
  tools?: ToolPaths
  maxWidth?: number
  limits?: MediaLimits
}

export interface Extractor {
  extract (file: string, options: ExtractOptions): Promise<ExtractedSequence>
  close (): Promise<void>
}

export async function createExtractor (_config: ExtractorConfig = {}): Promise<Extractor> {
  throw new Error('createExtractor: not implemented yet')
}

export async function extractSequence (file: string, options: ExtractOptions, config: ExtractorConfig = {}): Promise<ExtractedSequence> {
  const extractor = await createExtractor(config)
  try {
    return await extractor.extract(file, options)
  } finally {
    await extractor.close()
  }
}
