/** The live cues as calm cards: a coloured mark and word for the level, the number, a short hint. */
import type { ComponentChildren } from 'preact'
import { format, useStrings } from '../../i18n.js'
import type { Level, LiveCues } from '../../live/cues.js'
import { JUDGING } from '../../../../src/signals/face/thresholds.js'
import { POSE_THRESHOLDS } from '../../../../src/signals/pose/thresholds.js'
import { PACE_SYLLABLES_PER_MINUTE } from '../../../../src/signals/voice/thresholds.js'
import { STRINGS } from './strings.js'

interface CardProps {
  id: string
  label: string
  level: Level
  value: string
  unit?: string
  hint: string
  raw: number | null
  children?: ComponentChildren
}

function Card ({ id, label, level, value, unit, hint, raw, children }: CardProps) {
  const s = useStrings(STRINGS)
  const word = { good: s.levelGood, watch: s.levelWatch, attention: s.levelAttention, none: s.levelNone }[level]
  return (
    <section class={`live-cue live-cue--${level}`} data-testid={`cue-${id}`} data-level={level} data-value={raw === null ? '' : String(raw)} aria-label={`${label}: ${value} ${unit ?? ''}, ${word}`}>
      <header class="live-cue__head">
        <span class="live-cue__label">{label}</span>
        <span class="live-cue__level"><span class="live-cue__dot" aria-hidden="true" /><span class="live-cue__level-word">{word}</span></span>
      </header>
      <div class="live-cue__value">{value}{unit && <span class="live-cue__unit">{unit}</span>}</div>
      {children}
      <p class="live-cue__hint">{hint}</p>
    </section>
  )
}

const DASH = '–'
/** The "now" bar is coloured by its own value (the card by the 10 s window), with the same limits. */
const nowLevel = (now: number | null): Level => (now === null ? 'none' : now * 100 >= JUDGING.eyeContactPercent.good ? 'good' : now * 100 >= JUDGING.eyeContactPercent.poor ? 'watch' : 'attention')
const percent = (x: number | null) => (x === null ? DASH : String(Math.round(x * 100)))
const one = (x: number | null) => (x === null ? DASH : x.toFixed(1))

export function CuePanel ({ cues, language, poseTracked, micOn }: { cues: LiveCues | null, language: 'en' | 'ko', poseTracked: boolean, micOn: boolean }) {
  const s = useStrings(STRINGS)
  const eye = cues?.eyeContact
  const eyeHint = !cues ? s.waiting : !cues.faceInView ? s.noFace : eye!.level === 'good' ? s.eyeGood : eye!.level === 'watch' ? s.eyeWatch : eye!.level === 'attention' ? s.eyeAttention : s.waiting

  const blinks = cues?.blinks
  const blinkHint = !blinks || blinks.perMinute === null ? s.blinkCounting
    : blinks.perMinute > JUDGING.blinksPerMinute.max ? s.blinkMany
      : blinks.perMinute < JUDGING.blinksPerMinute.min ? s.blinkFew : s.blinkGood

  const head = cues?.head
  const headHint = !head || head.degPerSecond === null ? s.waiting : { good: s.headGood, watch: s.headWatch, attention: s.headAttention, none: s.waiting }[head.level]

  const voice = cues?.voice ?? null
  const range = PACE_SYLLABLES_PER_MINUTE[language]
  const paceHint = !micOn ? s.micMissing : !voice || voice.level === 'none' ? (voice && voice.silentForS >= 1 ? format(s.pauseNow, { s: Math.floor(voice.silentForS) }) : s.paceListening)
    : voice.syllablesPerSecond * 60 > range.max ? s.paceFast : voice.syllablesPerSecond * 60 < range.min ? s.paceSlow : s.paceGood
  const pauseValue = voice ? (voice.silentForS >= 1 ? `${Math.floor(voice.silentForS)} s` : '0 s') : DASH
  const pauseLevel: Level = !voice ? 'none' : voice.silentForS >= 4 || voice.longPauses >= 2 ? 'watch' : 'good'

  const posture = cues?.posture ?? null
  const postureHint = !poseTracked ? s.poseOff : !posture || posture.offShare === null ? s.postureNotVisible
    : { good: s.postureGood, watch: s.postureWatch, attention: s.postureAttention, none: s.postureNotVisible }[posture.level]
  const gestures = cues?.gestures ?? null
  const gestureRange = POSE_THRESHOLDS.hands.gesturesPerMinute
  const gestureHint = !poseTracked ? s.poseOff : gestures && gestures.faceTouches > 0 ? s.gestureFace
    : !gestures || gestures.perMinute === null ? s.gestureNone
      : gestures.perMinute < gestureRange.min ? s.gestureMore : gestures.perMinute > gestureRange.max ? s.gestureFewer : s.gestureGood

  return (
    <div class="live-cues" data-testid="live-cues">
      <Card id="eye-contact" label={s.eyeContact} level={eye?.level ?? 'none'} value={percent(eye?.window ?? null)} unit={`% · ${s.eyeContactWindow}`} hint={eyeHint} raw={eye?.window ?? null}>
        <div class="live-cue__meter" data-testid="eye-contact-now" data-value={eye?.now === null || eye === undefined ? '' : String(eye.now)}>
          <span class="live-cue__meter-label">{s.eyeContactNow}</span>
          <span class="live-cue__meter-track" role="meter" aria-label={s.eyeContactNow} aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round((eye?.now ?? 0) * 100)}>
            <span class={`live-cue__meter-fill live-cue__meter-fill--${nowLevel(eye?.now ?? null)}`} style={{ width: `${Math.round((eye?.now ?? 0) * 100)}%` }} />
          </span>
        </div>
      </Card>
      <Card id="blinks" label={s.blinks} level={blinks?.level ?? 'none'} value={blinks?.perMinute == null ? DASH : String(Math.round(blinks.perMinute))} unit={s.blinksPerMinute} hint={blinks ? `${blinkHint} · ${format(s.blinksSoFar, { n: blinks.count })}` : blinkHint} raw={blinks?.perMinute ?? null} />
      <Card id="head" label={s.head} level={head?.level ?? 'none'} value={one(head?.degPerSecond ?? null)} unit="°/s" hint={headHint} raw={head?.degPerSecond ?? null} />
      <Card id="pace" label={s.pace} level={micOn ? voice?.level ?? 'none' : 'none'} value={voice ? voice.syllablesPerSecond.toFixed(1) : DASH} unit={s.paceUnit} hint={paceHint} raw={voice?.syllablesPerSecond ?? null} />
      <Card id="pauses" label={s.pauses} level={pauseLevel} value={pauseValue} hint={voice ? format(s.longPauses, { n: voice.longPauses }) : s.paceListening} raw={voice?.silentForS ?? null} />
      {poseTracked && (
        <>
          <Card id="posture" label={s.posture} level={posture?.level ?? 'none'} value={posture?.offShare == null ? DASH : percent(1 - posture.offShare)} unit={posture?.offShare == null ? undefined : '%'} hint={postureHint} raw={posture?.offShare ?? null} />
          <Card id="gestures" label={s.gestures} level={gestures?.level ?? 'none'} value={gestures?.perMinute == null ? DASH : String(Math.round(gestures.perMinute))} unit={gestures?.perMinute == null ? undefined : s.blinksPerMinute} hint={gestureHint} raw={gestures?.perMinute ?? null} />
        </>
      )}
    </div>
  )
}
