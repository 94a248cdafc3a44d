import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { spawnSync } from 'node:child_process'
import t, { type Test } from 'tap'
import YAML from 'yaml'
import { writeFeedback, RULES_VERSION, type FeedbackResult } from '../../src/feedback/index.js'
import { validateFeedback } from '../../src/feedback/schema.js'
import type { VoiceInput } from '../../src/signals/voice/feedback/index.js'
import { analysisInput, faceOf, faceScores, voiceOf as voiceMetricsOf } from '../helpers/feedback.js'
import { loadConfig } from '../../src/config.js'
import { readTranscript, type Transcript } from '../../src/transcripts/transcribe.js'
import type { AnalysisResult } from '../../src/engine/analyze.js'
import { analyzeFixture, sharedEngine, tools } from '../helpers/engine.js'
import { fixtures } from '../helpers/environment.js'

const noKey = { model: 'gpt-4o', timeoutMs: 1000, maxRetries: 0 }
const HANGUL = /[\uac00-\ud7a3]/

// Written out here rather than taken from src/feedback/facts.ts, so a wrong formatter fails.
const mmss = (ms: number) => {
  const s = Math.floor(ms / 1000)
  return `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`
}

interface VoiceAndTranscript { voice: VoiceInput, transcript: Transcript | null }

async function rulesFeedback (analysis: AnalysisResult, language: 'en' | 'ko', voice?: VoiceAndTranscript): Promise<FeedbackResult> {
  return writeFeedback(analysisInput(analysis, language, voice ?? {}), noKey)
}

/** The analysis's own voice, as the job passes it. */
const voiceOf = (analysis: AnalysisResult, transcript: Transcript | null = null): VoiceAndTranscript => ({ voice: voiceMetricsOf(analysis), transcript })

function checkStructure (t: Test, result: FeedbackResult, analysis: AnalysisResult, language: 'en' | 'ko') {
  t.equal(result.source, 'rules')
  t.equal(result.model, null)
  t.equal(result.promptVersion, RULES_VERSION)
  t.equal(result.language, language)
  t.notOk('fallbackReason' in result, 'no API key is not a failure')
  const parsed = YAML.parse(result.yaml)
  t.same(parsed, result.feedback, 'the YAML text parses back to the feedback')
  const validation = validateFeedback(parsed, { durationS: analysis.video.durationS, language })
  t.ok(validation.ok, validation.ok ? 'valid' : validation.problems.join('; '))
  const c = faceScores(faceOf(analysis)).categories
  t.same(parsed.scores, { eye_contact: c.eye_contact, expression: c.expression, composure: c.composure, presence: c.presence })
  t.equal(HANGUL.test(result.yaml), language === 'ko', language === 'ko' ? 'Korean text' : 'no Korean in English feedback')
}

t.test('sad_to_happy: cites the real eye contact, look-aways and blinks', async (t) => {
  const analysis = await analyzeFixture('video/sad_to_happy_pexels.mp4', { keepFrames: false })
  const m = faceOf(analysis)
  t.ok(m.attention.lookAways.length > 0 && m.blinks.count > 0, 'the clip has look-aways and blinks to cite')
  const eyeContact = `${Math.round(m.attention.eyeContactRatio * 100)}%`
  const lookAways = m.attention.lookAways.map((l) => `${mmss(l.startMs)}-${mmss(l.endMs)}`)

  for (const language of ['en', 'ko'] as const) {
    const result = await rulesFeedback(analysis, language)
    checkStructure(t, result, analysis, language)
    const f = result.feedback
    t.match(f.summary, eyeContact, `${language}: summary cites eye contact ${eyeContact}`)
    t.match(f.summary, String(faceScores(m).interviewScore), `${language}: and the interview score`)
    t.match(f.summary, language === 'en' ? `blinked ${m.blinks.count} times` : `눈 깜빡임은 ${m.blinks.count}번`, `${language}: and the blink count`)
    const lookAwayItem = f.improvements.find((i) => i.timestamps.includes(lookAways[0]!))
    t.ok(lookAwayItem, `${language}: an improvement points at the look-aways`)
    t.same(lookAwayItem?.timestamps, lookAways, 'with every look-away range')
    for (const range of lookAways) t.match(lookAwayItem?.evidence, range, `${language}: evidence names ${range}`)
    t.match(lookAwayItem?.evidence, language === 'en' ? `${lookAways.length} times for 1 second or more` : `${lookAways.length}번`)
    const rate = String(Math.round(m.blinks.ratePerMinute * 10) / 10)
    t.ok([...f.strengths, ...f.improvements].some((i) => i.evidence.includes(rate)), `${language}: an item cites the blink rate ${rate}/min`)
  }

  const en = (await rulesFeedback(analysis, 'en')).feedback
  t.ok(en.improvements.some((i) => i.title === 'Warmer expression' && i.timestamps.includes('00:00-00:10')), 'the sad opening is an improvement')
  t.ok(en.strengths.some((s) => s.title === 'Natural blinking'), `${m.blinks.ratePerMinute.toFixed(1)}/min is within 8-30`)
  const ko = (await rulesFeedback(analysis, 'ko')).feedback
  t.ok(ko.improvements.some((i) => i.title === '시선 이탈 줄이기'))
  t.ok(ko.strengths.some((s) => s.title === '자연스러운 눈 깜빡임'))
})

