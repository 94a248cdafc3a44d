/**
 * Record an answer with the webcam and microphone, or pick a video file; then upload it straight
 * to S3 (uploadRecording: presigned PUT or parts, with progress and cancel) and start its
 * analysis, and open the report.
 */
import { useEffect, useRef, useState } from 'preact/hooks'
import { ApiError } from '../api/client.js'
import { checkFile, fileContentType, uploadRecording, MAX_UPLOAD_BYTES, type UploadProgress } from '../api/uploads.js'
import { recordStream, recordingType, type Recording } from '../media/recorder.js'
import { navigate } from '../router.js'
import { format, useLanguage, useStrings, type Language, type Strings } from '../i18n.js'
import './new-recording/new-recording.css'

const USER_ITEM = 'candor.userId'

type Source = { kind: 'file', file: File } | { kind: 'recording', blob: Blob, seconds: number }
type Camera = 'off' | 'starting' | 'ready' | 'recording'
type Upload = { state: 'idle' } | { state: 'sending', progress: UploadProgress } | { state: 'failed', message: string } | { state: 'cancelled' }

const STRINGS: Strings<'title' | 'lead' | 'userId' | 'userIdHint' | 'userIdMissing' | 'feedbackLanguage' | 'english' | 'korean' |
'recordTitle' | 'recordHint' | 'cameraOn' | 'cameraStarting' | 'start' | 'stop' | 'again' | 'cameraOff' | 'recording' | 'recorded' |
'denied' | 'noCamera' | 'busy' | 'cameraFailed' | 'cannotRecord' | 'or' |
'fileTitle' | 'fileHint' | 'choose' | 'badType' | 'tooLarge' | 'empty' |
'ready' | 'upload' | 'cancel' | 'preparing' | 'sending' | 'completing' | 'done' | 'retrying' | 'failed' | 'cancelled' | 'progress'> = {
  en: {
    title: 'New recording',
    lead: 'Answer a question to the camera as you would in an interview, or upload a video you already have. One to three minutes works best.',
    userId: 'User id',
    userIdHint: 'Whose recording this is; analyses are grouped by it. Remembered on this computer.',
    userIdMissing: 'Enter a user id first.',
    feedbackLanguage: 'Feedback language',
    english: 'English',
    korean: 'Korean',
    recordTitle: 'Record with your webcam',
    recordHint: 'Face the camera in good light, with your head and shoulders in view.',
    cameraOn: 'Turn on camera',
    cameraStarting: 'Starting camera…',
    start: 'Start recording',
    stop: 'Stop',
    again: 'Record again',
    cameraOff: 'Turn off camera',
    recording: 'Recording',
    recorded: 'Recorded {time}',
    denied: 'Candor may not use your camera or microphone. Allow them in the browser\'s site settings (the icon left of the address), then try again.',
    noCamera: 'No camera or microphone was found. Connect one, or upload a video file instead.',
    busy: 'The camera is in use by another application. Close it and try again.',
    cameraFailed: 'The camera could not start: {message}',
    cannotRecord: 'This browser cannot record video. Use a recent Chrome, Edge or Firefox, or upload a file.',
    or: 'or',
    fileTitle: 'Upload a video',
    fileHint: 'WebM, MP4, MOV or MKV, up to {max}.',
    choose: 'Choose a video file',
    badType: 'This file is not a video Candor can read ({type}). Choose a WebM, MP4, MOV or MKV file.',
    tooLarge: 'This file is {size}; the limit is {max}.',
    empty: 'This file is empty.',
    ready: 'Ready to upload',
    upload: 'Upload and analyse',
    cancel: 'Cancel',
    preparing: 'Preparing the upload…',
    sending: 'Uploading',
    completing: 'Starting the analysis…',
    done: 'Uploaded. Opening the report…',
    retrying: 'connection trouble, retrying ({n})',
    failed: 'The upload failed: {message}',
    cancelled: 'Upload cancelled. Nothing was kept.',
    progress: '{sent} of {total}'
  },
  ko: {
    title: '새 녹화',
    lead: '면접에서처럼 카메라를 보고 질문에 답해 보세요. 이미 찍어 둔 영상을 올려도 됩니다. 1~3분 길이가 가장 좋습니다.',
    userId: '사용자 ID',
    userIdHint: '누구의 녹화인지 나타내며, 분석은 이 ID별로 묶입니다. 이 컴퓨터에 기억됩니다.',
    userIdMissing: '사용자 ID를 먼저 입력해 주세요.',
    feedbackLanguage: '피드백 언어',
    english: '영어',
    korean: '한국어',
    recordTitle: '웹캠으로 녹화',
    recordHint: '밝은 곳에서 카메라를 정면으로 보고, 머리와 어깨가 화면에 들어오게 해 주세요.',
    cameraOn: '카메라 켜기',
    cameraStarting: '카메라를 켜는 중…',
    start: '녹화 시작',
    stop: '정지',
    again: '다시 녹화',
    cameraOff: '카메라 끄기',
    recording: '녹화 중',
    recorded: '{time} 녹화됨',
    denied: 'Candor가 카메라나 마이크를 사용할 수 없습니다. 브라우저의 사이트 설정(주소창 왼쪽 아이콘)에서 허용한 뒤 다시 시도해 주세요.',
    noCamera: '카메라나 마이크를 찾을 수 없습니다. 장치를 연결하거나 영상 파일을 올려 주세요.',
    busy: '다른 프로그램이 카메라를 쓰고 있습니다. 그 프로그램을 닫고 다시 시도해 주세요.',
    cameraFailed: '카메라를 시작하지 못했습니다: {message}',
    cannotRecord: '이 브라우저에서는 영상을 녹화할 수 없습니다. 최신 Chrome, Edge, Firefox를 쓰거나 파일을 올려 주세요.',
    or: '또는',
    fileTitle: '영상 올리기',
    fileHint: 'WebM, MP4, MOV, MKV 파일, 최대 {max}.',
    choose: '영상 파일 선택',
    badType: 'Candor가 읽을 수 있는 영상이 아닙니다({type}). WebM, MP4, MOV, MKV 파일을 골라 주세요.',
    tooLarge: '파일 크기가 {size}로, 한도 {max}를 넘습니다.',
    empty: '빈 파일입니다.',
    ready: '올릴 준비가 되었습니다',
    upload: '올리고 분석하기',
    cancel: '취소',
    preparing: '업로드를 준비하는 중…',
    sending: '올리는 중',
    completing: '분석을 시작하는 중…',
    done: '업로드 완료. 리포트를 여는 중…',
    retrying: '연결이 불안정해 다시 시도하는 중({n})',
    failed: '업로드하지 못했습니다: {message}',
    cancelled: '업로드를 취소했습니다. 아무것도 저장되지 않았습니다.',
    progress: '{total} 중 {sent}'
  }
}

