/**
 * The voice facts and the rule-based voice aspects at their thresholds. The metrics here are
 * written by hand to sit on either side of each limit; rules.test.ts and llm.test.ts run the
 * same code on real voice analyses.
 */
import t from 'tap'
import { buildFacts, describeFacts } from '../../src/feedback/facts.js'
import { writeRulesFeedback } from '../../src/feedback/rules.js'
import { voiceFacts, type MeasuredVoice, type VoiceInput as VoiceMetricsInput } from '../../src/signals/voice/feedback/facts.js'
import { validateFeedback, type Feedback, type Language } from '../../src/feedback/schema.js'
import type { Transcript } from '../../src/transcripts/transcribe.js'
import { computeFaceMetrics } from '../../src/signals/face/metrics/index.js'
import { feedbackInputOf } from '../helpers/feedback.js'

type Metrics = NonNullable<VoiceMetricsInput['metrics']>
/** The voice module's metrics and the transcript, as the job hands them to the feedback. */
type VoiceInput = VoiceMetricsInput & { transcript: Transcript | null }
const buildVoiceFacts = ({ transcript, ...voice }: VoiceInput, durationS: number, language: Language) => voiceFacts(voice, { durationS, language, transcript })

/** One minute of fluent speech, inside every reference range (English). */
function voiceMetrics (change: (m: Metrics) => void = () => {}): Metrics {
  const m: Metrics = {
    durationS: 60,
    speechS: 45,
    speakingRatio: 0.75,
    syllables: 200,
    syllablesPerMinuteSpeaking: 266.7,
    syllablesPerMinuteTotal: 200,
    pauses: { count: 2, meanS: 0.65, longestS: 0.8, items: [{ startMs: 10_000, endMs: 10_500 }, { startMs: 30_000, endMs: 30_800 }] },
    loudness: { meanDb: -20, variationDb: 4.04 },
    pitch: { medianHz: 180, rangeSemitones: 8.04, variabilitySemitones: 3.01 }
  }
  change(m)
  return m
}

/** A transcript as transcript.ts would return it; only the fields the feedback reads matter. */
function transcript (language: 'en' | 'ko', fillers: Array<[string, number | null]>, wordsPerMinute = 150): Transcript {
  return {
    text: language === 'ko' ? '안녕하세요 저는' : 'hello there',
    language: language === 'ko' ? 'korean' : 'english',
    words: [],
    wordsPerMinute,
    fillerLanguage: language,
    fillers: { count: fillers.length, perMinute: fillers.length, items: fillers.map(([word, startMs]) => ({ word, startMs })) }
  }
}

const measured = (voice: VoiceInput, language: Language = 'en') => {
  const facts = buildVoiceFacts(voice, 60, language)
  if (facts.status !== 'measured') throw new Error(`expected measured voice, got ${facts.status}`)
  return facts as MeasuredVoice
}

/** Rules feedback for a recording without a face: only presence and the voice can be judged. */
function feedback (voice: VoiceInput, language: Language = 'en'): Feedback {
  const { transcript, ...metrics } = voice
  const result = writeRulesFeedback(buildFacts(feedbackInputOf(computeFaceMetrics([]), 60, language, { voice: metrics, transcript })))
  const valid = validateFeedback(result, { durationS: 60, language })
  if (!valid.ok) throw new Error(valid.problems.join('; '))
  return result
}
const titles = (items: Array<{ title: string }>) => items.map((i) => i.title)

