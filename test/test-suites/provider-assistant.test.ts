import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { dispose } from '@livekit/rtc-node';
import { startDeepgramFake, type DeepgramFake } from '../fakes/deepgram-fake.ts';
import { startElevenLabsFake, type ElevenLabsFake } from '../fakes/elevenlabs-fake.ts';
import { startOpenAiFake, type OpenAiFake } from '../fakes/openai-fake.ts';
import { apiClient } from '../support/client.ts';
import { bookingSuite, judgeAndPersona } from './booking-suite.ts';
import { outcomes, runSuite, startSuitesApi } from './support.ts';

/**
 * The suite of scripted-assistant.test.ts against an assistant on the provider plugins (OpenAI model, Deepgram
 * transcriber, ElevenLabs voice, all three fakes): it passes, and a prompt change that makes the model turn callers
 * away fails each scenario on the criterion that checks the reply.
 */

let suites: Awaited<ReturnType<typeof startSuitesApi>>;
let call: ReturnType<typeof apiClient>;
let openai: OpenAiFake;
let deepgram: DeepgramFake;
let elevenlabs: ElevenLabsFake;
let assistantId: string;
let suiteId: string;

/** The model books tables, unless its instructions say the restaurant is closed. */
function model(body: Record<string, any>) {
  const messages = body.messages as Array<{ role: string; content: unknown }>;
  const system = String(messages.find((message) => message.role === 'system')?.content ?? '');
  const last = String(messages.filter((message) => message.role === 'user').at(-1)?.content ?? '');
  if (!/table|book/i.test(last)) return { text: 'Goodbye!' };
  return { text: /closed/i.test(system) ? 'Sorry, we are closed.' : 'Booked: a table for four on Friday.' };
}

before(async () => {
  suites = await startSuitesApi('Bella Pasta', { openai: 'sk-test-key', deepgram: 'dg-test-key', elevenlabs: 'el-test-key' });
  call = suites.call;
  [openai, deepgram, elevenlabs] = await Promise.all([
    startOpenAiFake(model, { apiKey: 'sk-test-key', structured: judgeAndPersona() }),
    startDeepgramFake({ apiKey: 'dg-test-key' }),
    startElevenLabsFake({ apiKey: 'el-test-key' }),
  ]);
  const assistant = await call('POST', '/v1/assistants', {
    name: 'Bella Pasta bookings',
    system_prompt: 'You take table bookings.',
    first_message: 'Hello, Bella Pasta, how can I help?',
    model: { provider: 'openai', model: 'gpt-4o-mini', base_url: openai.baseUrl },
    voice: { provider: 'elevenlabs', voice_id: 'fake-voice', base_url: elevenlabs.baseUrl },
    transcriber: { provider: 'deepgram', model: 'nova-3', base_url: deepgram.baseUrl.replace(/^ws:/, 'http:') },
    analysis: { judge: { provider: 'openai', model: 'gpt-4o-mini', base_url: openai.baseUrl } },
  });
  assert.equal(assistant.status, 201, JSON.stringify(assistant.body));
  assistantId = assistant.body.id;
  suiteId = (await call('POST', '/v1/test-suites', bookingSuite())).body.id;
});
after(async () => {
  await suites?.close();
  await Promise.all([openai?.close(), deepgram?.close(), elevenlabs?.close()]);
  await dispose();
});

test('every scenario passes against the provider assistant', { timeout: 600_000 }, async () => {
  deepgram.nextUtterance('I would like to book a table');
  const run = await runSuite(call, suiteId, { assistant_id: assistantId, concurrency: 3 });
  assert.deepEqual(outcomes(run), {
    'Books by typing': { status: 'passed', error: null, failed: [] },
    'Books by voice': { status: 'passed', error: null, failed: [] },
    'Hungry persona': { status: 'passed', error: null, failed: [] },
  });
  assert.deepEqual(deepgram.finals, ['I would like to book a table']);
});

test('a prompt change that turns callers away fails each scenario on the criterion that checks the reply', { timeout: 600_000 }, async () => {
  deepgram.nextUtterance('I would like to book a table');
  const run = await runSuite(call, suiteId, { assistant_id: assistantId, assistant_patch: { system_prompt: 'The restaurant is closed.' }, concurrency: 3 });
  assert.deepEqual(outcomes(run), {
    'Books by typing': { status: 'failed', error: null, failed: ['Confirms the booking'] },
    'Books by voice': { status: 'failed', error: null, failed: ['Confirms the booking'] },
    'Hungry persona': { status: 'failed', error: null, failed: ['Booking confirmed'] },
  });
});

test('a persona scenario without any model key is an error that says so', { timeout: 600_000 }, async () => {
  const other = apiClient(suites.api.baseUrl, (await suites.api.createOrganization('No keys')).secretKey);
  const assistant = (await other('POST', '/v1/assistants', { name: 'Offline' })).body;
  const suite = (await other('POST', '/v1/test-suites', { name: 'Persona', scenarios: [bookingSuite().scenarios[2]] })).body;
  const run = await runSuite(other, suite.id, { assistant_id: assistant.id });
  const [result] = run.results;
  assert.equal(result.status, 'error');
  assert.match(result.error, /persona caller .* judge model.*no openai API key/s);
  assert.equal(result.session_id, null);
});