export function NewRecordingPage () {
  const s = useStrings(STRINGS)
  const interfaceLanguage = useLanguage()
  const [userId, setUserId] = useState(() => localStorage.getItem(USER_ITEM) ?? '')
  const [feedbackLanguage, setFeedbackLanguage] = useState<Language>(interfaceLanguage)
  const [source, setSource] = useState<Source | null>(null)
  const [fileProblem, setFileProblem] = useState<string | null>(null)
  const [userProblem, setUserProblem] = useState(false)
  const [upload, setUpload] = useState<Upload>({ state: 'idle' })
  const controller = useRef<AbortController | null>(null)

  // Leaving the page mid-upload cancels it (uploadRecording aborts the upload on the server too).
  useEffect(() => () => controller.current?.abort(), [])

  const sending = upload.state === 'sending'

  const pickFile = (file: File | undefined) => {
    setUpload({ state: 'idle' })
    if (!file) return
    const problem = checkFile(file)
    if (problem) {
      setSource(null)
      setFileProblem(problem.kind === 'empty'
        ? s.empty
        : problem.kind === 'type'
          ? format(s.badType, { type: problem.type })
          : format(s.tooLarge, { size: formatBytes(problem.size), max: formatBytes(problem.max) }))
      return
    }
    setFileProblem(null)
    setSource({ kind: 'file', file })
  }

  const start = async () => {
    if (!source) return
    const user = userId.trim()
    if (!user) {
      setUserProblem(true)
      return
    }
    localStorage.setItem(USER_ITEM, user)
    const abort = new AbortController()
    controller.current = abort
    const file = source.kind === 'file' ? source.file : source.blob
    const filename = source.kind === 'file' ? source.file.name : `recording-${new Date().toISOString().replace(/[:.]/g, '-')}.webm`
    setUpload({ state: 'sending', progress: { sentBytes: 0, totalBytes: file.size, phase: 'creating', retries: 0 } })
    try {
      const result = await uploadRecording({
        file,
        filename,
        contentType: source.kind === 'file' ? fileContentType(source.file) : 'video/webm',
        userId: user,
        analyze: { sessionId: sessionId(), options: { language: feedbackLanguage } },
        onProgress: (progress) => setUpload({ state: 'sending', progress }),
        signal: abort.signal
      })
      controller.current = null
      navigate(result.analysisId ? { page: 'report', id: result.analysisId } : { page: 'analyses' })
    } catch (error) {
      controller.current = null
      if (abort.signal.aborted) setUpload({ state: 'cancelled' })
      else setUpload({ state: 'failed', message: error instanceof ApiError || error instanceof Error ? error.message : String(error) })
    }
  }

  return (
    <div class="new-rec">
      <header class="new-rec-head">
        <h1>{s.title}</h1>
        <p class="new-rec-lead">{s.lead}</p>
      </header>

      <section class="card new-rec-settings">
        <label class="new-rec-field">
          <span>{s.userId}</span>
          <input
            data-testid="user-id" value={userId} maxLength={128} autocomplete="off" disabled={sending}
            aria-invalid={userProblem}
            onInput={(e) => { setUserId(e.currentTarget.value); setUserProblem(false) }}
          />
          <small class={userProblem ? 'error' : 'notice'}>{userProblem ? s.userIdMissing : s.userIdHint}</small>
        </label>
        <label class="new-rec-field new-rec-language">
          <span>{s.feedbackLanguage}</span>
          <select data-testid="feedback-language" value={feedbackLanguage} disabled={sending} onChange={(e) => setFeedbackLanguage(e.currentTarget.value as Language)}>
            <option value="en">{s.english}</option>
            <option value="ko">{s.korean}</option>
          </select>
        </label>
      </section>

      <div class="new-rec-sources">
        <Recorder s={s} disabled={sending} onRecorded={(blob, seconds) => { setUpload({ state: 'idle' }); setFileProblem(null); setSource(blob ? { kind: 'recording', blob, seconds } : null) }} />
        <div class="new-rec-or" aria-hidden="true"><span>{s.or}</span></div>
        <section class="card new-rec-file">
          <h2>{s.fileTitle}</h2>
          <p class="notice">{format(s.fileHint, { max: formatBytes(MAX_UPLOAD_BYTES) })}</p>
          <label class={`button secondary new-rec-choose${sending ? ' disabled' : ''}`}>
            {s.choose}
            <input
              type="file" accept="video/*,.webm,.mkv,.mov,.mp4" data-testid="file" class="visually-hidden" disabled={sending}
              onChange={(e) => { pickFile(e.currentTarget.files?.[0]); e.currentTarget.value = '' }}
            />
          </label>
          {fileProblem && <p class="error" role="alert" data-testid="file-error">{fileProblem}</p>}
        </section>
      </div>

      {source && (
        <section class="card new-rec-upload" data-testid="upload-panel">
          <div class="new-rec-chosen">
            <strong data-testid="chosen">{source.kind === 'file' ? source.file.name : format(s.recorded, { time: formatClock(source.seconds) })}</strong>
            <span class="notice">{formatBytes(source.kind === 'file' ? source.file.size : source.blob.size)}</span>
          </div>
          {upload.state === 'sending'
            ? <Progress s={s} progress={upload.progress} onCancel={() => controller.current?.abort()} />
            : <button type="button" data-testid="upload" onClick={() => { void start() }}>{s.upload}</button>}
          {upload.state === 'failed' && <p class="error" role="alert" data-testid="upload-error">{format(s.failed, { message: upload.message })}</p>}
          {upload.state === 'cancelled' && <p class="notice" role="status" data-testid="upload-cancelled">{s.cancelled}</p>}
        </section>
      )}
    </div>
  )
}

