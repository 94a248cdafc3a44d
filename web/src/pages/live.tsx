/**
 * Live practice: the camera and microphone analysed while the person speaks (MediaPipe in the
 * page, or Candor's engine over a WebSocket when the page cannot run it or `#/live?source=server`
 * asks for it), live cues from the server's own metric functions, and the session recorded at
 * the same time; on stop the recording is uploaded and analysed in full, and the report opens.
 * Query options in the hash: source=page|server, pose=0 (face only), delegate=cpu|gpu.
 */
import { useEffect, useRef, useState } from 'preact/hooks'
import { format, useLanguage, useStrings, type Language } from '../i18n.js'
import { navigate } from '../router.js'
import { uploadRecording } from '../api/uploads.js'
import { recordStream, type Recording } from '../media/recorder.js'
import { computeCues, HISTORY_MS, type LiveCues } from '../live/cues.js'
import { createPageSource, pageUnsupportedReason, type Delegate } from '../live/page-source.js'
import type { LiveFrame, LiveSource, LiveSourceStats } from '../live/source.js'
import { startVoice, type LiveVoice, type VoiceWindow } from '../live/voice.js'
import { CuePanel } from './live/cue-panel.js'
import { drawOverlay } from './live/overlay.js'
import { STRINGS } from './live/strings.js'
import './live/live.css'

const USER_ITEM = 'candor.userId'
const CUE_EVERY_MS = 250

type SourceKind = 'page' | 'server'
type Phase = { name: 'idle' } | { name: 'starting' } | { name: 'live' } | { name: 'uploading', percent: number } | { name: 'analysing' }

/** The server path, loaded only when chosen. */
const serverLoader = () => import('../live/server-source.js')

function hashOptions (): URLSearchParams {
  const query = location.hash.indexOf('?')
  return new URLSearchParams(query >= 0 ? location.hash.slice(query + 1) : '')
}

interface Session {
  stream: MediaStream
  source: LiveSource
  voice: LiveVoice | null
  recording: Recording
  history: LiveFrame[]
  lastPose: LiveFrame['pose'] | null
  frameAspect: number
  /** What the cues on screen were computed from, for tests (window.__candorLive). */
  computed: { history: LiveFrame[], voice: VoiceWindow | null, cues: LiveCues, stats: LiveSourceStats } | null
  timers: number[]
  unsubscribe: Array<() => void>
  startedAt: number
}

