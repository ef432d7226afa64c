import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import WebSocket from 'ws';
import { dispose } from '@livekit/rtc-node';
import { deletePrefix } from '../../core/storage/object-storage.ts';
import { SessionClient } from '../../sdk/session-client.ts';
import { startDeepgramFake, type DeepgramFake } from '../fakes/deepgram-fake.ts';
import { rms, synthesizeToneSpeech, tonePitchHz } from '../fakes/tone-speech.ts';
import type { apiClient } from '../support/client.ts';
import { openMicrophone } from '../support/microphone.ts';
import { waitFor } from '../support/wait-for.ts';
import { bookingScript, bookingsAssistant } from './bookings-assistant.ts';
import { outcomes, runSuite, startSuitesApi } from './support.ts';

/**
 * A spoken session becomes a scenario that replays the caller's recorded audio. The caller speaks tone-speech (one
 * pitch per line) and the Deepgram fake recognises a line only from its pitch, so the assistant hears "book a table"
 * only when the transcriber is given the recorded audio: the same lines re-synthesised by eSpeak are not understood.
 */

const LINES = [
  { text: 'Can I book a table?', tone: 'aaaa aaaa aaaa' },
  { text: 'Thanks, bye', tone: 'kkkk kkkk' },
];

/** The fraction of a 20 ms window's energy at `pitchHz` (1 for a pure tone of that pitch). */
function pitchShare(window: Int16Array, sampleRateHz: number, pitchHz: number): number {
  let sin = 0;
  let cos = 0;
  let energy = 0;
  window.forEach((sample, index) => {
    const phase = (2 * Math.PI * pitchHz * index) / sampleRateHz;
    sin += sample * Math.sin(phase);
    cos += sample * Math.cos(phase);
    energy += sample * sample;
  });
  return energy === 0 ? 0 : (2 * (sin * sin + cos * cos)) / (window.length * energy);
}

/** The line whose tone most of the utterance's loud windows carry, if any. */
function recognizeTone(audio: Int16Array, sampleRateHz: number): string | undefined {
  const size = sampleRateHz / 50;
  const windows: Int16Array[] = [];
  for (let offset = 0; offset + size <= audio.length; offset += size) windows.push(audio.subarray(offset, offset + size));
  const loud = windows.filter((window) => rms(window) > 0.05);
  return LINES.find((line) => {
    const pitch = tonePitchHz(line.tone[0]!);
    return loud.length > 0 && loud.filter((window) => pitchShare(window, sampleRateHz, pitch) > 0.5).length > loud.length / 2;
  })?.text;
}

let suites: Awaited<ReturnType<typeof startSuitesApi>>;
let call: ReturnType<typeof apiClient>;
let deepgram: DeepgramFake;
let assistantId: string;
let sessionId: string;

/** A session of the assistant over the WebSocket transport in which the caller speaks each line's tone. */
async function spokenSession(): Promise<string> {
  const created = await call('POST', '/v1/sessions', { assistant_id: assistantId, audio: { encoding: 'pcm_s16le', sample_rate_hz: 16000 } });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const client = new SessionClient({ baseUrl: suites.api.baseUrl.replace(/^http/, 'ws'), sessionId: created.body.id, token: created.body.websocket.token, WebSocketImpl: WebSocket as never });
  await client.waitFor('session.started', { timeoutMs: 30_000 });
  // Opened once the socket is: a microphone whose first frame cannot be sent stops for good.
  const microphone = openMicrophone(client);
  try {
    await client.waitFor('assistant.audio.done', { includePast: true, timeoutMs: 30_000 });
    for (const [index, line] of LINES.entries()) {
      await microphone.say(synthesizeToneSpeech(line.tone, 16000).samples);
      const replies = () => client.events.filter((event) => event.type === 'transcript' && event.role === 'assistant' && event.final).length;
      await client.waitFor('transcript', { timeoutMs: 30_000, includePast: true, predicate: () => replies() > index + 1 });
    }
    client.end();
    await client.waitFor('session.ended', { includePast: true, timeoutMs: 30_000 });
  } finally {
    microphone.stop();
    client.close();
  }
  return created.body.id as string;
}

before(async () => {
  deepgram = await startDeepgramFake({ apiKey: 'dg-test-key', recognize: recognizeTone, defaultTranscript: 'mumble' });
  suites = await startSuitesApi('Bella Pasta', { deepgram: 'dg-test-key' }, { withStreamGateway: true });
  call = suites.call;
  const assistant = await call(
    'POST',
    '/v1/assistants',
    bookingsAssistant({
      transcriber: { provider: 'deepgram', model: 'nova-3', base_url: deepgram.baseUrl.replace(/^ws:/, 'http:') },
      analysis: { scorecard: { criteria: [{ kind: 'match', name: 'Confirms the booking', mode: 'contains', pattern: 'booked' }] } },
    }),
  );
  assert.equal(assistant.status, 201, JSON.stringify(assistant.body));
  assistantId = assistant.body.id;
  sessionId = await spokenSession();
  await waitFor(async () => (await call('GET', `/v1/sessions/${sessionId}`)).body.recording?.status === 'processing', 'the recording to be stored', 30_000);
});
after(async () => {
  await suites?.close();
  await deepgram?.close();
  await dispose();
});

