/**
 * Where an analysis's derived files live in the artifacts bucket: all under one folder per
 * analysis, so the job, deletion and the sweeper agree and deleting them is deleting a prefix.
 *
 *   analyses/{id}/playback.webm (.mp4)                       the browser-ready copies
 *   analyses/{id}/timeline_overview.jpg                      the overview image
 *   analyses/{id}/events/{seq}/frame_{ms}.jpg                an event's thumbnail
 *   analyses/{id}/events/{seq}/frame_{ms}_annotated.jpg      the same moment, annotated
 */
export const ARTIFACTS_ROOT = 'analyses/'

export const artifactsPrefix = (analysisId: string): string => `${ARTIFACTS_ROOT}${analysisId}/`

export const overviewKey = (analysisId: string): string => `${artifactsPrefix(analysisId)}timeline_overview.jpg`

export const playbackKey = (analysisId: string, extension: string): string => `${artifactsPrefix(analysisId)}playback.${extension}`

export function eventPictureKeys (analysisId: string, seq: number, atMs: number): { thumbnail: string, annotated: string } {
  const base = `${artifactsPrefix(analysisId)}events/${seq}/frame_${atMs}`
  return { thumbnail: `${base}.jpg`, annotated: `${base}_annotated.jpg` }
}
