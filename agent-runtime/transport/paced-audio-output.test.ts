import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AudioFrame } from '@livekit/rtc-node';
import { createLogger } from '../../core/logger.ts';
import { audioUnderruns } from '../../core/metrics/session-metrics.ts';
import { initializeLibraryLogger } from '../session/library-logger.ts';
import { type AudioSink, PacedAudioOutput } from './paced-audio-output.ts';
import { TranscriptCapture } from './transcript-capture.ts';

const RATE = 16_000;
initializeLibraryLogger(createLogger({ level: 'error', format: 'json' }));

/** A reply of `ms` of audio captured at once, as the TTS hands it over faster than real time. */
async function pacedReply(ms: number) {
  const frames: number[] = [];
  const output = new PacedAudioOutput(RATE, {
    sendAudio: (samples) => frames.push(samples.length),
    audioStarted() {},
    audioCleared() {},
    audioDone() {},
  }, undefined);
  const samples = (RATE * ms) / 1000;
  await output.captureFrame(new AudioFrame(new Int16Array(samples), RATE, 1, samples));
  /** How many frames one pacing tick at `nowMs` sends. */
  const tick = (nowMs: number) => {
    const before = frames.length;
    output.pump(nowMs);
    return frames.length - before;
  };
  return { frames, tick, close: () => output.close() };
}

test('paced output sends the first audio at once, then keeps the client evenly ~200 ms ahead', async (t) => {
  t.mock.timers.enable({ apis: ['Date', 'setInterval'], now: 0 });
  const reply = await pacedReply(2000);
  // The start of a reply goes out as soon as it is captured: 160 ms, two frames short of the lead.
  assert.equal(reply.frames.length, 8);
  assert.ok(reply.frames.every((samples) => samples === 320));
  // Ticks every 10 ms add one 20 ms frame each until the lead is full, then one frame every other tick.
  assert.deepEqual([10, 20, 30, 40, 50, 60, 70, 80].map(reply.tick), [1, 1, 1, 1, 1, 0, 1, 0]);
  // A tick 30 ms late sends one frame, not the two that are due; the ticks after it make the difference up.
  assert.deepEqual([110, 120, 130].map(reply.tick), [1, 1, 1]);
  // After a long stall the client is short of more than two frames: it is topped up at once.
  assert.equal(reply.tick(240), 3);
  reply.close();
});

test('paced output hands frames to audioHeard once played, and keeps none while nothing listens', async (t) => {
  t.mock.timers.enable({ apis: ['Date', 'setInterval'], now: 0 });
  const heard: Array<[samples: number, atMs: number]> = [];
  const sink: AudioSink = { sendAudio() {}, audioStarted() {}, audioCleared() {}, audioDone() {} };
  const output = new PacedAudioOutput(RATE, sink, undefined);
  await output.captureFrame(new AudioFrame(new Int16Array(RATE), RATE, 1, RATE));
  // The first 160 ms went out with no listener: they are not kept, so they are never reported.
  sink.audioHeard = (samples, atMs) => heard.push([samples.length, atMs]);
  output.pump(10); // sends the frame that plays from 160 to 180 ms
  output.pump(170);
  assert.deepEqual(heard, []);
  output.pump(190);
  assert.deepEqual(heard, [[320, 160]]);
  sink.audioHeard = undefined;
  output.pump(400);
  output.close();
  assert.deepEqual(heard, [[320, 160]]);
});

test("paced output tells the sink the reply's words as they play, once all of its audio is in", async (t) => {
  t.mock.timers.enable({ apis: ['Date', 'setInterval'], now: 0 });
  const spoken: string[] = [];
  const transcript = new TranscriptCapture();
  const sink: AudioSink = { sendAudio() {}, audioStarted() {}, audioCleared() {}, audioDone() {}, textSpoken: (text) => spoken.push(text) };
  const output = new PacedAudioOutput(RATE, sink, transcript);
  await transcript.captureText('We are open from nine to five on Saturdays.');
  await output.captureFrame(new AudioFrame(new Int16Array(RATE), RATE, 1, RATE));
  output.pump(300);
  assert.equal(spoken.length, 0, 'the text is not placed before the audio it goes with is all in');
  output.flush();
  for (let now = 310; now <= 1200; now += 10) output.pump(now);
  assert.ok(spoken.length >= 3, `the words come a few at a time: ${JSON.stringify(spoken)}`);
  for (let i = 1; i < spoken.length; i++) assert.ok(spoken[i]!.startsWith(spoken[i - 1]!) && spoken[i]!.length > spoken[i - 1]!.length);
  assert.ok(!spoken.at(-1)!.includes('Saturdays'), 'a word not yet played is not shown');
  output.close();
});

test('paced output counts an underrun each time the client runs dry in the middle of a reply, not at its end', async (t) => {
  t.mock.timers.enable({ apis: ['Date', 'setInterval'], now: 0 });
  const underruns = async () => (await audioUnderruns.get()).values[0]?.value ?? 0;
  const before = await underruns();
  const output = new PacedAudioOutput(RATE, { sendAudio() {}, audioStarted() {}, audioCleared() {}, audioDone() {} }, undefined);
  const speak = (ms: number) => output.captureFrame(new AudioFrame(new Int16Array((RATE * ms) / 1000), RATE, 1, (RATE * ms) / 1000));
  await speak(200);
  output.pump(10);
  output.pump(20); // all 200 ms sent: the client plays until 200 ms
  output.pump(150);
  assert.equal(await underruns(), before, 'audio still playing');
  output.pump(250);
  output.pump(300);
  assert.equal(await underruns(), before + 1, 'ran dry once, counted once');
  await speak(200);
  output.pump(310);
  output.pump(900);
  assert.equal(await underruns(), before + 2, 'ran dry again after more audio came');
  await speak(100);
  output.flush();
  output.pump(910);
  output.pump(2000);
  assert.equal(await underruns(), before + 2, 'the end of a flushed reply is not an underrun');
  output.close();
});
