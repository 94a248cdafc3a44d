/**
 * Records a camera/microphone stream to a WebM Blob with MediaRecorder. Data comes in timeslices
 * (one chunk a second), so a tab that stops abruptly loses at most the last slice, and `stop()`
 * resolves with everything once the recorder has flushed its final chunk.
 * Used by the new-recording page and by live practice.
 */

export interface Recording {
  /** The container and codecs the recorder actually uses (e.g. `video/webm;codecs=vp9,opus`). */
  readonly mimeType: string
  /** `Date.now()` when recording started. */
  readonly startedAt: number
  /** Stops the recorder (once; later calls return the same Blob) and resolves with the recording. */
  stop (): Promise<Blob>
}

/** Preferred first: VP9 is smaller for the same quality; every Chromium and Firefox has VP8. */
export const RECORDING_TYPES = ['video/webm;codecs=vp9,opus', 'video/webm;codecs=vp8,opus', 'video/webm'] as const

const TIMESLICE_MS = 1000

/** The first of RECORDING_TYPES this browser can record, or null when it can record none of them. */
export function recordingType (): string | null {
  if (typeof MediaRecorder === 'undefined') return null
  return RECORDING_TYPES.find((type) => MediaRecorder.isTypeSupported(type)) ?? null
}

/** A stream with only audio records as audio/webm; the server wants video, so say so early. */
export class RecorderUnavailableError extends Error {
  constructor (message: string) {
    super(message)
    this.name = 'RecorderUnavailableError'
  }
}

export function recordStream (stream: MediaStream): Recording {
  const type = recordingType()
  if (type === null) throw new RecorderUnavailableError('this browser cannot record WebM video (MediaRecorder)')
  if (stream.getVideoTracks().length === 0) throw new RecorderUnavailableError('the stream has no video track')
  const recorder = new MediaRecorder(stream, { mimeType: type })
  const chunks: Blob[] = []
  let failure: Error | null = null
  recorder.addEventListener('dataavailable', (event) => {
    if (event.data.size > 0) chunks.push(event.data)
  })
  recorder.addEventListener('error', (event) => {
    const error = (event as Event & { error?: unknown }).error
    failure = error instanceof Error ? error : new Error('the recorder failed')
  })
  const startedAt = Date.now()
  recorder.start(TIMESLICE_MS)
  // The recorder's own type, once started, may add details (e.g. the codecs it settled on).
  const mimeType = recorder.mimeType || type

  let stopped: Promise<Blob> | null = null
  return {
    mimeType,
    startedAt,
    stop () {
      stopped ??= new Promise<Blob>((resolve, reject) => {
        const finish = () => {
          if (failure && chunks.length === 0) reject(failure)
          else resolve(new Blob(chunks, { type: mimeType }))
        }
        if (recorder.state === 'inactive') {
          finish()
          return
        }
        // 'stop' fires after the final 'dataavailable'.
        recorder.addEventListener('stop', finish, { once: true })
        recorder.stop()
      })
      return stopped
    }
  }
}
