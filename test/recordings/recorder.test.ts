import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { Recorder } from '../../agent-runtime/recording/recorder.ts';
import { LocalStorage } from '../../core/storage/local-storage.ts';
import { RECORDING_SAMPLE_RATE_HZ, recordingKeys } from '../../core/storage/recording-layout.ts';
import { joinSamples } from '../../agent-runtime/audio/join-samples.ts';
import { parseWav } from '../../agent-runtime/audio/wav.ts';
import fs from 'node:fs';
import { bestMatch, channel, chirp, feed, resample, rms, temporaryFolder } from './support.ts';
import { waitFor } from '../support/wait-for.ts';

const folder = temporaryFolder('recorder');
after(() => fs.rmSync(folder, { recursive: true, force: true }));

async function readRecording(storage: LocalStorage, prefix: string): Promise<Int16Array> {
  const chunks = await storage.list(recordingKeys(prefix).chunks);
  const parts = await Promise.all(chunks.map(async (chunk) => parseWav((await storage.get(chunk.key))!).samples));
  return joinSamples(parts);
}

test('user audio lands on the left and assistant audio on the right, at the offsets they were heard', async () => {
  const storage = new LocalStorage(folder);
  const prefix = 'orgs/org_test/sessions/sess_one/recording/';
  const inputHz = 16_000;
  const recorder = new Recorder({ storage, prefix, sampleRateHz: inputHz });
  const user = chirp(3, inputHz, 1);
  const reply = chirp(4, inputHz, 2);
  const interrupted = chirp(3, inputHz, 3);
  feed((pcm, at) => recorder.writeUser(pcm, at), user, 1_000, inputHz);
  feed((pcm, at) => recorder.writeAssistant(pcm, at), reply, 5_500, inputHz);
  // A reply cut after 1.2 s: the transport stops writing frames where playout stopped.
  feed((pcm, at) => recorder.writeAssistant(pcm, at), interrupted.subarray(0, Math.round(1.2 * inputHz)), 12_000, inputHz);
  const result = await recorder.finish(15_000);
  assert.equal(result.durationMs, 15_000);
  assert.equal(result.chunkCount, Math.ceil((15 * RECORDING_SAMPLE_RATE_HZ) / 98_304));

  const samples = await readRecording(storage, prefix);
  assert.equal(samples.length / 2, 15 * RECORDING_SAMPLE_RATE_HZ);
  const left = channel(samples, 0);
  const right = channel(samples, 1);
  const rate = RECORDING_SAMPLE_RATE_HZ;
  const at = (ms: number) => Math.round((ms / 1000) * rate);

  const userMatch = bestMatch(left, resample(user, inputHz, rate).subarray(0, at(500)), at(700), at(1_300));
  assert.ok(Math.abs(userMatch.lag - at(1_000)) <= at(2), `user audio at ${userMatch.lag}, expected ${at(1_000)}`);
  assert.ok(userMatch.score > 0.95, `user correlation ${userMatch.score}`);

  const replyMatch = bestMatch(right, resample(reply, inputHz, rate).subarray(at(1_000), at(1_500)), at(6_200), at(6_800));
  assert.ok(Math.abs(replyMatch.lag - at(6_500)) <= at(2), `reply at ${replyMatch.lag}, expected ${at(6_500)}`);
  assert.ok(replyMatch.score > 0.95, `reply correlation ${replyMatch.score}`);

  const cutMatch = bestMatch(right, resample(interrupted, inputHz, rate).subarray(at(500), at(1_000)), at(12_200), at(12_800));
  assert.ok(Math.abs(cutMatch.lag - at(12_500)) <= at(2), `cut reply at ${cutMatch.lag}`);
  assert.ok(cutMatch.score > 0.95);
  // The cut reply stops where it was cut: silence after 13.2 s on the right.
  assert.ok(rms(right, at(13_300), at(15_000)) < 1);
  // Channels do not bleed into each other.
  assert.ok(rms(right, at(1_000), at(4_000)) < 1);
  assert.ok(rms(left, at(5_500), at(9_500)) < 1);
});

test('chunks reach storage during the session, so a crash loses only the last few seconds', async () => {
  const storage = new LocalStorage(folder);
  const prefix = 'orgs/org_test/sessions/sess_two/recording/';
  const stored: number[] = [];
  const recorder = new Recorder({ storage, prefix, sampleRateHz: 24_000, onChunkStored: (seq) => stored.push(seq) });
  feed((pcm, at) => recorder.writeUser(pcm, at), chirp(20, 24_000), 0, 24_000);
  // Without finishing the recording (as if the process died now): every chunk that ends more than the grace period
  // (1.5 s) before the last frame is stored.
  const expected = Math.floor(((20 - 1.5) * RECORDING_SAMPLE_RATE_HZ) / 98_304);
  await waitFor(() => stored.length >= expected, `${expected} chunks stored`, 10_000);
  const chunks = await storage.list(recordingKeys(prefix).chunks);
  const storedSeconds = (chunks.length * 98_304) / RECORDING_SAMPLE_RATE_HZ;
  assert.ok(storedSeconds >= 20 - 4.096 - 1.5, `only ${storedSeconds} s of 20 s stored`);
  assert.deepEqual(stored, chunks.map((_, index) => index));
  await recorder.finish();
});

test('input at another rate is resampled, and frames arriving with jitter stay contiguous', async () => {
  const storage = new LocalStorage(folder);
  const prefix = 'orgs/org_test/sessions/sess_three/recording/';
  const recorder = new Recorder({ storage, prefix, sampleRateHz: 8_000 });
  const speech = chirp(2, 8_000);
  const frame = 160;
  for (let offset = 0; offset < speech.length; offset += frame) {
    const jitterMs = ((offset / frame) % 3) * 7 - 7; // -7, 0, +7 ms timer jitter
    recorder.writeUser(speech.subarray(offset, offset + frame), 500 + (offset / 8_000) * 1000 + jitterMs);
  }
  await recorder.finish(3_000);
  const left = channel(await readRecording(storage, prefix), 0);
  const match = bestMatch(left, resample(speech, 8_000, RECORDING_SAMPLE_RATE_HZ).subarray(0, 12_000), 9_000, 15_000);
  assert.ok(match.score > 0.95, `correlation ${match.score}`);
  assert.ok(Math.abs(match.lag - RECORDING_SAMPLE_RATE_HZ / 2) <= 24 * 8);
});
