/** The voice's section of GET /analysis/:id and its frames in /frames?kind=voice. */
import { Type } from 'typebox'
import { Nullable } from '../../schemas/common.js'
import { round } from '../../numbers.js'
import type { SignalView } from '../contract.js'
import type { VoiceFrame } from './engine/index.js'
import type { VoiceSummary } from './summary.js'

export const voiceView: SignalView<VoiceFrame, VoiceSummary> = {
  fields: {
    voice_analysis: Type.Object({
      has_audio: Type.Boolean(),
      note: Nullable(Type.String({ description: 'Why voice was not analysed (e.g. no audio track)' })),
      speaking_ratio: Nullable(Type.Number({ minimum: 0, maximum: 1, description: 'Share of the recording with speech' })),
      syllables: Nullable(Type.Integer()),
      syllables_per_minute: Nullable(Type.Number({ description: 'Over speaking time (articulation rate)' })),
      syllables_per_minute_total: Nullable(Type.Number({ description: 'Over the whole recording' })),
      pauses: Nullable(Type.Object({ count: Type.Integer(), mean_s: Type.Number(), longest_s: Type.Number() })),
      loudness: Nullable(Type.Object({ mean_db: Type.Number(), variation_db: Type.Number() })),
      pitch: Nullable(Type.Object({
        median_hz: Nullable(Type.Number()),
        range_semitones: Nullable(Type.Number()),
        variability_semitones: Nullable(Type.Number({ description: 'Low means monotone' }))
      })),
      transcript: Nullable(Type.Object({
        language: Nullable(Type.String()),
        words: Type.Integer(),
        words_per_minute: Nullable(Type.Number()),
        filler_count: Type.Integer(),
        fillers_per_minute: Type.Number(),
        text: Type.String()
      }, { description: 'Only when a speech-to-text API is configured' }))
    })
  },
  render: (voice, { transcript, transcriptError }) => {
    const v = voice.metrics
    const minutes = v ? v.durationS / 60 : 0
    return {
      voice_analysis: {
        has_audio: voice.hasAudio,
        note: !voice.hasAudio ? 'no audio track: voice not analysed' : transcriptError,
        speaking_ratio: v ? round(v.speakingRatio, 3) : null,
        syllables: v ? v.syllables : null,
        syllables_per_minute: v ? round(v.syllablesPerMinuteSpeaking, 1) : null,
        syllables_per_minute_total: v ? round(v.syllablesPerMinuteTotal, 1) : null,
        pauses: v ? { count: v.pauses.count, mean_s: round(v.pauses.meanS, 2), longest_s: round(v.pauses.longestS, 2) } : null,
        loudness: v ? { mean_db: round(v.loudness.meanDb, 1), variation_db: round(v.loudness.variationDb, 1) } : null,
        pitch: v ? { median_hz: v.pitch.medianHz, range_semitones: v.pitch.rangeSemitones, variability_semitones: v.pitch.variabilitySemitones } : null,
        transcript: transcript && {
          language: transcript.language,
          words: transcript.words.length,
          words_per_minute: transcript.wordsPerMinute,
          filler_count: transcript.fillers.count,
          fillers_per_minute: minutes > 0 ? round(transcript.fillers.count / minutes, 1) : 0,
          text: transcript.text
        }
      }
    }
  },
  frameDescription: 'voice: one per second of audio (speech share, loudness, pitch, syllables)',
  frameSchema: Type.Object({
    t_ms: Type.Number({ description: 'Start of the second' }),
    speech: Type.Number({ minimum: 0, maximum: 1, description: 'Share of the second with speech' }),
    loudness_db: Nullable(Type.Number()),
    pitch_hz: Nullable(Type.Number()),
    syllables: Type.Integer()
  }),
  renderFrame: (frame) => ({ t_ms: frame.t, speech: frame.speech, loudness_db: frame.loudnessDb, pitch_hz: frame.pitchHz, syllables: frame.syllables })
}
