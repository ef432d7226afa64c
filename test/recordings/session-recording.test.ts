import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { dispose } from '@livekit/rtc-node';
import WebSocket from 'ws';
import { SessionClient } from '../../sdk/session-client.ts';
import { joinSamples } from '../../agent-runtime/audio/join-samples.ts';
import { parseWav } from '../../agent-runtime/audio/wav.ts';
import { RECORDING_SAMPLE_RATE_HZ, recordingKeys, recordingPrefix } from '../../core/storage/recording-layout.ts';
import { ffprobeJson, hasFfprobe } from './pipeline.ts';
import { offlineAssistant, type RecordedSession, startSessionStack, waitForRecording, WIRE_RATE_HZ } from './session-stack.ts';
import { bestMatch, channel, resample, rms } from './support.ts';
import { waitFor } from '../support/wait-for.ts';

let stack: Awaited<ReturnType<typeof startSessionStack>>;
let recorded: RecordedSession;
let sessionDurationS: number;

before(async () => {
  stack = await startSessionStack();
  const assistant = await stack.call('POST', '/v1/assistants', offlineAssistant());
  recorded = await stack.runSession(assistant.body.id);
  // The recording is handed off (every chunk stored) once the session is persisted; wait for the whole pipeline.
  await waitForRecording(stack.call, recorded.id);
  const row = await stack.api.db.system((trx) => trx('sessions').where({ id: recorded.id }).first());
  sessionDurationS = (row.ended_at.getTime() - row.started_at.getTime()) / 1000;
});

after(async () => {
  await stack.api.close();
  await dispose();
});

/** The recording as stored by the recorder during the session (stereo 16-bit at the recording rate). */
async function storedRecording(orgId: string, sessionId: string): Promise<Int16Array> {
  const keys = recordingKeys(recordingPrefix(orgId, sessionId));
  const parts: Int16Array[] = [];
  for (const key of (await stack.api.media.storage.list(keys.chunks)).map((object) => object.key).sort()) {
    parts.push(parseWav((await stack.api.media.storage.get(key))!).samples);
  }
  return joinSamples(parts);
}

/**
 * Where `reference` sits in `signal`, searched within ±searchMs of `expectedMs`: a quarter-second excerpt finds the lag,
 * then the whole reference is scored there (1 = the same waveform).
 */
function locate(signal: Float64Array, reference: Float64Array, expectedMs: number, searchMs: number) {
  const rate = RECORDING_SAMPLE_RATE_HZ;
  const expected = Math.round((expectedMs / 1000) * rate);
  const search = Math.round((searchMs / 1000) * rate);
  const excerpt = reference.subarray(0, Math.round(0.25 * rate));
  const { lag } = bestMatch(signal, excerpt, expected - search, expected + search);
  const whole = bestMatch(signal, reference, lag, lag);
  const where = `lag ${lag} (expected ${expected}), reference ${reference.length}, signal ${signal.length} samples`;
  return { offsetMs: (lag / rate) * 1000, score: whole.score, where };
}

test('a WebSocket session is recorded: user on the left and the heard reply on the right, where they happened', async () => {
  const sessionRow = await stack.api.db.system((trx) => trx('sessions').where({ id: recorded.id }).first());
  const startedAt = sessionRow.started_at.getTime();
  const stereo = await storedRecording(stack.org.orgId, recorded.id);
  const left = channel(stereo, 0);
  const right = channel(stereo, 1);

  const user = resample(recorded.userAudio, WIRE_RATE_HZ, RECORDING_SAMPLE_RATE_HZ);
  const userAt = locate(left, user, recorded.userSentAt - startedAt, 300);
  assert.ok(userAt.score > 0.95, `left channel matches the microphone (correlation ${userAt.score.toFixed(3)}; ${userAt.where})`);
  assert.ok(Math.abs(userAt.offsetMs - (recorded.userSentAt - startedAt)) < 250, `user audio at ${userAt.offsetMs} ms, sent at ${recorded.userSentAt - startedAt} ms`);

  assert.ok(recorded.assistantAudio.length > WIRE_RATE_HZ / 2, 'the client heard a reply');
  const reply = resample(recorded.assistantAudio, WIRE_RATE_HZ, RECORDING_SAMPLE_RATE_HZ);
  const replyAt = locate(right, reply, recorded.assistantReceivedAt - startedAt, 300);
  assert.ok(replyAt.score > 0.95, `right channel matches the audio the client received (correlation ${replyAt.score.toFixed(3)}; ${replyAt.where})`);
  assert.ok(
    Math.abs(replyAt.offsetMs - (recorded.assistantReceivedAt - startedAt)) < 250,
    `reply at ${replyAt.offsetMs} ms, received from ${recorded.assistantReceivedAt - startedAt} ms`,
  );
  // Nothing leaks across: the assistant channel is silent while the user speaks.
  const userSpan = right.subarray(Math.round((userAt.offsetMs / 1000) * RECORDING_SAMPLE_RATE_HZ), Math.round((userAt.offsetMs / 1000) * RECORDING_SAMPLE_RATE_HZ) + user.length);
  assert.equal(userSpan.every((value) => value === 0), true);
});

