import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestApi, type TestApi } from '../support/api.ts';
import { contractFetch, type ContractClient, type ContractResult } from '../support/contract.ts';
import { skipUnimplemented } from './skip-unimplemented.ts';
import { authenticatedOperations, fillPath, hasQueryParam, isListOperation, minimalRequestBody, pathParams } from './spec-walk.ts';

/**
 * Bad input of every kind gets the documented status and error shape, never a 500. Every response also passes
 * through the contract helper, so an undocumented status or a malformed error fails here too.
 */

const BODY_LIMIT_BYTES = 4096;

let api: TestApi;
let client: ContractClient;
let anonymous: ContractClient;
let assistantId: string;
let otherAssistantId: string;

before(async () => {
  api = await startTestApi({ env: { ECHOSPHERE_BODY_LIMIT_BYTES: String(BODY_LIMIT_BYTES) } });
  const { secretKey } = await api.createOrganization('Bad input');
  client = contractFetch(api.baseUrl, secretKey);
  anonymous = contractFetch(api.baseUrl, null);
  assistantId = (await client.post('/v1/assistants', { name: 'Allowed', system_prompt: 'Hi.' })).body.id;
  otherAssistantId = (await client.post('/v1/assistants', { name: 'Not allowed', system_prompt: 'Hi.' })).body.id;
});
after(() => api?.close());

function assertError(response: ContractResult, status: number, type: string, code?: string, param?: string): void {
  assert.equal(response.status, status, `expected ${status}, got ${response.status}: ${response.text}`);
  assert.equal(response.body.error.type, type);
  if (code) assert.equal(response.body.error.code, code);
  if (param !== undefined) assert.equal(response.body.error.param, param);
  assert.equal(response.body.error.request_id, response.headers.get('x-request-id'));
}

const json = { 'content-type': 'application/json' };

