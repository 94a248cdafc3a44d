/**
 * The kinds of signal Candor measures, in the order they run: a module sees the frames and
 * metrics of those before it (pose follows the face's speaker and reads when the voice speaks).
 * Adding a kind is a folder under src/signals/ and one line here.
 */
import type { SignalModule } from './contract.js'
import { face } from './face/index.js'
import { voice } from './voice/index.js'
import { pose } from './pose/index.js'

export const SIGNALS: readonly SignalModule[] = [
  face,
  voice,
  pose
]

export const SIGNAL_KINDS = SIGNALS.map((module) => module.kind)

export function signalModule (kind: string): SignalModule | undefined {
  return SIGNALS.find((module) => module.kind === kind)
}