t.test('face_then_noface: the stretch without a face is cited', async (t) => {
  const analysis = await analyzeFixture('video/face_then_noface.mov', { keepFrames: false })
  const missing = faceOf(analysis).presence.missing
  t.ok(missing.length > 0)
  const range = `${mmss(missing[0]!.startMs)}-${mmss(Math.min(missing[0]!.endMs, analysis.video.durationS * 1000))}`
  for (const language of ['en', 'ko'] as const) {
    const result = await rulesFeedback(analysis, language)
    checkStructure(t, result, analysis, language)
    const presence = result.feedback.improvements[0]!
    t.same(presence.timestamps, [range], `${language}: the first improvement is staying in frame, at ${range}`)
    t.match(presence.evidence, `${Math.round(faceOf(analysis).presence.faceVisibleRatio * 100)}%`)
  }
})

t.test('no_face: still valid feedback, with no made-up measurements', async (t) => {
  const analysis = await analyzeFixture('video/no_face.mp4', { keepFrames: false })
  for (const language of ['en', 'ko'] as const) {
    const result = await rulesFeedback(analysis, language)
    checkStructure(t, result, analysis, language)
    t.equal(result.feedback.strengths.length, 1)
    t.equal(result.feedback.improvements.length, 1, 'only presence can be judged')
    t.match(result.feedback.improvements[0]!.evidence, '0%')
    t.notMatch(result.yaml, language === 'en' ? /blink/i : /깜빡/, 'nothing about blinks that were never measured')
  }
})

// ---- Voice ----

const round1 = (value: number) => Math.round(value * 10) / 10
/** Words about the voice's measurements, in either language (the look-away advice says "pause", so not that). */
const VOICE_WORDS = { en: /syllable|semitone|filler|words per minute|0\.3 s|speaking \d/i, ko: /음절|멈춤|반음|습관어|말하기 속도|말한 시간/ }

/** A video made from fixtures by ffmpeg in a temporary folder, removed when the test file ends. */
async function makeVideo (name: string, args: string[]): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'candor-feedback-'))
  t.teardown(() => fs.rm(dir, { recursive: true, force: true }))
  const out = path.join(dir, name)
  const made = spawnSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', ...args, out])
  if (made.status !== 0) throw new Error(`ffmpeg could not make ${name}: ${String(made.stderr)}`)
  return out
}

let spoken: Promise<AnalysisResult> | undefined
/**
 * A real voice long enough to be judged (the fixtures' clips with speech are 3 s): the
 * sad_to_happy picture with JFK's "ask not" (audio/jfk.wav, 11 s) twice as its sound, cut at
 * the picture's 19.7 s, analysed like any upload.
 */
