import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { Recorder } from '../../agent-runtime/recording/recorder.ts';
import { LocalStorage } from '../../core/storage/local-storage.ts';
import { RECORDING_SAMPLE_RATE_HZ } from '../../core/storage/recording-layout.ts';
import { cutCallerClips, turnWindows, type SpokenMessage } from '../../core/test-suites/cut-caller-clips.ts';
import { feed, temporaryFolder } from '../recordings/support.ts';

/**
 * A recorded conversation whose caller lines are tones of their own pitch: a clip is told apart by its pitch (zero
 * crossings) and its length. The assistant's channel is as loud as the caller's and must never leak into a clip.
 *
 *   assistant greets 0–2 s · caller line A 2.5–3.5 s (200 Hz) · assistant replies 4.5–6.5 s (caller's room noise at
 *   5.0–5.2 s) · caller line B 7.0–7.8 s (500 Hz) · assistant replies 8.8–10 s · caller line C 11–11.4 s and, after a
 *   1 s pause, 12.4–12.8 s (800 Hz) · assistant says goodbye 13.5–14.5 s
 */
const HZ = RECORDING_SAMPLE_RATE_HZ;
const LINES = { A: { atMs: 2500, ms: 1000, pitchHz: 200 }, B: { atMs: 7000, ms: 800, pitchHz: 500 } };
const ASSISTANT = [
  [0, 2000],
  [4500, 6500],
  [8800, 10_000],
  [13_500, 14_500],
] as const;

const tone = (ms: number, pitchHz: number) => Int16Array.from({ length: Math.round((ms / 1000) * HZ) }, (_, i) => Math.round(8000 * Math.sin((2 * Math.PI * pitchHz * i) / HZ)));

const folder = temporaryFolder('caller-clips');
const storage = new LocalStorage(folder);
const prefix = 'orgs/org_test/sessions/sess_clips/recording/';

before(async () => {
  const recorder = new Recorder({ storage, prefix, sampleRateHz: HZ });
  for (const line of Object.values(LINES)) feed((pcm, at) => recorder.writeUser(pcm, at), tone(line.ms, line.pitchHz), line.atMs, HZ);
  feed((pcm, at) => recorder.writeUser(pcm, at), tone(200, 1000), 5000, HZ);
  feed((pcm, at) => recorder.writeUser(pcm, at), tone(400, 800), 11_000, HZ);
  feed((pcm, at) => recorder.writeUser(pcm, at), tone(400, 800), 12_400, HZ);
  for (const [from, to] of ASSISTANT) feed((pcm, at) => recorder.writeAssistant(pcm, at), tone(to - from, 300), from, HZ);
  await recorder.finish(15_000);
});
after(() => fs.rmSync(folder, { recursive: true, force: true }));

/** The clip's pitch (zero crossings per second of sound) and how long from its first sound to its last. */
function describeClip(clip: Int16Array | null): { pitchHz: number; soundMs: number } | null {
  if (!clip) return null;
  const frame = HZ / 100;
  const loud = (index: number) => clip.subarray(index * frame, (index + 1) * frame).some((sample) => Math.abs(sample) > 1000);
  const loudFrames = Array.from({ length: Math.floor(clip.length / frame) }, (_, index) => index).filter(loud);
  let crossings = 0;
  for (const index of loudFrames) for (let i = Math.max(1, index * frame); i < (index + 1) * frame; i++) if (clip[i - 1]! < 0 !== clip[i]! < 0) crossings++;
  const spanMs = (loudFrames.at(-1)! - loudFrames[0]! + 1) * 10;
  return { pitchHz: Math.round(crossings / 2 / (loudFrames.length / 100) / 50) * 50, soundMs: Math.round(spanMs / 100) * 100 };
}

/** The session's messages when speech detection stamped each caller line `lagMs` late (negative: early). */
function conversation(lagMs: number): SpokenMessage[] {
  const assistant = ([from, to]: readonly [number, number]): SpokenMessage => ({ role: 'assistant', startMs: from, endMs: to });
  const user = (atMs: number, ms: number): SpokenMessage => ({ role: 'user', startMs: atMs + lagMs, endMs: atMs + ms + lagMs });
  return [assistant(ASSISTANT[0]), user(2500, 1000), assistant(ASSISTANT[1]), user(7000, 800), assistant(ASSISTANT[2]), user(11_000, 1800), assistant(ASSISTANT[3])];
}

const clipsFor = async (messages: SpokenMessage[]) => (await cutCallerClips(storage, prefix, turnWindows(messages))).map(describeClip);
const EXPECTED = [
  { pitchHz: 200, soundMs: 1000 },
  { pitchHz: 500, soundMs: 800 },
  { pitchHz: 800, soundMs: 1800 },
];

describe('a caller turn is cut from the recording where its sound is, whatever its detected span says', () => {
  test('spans on time: each line, its pauses, and none of the assistant or the room noise', async () => {
    assert.deepEqual(await clipsFor(conversation(0)), EXPECTED);
  });

  test('detection 0.8 s late, and late by more than a whole line (1.5 s)', async () => {
    assert.deepEqual(await clipsFor(conversation(800)), EXPECTED);
    // Line B's detected start is past its last sound; C's detected span starts inside its pause.
    assert.deepEqual(await clipsFor(conversation(1500)), EXPECTED);
  });

  test('detection 0.4 s early', async () => {
    assert.deepEqual(await clipsFor(conversation(-400)), EXPECTED);
  });

  test('a turn without a span, or with only silence in its window, has no clip', async () => {
    const messages = conversation(0);
    messages[3] = { role: 'user', startMs: null, endMs: null };
    assert.deepEqual(await clipsFor(messages), [EXPECTED[0], null, EXPECTED[2]]);
    // A line typed after the goodbye: nothing was said there.
    assert.deepEqual((await clipsFor([...conversation(0), { role: 'user', startMs: 14_600, endMs: 14_600 }]))[3], null);
  });
});

test('a turn lies between the start of what the assistant said before it and the start of the reply to it', () => {
  const windows = turnWindows([
    { role: 'assistant', startMs: 0, endMs: 2000 },
    { role: 'user', startMs: 2500, endMs: 3500 },
    // A tool call, then the spoken reply.
    { role: 'assistant', startMs: 3900, endMs: 3900 },
    { role: 'assistant', startMs: 4500, endMs: 6500 },
    // The caller barged in 1 s into the reply.
    { role: 'user', startMs: 5500, endMs: 7800 },
    // A reply nothing of which was heard.
    { role: 'assistant', startMs: null, endMs: null },
    { role: 'user', startMs: 20_000, endMs: 21_000 },
  ]);
  assert.deepEqual(windows, [
    { afterMs: 0, ownsFromMs: 2000, beforeMs: 3900 },
    { afterMs: 3900, ownsFromMs: 5500, beforeMs: 20_000 },
    // Right after another user turn: from where it ended, and at most 10 s before the detected start.
    { afterMs: 10_000, ownsFromMs: 20_000, beforeMs: Infinity },
  ]);
});
