/**
 * A session's recording from start to hand-off: creates the `recordings` row (status `recording`), runs a Recorder,
 * asks the workers to encode HLS segments while the session is still going, and on `finish` marks the row
 * `processing` and enqueues the final transcode — or, when no audio at all was recorded, `skipped` with the reason and
 * no transcode. Start it only when the assistant has `recording_enabled`.
 *
 *   const recording = await startSessionRecording({ db, storage, queue }, { orgId, sessionId, sampleRateHz: 16000 });
 *   recording.writeUser(pcm, atMs); recording.writeAssistant(pcm, atMs);
 *   await recording.finish(sessionDurationMs);
 */
import type { Database } from '../../core/db/database.ts';
import type { JobQueue } from '../../core/queue/job-queue.ts';
import { enqueueSegment, enqueueTranscode, type RecordingJobRef } from '../../core/queue/recording-jobs.ts';
import { createRecording, getRecording, markRecordingFailed, markRecordingProcessing, markRecordingSkipped } from '../../core/repositories/recordings.ts';
import type { ObjectStorage } from '../../core/storage/object-storage.ts';
import { RECORDING_CHANNELS, RECORDING_SAMPLE_RATE_HZ, recordingPrefix } from '../../core/storage/recording-layout.ts';
import { Recorder, type RecordingResult } from './recorder.ts';

export interface SessionRecordingDeps {
  db: Database;
  storage: ObjectStorage;
  queue: JobQueue;
  onError?: (error: unknown) => void;
}

export interface SessionRecordingOptions {
  orgId: string;
  sessionId: string;
  sampleRateHz: number;
  userSampleRateHz?: number;
  assistantSampleRateHz?: number;
  /** Encode segments during the session (fast time to playable); off, everything is encoded at the end. */
  progressive?: boolean;
}

export interface SessionRecording {
  readonly recordingId: string;
  writeUser(pcm: Int16Array, atMs: number): void;
  writeAssistant(pcm: Int16Array, atMs: number): void;
  finish(endMs?: number): Promise<RecordingResult>;
}

export async function startSessionRecording(deps: SessionRecordingDeps, options: SessionRecordingOptions): Promise<SessionRecording> {
  const prefix = recordingPrefix(options.orgId, options.sessionId);
  const row = await deps.db.tenant(options.orgId, (trx) =>
    createRecording(trx, {
      orgId: options.orgId,
      sessionId: options.sessionId,
      prefix,
      sampleRateHz: RECORDING_SAMPLE_RATE_HZ,
      channels: RECORDING_CHANNELS,
    }),
  );
  const ref: RecordingJobRef = { orgId: options.orgId, sessionId: options.sessionId, recordingId: row.id };
  const report = (error: unknown) => deps.onError?.(error);
  const recorder = new Recorder({
    storage: deps.storage,
    prefix,
    sampleRateHz: options.sampleRateHz,
    userSampleRateHz: options.userSampleRateHz,
    assistantSampleRateHz: options.assistantSampleRateHz,
    onError: report,
    // Segment n is encoded once chunk n+1 exists: the encoder looks ahead into it so segments join seamlessly.
    onChunkStored: (seq) => {
      if (options.progressive !== false && seq >= 1) enqueueSegment(deps.queue, ref, seq - 1).catch(report);
    },
  });
  let finishing: Promise<RecordingResult> | undefined;
  return {
    recordingId: row.id,
    writeUser: (pcm, atMs) => recorder.writeUser(pcm, atMs),
    writeAssistant: (pcm, atMs) => recorder.writeAssistant(pcm, atMs),
    finish: (endMs) =>
      (finishing ??= (async () => {
        let result: RecordingResult;
        try {
          result = await recorder.finish(endMs);
        } catch (error) {
          // Chunks that could not be stored leave a hole no transcode can fill: the recording is failed, not partial.
          await markFailed(deps, options.orgId, row.id, `Recording could not be stored: ${(error as Error).message ?? String(error)}`);
          throw error;
        }
        if (result.chunkCount === 0) {
          const reason = 'The session has no audio: nothing was heard from the caller or the assistant';
          await deps.db.tenant(options.orgId, (trx) => markRecordingSkipped(trx, { org_id: options.orgId, id: row.id }, reason));
          return result;
        }
        await deps.db.tenant(options.orgId, (trx) => markRecordingProcessing(trx, options.orgId, row.id, result.durationMs));
        await enqueueTranscode(deps.queue, ref);
        return result;
      })()),
  };
}

async function markFailed(deps: SessionRecordingDeps, orgId: string, recordingId: string, reason: string): Promise<void> {
  await deps.db.tenant(orgId, async (trx) => {
    const recording = await getRecording(trx, orgId, recordingId, { forUpdate: true });
    if (recording) await markRecordingFailed(trx, recording, reason);
  });
}
