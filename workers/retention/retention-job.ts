import { type Database, runSql } from '../../core/db/database.ts';
import type { JobQueue } from '../../core/queue/job-queue.ts';
import { enqueueTranscode } from '../../core/queue/recording-jobs.ts';
import {
  findExpiredRecordings,
  findOrphanedRecordings,
  markRecordingDeleted,
  markRecordingProcessing,
} from '../../core/repositories/recordings.ts';
import { DEFAULT_RECORDING_RETENTION_DAYS } from '../../core/repositories/organizations.ts';
import { expireUnconnectedSessions } from '../../core/repositories/sessions.ts';
import { deletePrefix, type ObjectStorage } from '../../core/storage/object-storage.ts';
import { RECORDING_SAMPLE_RATE_HZ, chunkFrames } from '../../core/storage/recording-layout.ts';

export interface RetentionDeps {
  db: Database;
  storage: ObjectStorage;
  queue: JobQueue;
  onError?: (error: unknown) => void;
}

const BATCH = 100;
/** A recording still `recording` this long after its session ended lost its recorder (crash) and is recovered. */
const ORPHAN_AFTER_S = 120;

/**
 * One housekeeping pass: ends created sessions whose stream token expired unused (`never-connected`, freeing their
 * concurrency slots); deletes the media of recordings older than their organization's `recording_retention_days` and
 * marks them `deleted`; hands recordings whose recorder died mid-session to the transcoder with whatever chunks
 * reached storage. Safe to run concurrently and repeatedly: every step is idempotent.
 * @internal exported for its tests
 */
export async function runRetentionPass(deps: RetentionDeps): Promise<{ deleted: number; recovered: number; neverConnected: number }> {
  let neverConnected = 0;
  for (;;) {
    const ended = (await deps.db.system((trx) => runSql(trx, expireUnconnectedSessions({ batch: BATCH })))).length;
    neverConnected += ended;
    if (ended < BATCH) break;
  }

  let deleted = 0;
  for (;;) {
    const expired = await deps.db.system((trx) => findExpiredRecordings(trx, DEFAULT_RECORDING_RETENTION_DAYS, BATCH));
    for (const recording of expired) {
      await deletePrefix(deps.storage, recording.source_key);
      if (await deps.db.tenant(recording.org_id, (trx) => markRecordingDeleted(trx, recording.org_id, recording.id))) deleted++;
    }
    if (expired.length < BATCH) break;
  }

  let recovered = 0;
  const orphans = await deps.db.system((trx) => findOrphanedRecordings(trx, ORPHAN_AFTER_S, BATCH));
  for (const recording of orphans) {
    const chunks = await deps.storage.list(`${recording.source_key}chunks/`);
    const frames = chunks.reduce((sum, chunk) => sum + chunkFrames(chunk.sizeBytes), 0);
    const durationMs = Math.round((frames / RECORDING_SAMPLE_RATE_HZ) * 1000);
    const moved = await deps.db.tenant(recording.org_id, (trx) => markRecordingProcessing(trx, recording.org_id, recording.id, durationMs));
    if (moved) {
      await enqueueTranscode(deps.queue, { orgId: recording.org_id, sessionId: recording.session_id, recordingId: recording.id });
      recovered++;
    }
  }
  return { deleted, recovered, neverConnected };
}

/** Runs a pass now and then every `intervalS`; returns a function that stops it. */
export function scheduleRetention(deps: RetentionDeps, intervalS: number): () => void {
  let running = false;
  const pass = () => {
    if (running) return;
    running = true;
    runRetentionPass(deps)
      .catch((error) => deps.onError?.(error))
      .finally(() => {
        running = false;
      });
  };
  pass();
  const timer = setInterval(pass, intervalS * 1000);
  timer.unref();
  return () => clearInterval(timer);
}
