/** The voice's sentences in English (the shape is phrases.ts). */
import { labels, longest } from '../../../feedback/aspect.js'
import { EXPRESSIVE_PITCH_SEMITONES, FILLERS_PER_MINUTE, LONG_PAUSE_SECONDS, MIN_PAUSE_MS, MIN_SPEAKING_PERCENT, PACE_WORDS_PER_MINUTE_EN, type Range } from '../thresholds.js'
import type { VoicePhrases } from './phrases.js'

/** The shortest pause counted, in seconds. */
const P = MIN_PAUSE_MS / 1000
const times = (n: number) => `${n} time${n === 1 ? '' : 's'}`
const span = (r: Range) => `${r.min}-${r.max}`

export const EN: VoicePhrases = {
  languageName: { en: 'English', ko: 'Korean' },
  name: { pace: 'your pace', pauses: 'your pauses', intonation: 'your intonation', fillers: 'your filler words' },
  summary: {
    noAudio: 'The video has no audio track, so your voice was not analysed.',
    notAnalysed: 'Your voice was not analysed for this recording.',
    noSpeech: 'No speech was detected in the audio track, so your voice was not analysed; check that your microphone is on and picks up your voice.',
    measures: (v) => `You were speaking ${v.speakingPercent}% of the recording, at ${v.syllablesPerMinute} syllables per minute overall` +
      (v.transcript ? ` (${v.transcript.wordsPerMinute} words per minute)` : '') +
      (v.pauses.count ? `, with ${v.pauses.count} pause${v.pauses.count === 1 ? '' : 's'} of ${P} s or more` : `, with no pause of ${P} s or more`) +
      (v.pauses.long.length ? ` (${v.pauses.long.length} of ${LONG_PAUSE_SECONDS} s or more)` : '') +
      (v.ratesReliable ? '.' : '; over a recording this short these are only rough figures.'),
    bestWorst: (best, worst) => best && worst
      ? `For your voice, the strongest point was ${best} and the weakest ${worst}.`
      : best ? `For your voice, the strongest point was ${best}.` : `For your voice, the weakest point was ${worst}.`
  },
  pace: {
    title: { good: 'Comfortable speaking pace', fast: 'Slow down a little', slow: 'Pick up the pace', mixed: 'Check your speaking pace', within: 'Keep a steady pace' },
    evidence: (v, where, wordsWhere) => {
      const relation = { within: 'within', fast: 'faster than', slow: 'slower than' }
      const t = v.transcript
      return `You spoke at ${v.syllablesPerMinute} syllables per minute over the whole recording, pauses included, ${relation[where]} the ${span(v.paceRange)} range for ${EN.languageName[v.language]}` +
        ` (${v.syllablesPerMinuteSpeaking} per minute while speaking)` +
        (t ? `; the transcript counts ${t.wordsPerMinute} words per minute` + (wordsWhere && t.wordsPerMinuteRange ? `, ${relation[wordsWhere]} the ${span(t.wordsPerMinuteRange)} range` : '') : '') + '.'
    },
    target: (v) => v.language === 'en'
      ? `about ${span(PACE_WORDS_PER_MINUTE_EN)} words (${span(v.paceRange)} syllables) per minute`
      : `${span(v.paceRange)} syllables per minute`,
    suggestion: {
      fast: (target) => `Take a breath at the end of each sentence and pause for a beat after your main point; rehearse one answer aloud with a timer, aiming for ${target}.`,
      slow: (target) => `Prepare the opening sentence of each answer so you start without hesitating, and keep your sentences short; rehearse one answer aloud with a timer, aiming for ${target}.`,
      mixed: (target) => `Rehearse one answer aloud with a timer, aiming for ${target}.`,
      within: (target) => `Nerves tend to speed you up in the interview itself: take a breath before each answer to stay at ${target}.`
    }
  },
  pauses: {
    good: 'No long silences',
    poorLong: 'Shorter silences',
    poorLittle: 'Fill your answers',
    poor: 'Keep silences short',
    evidence: (v) => {
      const p = v.pauses
      const shown = longest(p.long)
      return (p.longest
        ? `You paused ${times(p.count)} for ${P} s or more while speaking (${p.meanSeconds} s on average, the longest ${p.longest.seconds} s at ${p.longest.label})`
        : `You made no pause of ${P} s or more while speaking`) +
        (p.long.length
          ? `; ${p.long.length} of them lasted ${LONG_PAUSE_SECONDS} s or more (${labels(shown).join(', ')}${shown.length < p.long.length ? `, the longest ${shown.length}` : ''})`
          : p.count ? `, none of them ${LONG_PAUSE_SECONDS} s or more` : '') +
        `; you were speaking ${v.speakingPercent}% of the recording` +
        (v.speakingPercent < MIN_SPEAKING_PERCENT ? `, under the ${MIN_SPEAKING_PERCENT}% of a well-filled answer.` : '.')
    },
    suggestionLong: (first) => "When you need time to think, say so in a few words ('Let me think about that for a moment') or restate the question, then carry on" +
      (first ? `; replay ${first} to see where you lost the thread.` : '.'),
    suggestionLittle: 'Give each answer a full shape: your point, one concrete example and what it shows, so you speak for most of your time; if you spoke more than this, check that the microphone picks up your voice.',
    suggestion: 'Keep pauses to a breath between sentences, and when you need longer to think, say so in a few words before you go on.'
  },
  intonation: {
    good: 'Lively intonation',
    poor: 'Vary your intonation',
    evidence: (v, pitch, where) => `Your pitch varied by ${pitch.variabilitySemitones} semitones (standard deviation; the middle 80% of it spanned ${pitch.rangeSemitones} semitones), ` + {
      below: `under the ${EXPRESSIVE_PITCH_SEMITONES.min} semitones below which speech sounds monotone`,
      within: `within the ${span(EXPRESSIVE_PITCH_SEMITONES)} semitones typical of expressive speech`,
      above: `livelier than the ${span(EXPRESSIVE_PITCH_SEMITONES)} semitones typical of expressive speech`
    }[where] + `; your loudness varied by ${v.loudnessVariationDb} dB between syllables.`,
    suggestion: "Mark the one or two words that carry each answer's point and let your voice rise on them; record yourself telling a friend a short story and play it back to hear the difference."
  },
  fillers: {
    good: 'Few filler words',
    poor: 'Fewer filler words',
    evidence: (t) => {
      const f = t.fillers
      if (f.count === 0) return 'The transcript has no filler words (0 per minute).'
      return `The transcript has ${f.count} filler word${f.count === 1 ? '' : 's'}, ${f.perMinute} per minute` +
        (f.perMinute > FILLERS_PER_MINUTE.poor ? `, more than the ${FILLERS_PER_MINUTE.poor} per minute at which listeners notice them` : '') +
        (f.top.length ? `; most often ${f.top.map((w) => `'${w.word}' (${times(w.count)}${w.first ? `, first at ${w.first}` : ''})`).join(', ')}.` : '.')
    },
    suggestion: (word, first) => word
      ? `When you feel '${word}' coming, close your mouth and pause silently instead: a short silence sounds more confident than a filler` + (first ? `; replay ${first} to hear it.` : '.')
      : 'Keep pausing silently instead of filling gaps with sounds: a short silence sounds more confident than a filler.'
  }
}