function spokenAnalysis (): Promise<AnalysisResult> {
  spoken ??= (async () => {
    const file = await makeVideo('jfk_over_sad_to_happy.mp4', [
      '-i', path.join(fixtures, 'video/sad_to_happy_pexels.mp4'), '-stream_loop', '1', '-i', path.join(fixtures, 'audio/jfk.wav'),
      '-map', '0:v', '-map', '1:a', '-c:v', 'copy', '-c:a', 'aac', '-shortest'
    ])
    return (await sharedEngine()).analyze(file, tools, { keepFrames: false })
  })()
  return spoken
}

t.test('sad_to_happy with its voice: a silent audio track is said, and no voice number made up', async (t) => {
  const analysis = await analyzeFixture('video/sad_to_happy_pexels.mp4', { keepFrames: false })
  // The clip's AAC track is digital silence (-91 dB throughout).
  t.equal(voiceMetricsOf(analysis).hasAudio, true)
  t.equal(voiceMetricsOf(analysis).metrics?.speechS, 0, 'no speech in it')
  for (const language of ['en', 'ko'] as const) {
    const withVoice = await rulesFeedback(analysis, language, voiceOf(analysis))
    checkStructure(t, withVoice, analysis, language)
    t.match(withVoice.feedback.summary, language === 'en' ? 'No speech was detected in the audio track, so your voice was not analysed' : '오디오에서 말소리가 감지되지 않아 목소리는 분석하지 않았습니다')
    t.notMatch(withVoice.yaml, VOICE_WORDS[language], `${language}: no pace, pauses, intonation or fillers`)
    const faceOnly = (await rulesFeedback(analysis, language)).feedback
    t.same([withVoice.feedback.strengths, withVoice.feedback.improvements], [faceOnly.strengths, faceOnly.improvements], `${language}: the face items are unchanged`)
  }
})

t.test('bbaf2n: the real syllable rate and pauses in the summary, as rough figures of a 3 s clip', async (t) => {
  const analysis = await analyzeFixture('video/grid/bbaf2n.mpg', { keepFrames: false })
  const m = voiceMetricsOf(analysis).metrics!
  t.ok(m.syllables > 0, 'the GRID sentence is heard')
  const rate = Math.round(m.syllablesPerMinuteTotal)
  const speaking = `${Math.round(m.speakingRatio * 100)}%`
  for (const language of ['en', 'ko'] as const) {
    const result = await rulesFeedback(analysis, language, voiceOf(analysis))
    checkStructure(t, result, analysis, language)
    const summary = result.feedback.summary
    if (language === 'en') {
      t.match(summary, `You were speaking ${speaking} of the recording, at ${rate} syllables per minute overall`)
      t.match(summary, m.pauses.count ? `with ${m.pauses.count} pause` : 'with no pause of 0.3 s or more')
      t.match(summary, 'over a recording this short these are only rough figures')
    } else {
      t.match(summary, `녹화 시간의 ${speaking} 동안 말했고, 전체 말하기 속도는 분당 ${rate}음절`)
      t.match(summary, m.pauses.count ? `0.3초 이상의 멈춤은 ${m.pauses.count}번` : '0.3초 이상 멈춘 적은 없었습니다')
      t.match(summary, '영상이 짧아 이 수치들은 대략적인 값입니다')
    }
    const items = [...result.feedback.strengths, ...result.feedback.improvements]
    t.notOk(items.some((i) => VOICE_WORDS[language].test(i.evidence)), `${language}: 3 s of recording judges no voice aspect`)
  }
})

