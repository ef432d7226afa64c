import type { RenditionInfo } from '../../core/repositories/recordings.ts';

export interface TranscodeResult {
  durationMs: number;
  masterKey: string;
  renditions: RenditionInfo[];
  downloadKey: string;
}

/** Turns a finished recording's chunks into the HLS ladder and the download. Safe to run again after a crash. */
export interface Transcoder {
  readonly engine: 'ffmpeg' | 'mediaconvert';
  /** Encodes one segment while the session is still going; engines that cannot do that ignore it. */
  encodeSegmentEarly(prefix: string, seq: number): Promise<void>;
  finalize(prefix: string): Promise<TranscodeResult>;
}

/** A failure that retrying cannot fix (missing chunks, input the encoder refuses): the recording is marked failed at once. */
export class PermanentTranscodeError extends Error {}

/** Nothing reached storage (no chunk, or chunks without a single frame): the recording is `skipped`, not failed. */
export class EmptyRecordingError extends PermanentTranscodeError {}
