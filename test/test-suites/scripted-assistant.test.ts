import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { dispose } from '@livekit/rtc-node';
import { startDeepgramFake, type DeepgramFake } from '../fakes/deepgram-fake.ts';
import { startOpenAiFake, type OpenAiFake } from '../fakes/openai-fake.ts';
import type { apiClient } from '../support/client.ts';
import { outcomes, runSuite, startSuitesApi } from './support.ts';
import { bookingSuite, judgeAndPersona } from './booking-suite.ts';

/**
 * A suite with a scripted text scenario, a scripted speech scenario (eSpeak audio through the Deepgram fake) and a
 * persona scenario (persona and judge served by the OpenAI fake), against a scripted assistant: it passes, and a patch
 * that breaks the assistant's script fails the scenarios on the criterion that checks the reply.
 */

let suites: Awaited<ReturnType<typeof startSuitesApi>>;
let call: ReturnType<typeof apiClient>;
let openai: OpenAiFake;
let deepgram: DeepgramFake;
let assistantId: string;
let suiteId: string;

before(async () => {
  suites = await startSuitesApi('Bella Pasta', { openai: 'sk-test-key', deepgram: 'dg-test-key' });
  call = suites.call;
  openai = await startOpenAiFake(() => ({ text: 'unused' }), { apiKey: 'sk-test-key', structured: judgeAndPersona() });
  deepgram = await startDeepgramFake({ apiKey: 'dg-test-key' });
  const assistant = await call('POST', '/v1/assistants', {
    name: 'Bella Pasta bookings',
    first_message: 'Hello, Bella Pasta, how can I help?',
    model: { provider: 'scripted', script: { rules: [{ pattern: 'table|book', reply: 'Booked: a table for four on Friday.' }], default_reply: 'Goodbye!' } },
    voice: { provider: 'local', voice_id: 'en-us', speed_wpm: 400 },
    transcriber: { provider: 'deepgram', model: 'nova-3', base_url: deepgram.baseUrl.replace(/^ws:/, 'http:') },
    analysis: { judge: { provider: 'openai', model: 'gpt-4o-mini', base_url: openai.baseUrl } },
  });
  assert.equal(assistant.status, 201, JSON.stringify(assistant.body));
  assistantId = assistant.body.id;
  const suite = await call('POST', '/v1/test-suites', bookingSuite());
  assert.equal(suite.status, 201, JSON.stringify(suite.body));
  suiteId = suite.body.id;
});
after(async () => {
  await suites?.close();
  await Promise.all([openai?.close(), deepgram?.close()]);
  await dispose();
});

test('every scenario passes against the scripted assistant', async () => {
  deepgram.nextUtterance('I would like to book a table');
  const run = await runSuite(call, suiteId, { assistant_id: assistantId, concurrency: 3 });
  assert.equal(run.status, 'completed');
  assert.deepEqual(outcomes(run), {
    'Books by typing': { status: 'passed', error: null, failed: [] },
    'Books by voice': { status: 'passed', error: null, failed: [] },
    'Hungry persona': { status: 'passed', error: null, failed: [] },
  });
  assert.deepEqual(run.summary.total, 3);
  assert.equal(run.summary.passed, 3);
  assert.ok(run.summary.duration_ms > 0);
  assert.deepEqual(deepgram.finals, ['I would like to book a table']);
});

test('a patch that breaks the script fails each scenario on the criterion that checks the reply', async () => {
  deepgram.nextUtterance('I would like to book a table');
  const patch = { model: { provider: 'scripted', script: { rules: [{ pattern: 'table|book', reply: 'Sorry, we are full.' }], default_reply: 'Goodbye!' } } };
  const run = await runSuite(call, suiteId, { assistant_id: assistantId, assistant_patch: patch, concurrency: 3 });
  assert.deepEqual(outcomes(run), {
    'Books by typing': { status: 'failed', error: null, failed: ['Confirms the booking'] },
    'Books by voice': { status: 'failed', error: null, failed: ['Confirms the booking'] },
    'Hungry persona': { status: 'failed', error: null, failed: ['Booking confirmed'] },
  });
  // The saved assistant is untouched: only the run used the patch.
  assert.equal((await call('GET', `/v1/assistants/${assistantId}`)).body.model.script.rules[0].reply, 'Booked: a table for four on Friday.');
});
