import { newId } from '../ids.ts';
import { deletePrefix, type ObjectStorage } from '../storage/object-storage.ts';
import { RECORDING_SAMPLE_RATE_HZ, wavHeader } from '../storage/recording-layout.ts';

/**
 * A scenario's recorded caller clips: each line of a scenario made from a recorded session keeps the caller's own
 * audio for that turn, as a mono 16-bit WAV at the recording's rate, owned by the suite (not the session), so retention
 * or a deleted recording never takes a regression test's audio with it.
 *
 * orgs/{org}/test-suites/{suite}/clips/{clip}.wav
 */

const suitePrefix = (orgId: string, suiteId: string) => `orgs/${orgId}/test-suites/${suiteId}/`;
const clipKey = (orgId: string, suiteId: string, clipId: string) => `${suitePrefix(orgId, suiteId)}clips/${clipId}.wav`;

export interface SuiteRef {
  orgId: string;
  suiteId: string;
}

/** Stores the samples (mono, at the recording's rate) as a new clip of the suite and returns its id. */
export async function storeCallerClip(storage: ObjectStorage, suite: SuiteRef, samples: Int16Array): Promise<string> {
  const id = newId('callerClip');
  const data = Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength);
  await storage.put(clipKey(suite.orgId, suite.suiteId, id), Buffer.concat([wavHeader(data.length, RECORDING_SAMPLE_RATE_HZ, 1), data]), 'audio/wav');
  return id;
}

/** A clip's WAV, or undefined when it is gone (its scenario or suite was deleted since a run was queued). */
export function readCallerClip(storage: ObjectStorage, suite: SuiteRef, clipId: string): Promise<Buffer | undefined> {
  return storage.get(clipKey(suite.orgId, suite.suiteId, clipId));
}

export async function deleteCallerClips(storage: ObjectStorage, suite: SuiteRef, clipIds: string[]): Promise<void> {
  if (clipIds.length > 0) await storage.deleteMany(clipIds.map((id) => clipKey(suite.orgId, suite.suiteId, id)));
}

/** Every clip of the suite, with the suite. */
export async function deleteSuiteClips(storage: ObjectStorage, suite: SuiteRef): Promise<void> {
  await deletePrefix(storage, suitePrefix(suite.orgId, suite.suiteId));
}
