import type { Database } from '../../core/db/database.ts';
import { transcodeSecondsPerRecordingMinute } from '../../core/metrics/worker-metrics.ts';
import type { JobContext, JobData, JobQueue } from '../../core/queue/job-queue.ts';
import { RECORDING_QUEUES } from '../../core/queue/recording-jobs.ts';
import { getRecording, markRecordingFailed, markRecordingReady, markRecordingSkipped, type RecordingRow } from '../../core/repositories/recordings.ts';
import { EmptyRecordingError, PermanentTranscodeError, type Transcoder } from './transcoder.ts';

export interface TranscodeWorkerDeps {
  db: Database;
  queue: JobQueue;
  transcoder: Transcoder;
  concurrency?: number;
  onError?: (error: unknown, context: Record<string, unknown>) => void;
}

/**
 * Consumes the recording queues. Both handlers are idempotent: a segment or a finished recording is rebuilt from
 * the stored chunks under the same keys, and the status only moves forward (a ready or deleted recording is left
 * alone), so a job that runs twice, or again after its worker was killed, yields the same objects and one event.
 */
export async function startTranscodeWorker(deps: TranscodeWorkerDeps): Promise<void> {
  const load = (data: JobData) => {
    const orgId = String(data.orgId);
    return deps.db.tenant(orgId, (trx) => getRecording(trx, orgId, String(data.recordingId)));
  };

  await deps.queue.work(
    RECORDING_QUEUES.segment,
    async (data) => {
      const recording = await load(data);
      if (!recording || (recording.status !== 'recording' && recording.status !== 'processing')) return;
      try {
        await deps.transcoder.encodeSegmentEarly(recording.source_key, Number(data.seq));
      } catch (error) {
        // Another attempt would fail the same way; the final transcode encodes what is missing and decides.
        if (!(error instanceof PermanentTranscodeError)) throw error;
        deps.onError?.(error, { recording_id: recording.id, seq: data.seq, permanent: true });
      }
    },
    { concurrency: deps.concurrency ?? 1 },
  );

  await deps.queue.work(
    RECORDING_QUEUES.transcode,
    async (data, context) => {
      const recording = await load(data);
      if (!recording || recording.status === 'ready' || recording.status === 'deleted') return;
      await transcode(deps, recording, context);
    },
    { concurrency: 1 },
  );
}

async function transcode(deps: TranscodeWorkerDeps, recording: RecordingRow, context: JobContext): Promise<void> {
  try {
    const startedAt = performance.now();
    const result = await deps.transcoder.finalize(recording.source_key);
    if (result.durationMs > 0) transcodeSecondsPerRecordingMinute.observe((performance.now() - startedAt) / 1000 / (result.durationMs / 60_000));
    await deps.db.tenant(recording.org_id, (trx) => markRecordingReady(trx, recording, result));
  } catch (error) {
    if (error instanceof EmptyRecordingError) {
      await deps.db.tenant(recording.org_id, (trx) => markRecordingSkipped(trx, recording, error.message));
      return;
    }
    const permanent = error instanceof PermanentTranscodeError;
    deps.onError?.(error, { recording_id: recording.id, attempt: context.attempt, permanent });
    if (!permanent && context.attempt < context.maxAttempts) throw error;
    const reason = permanent ? (error as Error).message : `Transcoding failed after ${context.attempt} attempts: ${(error as Error).message}`;
    await deps.db.tenant(recording.org_id, (trx) => markRecordingFailed(trx, recording, reason));
  }
}
