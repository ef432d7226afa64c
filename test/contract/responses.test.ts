import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { parse } from 'yaml';
import { toPublicEvent } from '../../contract/event.ts';
import type { EventRow } from '../../core/webhooks/outbox.ts';
import { startTestApi, type TestApi } from '../support/api.ts';
import { assertMatchesSchema, contractFetch, type ContractClient } from '../support/contract.ts';
import { skipUnimplemented } from './skip-unimplemented.ts';

/**
 * The success paths of every implemented operation, with the richest bodies the contract allows, so each documented
 * response shape is exercised against the real app (the contract helper checks every response).
 */

let api: TestApi;
let client: ContractClient;
let orgId: string;

before(async () => {
  api = await startTestApi();
  const org = await api.createOrganization('Responses');
  orgId = org.orgId;
  client = contractFetch(api.baseUrl, org.secretKey);
});
after(() => api?.close());

const fullAssistant = {
  name: 'Front desk',
  system_prompt: 'You answer calls for a dental practice.',
  first_message: 'Hello, how can I help?',
  first_message_interruptible: false,
  model: { provider: 'openai', model: 'gpt-4o-mini', temperature: 0.3, max_tokens: 256, base_url: 'http://127.0.0.1:9/v1' },
  voice: { provider: 'elevenlabs', voice_id: 'Rachel', settings: { stability: 0.5, similarity_boost: 0.7, style: 0, speed: 1.1 } },
  transcriber: { provider: 'deepgram', model: 'nova-3', language: 'en-GB' },
  turn: { interruptions_enabled: true, interruption_min_duration_ms: 300, interruption_min_words: 2, endpointing_min_delay_ms: 400, endpointing_max_delay_ms: 3000, vad: 'silero' },
  tools: [
    {
      type: 'function',
      name: 'book_appointment',
      description: 'Books an appointment.',
      parameters: { type: 'object', properties: { day: { type: 'string' } }, required: ['day'] },
      server: { url: 'http://127.0.0.1:9/book', timeout_ms: 2000 },
    },
    { type: 'end_call', description: 'Hang up when the caller is done.' },
  ],
  end_call_phrases: ['goodbye'],
  end_call_message: 'Thanks for calling!',
  silence_timeout_s: 30,
  max_duration_s: 600,
  recording_enabled: false,
  server_url: 'http://127.0.0.1:9/assistant',
  metadata: { team: 'dental' },
};