export function LivePage () {
  const s = useStrings(STRINGS)
  const uiLanguage = useLanguage()
  const options = hashOptions()
  const unsupported = pageUnsupportedReason()
  const forcedServer = options.get('source') === 'server' || unsupported !== null
  const [sourceKind, setSourceKind] = useState<SourceKind>(forcedServer ? 'server' : options.get('source') === 'page' ? 'page' : 'page')
  const [userId, setUserId] = useState(() => localStorage.getItem(USER_ITEM) ?? '')
  const [reportLanguage, setReportLanguage] = useState<Language>(uiLanguage)
  const [overlay, setOverlay] = useState(true)
  const [phase, setPhase] = useState<Phase>({ name: 'idle' })
  const [error, setError] = useState<string | null>(null)
  const [cues, setCues] = useState<LiveCues | null>(null)
  const [stats, setStats] = useState({ fps: 0, dropped: 0, latencyMs: 0 })
  const [elapsed, setElapsed] = useState(0)
  const [micOn, setMicOn] = useState(true)
  /** The camera's own shape once known, so the preview and overlay are never cropped. */
  const [aspect, setAspect] = useState<number | null>(null)
  const videoRef = useRef<HTMLVideoElement>(null)
  const canvasRef = useRef<HTMLCanvasElement>(null)
  const session = useRef<Session | null>(null)
  const overlayRef = useRef(overlay)
  overlayRef.current = overlay
  const abort = useRef<AbortController | null>(null)
  const poseTracked = options.get('pose') !== '0'

  useEffect(() => () => { void teardown(session.current); abort.current?.abort() }, [])

  useEffect(() => {
    ;(window as unknown as { __candorLive?: unknown }).__candorLive = {
      snapshot: () => snapshot(session.current)
    }
  }, [])

  async function start () {
    setError(null)
    const user = userId.trim()
    if (!user) {
      setError(s.userIdMissing)
      return
    }
    localStorage.setItem(USER_ITEM, user)
    setPhase({ name: 'starting' })
    let stream: MediaStream | null = null
    let source: LiveSource | null = null
    try {
      stream = await navigator.mediaDevices.getUserMedia({
        video: { width: { ideal: 640 }, height: { ideal: 480 }, frameRate: { ideal: 30 } },
        audio: { echoCancellation: false, noiseSuppression: false, autoGainControl: true }
      })
      const video = videoRef.current!
      video.srcObject = stream
      video.muted = true
      await video.play()
      if (sourceKind === 'server') {
        source = (await serverLoader()).createServerSource()
      } else {
        const delegate = options.get('delegate')?.toUpperCase()
        source = createPageSource({ pose: poseTracked, delegate: delegate === 'CPU' || delegate === 'GPU' ? delegate as Delegate : undefined })
      }
      await source.start(video)
      let voice: LiveVoice | null = null
      if (stream.getAudioTracks().length > 0) {
        // Without it the practice goes on; the pace card says the microphone is off.
        voice = await startVoice(stream).catch(() => null)
      }
      setMicOn(voice !== null)
      const live: Session = {
        stream,
        source,
        voice,
        recording: recordStream(stream),
        history: [],
        lastPose: null,
        frameAspect: video.videoWidth / Math.max(1, video.videoHeight),
        computed: null,
        timers: [],
        unsubscribe: [],
        startedAt: Date.now()
      }
      live.unsubscribe.push(source.onFrame((frame) => {
        live.history.push(frame)
        if (frame.pose) live.lastPose = frame.pose
        const oldest = frame.t - HISTORY_MS
        let drop = 0
        while (drop < live.history.length && live.history[drop]!.t < oldest) drop++
        if (drop > 0) live.history.splice(0, drop)
        const canvas = canvasRef.current
        if (canvas) {
          if (overlayRef.current) drawOverlay(canvas, frame, live.lastPose, video.videoWidth, video.videoHeight)
          else canvas.getContext('2d')?.clearRect(0, 0, canvas.width, canvas.height)
        }
      }))
      live.timers.push(window.setInterval(() => {
        const history = live.history.slice()
        const voiceWindow = live.voice?.latest() ?? null
        const next = computeCues(history, voiceWindow, { language: reportLanguage, frameAspect: live.frameAspect })
        const sourceStats = live.source.stats()
        live.computed = { history, voice: voiceWindow, cues: next, stats: sourceStats }
        setCues(next)
        setStats(sourceStats)
        setMicOn(live.voice !== null && live.voice.error() === null)
        setElapsed(Date.now() - live.startedAt)
      }, CUE_EVERY_MS))
      session.current = live
      setAspect(live.frameAspect)
      setPhase({ name: 'live' })
    } catch (failure) {
      source?.stop()
      stream?.getTracks().forEach((track) => track.stop())
      setPhase({ name: 'idle' })
      setError(describe(failure))
    }
  }

  function describe (failure: unknown): string {
    const name = (failure as { name?: string }).name
    if (name === 'NotAllowedError' || name === 'SecurityError') return s.cameraDenied
    if (name === 'NotFoundError' || name === 'OverconstrainedError') return s.cameraMissing
    return format(s.failed, { message: failure instanceof Error ? failure.message : String(failure) })
  }

  async function stop () {
    const live = session.current
    if (!live) return
    session.current = null
    setPhase({ name: 'uploading', percent: 0 })
    const controller = new AbortController()
    abort.current = controller
    try {
      const blob = await teardown(live)
      const stamp = new Date(live.startedAt).toISOString().replace(/[-:]/g, '').replace(/\..*$/, '')
      const result = await uploadRecording({
        file: blob,
        filename: `live-${stamp}.webm`,
        contentType: 'video/webm',
        userId: userId.trim(),
        analyze: { sessionId: `live-${stamp}`, options: { language: reportLanguage } },
        signal: controller.signal,
        onProgress: ({ sentBytes, totalBytes, phase: step }) => {
          if (step === 'completing' || step === 'done') setPhase({ name: 'analysing' })
          else setPhase({ name: 'uploading', percent: totalBytes > 0 ? Math.round((sentBytes / totalBytes) * 100) : 0 })
        }
      })
      if (!result.analysisId) throw new Error('the upload did not start an analysis')
      navigate({ page: 'report', id: result.analysisId })
    } catch (failure) {
      if (controller.signal.aborted) setError(null)
      else setError(describe(failure))
      setPhase({ name: 'idle' })
    } finally {
      abort.current = null
    }
  }

  const running = phase.name === 'live'
  const busy = phase.name === 'starting' || phase.name === 'uploading' || phase.name === 'analysing'
  const minutes = Math.floor(elapsed / 60_000)
  const seconds = Math.floor(elapsed / 1000) % 60

  return (
    <div class={`live ${running ? 'live--running' : ''}`} data-testid="live-page" data-phase={phase.name}>
      <div class="live-heading">
        <h1>{s.title}</h1>
        {!running && <p class="live-intro">{s.intro}</p>}
      </div>

      <div class="live-layout">
        <div class="live-stage-column">
          <div class={`live-stage ${running || phase.name === 'starting' ? 'live-stage--on' : ''}`} style={aspect ? { aspectRatio: String(aspect) } : undefined}>
            <video ref={videoRef} class="live-video" playsInline muted data-testid="live-video" />
            <canvas ref={canvasRef} class="live-overlay" aria-hidden="true" />
            {!running && phase.name !== 'starting' && (
              <div class="live-stage__placeholder" aria-hidden="true">
                <svg viewBox="0 0 24 24" width="48" height="48"><path fill="currentColor" d="M15 8v8H5V8h10m1-2H4a1 1 0 0 0-1 1v10a1 1 0 0 0 1 1h12a1 1 0 0 0 1-1v-3.5l4 4v-11l-4 4V7a1 1 0 0 0-1-1Z" /></svg>
              </div>
            )}
            {running && (
              <>
                <span class="live-badge live-badge--rec"><span class="live-badge__dot" />{s.recording} {minutes}:{String(seconds).padStart(2, '0')}</span>
                <span class="live-badge live-badge--stats" data-testid="live-stats" data-fps={stats.fps.toFixed(1)} data-source={session.current?.source.kind ?? sourceKind}>
                  {format(s.fps, { fps: stats.fps.toFixed(0) })} · {sourceKind === 'page' ? s.inThisBrowser : s.onTheServer}
                </span>
              </>
            )}
            {phase.name === 'starting' && <div class="live-stage__status">{s.starting}</div>}
            {(phase.name === 'uploading' || phase.name === 'analysing') && (
              <div class="live-stage__status" data-testid="live-upload">
                <div>{phase.name === 'uploading' ? format(s.uploading, { percent: phase.percent }) : s.analysing}</div>
                <div class="live-progress"><span style={{ width: `${phase.name === 'uploading' ? phase.percent : 100}%` }} /></div>
              </div>
            )}
          </div>

        </div>

        <div class="live-controls card">
          {!running && !busy && (
            <div class="live-form">
              <label class="live-field">
                <span>{s.userId}</span>
                <input value={userId} onInput={(e) => setUserId(e.currentTarget.value)} maxLength={128} autoComplete="username" data-testid="live-user" />
                <small>{s.userIdHint}</small>
              </label>
              <label class="live-field">
                <span>{s.language}</span>
                <select value={reportLanguage} onChange={(e) => setReportLanguage(e.currentTarget.value as Language)} data-testid="live-language">
                  <option value="en">English</option>
                  <option value="ko">한국어</option>
                </select>
              </label>
              <label class="live-field">
                <span>{s.source}</span>
                <select value={sourceKind} disabled={unsupported !== null} onChange={(e) => setSourceKind(e.currentTarget.value as SourceKind)} data-testid="live-source">
                  <option value="page" disabled={unsupported !== null}>{s.sourcePage}</option>
                  <option value="server">{s.sourceServer}</option>
                </select>
                {unsupported !== null && <small>{format(s.sourceServerOnly, { reason: unsupported })}</small>}
              </label>
            </div>
          )}
          <div class="live-actions">
            <label class="live-toggle">
              <input type="checkbox" checked={overlay} onChange={(e) => setOverlay(e.currentTarget.checked)} data-testid="live-overlay" />
              <span>{s.overlay}</span>
            </label>
            {running
              ? <button type="button" class="live-stop" onClick={() => { void stop() }} data-testid="live-stop">{s.stop}</button>
              : <button type="button" onClick={() => { void start() }} disabled={busy} data-testid="live-start">{s.start}</button>}
            {phase.name === 'uploading' && <button type="button" class="secondary" onClick={() => abort.current?.abort()}>{s.cancel}</button>}
          </div>
          {error && <p class="error" role="alert" data-testid="live-error">{error}</p>}
          {!running && sourceKind === 'page' && <p class="live-privacy">{s.privacy}</p>}
        </div>

        <CuePanel cues={running ? cues : null} language={reportLanguage} poseTracked={poseTracked && (!running || cues?.posture !== null)} micOn={micOn} />
      </div>
    </div>
  )
}

