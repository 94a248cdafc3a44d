/**
 * Runs on the audio thread: hands the microphone's samples (mono, the context's rate) to the
 * page in chunks of about 100 ms, so the page gets ~10 messages a second instead of one per
 * 128-sample render quantum. Bundled by Vite (`?worker&url`) and served by Candor.
 */
interface WorkletProcessor { readonly port: MessagePort }
declare const AudioWorkletProcessor: { prototype: WorkletProcessor, new (): WorkletProcessor }
declare function registerProcessor (name: string, processor: new () => WorkletProcessor): void
declare const sampleRate: number

class PcmTap extends AudioWorkletProcessor {
  private readonly size = Math.round(sampleRate / 10)
  private chunk = new Float32Array(this.size)
  private filled = 0

  process (inputs: Float32Array[][]): boolean {
    const channels = inputs[0]
    if (!channels || channels.length === 0) return true
    const length = channels[0]!.length
    for (let i = 0; i < length; i++) {
      let sum = 0
      for (const channel of channels) sum += channel[i]!
      this.chunk[this.filled++] = sum / channels.length
      if (this.filled === this.size) {
        // Transferred, so the old array is detached: a new one each time.
        this.port.postMessage(this.chunk, [this.chunk.buffer])
        this.chunk = new Float32Array(this.size)
        this.filled = 0
      }
    }
    return true
  }
}

registerProcessor('candor-pcm-tap', PcmTap)
