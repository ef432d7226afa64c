import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestApi, type TestApi } from '../support/api.ts';
import { contractFetch, type ContractClient, type ContractResult } from '../support/contract.ts';
import { authenticatedOperations, fillPath, hasQueryParam, isListOperation, minimalRequestBody, pathParams } from './spec-walk.ts';

/**
 * Input PostgreSQL cannot store (NUL, unpaired UTF-16 surrogates), nesting deep enough to overflow recursive code,
 * and percent-encoding that does not decode: a 400 naming the parameter on every operation, never a 500 from the
 * database or a decoder. Every response also passes through the contract helper.
 */

let api: TestApi;
let client: ContractClient;
const unknownId = (prefix: string | undefined) => (prefix ? `${prefix}_${'0'.repeat(26)}` : 'openai');

before(async () => {
  api = await startTestApi();
  client = contractFetch(api.baseUrl, (await api.createOrganization('Unstorable input')).secretKey);
});
after(() => api?.close());

function assertBadRequest(response: ContractResult, code: string, param?: string): void {
  assert.equal(response.status, 400, `expected 400, got ${response.status}: ${response.text}`);
  assert.equal(response.body.error.type, 'invalid_request');
  assert.equal(response.body.error.code, code);
  assert.equal(response.body.error.param, param);
  assert.equal(response.body.error.request_id, response.headers.get('x-request-id'));
}

const json = { 'content-type': 'application/json' };

describe('request bodies', () => {
  test('a NUL in any key or value of any body is a 400 naming it, on every operation that takes a body', async () => {
    for (const op of authenticatedOperations().filter((o) => o.operation.requestBody)) {
      const path = fillPath(op, (p) => unknownId(p.idPrefix));
      const body = minimalRequestBody(op) as Record<string, unknown>;
      assertBadRequest(await client.request(op.method, path, { body: { ...body, 'na\u0000me': 'x' } }), 'invalid_field', 'na\u0000me');
      assertBadRequest(await client.request(op.method, path, { body: { ...body, extra: ['ok', { deeper: 'a\u0000b' }] } }), 'invalid_field', 'extra.1.deeper');
    }
  });

  test('NUL in the fields that reach text and jsonb columns', async () => {
    assertBadRequest(await client.post('/v1/assistants', { name: 'a\u0000b', system_prompt: 'x' }), 'invalid_field', 'name');
    assertBadRequest(await client.post('/v1/assistants', { name: 'a', system_prompt: 'x', metadata: { k: '\u0000' } }), 'invalid_field', 'metadata.k');
    assertBadRequest(await client.put('/v1/provider-credentials/openai', { api_key: 'sk-0123456789\u0000' }), 'invalid_field', 'api_key');
    assertBadRequest(await client.patch('/v1/organization', { name: '\u0000' }), 'invalid_field', 'name');
    assertBadRequest(await client.post('/v1/api-keys', { name: 'key\u0000' }), 'invalid_field', 'name');
    assertBadRequest(await client.post('/v1/webhook-endpoints', { url: 'http://127.0.0.1:9/x', description: '\u0000' }), 'invalid_field', 'description');
  });

  test('unpaired surrogates are a 400; a paired one (an emoji) is stored as sent', async () => {
    for (const escaped of ['\\ud800', '\\udfff', 'a\\ud83d', '\\ude00b']) {
      const raw = `{"name":"x","system_prompt":"y","metadata":{"k":"${escaped}"}}`;
      assertBadRequest(await client.post('/v1/assistants', undefined, { rawBody: raw, headers: json }), 'invalid_field', 'metadata.k');
      const asName = `{"name":"${escaped}","system_prompt":"y"}`;
      assertBadRequest(await client.post('/v1/assistants', undefined, { rawBody: asName, headers: json }), 'invalid_field', 'name');
    }
    const created = await client.post('/v1/assistants', undefined, { rawBody: '{"name":"\\ud83d\\ude00","system_prompt":"y"}', headers: json });
    assert.equal(created.status, 201);
    assert.equal(created.body.name, '😀');
  });

  test('nesting deeper than any contract schema is a 400, however deep', async () => {
    for (const depth of [65, 20_000]) {
      const nested = '['.repeat(depth) + ']'.repeat(depth);
      const raw =
        '{"name":"x","system_prompt":"y","tools":[{"type":"function","name":"f","description":"d",' +
        `"parameters":{"type":"object","properties":{"a":${nested}}},"server":{"url":"http://127.0.0.1:9/x"}}]}`;
      const response = await client.post('/v1/assistants', undefined, { rawBody: raw, headers: json });
      assert.equal(response.status, 400, response.text);
      assert.equal(response.body.error.code, 'invalid_field');
      assert.match(response.body.error.param, /^tools\.0\.parameters\.properties\.a(\.0)+$/);
    }
  });
});

describe('query strings', () => {
  const lists = authenticatedOperations().filter((op) => isListOperation(op) && hasQueryParam(op, 'limit') && !op.template.includes('{'));

  test('a NUL in a query value or name is a 400 naming it', async () => {
    for (const op of lists) {
      assertBadRequest(await client.get(`${op.template}?starting_after=%00`), 'invalid_query', 'starting_after');
      assertBadRequest(await client.get(`${op.template}?%00=1`), 'invalid_query', '\u0000');
    }
    assertBadRequest(await client.get('/v1/sessions?assistant_id=asst_%00'), 'invalid_query', 'assistant_id');
  });

  test('malformed percent-encoding is a 400 naming the parameter', async () => {
    for (const op of lists) {
      for (const bad of ['%E0%A4%A', '%', '%ZZ', '%ED%A0%80', '%C0%AF']) {
        assertBadRequest(await client.get(`${op.template}?limit=${bad}`), 'malformed_query', 'limit');
      }
      assertBadRequest(await client.get(`${op.template}?li%E0it=1`), 'malformed_query');
    }
  });

  test('well-formed escapes still decode', async () => {
    const page = await client.get('/v1/assistants?limit=%31%30');
    assert.equal(page.status, 200);
  });
});

describe('path parameters', () => {
  const withParams = authenticatedOperations().filter((op) => pathParams(op).length > 0);

  test('a NUL is a 400 naming the parameter, on every operation with one', async () => {
    for (const op of withParams) {
      const param = pathParams(op)[0]!;
      const body = minimalRequestBody(op);
      for (const bad of ['\u0000', `${param.idPrefix ?? 'openai'}_\u0000`]) {
        const response = await client.request(op.method, fillPath(op, () => bad), body === undefined ? {} : { body });
        assertBadRequest(response, 'invalid_path_parameter', param.name);
      }
    }
  });

  test('malformed percent-encoding is a 400, on every operation with one', async () => {
    for (const op of withParams) {
      const body = minimalRequestBody(op);
      for (const bad of ['%E0%A4%A', '%', '%ZZ', '%ED%A0%80']) {
        const path = op.template.replace(/\{[^}]+\}/, bad).replace(/\{[^}]+\}/g, 'x');
        assertBadRequest(await client.request(op.method, path, body === undefined ? {} : { body }), 'malformed_path', undefined);
      }
    }
  });
});
