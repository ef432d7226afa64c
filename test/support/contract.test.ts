import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { assertMatchesContract, assertMatchesSchema, contract, contractFetch, ContractViolation } from './contract.ts';

const REQUEST_ID = { 'x-request-id': 'req_1', 'content-type': 'application/json' };
const ASSISTANT_ID = 'asst_01JD8X4P7Q2M5N8R3T6V9W1Y4Z';

function assistant(overrides: Record<string, unknown> = {}) {
  return {
    id: ASSISTANT_ID,
    object: 'assistant',
    name: 'Receptionist',
    system_prompt: 'Be brief.',
    first_message: null,
    first_message_interruptible: true,
    model: { provider: 'scripted', script: { rules: [], default_reply: 'Hi.' } },
    voice: { provider: 'local', voice_id: 'en-us', speed_wpm: 175 },
    transcriber: { provider: 'none' },
    turn: {
      interruptions_enabled: true,
      interruption_min_duration_ms: 500,
      interruption_min_words: 0,
      endpointing_min_delay_ms: 500,
      endpointing_max_delay_ms: 6000,
      vad: 'default',
    },
    tools: [{ type: 'end_call' }],
    end_call_phrases: [],
    end_call_message: null,
    silence_timeout_s: null,
    max_duration_s: 1800,
    recording_enabled: true,
    server_url: null,
    metadata: {},
    analysis: null,
    created_at: '2025-01-31T12:00:00.000Z',
    updated_at: '2025-01-31T12:00:00.000Z',
    ...overrides,
  };
}

const notFound = { error: { type: 'not_found', code: 'resource_not_found', message: 'No assistant.', param: 'id', request_id: 'req_1' } };

test('a correct body passes', () => {
  assertMatchesContract('GET', `/v1/assistants/${ASSISTANT_ID}`, 200, assistant(), REQUEST_ID);
  assertMatchesContract('get', `http://localhost:3000/v1/assistants/${ASSISTANT_ID}?expand=x`, 404, notFound, REQUEST_ID);
  assertMatchesContract('GET', '/healthz', 200, { status: 'ok' }, REQUEST_ID);
});

test('a deliberately wrong body fails and the message says where', () => {
  const wrong = assistant({ max_duration_s: '1800', extra: true });
  assert.throws(
    () => assertMatchesContract('GET', `/v1/assistants/${ASSISTANT_ID}`, 200, wrong, REQUEST_ID),
    (error: unknown) =>
      error instanceof ContractViolation &&
      /getAssistant/.test(error.message) &&
      /\/max_duration_s: must be integer/.test(error.message) &&
      /undocumented property "extra"/.test(error.message),
  );
  const { voice: _voice, ...missing } = assistant();
  assert.throws(() => assertMatchesContract('GET', `/v1/assistants/${ASSISTANT_ID}`, 200, missing, REQUEST_ID), /missing required property "voice"/);
  assert.throws(
    () => assertMatchesContract('GET', `/v1/assistants/${ASSISTANT_ID}`, 200, assistant({ voice: { provider: 'local', pitch: 2 } }), REQUEST_ID),
    ContractViolation,
  );
});

test('an error of the wrong type for its status fails', () => {
  const wrongType = { error: { ...notFound.error, type: 'invalid_request' } };
  assert.throws(() => assertMatchesContract('GET', `/v1/assistants/${ASSISTANT_ID}`, 404, wrongType, REQUEST_ID), /must be "not_found"/);
  const noRequestId = { error: { type: 'not_found', code: 'x', message: 'y' } };
  assert.throws(() => assertMatchesContract('GET', `/v1/assistants/${ASSISTANT_ID}`, 404, noRequestId, REQUEST_ID), /request_id/);
});

test('an undocumented status, method or path fails', () => {
  assert.throws(() => assertMatchesContract('GET', `/v1/assistants/${ASSISTANT_ID}`, 418, {}, REQUEST_ID), /status 418 is not documented for getAssistant/);
  assert.throws(() => assertMatchesContract('PUT', `/v1/assistants/${ASSISTANT_ID}`, 200, {}, REQUEST_ID), /no PUT operation/);
  assert.throws(() => assertMatchesContract('GET', '/v1/nothing-here', 404, notFound, REQUEST_ID), /not in openapi.yaml/);
});

test('required headers are checked when headers are given', () => {
  assert.throws(() => assertMatchesContract('GET', '/healthz', 200, { status: 'ok' }, { 'content-type': 'application/json' }), /X-Request-Id is required/);
  const limited = { error: { type: 'rate_limited', code: 'rate_limit_exceeded', message: 'Slow down.', request_id: 'req_1' } };
  assert.throws(() => assertMatchesContract('GET', '/v1/assistants', 429, limited, REQUEST_ID), /Retry-After is required/);
  assertMatchesContract('GET', '/v1/assistants', 429, limited, { ...REQUEST_ID, 'retry-after': '1' });
});

test('literal path segments win over parameters', () => {
  assert.equal(contract().findOperation('GET', `/v1/sessions/sess_01JD8X4P7Q2M5N8R3T6V9W1Y4Z/messages`)?.operationId, 'listSessionMessages');
  assert.equal(contract().findOperation('POST', '/v1/sessions')?.operationId, 'createSession');
});

test('named schemas validate webhook payloads', () => {
  assertMatchesSchema('WebhookTestEvent', {
    id: 'evt_01JD8X4P7Q2M5N8R3T6V9W1Y4Z',
    object: 'event',
    type: 'webhook.test',
    created_at: '2025-01-31T12:00:00.000Z',
    session_id: null,
    assistant_id: null,
    data: { endpoint_id: 'whep_01JD8X4P7Q2M5N8R3T6V9W1Y4Z', message: 'A test event.' },
  });
  assert.throws(() => assertMatchesSchema('Event', { id: 'evt_x' }), ContractViolation);
});

test('contractFetch checks every response it returns', async () => {
  const server = http.createServer((req, res) => {
    res.setHeader('x-request-id', 'req_1');
    res.setHeader('content-type', 'application/json');
    if (req.url === '/healthz') res.end(JSON.stringify({ status: 'ok' }));
    else res.end(JSON.stringify({ status: 'broken' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const api = contractFetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    assert.deepEqual((await api.get('/healthz')).body, { status: 'ok' });
    await assert.rejects(api.get('/readyz'), /getReadiness[\s\S]*\/status: must be "ready"/);
  } finally {
    server.close();
  }
});
