/**
 * Progress of a dataset run: on a terminal two live bars (cli-progress), extraction in videos
 * with the current video's frames, and upload in bytes with files done; otherwise (a log, a
 * pipe, a test) plain lines: one per video and file, and every 25 % of a long video.
 */
import cliProgress from 'cli-progress'
import { formatBytes } from '../format.js'

export interface RunProgress {
  /** Videos this run will extract. */
  extractTotal (videos: number): void
  videoStart (video: string): void
  videoFrames (video: string, done: number, total: number): void
  videoEnd (video: string, summary: string): void
  /** A file queued for upload (or for the check that it is already there). */
  uploadAdd (file: string, bytes: number): void
  uploadBytes (file: string, loaded: number): void
  uploadEnd (file: string, summary: string): void
  /** Any other line for the person running it. */
  log (line: string): void
  stop (): void
}

export function createProgress (stream: NodeJS.WriteStream = process.stderr, options: { tty?: boolean } = {}): RunProgress {
  return (options.tty ?? stream.isTTY) ? new BarProgress(stream) : new LineProgress((line) => stream.write(`${line}\n`))
}

/** Plain lines, for logs and tests. */
export class LineProgress implements RunProgress {
  private readonly marks = new Map<string, number>()
  private total = 0
  private started = 0

  constructor (private readonly write: (line: string) => void) {}

  extractTotal (videos: number): void { this.total = videos }
  videoStart (video: string): void {
    this.started++
    this.marks.set(video, 0)
    this.write(`extract ${this.started}/${this.total} ${video}`)
  }

  videoFrames (video: string, done: number, total: number): void {
    if (total <= 0) return
    const quarter = Math.floor((done / total) * 4)
    if (quarter > (this.marks.get(video) ?? 0) && quarter < 4) {
      this.marks.set(video, quarter)
      this.write(`extract ${video} ${quarter * 25}% (${done}/${total} frames)`)
    }
  }

  videoEnd (video: string, summary: string): void {
    this.marks.delete(video)
    this.write(`extract ${video}: ${summary}`)
  }

  uploadAdd (): void {}
  uploadBytes (): void {}
  uploadEnd (file: string, summary: string): void { this.write(`upload ${file}: ${summary}`) }
  log (line: string): void { this.write(line) }
  stop (): void {}
}

/** Two bars on a terminal; other lines are printed above them. */
class BarProgress implements RunProgress {
  private readonly multi: cliProgress.MultiBar
  private extract: cliProgress.SingleBar | null = null
  private upload: cliProgress.SingleBar | null = null
  private readonly current = new Map<string, { done: number, total: number }>()
  private readonly uploading = new Map<string, { loaded: number, bytes: number }>()
  private uploadBytesTotal = 0
  private uploadBytesDone = 0
  private filesTotal = 0
  private filesDone = 0

  constructor (stream: NodeJS.WriteStream) {
    this.multi = new cliProgress.MultiBar({
      stream, hideCursor: true, clearOnComplete: false, fps: 5, autopadding: true,
      format: '{label} |{bar}| {percentage}% {detail}'
    }, cliProgress.Presets.shades_classic)
  }

  extractTotal (videos: number): void {
    if (videos === 0) return
    this.extract = this.multi.create(videos, 0, { label: 'extract', detail: `0/${videos} videos` })
  }

  private showExtract (): void {
    if (!this.extract) return
    const total = this.extract.getTotal()
    const value = Math.min(total, this.finished + [...this.current.values()].reduce((sum, c) => sum + (c.total > 0 ? c.done / c.total : 0), 0))
    const names = [...this.current.entries()].map(([name, c]) => `${name} ${c.done}/${c.total || '?'} frames`).join(', ')
    this.extract.update(value, { detail: `${this.finished}/${total} videos${names ? ` | ${names}` : ''}` })
  }

  private finished = 0
  videoStart (video: string): void {
    this.current.set(video, { done: 0, total: 0 })
    this.showExtract()
  }

  videoFrames (video: string, done: number, total: number): void {
    this.current.set(video, { done, total })
    this.showExtract()
  }

  videoEnd (video: string, summary: string): void {
    this.current.delete(video)
    this.finished++
    this.multi.log(`extract ${video}: ${summary}\n`)
    this.showExtract()
  }

  private showUpload (): void {
    if (!this.upload) this.upload = this.multi.create(1, 0, { label: 'upload ', detail: '' })
    const loaded = this.uploadBytesDone + [...this.uploading.values()].reduce((sum, u) => sum + u.loaded, 0)
    this.upload.setTotal(Math.max(1, this.uploadBytesTotal))
    this.upload.update(Math.min(loaded, Math.max(1, this.uploadBytesTotal)), {
      detail: `${this.filesDone}/${this.filesTotal} files | ${formatBytes(loaded)} / ${formatBytes(this.uploadBytesTotal)}`
    })
  }

  uploadAdd (file: string, bytes: number): void {
    this.filesTotal++
    this.uploadBytesTotal += bytes
    this.uploading.set(file, { loaded: 0, bytes })
    this.showUpload()
  }

  uploadBytes (file: string, loaded: number): void {
    const u = this.uploading.get(file)
    if (u) u.loaded = Math.min(loaded, u.bytes)
    this.showUpload()
  }

  uploadEnd (file: string, summary: string): void {
    const u = this.uploading.get(file)
    this.uploading.delete(file)
    this.filesDone++
    this.uploadBytesDone += u?.bytes ?? 0
    this.multi.log(`upload ${file}: ${summary}\n`)
    this.showUpload()
  }

  log (line: string): void { this.multi.log(`${line}\n`) }
  stop (): void {
    // Lines logged since the last redraw are only written by a redraw: flush them first.
    this.multi.update()
    this.multi.stop()
  }
}