test('clips cannot be borrowed, and go with their scenario and suite', { timeout: 120_000 }, async () => {
  const suite = (await call('POST', '/v1/test-suites', { name: 'Clips' })).body;
  const made = (await call('POST', `/v1/test-suites/${suite.id}/scenarios/from-session`, { session_id: sessionId, input: 'speech' })).body;
  const stored = () => suites.api.media.storage.list(`orgs/`).then((objects) => objects.filter((object) => object.key.includes(`/test-suites/${suite.id}/`)).length);
  assert.equal(await stored(), 2);

  const borrowed = await call('POST', '/v1/test-suites', { name: 'Thief', scenarios: [{ name: 'Borrowed', caller: made.caller, input: 'speech' }] });
  assert.equal(borrowed.status, 400);
  assert.equal(borrowed.body.error.param, 'scenarios.0.caller.turn_audio.0');
  const misaligned = await call('PATCH', `/v1/test-suites/${suite.id}`, { scenarios: [{ ...made, caller: { ...made.caller, turn_audio: [made.caller.turn_audio[0]] } }] });
  assert.equal(misaligned.status, 400);
  assert.equal(misaligned.body.error.param, 'scenarios.0.caller.turn_audio');

  const dropped = await call('PATCH', `/v1/test-suites/${suite.id}`, { scenarios: [{ ...made, caller: { ...made.caller, turn_audio: [made.caller.turn_audio[0], null] } }] });
  assert.equal(dropped.status, 200, JSON.stringify(dropped.body));
  assert.equal(await stored(), 1);
  assert.equal((await call('DELETE', `/v1/test-suites/${suite.id}`)).status, 204);
  assert.equal(await stored(), 0);
});

test('a spoken session replays its recorded caller, passes, fails a breaking patch, and outlives its recording', { timeout: 600_000 }, async () => {
  const messages = (await call('GET', `/v1/sessions/${sessionId}/messages`)).body.data.filter((message: { role: string }) => message.role === 'user');
  assert.deepEqual(messages.map((message: { text: string }) => message.text), LINES.map((line) => line.text));

  const suite = (await call('POST', '/v1/test-suites', { name: 'Regressions' })).body;
  const made = await call('POST', `/v1/test-suites/${suite.id}/scenarios/from-session`, { session_id: sessionId, input: 'speech', name: 'Replayed' });
  assert.equal(made.status, 201, JSON.stringify(made.body));
  assert.deepEqual(made.body.caller.turns, LINES.map((line) => line.text));
  assert.equal(made.body.caller.turn_audio.length, 2);
  for (const clip of made.body.caller.turn_audio) assert.match(clip, /^clip_/);

  // The same lines without their clips are synthesised, and the transcriber does not understand eSpeak's voice.
  const resynthesised = { name: 'Resynthesised', caller: { turns: made.body.caller.turns }, input: 'speech', criteria: made.body.criteria };
  const updated = await call('PATCH', `/v1/test-suites/${suite.id}`, { scenarios: [made.body, resynthesised] });
  assert.equal(updated.status, 200, JSON.stringify(updated.body));

  // Like retention: the source recording's media is gone before the scenarios run.
  const recording = await suites.api.db.system((trx) => trx('recordings').where({ session_id: sessionId }).first());
  assert.ok((await deletePrefix(suites.api.media.storage, recording.source_key)) > 0);

  const passing = await runSuite(call, suite.id, { assistant_id: assistantId, concurrency: 1 });
  assert.deepEqual(outcomes(passing).Replayed, { status: 'passed', error: null, failed: [] });
  assert.deepEqual(outcomes(passing).Resynthesised, { status: 'failed', error: null, failed: ['Confirms the booking'] });
  const replayedSession = passing.results.find((result: { scenario_name: string }) => result.scenario_name === 'Replayed').session_id;
  const heard = (await call('GET', `/v1/sessions/${replayedSession}/messages`)).body.data.filter((message: { role: string }) => message.role === 'user');
  assert.deepEqual(heard.map((message: { text: string }) => message.text), LINES.map((line) => line.text));

  const broken = await runSuite(call, suite.id, { assistant_id: assistantId, assistant_patch: { model: bookingScript('Sorry, we are closed.') }, concurrency: 1 });
  assert.deepEqual(outcomes(broken).Replayed, { status: 'failed', error: null, failed: ['Confirms the booking'] });
});