t.test('a real voice over 19.7 s: pace, pauses and intonation cited and judged, en and ko', async (t) => {
  const analysis = await spokenAnalysis()
  const m = voiceMetricsOf(analysis).metrics!
  t.ok(m.speechS > 10 && m.syllables > 30, `JFK is heard (${m.speechS} s of speech, ${m.syllables} syllables)`)
  const rate = Math.round(m.syllablesPerMinuteTotal)
  const speakingRate = Math.round(m.syllablesPerMinuteSpeaking)
  const longestPause = m.pauses.items.reduce((a, b) => (b.endMs - b.startMs > a.endMs - a.startMs ? b : a))
  const longestLabel = `${mmss(longestPause.startMs)}-${mmss(longestPause.endMs)}`
  const longPauses = m.pauses.items.filter((p) => p.endMs - p.startMs >= 2000)
  const variability = round1(m.pitch.variabilitySemitones!)

  const en = await rulesFeedback(analysis, 'en', voiceOf(analysis))
  checkStructure(t, en, analysis, 'en')
  const enItems = [...en.feedback.strengths, ...en.feedback.improvements]
  const pace = enItems.find((i) => i.evidence.startsWith(`You spoke at ${rate} syllables per minute over the whole recording, pauses included`))
  t.ok(pace, `an item cites the real pace, ${rate} syllables per minute`)
  t.match(pace?.evidence, `(${speakingRate} per minute while speaking)`)
  // English reference 180-250 (no transcript, English feedback).
  const paceWhere = rate < 180 ? 'slower than' : rate > 250 ? 'faster than' : 'within'
  t.match(pace?.evidence, `${paceWhere} the 180-250 range for English`)
  if (paceWhere === 'within') t.ok(en.feedback.strengths.includes(pace!), 'a pace in range is a strength')
  else t.equal(en.feedback.improvements.find((i) => i === pace)?.title, paceWhere === 'slower than' ? 'Pick up the pace' : 'Slow down a little', `${rate} is ${paceWhere} the range: an improvement`)

  const pauses = enItems.find((i) => i.evidence.startsWith(`You paused ${m.pauses.count} times for 0.3 s or more`))
  t.ok(pauses, `an item cites the ${m.pauses.count} pauses`)
  t.match(pauses?.evidence, `the longest ${round1((longestPause.endMs - longestPause.startMs) / 1000)} s at ${longestLabel}`)
  t.match(pauses?.evidence, `you were speaking ${Math.round(m.speakingRatio * 100)}% of the recording`)
  if (longPauses.length === 0 && m.speakingRatio >= 0.4) t.ok(en.feedback.strengths.includes(pauses!), 'no long silence and enough speech: a strength')

  const intonation = enItems.find((i) => i.evidence.startsWith(`Your pitch varied by ${variability} semitones`))
  t.ok(intonation, `an item cites the pitch variability, ${variability} semitones`)
  t.ok((variability >= 2 ? en.feedback.strengths : en.feedback.improvements).includes(intonation!), variability >= 2 ? 'varied: a strength' : 'monotone: an improvement')
  t.match(en.feedback.summary, `at ${rate} syllables per minute overall, with ${m.pauses.count} pauses of 0.3 s or more`)
  t.match(en.feedback.summary, /For your voice, /, 'the summary names the voice\'s strongest or weakest point')
  t.notOk(enItems.some((i) => /filler|words per minute/.test(i.evidence)), 'no transcript: nothing about words or fillers')

  const ko = await rulesFeedback(analysis, 'ko', voiceOf(analysis))
  checkStructure(t, ko, analysis, 'ko')
  const koItems = [...ko.feedback.strengths, ...ko.feedback.improvements]
  // Korean feedback without a transcript judges the pace by the Korean range.
  const koPaceWhere = rate < 250 ? '보다 느렸습니다' : rate > 350 ? '보다 빨랐습니다' : '에 들었습니다'
  t.ok(koItems.some((i) => i.evidence.startsWith(`멈춤을 포함한 전체 녹화 기준으로 분당 ${rate}음절로 말해 한국어 기준 적정 범위(분당 250~350음절)${koPaceWhere}. 말하는 동안만 보면 분당 ${speakingRate}음절입니다.`)), 'ko: the pace item')
  t.ok(koItems.some((i) => i.evidence.startsWith(`말하는 도중 0.3초 이상 멈춘 것은 ${m.pauses.count}번이었습니다`) && i.evidence.includes(longestLabel)), 'ko: the pauses item')
  t.ok(koItems.some((i) => i.evidence.startsWith(`음높이 변화는 ${variability}반음`)), 'ko: the intonation item')
  t.match(ko.feedback.summary, `전체 말하기 속도는 분당 ${rate}음절이었으며, 0.3초 이상의 멈춤은 ${m.pauses.count}번`)
})