describe('operations', () => {
  test('health, readiness, metrics, contract and docs', async () => {
    assert.deepEqual((await client.get('/healthz', { key: null })).body, { status: 'ok' });
    assert.deepEqual((await client.get('/readyz', { key: null })).body, { status: 'ready', database: 'ok' });
    assert.match((await client.get('/metrics', { key: null })).text, /# TYPE/);
    const served = await client.get('/openapi.json', { key: null });
    assert.deepEqual(served.body, parse(readFileSync(new URL('../../openapi/openapi.yaml', import.meta.url), 'utf8')));
    assert.match((await client.get('/docs', { key: null })).text, /<redoc/);
  });
});

describe('organization', () => {
  test('get and update', async () => {
    const org = await client.get('/v1/organization');
    assert.equal(org.body.id, orgId);
    const updated = await client.patch('/v1/organization', { name: 'Renamed', settings: { recording_retention_days: 7 } });
    assert.equal(updated.body.name, 'Renamed');
    assert.equal(updated.body.settings.recording_retention_days, 7);
    assert.equal(updated.body.settings.max_concurrent_sessions, org.body.settings.max_concurrent_sessions);
  });
});

describe('api keys', () => {
  test('create secret and public keys, list, revoke', async () => {
    const assistant = await client.post('/v1/assistants', { name: 'a', system_prompt: '' });
    const secret = await client.post('/v1/api-keys', {});
    assert.equal(secret.status, 201);
    assert.equal(secret.body.type, 'secret');
    assert.equal(secret.body.prefix, secret.body.key.slice(0, 10));
    const pub = await client.post('/v1/api-keys', { type: 'public', name: 'Widget', allowed_assistant_ids: [assistant.body.id], allowed_origins: ['*'] });
    assert.deepEqual(pub.body.allowed_origins, ['*']);
    const list = await client.get('/v1/api-keys?limit=1');
    assert.equal(list.body.has_more, true);
    const revoked = await client.delete(`/v1/api-keys/${pub.body.id}`);
    assert.notEqual(revoked.body.revoked_at, null);
    const again = await client.delete(`/v1/api-keys/${pub.body.id}`);
    assert.equal(again.body.revoked_at, revoked.body.revoked_at);
  });
});

describe('provider credentials', () => {
  test('put, get, list, delete; the key is never returned', async () => {
    const put = await client.put('/v1/provider-credentials/deepgram', { api_key: 'dg-secret-abcd1234', base_url: 'wss://127.0.0.1:9' });
    assert.equal(put.body.api_key_last4, '1234');
    assert.equal(put.text.includes('dg-secret'), false);
    const replaced = await client.put('/v1/provider-credentials/deepgram', { api_key: 'dg-secret-abcd9999' });
    assert.equal(replaced.body.base_url, null);
    assert.equal((await client.get('/v1/provider-credentials/deepgram')).body.api_key_last4, '9999');
    const list = await client.get('/v1/provider-credentials');
    assert.deepEqual(list.body.data.map((c: { provider: string }) => c.provider), ['deepgram']);
    assert.deepEqual((await client.delete('/v1/provider-credentials/deepgram')).body, { object: 'provider_credential', provider: 'deepgram', deleted: true });
    assert.equal((await client.get('/v1/provider-credentials/deepgram')).status, 404);
  });
});

describe('assistants', () => {
  test('every provider variant round-trips', async () => {
    // A provider base_url only ever gets the organization's own key.
    assert.equal((await client.put('/v1/provider-credentials/openai', { api_key: 'sk-own-key-0001' })).status, 200);
    const created = await client.post('/v1/assistants', fullAssistant);
    assert.equal(created.status, 201, created.text);
    const { id, object, created_at, updated_at, ...config } = created.body;
    assert.equal(object, 'assistant');
    assert.ok(id && created_at && updated_at);
    assert.deepEqual(config.tools[0].server, { url: 'http://127.0.0.1:9/book', timeout_ms: 2000 });
    assert.equal(config.voice.model, 'eleven_turbo_v2_5');
    const variants = [
      { voice: { provider: 'openai' }, transcriber: { provider: 'openai' } },
      { voice: { provider: 'local', speed_wpm: 200 }, transcriber: { provider: 'none' }, model: { provider: 'scripted', script: { rules: [{ pattern: '^hi', reply: 'Hello!' }], default_reply: 'Sorry?' } } },
      { model: { provider: 'openai' }, silence_timeout_s: null, server_url: null, first_message: null, tools: [] },
    ];
    for (const patch of variants) {
      const patched = await client.patch(`/v1/assistants/${id}`, patch);
      assert.equal(patched.status, 200);
    }
    const list = await client.get('/v1/assistants');
    assert.equal(list.body.data[0].id, id);
    assert.equal((await client.delete(`/v1/assistants/${id}`)).body.deleted, true);
  });
});

describe('sessions', () => {
  test('create, get, list with filters, messages, end', async () => {
    const assistant = await client.post('/v1/assistants', { name: 'Sessions', system_prompt: '' });
    const created = await client.post('/v1/sessions', { assistant_id: assistant.body.id, audio: { encoding: 'mulaw', sample_rate_hz: 8000 }, metadata: { call: '1' } });
    assert.equal(created.status, 201);
    assert.equal(created.body.status, 'created');
    assert.deepEqual(created.body.assistant.id, assistant.body.id);
    assert.match(created.body.websocket.url, new RegExp(`/v1/sessions/${created.body.id}/stream$`));
    const fetched = await client.get(`/v1/sessions/${created.body.id}`);
    assert.equal('websocket' in fetched.body, false);
    const since = new Date(Date.parse(created.body.created_at) - 1000).toISOString();
    const filtered = await client.get(`/v1/sessions?assistant_id=${assistant.body.id}&status=created&created_after=${since}&limit=5`);
    assert.deepEqual(filtered.body.data.map((s: { id: string }) => s.id), [created.body.id]);
    const messages = await client.get(`/v1/sessions/${created.body.id}/messages`);
    assert.deepEqual(messages.body, { object: 'list', data: [], has_more: false });
    const ended = await client.post(`/v1/sessions/${created.body.id}/end`);
    assert.equal(ended.body.status, 'ended');
    assert.equal(ended.body.ended_reason, 'customer-ended');
    const again = await client.post(`/v1/sessions/${created.body.id}/end`);
    assert.equal(again.status, 409);
    assert.equal(again.body.error.code, 'session_already_ended');
  });

  test('livekit without a LiveKit server configured and the concurrency limit are 409s', async () => {
    const assistant = await client.post('/v1/assistants', { name: 'Limits', system_prompt: '' });
    const livekit = await client.post('/v1/sessions', { assistant_id: assistant.body.id, transport: 'livekit' });
    assert.equal(livekit.status, 409);
    assert.equal(livekit.body.error.code, 'transport_unavailable');
    const live = (await client.get('/v1/sessions?status=created&limit=100')).body.data.length;
    await client.patch('/v1/organization', { settings: { max_concurrent_sessions: live + 1 } });
    assert.equal((await client.post('/v1/sessions', { assistant_id: assistant.body.id })).status, 201);
    const refused = await client.post('/v1/sessions', { assistant_id: assistant.body.id });
    assert.equal(refused.status, 409);
    assert.equal(refused.body.error.code, 'concurrency_limit_reached');
    const unknownAssistant = await client.post('/v1/sessions', { assistant_id: `asst_${'0'.repeat(26)}` });
    assert.equal(unknownAssistant.status, 404);
  });

});

describe('webhook endpoints and events', () => {
  test('create, read, update, rotate, test, deliveries, delete', (t) =>
    skipUnimplemented(t, async () => {
      const created = await client.post('/v1/webhook-endpoints', { url: 'http://127.0.0.1:9/hook', description: 'CRM', event_types: ['session.ended', 'transcript.final'] });
      assert.equal(created.status, 201);
      assert.match(created.body.secret, /^whsec_/);
      const id = created.body.id as string;
      assert.equal('secret' in (await client.get(`/v1/webhook-endpoints/${id}`)).body, false);
      assert.equal((await client.get('/v1/webhook-endpoints')).body.data[0].id, id);
      assert.equal((await client.patch(`/v1/webhook-endpoints/${id}`, { event_types: ['*'], enabled: true })).status, 200);
      const rotated = await client.post(`/v1/webhook-endpoints/${id}/rotate-secret`, { overlap_s: 60 });
      assert.notEqual(rotated.body.secret, created.body.secret);
      const sent = await client.post(`/v1/webhook-endpoints/${id}/test`);
      assert.equal(sent.status, 202);
      const deliveries = await client.get(`/v1/webhook-endpoints/${id}/deliveries`);
      assert.ok(deliveries.body.data.some((d: { id: string }) => d.id === sent.body.id));
      await client.patch(`/v1/webhook-endpoints/${id}`, { enabled: false });
      assert.equal((await client.post(`/v1/webhook-endpoints/${id}/test`)).status, 409);
      assert.equal((await client.delete(`/v1/webhook-endpoints/${id}`)).body.deleted, true);
      assert.equal((await client.get(`/v1/webhook-endpoints/${id}`)).status, 404);
    }));

  test('list, get and redeliver events', (t) =>
    skipUnimplemented(t, async () => {
      const events = await client.get('/v1/events?type=session.created&limit=5');
      assert.ok(events.body.data.length > 0);
      const event = await client.get(`/v1/events/${events.body.data[0].id}`);
      assert.deepEqual(event.body, events.body.data[0]);
      const redelivered = await client.post(`/v1/events/${event.body.id}/redeliver`, {});
      assert.equal(redelivered.status, 202);
      assert.equal((await client.get(`/v1/events?session_id=${event.body.session_id}`)).status, 200);
    }));

  test('every event in the outbox matches its payload in the webhooks section', async () => {
    const schemaFor: Record<string, string> = {
      'session.created': 'SessionCreatedEvent',
      'session.started': 'SessionStartedEvent',
      'session.ended': 'SessionEndedEvent',
      'transcript.final': 'TranscriptFinalEvent',
      'recording.ready': 'RecordingReadyEvent',
      'recording.failed': 'RecordingFailedEvent',
      'recording.skipped': 'RecordingSkippedEvent',
      'endpoint.disabled': 'EndpointDisabledEvent',
      'webhook.test': 'WebhookTestEvent',
    };
    const rows = await api.db.system((trx) => trx<EventRow>('events').where({ org_id: orgId }));
    assert.ok(rows.length > 0);
    for (const row of rows) assertMatchesSchema(schemaFor[row.type]!, toPublicEvent(row));
  });
});

describe('rate limits', () => {
  test('429 with Retry-After and the draft-8 RateLimit headers', async () => {
    const limited = await startTestApi({ env: { ECHOSPHERE_RATE_LIMIT_REQUESTS: '2', ECHOSPHERE_RATE_LIMIT_WINDOW_S: '60' } });
    try {
      const { secretKey } = await limited.createOrganization('Limited');
      const limitedClient = contractFetch(limited.baseUrl, secretKey);
      const first = await limitedClient.get('/v1/organization');
      assert.match(first.headers.get('ratelimit-policy') ?? '', /^"per-key"; ?q=2; ?w=60(; ?pk=:[A-Za-z0-9+/=]+:)?$/);
      assert.match(first.headers.get('ratelimit') ?? '', /^"per-key"; ?r=1; ?t=\d+(; ?pk=:[A-Za-z0-9+/=]+:)?$/);
      await limitedClient.get('/v1/organization');
      const refused = await limitedClient.get('/v1/organization');
      assert.equal(refused.status, 429);
      assert.equal(refused.body.error.type, 'rate_limited');
      assert.match(refused.headers.get('retry-after') ?? '', /^\d+$/);
      assert.match(refused.headers.get('ratelimit') ?? '', /^"per-key"; ?r=0; ?t=\d+(; ?pk=:[A-Za-z0-9+/=]+:)?$/);
    } finally {
      await limited.close();
    }
  });
});
