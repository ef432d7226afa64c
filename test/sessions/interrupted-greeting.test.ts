import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { dispose } from '@livekit/rtc-node';
import WebSocket from 'ws';
import { SessionClient } from '../../sdk/session-client.ts';
import { useTestApi } from '../support/api.ts';
import { waitFor } from '../support/wait-for.ts';

const GREETING =
  'Hello and welcome to the bicycle shop. We sell city bikes, mountain bikes and cargo bikes, we repair every kind of bicycle, and we rent bikes by the day or by the week.';
const QUESTION = 'When are you open?';
const HOURS = 'We are open from nine to five.';

const { api, call, assistant: shop } = useTestApi({
  withStreamGateway: true,
  assistant: {
    name: 'Shop',
    system_prompt: 'You help with opening hours.',
    first_message: GREETING,
    model: { provider: 'scripted', script: { rules: [{ pattern: 'open', reply: HOURS }], default_reply: 'Sorry?' } },
    voice: { provider: 'local', voice_id: 'en-us', speed_wpm: 180 },
    transcriber: { provider: 'none' },
  },
});

after(() => dispose());

test('a caller who talks over the greeting: spoken order, the heard part of the greeting, metrics on the real reply', async () => {
  const created = await call('POST', '/v1/sessions', { assistant_id: shop.id });
  const id = created.body.id as string;
  const client = new SessionClient({ baseUrl: api.baseUrl.replace('http', 'ws'), sessionId: id, token: created.body.websocket.token, WebSocketImpl: WebSocket as never });
  await client.waitFor('session.started', { timeoutMs: 30_000 });
  await client.waitFor('assistant.audio.started', { includePast: true });
  // About a second of the greeting (16 kHz, 16-bit) has reached the caller: a part of it, far from all of it.
  await waitFor(() => client.audioBytes > 32_000, 'a second of the greeting', 10_000);
  client.sendText(QUESTION);
  const cleared = await client.waitFor('assistant.audio.cleared', { includePast: true });
  assert.ok(cleared.played_ms > 0);
  await client.waitFor('transcript', { includePast: true, predicate: (event) => event.role === 'assistant' && event.text === HOURS });
  const metricsEvent = await client.waitFor('turn.metrics', { includePast: true });
  client.end();
  await client.waitFor('session.ended', { includePast: true });
  await client.closed;

  const session = await waitFor(async () => {
    const response = await call('GET', `/v1/sessions/${id}`);
    return response.body.status === 'ended' ? response.body : undefined;
  }, 'the session to end', 10_000);
  type Message = Record<string, any>;
  const messages = (await call('GET', `/v1/sessions/${id}/messages`)).body.data as Message[];

  // In the order they were spoken: the greeting started before the caller typed.
  assert.deepEqual(messages.map((message) => message.role), ['assistant', 'user', 'assistant']);
  const [greeting, question, reply] = messages as [Message, Message, Message];
  assert.ok(greeting.start_ms <= question.start_ms && question.start_ms <= reply.start_ms, 'start times ascend');

  // The greeting keeps what was heard of it, not the whole first message.
  assert.equal(greeting.interrupted, true);
  assert.ok(greeting.text.length > 0 && greeting.text.length < GREETING.length, `greeting stored as "${greeting.text}"`);
  assert.ok(GREETING.startsWith(greeting.text), 'the stored greeting is a prefix of the first message');

  // The greeting is not a turn: the reply to the question carries the turn's metrics.
  assert.equal(greeting.metrics, null);
  assert.equal(question.text, QUESTION);
  assert.equal(reply.text, HOURS);
  assert.equal(reply.interrupted, false);
  assert.ok(reply.metrics.e2e_ms > 0, `reply e2e_ms ${reply.metrics.e2e_ms}`);
  assert.equal(metricsEvent.message_id, reply.id);
  assert.equal(metricsEvent.e2e_ms, reply.metrics.e2e_ms);

  // The latency summary counts the one turn there was.
  assert.equal(session.latency.turns, 1);
  assert.equal(session.latency.p50_ms, reply.metrics.e2e_ms);
});