t.test('facts: rounding, long pauses on the unrounded length, mm:ss ranges', async (t) => {
  const v = measured({
    hasAudio: true,
    transcript: null,
    metrics: voiceMetrics((m) => {
      m.pauses = { count: 3, meanS: 1.987, longestS: 2.5, items: [{ startMs: 5_000, endMs: 6_960 }, { startMs: 20_000, endMs: 22_000 }, { startMs: 59_000, endMs: 61_500 }] }
    })
  })
  t.equal(v.syllablesPerMinute, 200)
  t.equal(v.syllablesPerMinuteSpeaking, 267)
  t.equal(v.speakingPercent, 75)
  t.equal(v.pauses.count, 3)
  t.equal(v.pauses.meanSeconds, 2)
  t.same(v.pauses.long.map((p) => [p.label, p.seconds]), [['00:20-00:22', 2]], '1.96 s is not long, nor 2.5 s of which 1 s is in the video')
  t.same([v.pauses.longest?.label, v.pauses.longest?.seconds], ['00:20-00:22', 2], 'the longest within the video')
  t.equal(v.pauses.longPerMinute, 1)
  t.same(v.pitch, { variabilitySemitones: 3, rangeSemitones: 8 })
  t.equal(v.loudnessVariationDb, 4)
})

t.test('facts: the pace language is the transcript\'s, else the feedback\'s', async (t) => {
  const m = voiceMetrics()
  t.same(measured({ hasAudio: true, metrics: m, transcript: null }, 'ko').paceRange, { min: 250, max: 350 })
  const fromKorean = measured({ hasAudio: true, metrics: m, transcript: transcript('ko', []) }, 'en')
  t.equal(fromKorean.language, 'ko')
  t.ok(fromKorean.languageFromTranscript)
  t.equal(fromKorean.transcript?.wordsPerMinuteRange, null, 'words per minute judged only in English')
  const empty = { ...transcript('ko', []), text: ' ' }
  t.equal(measured({ hasAudio: true, metrics: m, transcript: empty }, 'en').language, 'en', 'an empty transcript tells nothing')
  t.same(measured({ hasAudio: true, metrics: m, transcript: transcript('en', []) }, 'ko').paceRange, { min: 180, max: 250 })
})

t.test('facts: the most frequent fillers with their first mm:ss', async (t) => {
  const v = measured({ hasAudio: true, metrics: voiceMetrics(), transcript: transcript('en', [['uh', 9_000], ['um', 12_400], ['like', null], ['um', 3_100], ['uh', 40_000], ['you know', 50_000]]) })
  t.same(v.transcript?.fillers.top, [
    { word: 'uh', count: 2, first: '00:09' },
    { word: 'um', count: 2, first: '00:03' },
    { word: 'like', count: 1, first: null }
  ], 'by count, ties in order of appearance, at most 3; no time without word times')
})

t.test('facts: no audio, no metrics, no speech', async (t) => {
  t.same(buildVoiceFacts({ hasAudio: false, metrics: null, transcript: null }, 60, 'en'), { status: 'no-audio' })
  t.same(buildVoiceFacts({ hasAudio: true, metrics: null, transcript: null }, 60, 'en'), { status: 'not-analysed' })
  const silent = voiceMetrics((m) => Object.assign(m, { speechS: 0, speakingRatio: 0, syllables: 0 }))
  t.same(buildVoiceFacts({ hasAudio: true, metrics: silent, transcript: transcript('en', [['um', 0]]) }, 60, 'en'), { status: 'no-speech' })
  t.notMatch(describeFacts(buildFacts(feedbackInputOf(computeFaceMetrics([]), 60, 'en'))).join('\n'), /Voice|Pace/, 'no voice module given: no voice statements')
  t.same(voiceFacts(null, { durationS: 60, language: 'en', transcript: null }), { status: 'not-analysed' }, 'the voice stage did not run')
})

t.test('rules: everything in range is a strength, in the documented order', async (t) => {
  const f = feedback({ hasAudio: true, metrics: voiceMetrics(), transcript: transcript('en', [['um', 4_000]], 150) })
  t.same(titles(f.strengths), ['Comfortable speaking pace', 'Lively intonation', 'Few filler words', 'No long silences'])
  t.same(titles(f.improvements), ['Stay in the frame'], 'no face: presence is the one problem')
  t.match(f.summary, 'You were speaking 75% of the recording, at 200 syllables per minute overall (150 words per minute), with 2 pauses of 0.3 s or more.')
  t.match(f.summary, 'For your voice, the strongest point was your pace.')
})