test('the recording transcodes to ready and its signed renditions last as long as the session (ffprobe)', { skip: !hasFfprobe && 'ffprobe not installed (apt-get install ffmpeg)' }, async () => {
  const recording = (await stack.call('GET', `/v1/sessions/${recorded.id}/recording`)).body;
  assert.equal(recording.status, 'ready', recording.failure_reason);
  assert.ok(Math.abs(recording.duration_ms / 1000 - sessionDurationS) <= 0.5, `recording ${recording.duration_ms} ms, session ${sessionDurationS} s`);
  assert.equal(recording.renditions.length, 3);
  for (const rendition of recording.renditions as { name: string; hls_url: string }[]) {
    const probe = (await ffprobeJson(rendition.hls_url, 'format=duration')) as { format: { duration: string } };
    const durationS = Number(probe.format.duration);
    assert.ok(Math.abs(durationS - sessionDurationS) <= 0.5, `${rendition.name}: ${durationS} s, session ${sessionDurationS} s`);
  }
  const master = await fetch(recording.playback.hls_url);
  assert.equal(master.status, 200);
});

test('recording_enabled: false leaves no recording', async () => {
  const assistant = await stack.call('POST', '/v1/assistants', offlineAssistant({ recording_enabled: false }));
  const unrecorded = await stack.runSession(assistant.body.id);
  const rows = await stack.api.db.system((trx) => trx('recordings').where({ session_id: unrecorded.id }));
  assert.equal(rows.length, 0);
  assert.equal((await stack.call('GET', `/v1/sessions/${unrecorded.id}/recording`)).status, 404);
});

test('a reply cut by the user stops in the recording where the client stopped playing it', async () => {
  const greeting = 'Hello and welcome to the shop. Today I can tell you about our opening hours, our prices, and our many services.';
  const assistant = await stack.call('POST', '/v1/assistants', offlineAssistant({ first_message: greeting }));
  const created = await stack.call('POST', '/v1/sessions', { assistant_id: assistant.body.id });
  const client = new SessionClient({ baseUrl: stack.api.baseUrl.replace('http', 'ws'), sessionId: created.body.id, token: created.body.websocket.token, WebSocketImpl: WebSocket as never });
  const beforeCut: Int16Array[] = [];
  let cut = false;
  client.on('assistant.audio.cleared', () => (cut = true));
  client.onAudio((bytes) => {
    if (!cut) beforeCut.push(new Int16Array(bytes.slice().buffer));
  });
  await client.waitFor('assistant.audio.started', { timeoutMs: 30_000 });
  // A second and a half of the greeting has reached the client before the user speaks over it.
  const receivedSamples = () => beforeCut.reduce((sum, frame) => sum + frame.length, 0);
  await waitFor(() => receivedSamples() >= 1.5 * WIRE_RATE_HZ, 'a second and a half of the greeting', 30_000);
  client.sendText('When are you open?');
  const cleared = await client.waitFor('assistant.audio.cleared', { timeoutMs: 30_000 });
  await client.waitFor('transcript', { timeoutMs: 30_000, predicate: (event) => event.role === 'assistant' && event.final && event.text.includes('nine') });
  client.end();
  await client.closed;
  const recording = await waitForRecording(stack.call, created.body.id);
  assert.equal(recording.status, 'ready', recording.failure_reason);

  const received = new Int16Array(receivedSamples());
  beforeCut.reduce((offset, frame) => (received.set(frame, offset), offset + frame.length), 0);
  const rate = RECORDING_SAMPLE_RATE_HZ;
  const heard = resample(received, WIRE_RATE_HZ, rate);
  const playedSamples = Math.round((cleared.played_ms / 1000) * rate);
  const right = channel(await storedRecording(stack.org.orgId, created.body.id), 1);

  // The last 400 ms the client played before the cut are in the recording...
  const tailLength = Math.round(0.4 * rate);
  const tail = heard.subarray(playedSamples - tailLength, playedSamples);
  const start = bestMatch(right, heard.subarray(0, Math.round(0.5 * rate)), 0, Math.round(3 * rate)).lag;
  const tailAt = bestMatch(right, tail, start + playedSamples - tailLength - Math.round(0.15 * rate), start + playedSamples - tailLength + Math.round(0.15 * rate));
  assert.ok(tailAt.score > 0.9, `the end of what the client played is in the recording (correlation ${tailAt.score.toFixed(3)})`);
  // ...and what it had received but dropped at the cut is not.
  const dropped = heard.subarray(playedSamples + Math.round(0.02 * rate));
  if (rms(dropped, 0, dropped.length) > 100 && dropped.length >= 0.04 * rate) {
    const cutAt = tailAt.lag + tailLength + Math.round(0.02 * rate);
    const recordedThere = right.subarray(cutAt, cutAt + dropped.length);
    const leaked = rms(recordedThere, 0, recordedThere.length) > 0 ? bestMatch(recordedThere, dropped.subarray(0, recordedThere.length), 0, 0).score : 0;
    assert.ok(leaked < 0.5, `audio dropped by the client is not in the recording (correlation ${leaked.toFixed(3)}, ${dropped.length} samples dropped)`);
  }
});
