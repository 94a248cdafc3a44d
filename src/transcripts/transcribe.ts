/**
 * The optional transcript: the audio track as a small 16 kHz mono file (media/audio.ts) sent
 * to an OpenAI-compatible speech-to-text endpoint (`audio.transcriptions.create`, verbose JSON
 * with word timestamps), then words per minute and filler words. No API key: null, the
 * transcript is skipped (never made up). A failed request: TranscriptError, whose message says
 * what went wrong in one sentence for the caller to store ("transcript failed: <message>").
 */
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import type OpenAI from 'openai';
import { APIConnectionError, APIConnectionTimeoutError, APIError, toFile } from 'openai'
import type { Config } from '../config.js'
import { probeAudio, uploadFormat, writeSpeechFile } from '../media/audio.js'
import type { AudioInfo, ToolPaths } from '../media/ffprobe.js'
import { openAiClient, requestDeadlineMs, DEFAULT_BASE_URL } from '../llm-client.js'
import { countFillers, fillerLanguage, type FillerCount, type FillerLanguage, type TimedWord } from '../signals/voice/engine/fillers.js'


export interface TranscriptWord { word: string, startMs: number, endMs: number }

export interface Transcript {
  text: string
  /** As the service reports it (OpenAI: "english", "korean", ...). */
  language: string
  /** Word timings; empty when the service ignores the word granularity. */
  words: TranscriptWord[]
  /** Words per minute of the whole recording. */
  wordsPerMinute: number
  /** Which filler list was used: the detected language's, or by script for other languages. */
  fillerLanguage: FillerLanguage
  fillers: FillerCount
}

export class TranscriptError extends Error {
  constructor (message: string) {
    super(message)
    this.name = 'TranscriptError'
  }
}

export interface TranscribeSettings {
  llm: Config['llm']
  voice: Config['voice']
  /** Folder for the temporary upload file (default: the system's). */
  tmpDir?: string
  /** The audio track as the job's probe saw it (MediaProbe.audio); probed here when not given. */
  audio?: AudioInfo
}

/** A transcript as stored beside the analysis (and shown in voice_analysis). */
export interface StoredTranscript {
  model: string
  language: string | null
  text: string
  words: Transcript['words']
  wordsPerMinute: number | null
  fillers: Transcript['fillers']
}

/** Transcribes the file's audio; null when no API key is configured or the file has no audio. */
export async function transcribe (file: string, tools: ToolPaths, settings: TranscribeSettings): Promise<Transcript | null> {
  const { llm, voice } = settings
  if (!llm.apiKey) return null
  const audio = settings.audio ?? await probeAudio(file, tools)
  if (!audio.hasAudio) return null

  const format = uploadFormat(audio.durationS)
  if (settings.tmpDir) await fs.mkdir(settings.tmpDir, { recursive: true })
  const dir = await fs.mkdtemp(path.join(settings.tmpDir ?? os.tmpdir(), 'candor-speech-'))
  try {
    const upload = path.join(dir, `speech.${format}`)
    await writeSpeechFile(file, upload, format, tools)
    const body = await toFile(await fs.readFile(upload), `speech.${format}`, { type: format === 'wav' ? 'audio/wav' : 'audio/ogg' })
    const { client, attempts } = openAiClient(llm)
    // The client's timeout ends at the response headers; this bounds the whole call.
    const deadlineMs = requestDeadlineMs(llm)
    const deadline = AbortSignal.timeout(deadlineMs)
    let reply: OpenAI.Audio.TranscriptionVerbose
    try {
      reply = await client.audio.transcriptions.create({
        file: body,
        model: voice.transcribeModel,
        response_format: 'verbose_json',
        timestamp_granularities: ['word']
      }, { signal: deadline })
    } catch (error) {
      if (deadline.aborted) throw new TranscriptError(`the speech-to-text request timed out: no complete reply within ${deadlineMs} ms`)
      throw new TranscriptError(describeError(error, attempts(), llm))
    }
    return readTranscript(reply, audio.durationS, voice.fillerWords)
  } finally {
    await fs.rm(dir, { recursive: true, force: true })
  }
}

/** The service's verbose JSON as a Transcript (pure; exported for tests). */
export function readTranscript (reply: Pick<OpenAI.Audio.TranscriptionVerbose, 'text' | 'language' | 'duration' | 'words'>, durationS: number, fillerWords: Config['voice']['fillerWords']): Transcript {
  if (typeof reply?.text !== 'string') throw new TranscriptError('the speech-to-text service answered without a transcript text')
  const text = reply.text.trim()
  const language = typeof reply.language === 'string' ? reply.language : ''
  const words: TranscriptWord[] = (Array.isArray(reply.words) ? reply.words : [])
    .filter((w) => typeof w?.word === 'string' && Number.isFinite(w.start) && Number.isFinite(w.end))
    .map((w) => ({ word: w.word.trim(), startMs: Math.round(w.start * 1000), endMs: Math.round(w.end * 1000) }))
    .filter((w) => w.word !== '')
  // Without word times (a server that ignores the granularity) the text's words still count.
  const timed: TimedWord[] = words.length > 0
    ? words.map((w) => ({ word: w.word, startMs: w.startMs }))
    : text.split(/\s+/).filter(Boolean).map((word) => ({ word, startMs: null }))
  const minutes = (reply.duration > 0 ? reply.duration : durationS) / 60
  const chosen = fillerLanguage(language, text)
  return {
    text,
    language,
    words,
    wordsPerMinute: minutes > 0 ? Math.round((timed.length / minutes) * 10) / 10 : 0,
    fillerLanguage: chosen,
    fillers: countFillers(timed, fillerWords[chosen], minutes)
  }
}

const oneLine = (text: string, max = 200) => {
  const flat = text.replace(/\s+/g, ' ').trim()
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat
}

/** A transport or API error as one sentence, without stack or secrets. */
function describeError (error: unknown, attempts: number, llm: Config['llm']): string {
  const tries = `${Math.max(attempts, 1)} attempt${attempts === 1 ? '' : 's'}`
  if (error instanceof APIConnectionTimeoutError) return `the speech-to-text request timed out after ${llm.timeoutMs} ms (${tries})`
  if (error instanceof APIConnectionError) {
    const cause = (error as { cause?: { cause?: { code?: string }, code?: string, message?: string } }).cause
    const detail = cause?.cause?.code ?? cause?.code ?? cause?.message ?? error.message
    return `could not connect to the speech-to-text service at ${new URL(llm.baseUrl ?? DEFAULT_BASE_URL).host} (${oneLine(detail, 80)}) after ${tries}`
  }
  // The client's message starts with the HTTP status ("500 the server's message").
  if (error instanceof APIError) return `the speech-to-text service answered with an error: ${oneLine(error.message)} (${tries})`
  return `the speech-to-text request failed: ${oneLine(error instanceof Error ? error.message : String(error))}`
}
