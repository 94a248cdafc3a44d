/** Sizes for messages a person reads: 512 B, 300.0 KiB, 1.6 MiB, 2.00 GiB. */
export function formatBytes (bytes: number): string {
  if (bytes < 1024) return `${bytes} B`
  if (bytes < 1024 ** 2) return `${(bytes / 1024).toFixed(1)} KiB`
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)} MiB`
  return `${(bytes / 1024 ** 3).toFixed(2)} GiB`
}

/** Durations for messages a person reads: 45s, 20min, 1h, 10.5h. */
export function formatDuration (seconds: number): string {
  if (seconds >= 3600 && seconds % 3600 === 0) return `${seconds / 3600}h`
  if (seconds >= 3600) return `${(seconds / 3600).toFixed(1)}h`
  if (seconds >= 60) return `${Math.round(seconds / 60)}min`
  return `${Math.round(seconds)}s`
}

/** A 0..1 share as a percentage for a person: 0.4567 -> "45.7 %". */
export function percent (ratio: number): string {
  return `${(ratio * 100).toFixed(1)} %`
}

/** Milliseconds as seconds for a person: 1234 -> "1.2 s". */
export function seconds (ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`
}
