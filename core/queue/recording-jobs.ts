import type { JobQueue } from './job-queue.ts';

/** Queues of the recording pipeline, shared by the recorder (producer) and the transcode worker (consumer). */
export const RECORDING_QUEUES = {
  /** Encode one HLS segment during the session, as soon as its audio (and the next chunk, for look-ahead) is stored. */
  segment: 'recording.segment',
  /** The session ended: encode what is missing, write playlists and the download, mark the recording ready. */
  transcode: 'recording.transcode',
} as const;

export interface RecordingJobRef {
  orgId: string;
  sessionId: string;
  recordingId: string;
}

export function enqueueSegment(queue: JobQueue, ref: RecordingJobRef, seq: number): Promise<void> {
  return queue.enqueue(RECORDING_QUEUES.segment, { ...ref, seq }, { singletonKey: `${ref.recordingId}:${seq}`, maxAttempts: 3 });
}

export function enqueueTranscode(queue: JobQueue, ref: RecordingJobRef): Promise<void> {
  return queue.enqueue(RECORDING_QUEUES.transcode, { ...ref }, { singletonKey: ref.recordingId });
}
