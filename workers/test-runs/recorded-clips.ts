import { parseWav } from '../../agent-runtime/audio/wav.ts';
import { resample } from '../../agent-runtime/audio/resampler.ts';
import { readCallerClip, type SuiteRef } from '../../core/test-suites/caller-clips.ts';
import type { ObjectStorage } from '../../core/storage/object-storage.ts';
import { CALLER_SAMPLE_RATE_HZ } from './caller-microphone.ts';

/** A scenario's recorded line as the caller's microphone takes it. */
export type RecordedClips = (clipId: string) => Promise<Int16Array>;

/**
 * Reads a suite's recorded caller clips (see core/test-suites/caller-clips.ts) and resamples each to the microphone's
 * rate. A clip that is gone — its scenario or suite was deleted after the run was queued — stops the caller with
 * that reason rather than testing something else in its place.
 */
export function recordedClips(storage: ObjectStorage | undefined, suite: SuiteRef): RecordedClips {
  return async (clipId) => {
    const wav = storage ? await readCallerClip(storage, suite, clipId) : undefined;
    if (!wav) throw new Error(`the recorded clip "${clipId}" is gone (its scenario or suite was deleted after the run was requested)`);
    const clip = parseWav(wav);
    if (clip.channels !== 1) throw new Error(`the recorded clip "${clipId}" is not mono`);
    return resample(clip.samples, clip.sampleRateHz, CALLER_SAMPLE_RATE_HZ);
  };
}