function Progress ({ s, progress, onCancel }: { s: Record<keyof typeof STRINGS.en, string>, progress: UploadProgress, onCancel: () => void }) {
  const percent = progress.totalBytes ? Math.floor((progress.sentBytes / progress.totalBytes) * 100) : 0
  const label = progress.phase === 'creating'
    ? s.preparing
    : progress.phase === 'completing' ? s.completing : progress.phase === 'done' ? s.done : s.sending
  return (
    <div class="new-rec-progress">
      <div class="new-rec-progress-line">
        <span>{label}{progress.retries > 0 && progress.phase === 'sending' ? ` (${format(s.retrying, { n: progress.retries })})` : ''}</span>
        <span data-testid="upload-text">
          {format(s.progress, { sent: formatBytes(progress.sentBytes), total: formatBytes(progress.totalBytes) })} · <strong data-testid="upload-percent">{percent} %</strong>
        </span>
      </div>
      <div class="new-rec-bar" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={percent} data-testid="upload-progress">
        <div class="new-rec-fill" style={{ width: `${percent}%` }} />
      </div>
      {progress.phase !== 'done' && <button type="button" class="secondary" data-testid="cancel-upload" onClick={onCancel}>{s.cancel}</button>}
    </div>
  )
}

/** The camera card: preview, start/stop with the elapsed time, then the recording played back. */
function Recorder ({ s, disabled, onRecorded }: { s: Record<keyof typeof STRINGS.en, string>, disabled: boolean, onRecorded: (blob: Blob | null, seconds: number) => void }) {
  const [camera, setCamera] = useState<Camera>('off')
  const [problem, setProblem] = useState<string | null>(null)
  const [elapsed, setElapsed] = useState(0)
  const [recorded, setRecorded] = useState<{ url: string, seconds: number } | null>(null)
  const stream = useRef<MediaStream | null>(null)
  const recording = useRef<Recording | null>(null)
  const preview = useRef<HTMLVideoElement>(null)

  const release = () => {
    stream.current?.getTracks().forEach((track) => track.stop())
    stream.current = null
  }
  useEffect(() => () => {
    void recording.current?.stop()
    release()
  }, [])
  useEffect(() => () => { if (recorded) URL.revokeObjectURL(recorded.url) }, [recorded])
  useEffect(() => {
    if (camera !== 'recording') return
    const timer = setInterval(() => setElapsed(Math.floor((Date.now() - (recording.current?.startedAt ?? Date.now())) / 1000)), 250)
    return () => clearInterval(timer)
  }, [camera])
  useEffect(() => {
    if (preview.current && stream.current && preview.current.srcObject !== stream.current) preview.current.srcObject = stream.current
  })

  const turnOn = async () => {
    setProblem(null)
    if (!navigator.mediaDevices?.getUserMedia || recordingType() === null) {
      setProblem(s.cannotRecord)
      return
    }
    setCamera('starting')
    try {
      stream.current = await navigator.mediaDevices.getUserMedia({
        video: { width: { ideal: 1280 }, height: { ideal: 720 }, facingMode: 'user' },
        audio: { echoCancellation: true, noiseSuppression: true }
      })
      setRecorded(null)
      onRecorded(null, 0)
      setCamera('ready')
    } catch (error) {
      setCamera('off')
      const name = error instanceof DOMException ? error.name : ''
      setProblem(name === 'NotAllowedError' || name === 'SecurityError'
        ? s.denied
        : name === 'NotFoundError' || name === 'OverconstrainedError'
          ? s.noCamera
          : name === 'NotReadableError' ? s.busy : format(s.cameraFailed, { message: error instanceof Error ? error.message : String(error) }))
    }
  }
  const turnOff = () => {
    release()
    setCamera('off')
  }
  const startRecording = () => {
    if (!stream.current) return
    try {
      recording.current = recordStream(stream.current)
      setElapsed(0)
      setRecorded(null)
      onRecorded(null, 0)
      setCamera('recording')
    } catch (error) {
      setProblem(format(s.cameraFailed, { message: error instanceof Error ? error.message : String(error) }))
    }
  }
  const stopRecording = async () => {
    const current = recording.current
    if (!current) return
    recording.current = null
    const seconds = (Date.now() - current.startedAt) / 1000
    const blob = await current.stop()
    release()
    setCamera('off')
    setRecorded({ url: URL.createObjectURL(blob), seconds })
    onRecorded(blob, seconds)
  }

  return (
    <section class="card new-rec-camera">
      <h2>{s.recordTitle}</h2>
      <div class="new-rec-stage">
        {camera !== 'off' && <video ref={preview} class="new-rec-video mirrored" autoplay muted playsInline data-testid="camera-preview" />}
        {camera === 'off' && recorded && <video src={recorded.url} class="new-rec-video" controls playsInline data-testid="recorded-preview" />}
        {camera === 'off' && !recorded && <p class="new-rec-placeholder">{s.recordHint}</p>}
        {camera === 'recording' && (
          <span class="new-rec-rec" data-testid="elapsed"><span class="new-rec-rec-dot" aria-hidden="true" />{s.recording} {formatClock(elapsed)}</span>
        )}
      </div>
      {problem && <p class="error" role="alert" data-testid="camera-error">{problem}</p>}
      <div class="new-rec-buttons">
        {camera === 'off' && <button type="button" data-testid="camera-on" disabled={disabled} onClick={() => { void turnOn() }}>{recorded ? s.again : s.cameraOn}</button>}
        {camera === 'starting' && <button type="button" disabled>{s.cameraStarting}</button>}
        {camera === 'ready' && <button type="button" data-testid="record-start" onClick={startRecording}>{s.start}</button>}
        {camera === 'ready' && <button type="button" class="secondary" onClick={turnOff}>{s.cameraOff}</button>}
        {camera === 'recording' && <button type="button" class="new-rec-stop" data-testid="record-stop" onClick={() => { void stopRecording() }}>{s.stop}</button>}
      </div>
    </section>
  )
}

function sessionId (): string {
  return `web-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`
}

function formatClock (seconds: number): string {
  const whole = Math.max(0, Math.floor(seconds))
  return `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, '0')}`
}

function formatBytes (bytes: number): string {
  if (bytes >= 1024 ** 3) return `${(bytes / 1024 ** 3).toFixed(bytes % 1024 ** 3 === 0 ? 0 : 1)} GB`
  if (bytes >= 1024 ** 2) return `${(bytes / 1024 ** 2).toFixed(1)} MB`
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} KB`
  return `${bytes} B`
}
