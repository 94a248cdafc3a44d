/**
 * One sweep: finishes deletions that died half-way, applies retention (RETENTION_DAYS), and
 * removes what no analysis owns any more: artifact folders analyses/{id}/ in the artifacts
 * bucket and MongoDB frames whose analysis has no row (left by a job that ran on after its
 * analysis was deleted, or by a deletion interrupted before it was marked). Scheduling and the
 * one-sweeper-at-a-time lease are in src/queue/sweeper.ts; `npm run sweep` runs one by hand.
 *
 * Nothing younger than the grace is touched: an analysis's row always exists before anything
 * is written for it, so an orphan recently written is only ever a job racing its deletion (or
 * clocks disagreeing), and waiting costs nothing.
 */
import type { Logger } from '../logger.js'
import { StorageError } from '../storage/object-storage.js'
import { ARTIFACTS_ROOT, artifactsPrefix } from '../storage/artifact-keys.js'
import { abortExpiredUploads } from '../services/uploads.js'
import { deleteAnalysis, finishDeletion, DeletionIncomplete, type DeletionDeps } from '../services/deletion.js'

/** How old an orphan, or a deletion mark, must be before the sweeper acts on it. */
export const DEFAULT_GRACE_MS = 15 * 60_000

const PAGE = 200
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

export interface SweepOptions {
  /** config.retention.days: analyses created longer ago are deleted; unset keeps them. */
  retentionDays?: number
  graceMs?: number
  now?: () => number
}

export interface SweepCounts {
  /** Deletions marked but unfinished, finished now. */
  finished: number
  /** Analyses deleted by retention (of which `expiredSources` with their uploaded recording). */
  expired: number
  expiredSources: number
  /** Uploads whose URLs expired before they were completed, aborted now. */
  expiredUploads: number
  orphanFolders: number
  orphanFrames: number
  /** Analyses whose deletion (or uploads whose abort) failed this time; the next sweep tries again. */
  failed: number
}

export async function sweepOnce (deps: DeletionDeps, options: SweepOptions = {}): Promise<SweepCounts> {
  const graceMs = options.graceMs ?? DEFAULT_GRACE_MS
  const now = options.now ?? Date.now
  const log = deps.logger.child({ component: 'sweeper' })
  const counts: SweepCounts = { finished: 0, expired: 0, expiredSources: 0, expiredUploads: 0, orphanFolders: 0, orphanFrames: 0, failed: 0 }
  const attempt = async (id: string, run: () => Promise<unknown>): Promise<boolean> => {
    try {
      return Boolean(await run())
    } catch (error) {
      if (!(error instanceof DeletionIncomplete)) throw error
      log.warn({ err: error.cause, analysisId: id, step: error.step }, 'deletion incomplete; the next sweep tries again')
      counts.failed++
      return false
    }
  }

  // Marked, not finished: an API process died or a store failed mid-way. Each page is read
  // again until it is short or nothing went; a failing one stays for the next sweep.
  for (;;) {
    const ids = await deps.analyses.listMarkedDeleted(graceMs, PAGE)
    let done = 0
    for (const id of ids) if (await attempt(id, () => finishDeletion(id, deps))) done++
    counts.finished += done
    if (ids.length < PAGE || done === 0) break
  }

  if (options.retentionDays !== undefined) {
    for (;;) {
      const ids = await deps.analyses.listExpired(options.retentionDays, PAGE)
      let deleted = 0
      for (const id of ids) {
        // The recording goes only when Candor took the upload and nothing else uses it.
        const deleteSource = await deps.analyses.ownsUploadedSource(id)
        if (await attempt(id, () => deleteAnalysis(id, { deleteSource }, deps))) {
          deleted++
          if (deleteSource) counts.expiredSources++
        }
      }
      counts.expired += deleted
      // A failed one stays marked (no longer listed here): the loop ends once pages run out.
      if (ids.length < PAGE || deleted === 0) break
    }
  }

  // Uploads whose URLs expired unfinished: their parts or partial object go, the row says aborted.
  const uploads = await abortExpiredUploads({ uploads: deps.uploads, storage: deps.storage }, { graceMs, now: now() })
  counts.expiredUploads = uploads.aborted
  counts.failed += uploads.failed
  counts.orphanFolders = await sweepArtifactFolders(deps, now() - graceMs, log)
  counts.orphanFrames = await sweepFrames(deps, now() - graceMs)
  if (counts.finished + counts.expired + counts.expiredUploads + counts.orphanFolders + counts.orphanFrames + counts.failed > 0) log.info({ counts }, 'sweep done')
  return counts
}

/** Folders analyses/{id}/ whose analysis has no row and whose newest object is older than the cut-off. */
async function sweepArtifactFolders (deps: DeletionDeps, cutoff: number, log: Logger): Promise<number> {
  let removed = 0
  const check = async (ids: string[]) => {
    const rows = await deps.analyses.rowStates(ids)
    for (const id of ids) {
      if (rows.has(id)) continue // live, or marked: its deletion removes the folder
      const prefix = artifactsPrefix(id)
      let newest = 0
      // An object without a date counts as new: never removed on a guess.
      for await (const object of deps.storage.listKeys(deps.artifactsBucket, prefix)) newest = Math.max(newest, object.lastModified?.getTime() ?? Infinity)
      if (newest >= cutoff) continue
      await deps.storage.deletePrefix(deps.artifactsBucket, prefix)
      log.info({ analysisId: id }, 'orphaned artifact folder removed')
      removed++
    }
  }
  let batch: string[] = []
  try {
    for await (const folder of deps.storage.listFolders(deps.artifactsBucket, ARTIFACTS_ROOT)) {
      const id = folder.slice(ARTIFACTS_ROOT.length, -1)
      if (!UUID.test(id)) continue // not an analysis's folder: never ours to remove
      batch.push(id)
      if (batch.length === PAGE) { await check(batch); batch = [] }
    }
  } catch (error) {
    // No artifacts bucket yet: nothing was ever stored there.
    if (error instanceof StorageError && error.code === 'bucket_not_found') return removed
    throw error
  }
  await check(batch)
  return removed
}

/** Frames of analyses that have no row, last written before the cut-off (or before write times were kept). */
async function sweepFrames (deps: DeletionDeps, cutoff: number): Promise<number> {
  let removed = 0
  const check = async (batch: Array<{ analysisId: string, lastWrite: Date | null }>) => {
    const rows = await deps.analyses.rowStates(batch.map((b) => b.analysisId))
    for (const { analysisId, lastWrite } of batch) {
      if (rows.has(analysisId) || (lastWrite && lastWrite.getTime() >= cutoff)) continue
      await deps.frames.deleteAnalysis(analysisId)
      deps.logger.info({ component: 'sweeper', analysisId }, 'orphaned frames removed')
      removed++
    }
  }
  // The aggregation groups every bucket before its first answer, so deleting as it is read
  // cannot make it skip an id.
  let batch: Array<{ analysisId: string, lastWrite: Date | null }> = []
  for await (const stored of deps.frames.listAnalyses()) {
    batch.push(stored)
    if (batch.length === PAGE) { await check(batch); batch = [] }
  }
  await check(batch)
  return removed
}