/** Stops the analysis, the microphone and the camera; resolves with the recording. */
async function teardown (live: Session | null): Promise<Blob> {
  if (!live) return new Blob()
  live.timers.forEach((timer) => clearInterval(timer))
  live.unsubscribe.forEach((off) => off())
  live.source.stop()
  await live.voice?.stop()
  const blob = await live.recording.stop()
  live.stream.getTracks().forEach((track) => track.stop())
  return blob
}

/** Plain data for tests: the frames, audio and cues the screen shows now. */
function snapshot (live: Session | null) {
  if (!live?.computed) return null
  const { history, voice, cues, stats } = live.computed
  return {
    source: live.source.kind,
    stats,
    delegates: 'delegates' in live.source ? (live.source as { delegates: () => unknown }).delegates() : null,
    frameAspect: live.frameAspect,
    cues,
    frames: history.map((f) => ({
      t: f.t,
      face: f.face,
      pose: f.pose ? { t: f.pose.t, pose: f.pose.pose && { landmarks: Array.from(f.pose.pose.landmarks), world: Array.from(f.pose.pose.world), presence: f.pose.pose.presence } } : undefined
    })),
    voice: voice && { endMs: voice.endMs, durationMs: voice.durationMs, analysisMs: voice.analysisMs, metrics: voice.metrics, samples: base64(voice.samples) }
  }
}

function base64 (samples: Float32Array): string {
  const bytes = new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength)
  let text = ''
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
  return btoa(text)
}