describe('request bodies', () => {
  test('malformed JSON is a 400', async () => {
    for (const raw of ['{"name": ', '{name: "x"}', '"just a string"', 'null', '']) {
      const response = await client.post('/v1/assistants', undefined, { rawBody: raw, headers: json });
      assertError(response, 400, 'invalid_request');
    }
  });

  test('a JSON value that is not an object is a 400', async () => {
    for (const body of [[], [{ name: 'x', system_prompt: 'y' }], 42, true]) {
      assertError(await client.post('/v1/assistants', body), 400, 'invalid_request');
    }
  });

  test('wrong types name the field', async () => {
    assertError(await client.post('/v1/assistants', { name: 42, system_prompt: 'y' }), 400, 'invalid_request', 'invalid_field', 'name');
    assertError(
      await client.post('/v1/assistants', { name: 'x', system_prompt: 'y', turn: { interruptions_enabled: 'yes' } }),
      400,
      'invalid_request',
      'invalid_field',
      'turn.interruptions_enabled',
    );
    assertError(await client.post('/v1/assistants', { name: 'x', system_prompt: 'y', max_duration_s: 1e9 }), 400, 'invalid_request', 'invalid_field', 'max_duration_s');
    assertError(await client.post('/v1/assistants', { name: 'x', system_prompt: 'y', metadata: { a: 1 } }), 400, 'invalid_request', 'invalid_field');
    assertError(await client.post('/v1/assistants', { name: 'x', system_prompt: 'y', model: { provider: 'skynet' } }), 400, 'invalid_request', 'invalid_field');
    assertError(await client.post('/v1/sessions', { assistant_id: assistantId, audio: { sample_rate_hz: 44100 } }), 400, 'invalid_request', 'invalid_field');
    assertError(await client.patch('/v1/organization', { settings: { max_concurrent_sessions: 0 } }), 400, 'invalid_request', 'invalid_field');
    assertError(await client.put('/v1/provider-credentials/openai', { api_key: 12345678 }), 400, 'invalid_request', 'invalid_field', 'api_key');
    assertError(await client.post('/v1/api-keys', { type: 'public' }), 400, 'invalid_request');
  });

  test('missing required fields name the field', async () => {
    assertError(await client.post('/v1/assistants', { system_prompt: 'y' }), 400, 'invalid_request', undefined, 'name');
    assertError(await client.post('/v1/sessions', {}), 400, 'invalid_request', undefined, 'assistant_id');
  });

  test('unknown fields are refused, top-level and nested', async () => {
    assertError(await client.post('/v1/assistants', { name: 'x', system_prompt: 'y', colour: 'blue' }), 400, 'invalid_request', 'unknown_field', 'colour');
    assertError(
      await client.post('/v1/assistants', { name: 'x', system_prompt: 'y', model: { provider: 'openai', top_k: 3 } }),
      400,
      'invalid_request',
      'unknown_field',
      'model.top_k',
    );
    assertError(await client.patch(`/v1/assistants/${assistantId}`, { nme: 'typo' }), 400, 'invalid_request', 'unknown_field', 'nme');
    assertError(await client.post('/v1/sessions', { assistant_id: assistantId, transprt: 'websocket' }), 400, 'invalid_request', 'unknown_field');
    assertError(await client.patch('/v1/organization', { settings: { max_sessions: 3 } }), 400, 'invalid_request', 'unknown_field');
    assertError(await client.post('/v1/api-keys', { scopes: ['all'] }), 400, 'invalid_request', 'unknown_field');
  });

  test('an oversized body is a 413 on every operation that takes one', async () => {
    const oversized = JSON.stringify({ name: 'x', system_prompt: 'y'.repeat(BODY_LIMIT_BYTES * 2) });
    for (const op of authenticatedOperations().filter((o) => o.operation.requestBody)) {
      const path = fillPath(op, (p) => (p.idPrefix ? `${p.idPrefix}_${'0'.repeat(26)}` : 'openai'));
      const response = await client.request(op.method, path, { rawBody: oversized, headers: json });
      assertError(response, 413, 'invalid_request', 'body_too_large');
    }
  });

  test('a body that is not JSON is a 415', async () => {
    const response = await client.post('/v1/assistants', undefined, { rawBody: 'name=x&system_prompt=y', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    assertError(response, 415, 'invalid_request');
  });
});

describe('ids in paths that cannot exist are a 404', () => {
  // PUT /v1/provider-credentials/{provider} names no existing object; unknown providers are covered below.
  const withIds = authenticatedOperations().filter((op) => pathParams(op).length > 0 && op.method !== 'PUT');
  for (const op of withIds) {
    test(`${op.method} ${op.template}`, (t) =>
      skipUnimplemented(t, async () => {
        const body = minimalRequestBody(op);
        const candidates = [
          'nonsense',
          'asst_tooshort',
          `sess_${'U'.repeat(26)}`, // U is not in the Crockford alphabet
          `zzz_${'0'.repeat(26)}`,
          `${pathParams(op)[0]!.idPrefix ?? 'x'}_${'0'.repeat(26)}`, // well-formed, unknown
          "asst_' OR 1=1 --",
        ];
        for (const bad of candidates) {
          const response = await client.request(op.method, fillPath(op, () => bad), body === undefined ? {} : { body });
          assertError(response, 404, 'not_found');
        }
      }),
    );
  }

  test('an unknown provider is a 404', async () => {
    for (const method of ['GET', 'PUT', 'DELETE'] as const) {
      const response = await client.request(method, '/v1/provider-credentials/acme', method === 'PUT' ? { body: { api_key: 'sk-0123456789' } } : {});
      assertError(response, 404, 'not_found');
    }
  });
});

describe('pagination and filters', () => {
  const lists = authenticatedOperations().filter((op) => isListOperation(op) && hasQueryParam(op, 'limit'));
  const id = (prefix: string) => `${prefix}_${'0'.repeat(26)}`;
  for (const op of lists) {
    test(`${op.method} ${op.template}`, (t) =>
      skipUnimplemented(t, async () => {
        let path = op.template;
        if (op.template === '/v1/sessions/{id}/messages') {
          path = `/v1/sessions/${(await client.post('/v1/sessions', { assistant_id: assistantId })).body.id}/messages`;
        } else if (op.template === '/v1/webhook-endpoints/{id}/deliveries') {
          path = `/v1/webhook-endpoints/${(await client.post('/v1/webhook-endpoints', { url: 'http://127.0.0.1:9/hook' })).body.id}/deliveries`;
        } else if (op.template.includes('{')) {
          t.skip(`${op.template}: no parent object to page under in this suite`);
          return;
        }
        for (const query of ['limit=0', 'limit=101', 'limit=-1', 'limit=abc', 'limit=1.5', 'starting_after=nonsense', `starting_after=${id('zzz')}`, 'limit=1&limit=2', 'unknown_param=1']) {
          const response = await client.get(`${path}?${query}`);
          assertError(response, 400, 'invalid_request');
        }
        if (hasQueryParam(op, 'ending_before')) assertError(await client.get(`${path}?ending_before=%00`), 400, 'invalid_request');
        const ok = await client.get(`${path}?limit=100`);
        assert.equal(ok.status, 200);
      }),
    );
  }

  test('a cursor from another list is refused', async () => {
    assertError(await client.get(`/v1/assistants?starting_after=sess_${'0'.repeat(26)}`), 400, 'invalid_request');
    assertError(await client.get(`/v1/sessions?ending_before=${assistantId}`), 400, 'invalid_request');
  });

  test('bad session filters are a 400', async () => {
    for (const query of ['status=paused', 'assistant_id=nonsense', 'created_after=yesterday', 'created_before=2025-13-45T00:00:00Z']) {
      assertError(await client.get(`/v1/sessions?${query}`), 400, 'invalid_request');
    }
  });
});

describe('authentication', () => {
  test('a missing, malformed or unknown key is a 401 on every operation', async () => {
    const wellFormedUnknown = `sk_${'A'.repeat(43)}`;
    const headers: Record<string, string>[] = [{}, { authorization: 'Basic dXNlcjpwYXNz' }, { authorization: 'Bearer' }, { authorization: 'Bearer not-a-key' }];
    for (const op of authenticatedOperations()) {
      const path = fillPath(op, (p) => (p.idPrefix ? `${p.idPrefix}_${'0'.repeat(26)}` : 'openai'));
      for (const extra of headers) assertError(await anonymous.request(op.method, path, { headers: extra }), 401, 'authentication');
      assertError(await anonymous.request(op.method, path, { key: wellFormedUnknown }), 401, 'authentication', 'invalid_api_key');
    }
  });

  test('a revoked key is a 401', async () => {
    const created = await client.post('/v1/api-keys', { name: 'short-lived' });
    assert.equal((await client.get('/v1/assistants', { key: created.body.key })).status, 200);
    assert.equal((await client.delete(`/v1/api-keys/${created.body.id}`)).body.revoked_at !== null, true);
    assertError(await client.get('/v1/assistants', { key: created.body.key }), 401, 'authentication', 'invalid_api_key');
  });

  test('listed keys never carry their plaintext', async () => {
    const list = await client.get('/v1/api-keys');
    for (const key of list.body.data) assert.equal('key' in key, false);
  });
});

describe('public keys used beyond their grants are a 403', () => {
  let publicKey: string;
  before(async () => {
    const created = await client.post('/v1/api-keys', {
      type: 'public',
      allowed_assistant_ids: [assistantId],
      allowed_origins: ['https://app.example.com'],
    });
    assert.equal(created.status, 201);
    assert.match(created.body.key, /^pk_/);
    publicKey = created.body.key;
  });

  test('on every operation but session creation', async () => {
    for (const op of authenticatedOperations().filter((o) => o.operationId !== 'createSession')) {
      const path = fillPath(op, (p) => (p.idPrefix ? `${p.idPrefix}_${'0'.repeat(26)}` : 'openai'));
      const body = minimalRequestBody(op);
      const response = await client.request(op.method, path, { key: publicKey, ...(body === undefined ? {} : { body }), headers: { origin: 'https://app.example.com' } });
      assertError(response, 403, 'permission', 'public_key_not_allowed');
    }
  });

  test('for an assistant it does not allow', async () => {
    const response = await client.post('/v1/sessions', { assistant_id: otherAssistantId }, { key: publicKey, headers: { origin: 'https://app.example.com' } });
    assertError(response, 403, 'permission', 'assistant_not_allowed');
  });

  test('from an origin it does not allow, or with no origin', async () => {
    for (const origin of ['https://evil.example.com', 'http://app.example.com', 'https://app.example.com.evil.io', 'null']) {
      const response = await client.post('/v1/sessions', { assistant_id: assistantId }, { key: publicKey, headers: { origin } });
      assertError(response, 403, 'permission', 'origin_not_allowed');
    }
    assertError(await client.post('/v1/sessions', { assistant_id: assistantId }, { key: publicKey }), 403, 'permission', 'origin_not_allowed');
  });

  test('within its grants it creates a session', async () => {
    const response = await client.post('/v1/sessions', { assistant_id: assistantId }, { key: publicKey, headers: { origin: 'https://app.example.com' } });
    assert.equal(response.status, 201);
    assert.equal(response.body.assistant_id, assistantId);
  });

  test('grants are validated when the key is created', async () => {
    assertError(await client.post('/v1/api-keys', { type: 'public', allowed_origins: ['*'] }), 400, 'invalid_request', undefined, 'allowed_assistant_ids');
    assertError(await client.post('/v1/api-keys', { type: 'secret', allowed_assistant_ids: [assistantId] }), 400, 'invalid_request', undefined, 'allowed_assistant_ids');
    assertError(
      await client.post('/v1/api-keys', { type: 'public', allowed_assistant_ids: [assistantId], allowed_origins: ['https://app.example.com/path'] }),
      400,
      'invalid_request',
    );
    assertError(await client.post('/v1/api-keys', { type: 'public', allowed_assistant_ids: ['nonsense'], allowed_origins: ['*'] }), 400, 'invalid_request');
  });
});