t.test('a video without an audio track: the voice was not analysed, and no voice number is cited', async (t) => {
  const file = await makeVideo('no_audio.mp4', ['-i', path.join(fixtures, 'video/sad_to_happy_pexels.mp4'), '-an', '-c:v', 'copy'])
  const analysis = await (await sharedEngine()).analyze(file, tools, { keepFrames: false })
  t.same(voiceMetricsOf(analysis), { hasAudio: false, metrics: null })
  for (const language of ['en', 'ko'] as const) {
    const result = await rulesFeedback(analysis, language, voiceOf(analysis))
    checkStructure(t, result, analysis, language)
    t.notMatch(result.yaml, VOICE_WORDS[language], `${language}: no pace, pauses, intonation or fillers`)
    const faceOnly = (await rulesFeedback(analysis, language)).feedback
    t.same([result.feedback.strengths, result.feedback.improvements], [faceOnly.strengths, faceOnly.improvements], `${language}: the face items are unchanged`)
    const sentence = language === 'en' ? 'The video has no audio track, so your voice was not analysed.' : '영상에 오디오 트랙이 없어 목소리는 분석하지 않았습니다.'
    t.equal(result.feedback.summary, `${faceOnly.summary} ${sentence}`, `${language}: the summary adds that the voice was not analysed`)
  }
})

t.test('with a transcript: words per minute and filler words cited (the transcript is built by hand)', async (t) => {
  const analysis = await spokenAnalysis()
  // HAND-BUILT transcript: no speech-to-text service runs here. JFK's words with fillers added
  // ("um" three times, "uh", "you know"), timed by hand, read by the real readTranscript with
  // the default filler lists.
  const words = 'And so um my fellow Americans uh ask not what your country can do for you um ask what you can do for your country you know um'
    .split(' ').map((word, i) => ({ word, start: 0.5 + i * 0.6, end: 0.5 + i * 0.6 + 0.4 }))
  const transcript = readTranscript({ text: words.map((w) => w.word).join(' '), language: 'english', duration: analysis.video.durationS, words },
    analysis.video.durationS, loadConfig({ NODE_ENV: 'test' }).voice.fillerWords)
  t.equal(transcript.fillers.count, 5, 'um x3, uh, you know')
  const perMinute = String(round1(transcript.fillers.perMinute))
  const wpm = Math.round(transcript.wordsPerMinute)
  const firstUm = mmss(words[2]!.start * 1000)

  const en = await rulesFeedback(analysis, 'en', voiceOf(analysis, transcript))
  checkStructure(t, en, analysis, 'en')
  const fillers = en.feedback.improvements.find((i) => i.title === 'Fewer filler words')
  t.ok(fillers, `${perMinute} per minute is more than 5: an improvement`)
  t.match(fillers?.evidence, `The transcript has 5 filler words, ${perMinute} per minute, more than the 5 per minute at which listeners notice them`)
  t.match(fillers?.evidence, `'um' (3 times, first at ${firstUm})`)
  t.match(fillers?.suggestion, `When you feel 'um' coming`)
  t.ok(fillers?.timestamps.includes(firstUm), 'points at the first "um"')
  const pace = [...en.feedback.strengths, ...en.feedback.improvements].find((i) => i.evidence.startsWith('You spoke at'))
  t.match(pace?.evidence, `; the transcript counts ${wpm} words per minute, ${wpm < 130 ? 'slower than' : wpm > 170 ? 'faster than' : 'within'} the 130-170 range.`)
  t.match(en.feedback.summary, `(${wpm} words per minute)`)

  // The transcript is English, so Korean feedback judges the pace by the English range.
  const ko = await rulesFeedback(analysis, 'ko', voiceOf(analysis, transcript))
  checkStructure(t, ko, analysis, 'ko')
  const koFillers = ko.feedback.improvements.find((i) => i.title === '습관어 줄이기')
  t.match(koFillers?.evidence, `전사문에서 습관어가 5번(분당 ${perMinute}회) 나왔습니다`)
  t.match(koFillers?.evidence, `'um' 3번(처음 ${firstUm})`)
  t.ok([...ko.feedback.strengths, ...ko.feedback.improvements].some((i) => i.evidence.includes('영어 기준 적정 범위(분당 180~250음절)')), 'ko: the English range, from the transcript')
})