t.test('rules: fast, monotone, long silences and many fillers are improvements, in the documented order', async (t) => {
  const voice: VoiceInput = {
    hasAudio: true,
    metrics: voiceMetrics((m) => {
      m.syllablesPerMinuteTotal = 268
      m.syllablesPerMinuteSpeaking = 301
      m.pitch.variabilitySemitones = 1.5
      m.pauses = { count: 3, meanS: 1.9, longestS: 2.6, items: [{ startMs: 5_000, endMs: 7_600 }, { startMs: 20_000, endMs: 22_100 }, { startMs: 40_000, endMs: 41_000 }] }
    }),
    transcript: transcript('en', [['um', 2_000], ['um', 3_000], ['like', 8_000], ['um', 9_000], ['uh', 11_000], ['um', 12_000]], 180)
  }
  const en = feedback(voice)
  t.same(titles(en.improvements), ['Stay in the frame', 'Slow down a little', 'Fewer filler words', 'Shorter silences'], 'presence, pace, fillers, pauses; intonation is the fifth, over the limit of 4')
  t.equal(en.improvements[1]!.evidence, 'You spoke at 268 syllables per minute over the whole recording, pauses included, faster than the 180-250 range for English (301 per minute while speaking); the transcript counts 180 words per minute, faster than the 130-170 range.')
  t.match(en.improvements[2]!.evidence, "6 per minute, more than the 5 per minute at which listeners notice them; most often 'um' (4 times, first at 00:02)")
  t.same(en.improvements[3]!.timestamps, ['00:05-00:07', '00:20-00:22'])
  t.match(en.improvements[3]!.suggestion, 'replay 00:05-00:07')
  t.match(en.summary, 'For your voice, the weakest point was your pauses.', 'the weakest voice point (2 long pauses a minute; fillers tie, pauses come first)')

  const ko = feedback(voice, 'ko')
  t.same(titles(ko.improvements), ['화면 안에 머무르기', '말하기 속도 늦추기', '습관어 줄이기', '긴 침묵 줄이기'])
  t.match(ko.improvements[1]!.evidence, '분당 268음절로 말해 영어 기준 적정 범위(분당 180~250음절)보다 빨랐습니다', 'the English transcript sets the range')
  t.match(ko.improvements[1]!.evidence, '전사문 기준으로는 분당 180단어로, 적정 범위(분당 130~170단어)보다 빨랐습니다.')
  t.match(ko.improvements[3]!.evidence, '그중 2초 이상인 것은 2번입니다(00:05-00:07, 00:20-00:22)')
})

t.test('rules: monotone intonation, and little speech explains a slow pace', async (t) => {
  const f = feedback({
    hasAudio: true,
    transcript: null,
    metrics: voiceMetrics((m) => {
      Object.assign(m, { speechS: 18, speakingRatio: 0.3, syllablesPerMinuteTotal: 80 })
      m.pitch.variabilitySemitones = 1.94
    })
  })
  t.same(titles(f.improvements), ['Stay in the frame', 'Fill your answers', 'Vary your intonation'], 'not "Pick up the pace": the silence is the point')
  t.match(f.improvements[1]!.evidence, 'you were speaking 30% of the recording, under the 40% of a well-filled answer.')
  t.match(f.improvements[2]!.evidence, 'Your pitch varied by 1.9 semitones (standard deviation; the middle 80% of it spanned 8 semitones), under the 2 semitones below which speech sounds monotone')
})

t.test('rules: a short recording gets rough figures, no voice items', async (t) => {
  const f = feedback({ hasAudio: true, transcript: null, metrics: voiceMetrics((m) => { m.durationS = 14.9 }) })
  t.same(titles(f.strengths), ['Recording in place'])
  t.match(f.summary, 'over a recording this short these are only rough figures.')
})
