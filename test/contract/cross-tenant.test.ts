import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestApi, type TestApi } from '../support/api.ts';
import { skipUnimplemented } from './skip-unimplemented.ts';
import { authenticatedOperations, fillPath, isListOperation, minimalRequestBody, pathParams } from './spec-walk.ts';
import { createTenant, type Tenant } from './tenant-fixtures.ts';

/**
 * Tenant isolation as customers see it, generated from openapi.yaml: organization B calls every operation that takes
 * an id with organization A's ids and must get the documented 404, and B's lists never show A's objects.
 * Operations whose route does not exist yet (`route_not_found`) are skipped, named, until they land.
 */

let api: TestApi;
let a: Tenant;
let b: Tenant;

before(async () => {
  api = await startTestApi();
  // Different providers, so B holds no credential under the name A's is stored at.
  a = await createTenant(api, 'Tenant A', 'deepgram');
  b = await createTenant(api, 'Tenant B', 'elevenlabs');
});
after(() => api?.close());

const withPathParams = authenticatedOperations().filter((op) => pathParams(op).length > 0);

describe('organization B calling with organization A ids gets 404', () => {
  for (const op of withPathParams) {
    const label = `${op.method} ${op.template}`;
    test(label, (t) => skipUnimplemented(t, async () => {
      const params = pathParams(op);
      const missing = params.find((p) => p.idPrefix && !a.ids.has(p.idPrefix));
      if (missing) {
        t.skip(`no ${missing.idPrefix}_ object could be created yet (${a.notImplemented.join(', ') || 'its route is missing'})`);
        return;
      }
      if (params.some((p) => !p.idPrefix) && op.method === 'PUT') {
        // `PUT /v1/provider-credentials/{provider}` names no object of A: it writes B's own. A must not change.
        const before = await a.client.get(`/v1/provider-credentials/${a.provider}`);
        const response = await b.client.request(op.method, fillPath(op, () => a.provider), { body: minimalRequestBody(op) });
        assert.equal(response.status, 200);
        assert.deepEqual((await a.client.get(`/v1/provider-credentials/${a.provider}`)).body, before.body);
        await b.client.delete(`/v1/provider-credentials/${a.provider}`);
        return;
      }
      const path = fillPath(op, (p) => (p.idPrefix ? a.ids.get(p.idPrefix)! : a.provider));
      const body = minimalRequestBody(op);
      const response = await b.client.request(op.method, path, body === undefined ? {} : { body });
      assert.equal(response.status, 404, `${label} with another organization's id answered ${response.status}: ${response.text}`);
      assert.equal(response.body.error.type, 'not_found');
      assert.equal(response.body.error.request_id, response.headers.get('x-request-id'));
    }));
  }
});

test("organization A's objects are untouched by B's calls", (t) => skipUnimplemented(t, async () => {
  const assistant = await a.client.get(`/v1/assistants/${a.ids.get('asst')}`);
  assert.equal(assistant.status, 200);
  const session = await a.client.get(`/v1/sessions/${a.ids.get('sess')}`);
  assert.equal(session.body.status, 'created');
  const keys = await a.client.get('/v1/api-keys?limit=100');
  assert.equal(keys.body.data.find((k: { id: string }) => k.id === a.ids.get('key'))?.revoked_at, null);
  assert.equal((await a.client.get(`/v1/provider-credentials/${a.provider}`)).status, 200);
  if (a.ids.has('whep')) assert.equal((await a.client.get(`/v1/webhook-endpoints/${a.ids.get('whep')}`)).status, 200);
}));

describe("organization B's lists never include organization A's objects", () => {
  const lists = authenticatedOperations().filter((op) => isListOperation(op) && pathParams(op).length === 0);
  for (const op of lists) {
    test(`${op.method} ${op.template}`, (t) => skipUnimplemented(t, async () => {
      // The longest page, and the first choice of any required query parameter (GET /v1/voices's provider).
      const query = new URLSearchParams();
      for (const parameter of op.parameters) {
        if (parameter.name === 'limit') query.set('limit', '100');
        else if (parameter.in === 'query' && parameter.required) query.set(parameter.name, String(parameter.schema.enum[0]));
      }
      const response = await b.client.get(`${op.template}${query.size > 0 ? `?${query}` : ''}`);
      assert.equal(response.status, 200);
      const foreign = new Set(a.ids.values());
      const leaked = JSON.stringify(response.body.data).match(/[a-z]+_[0-9A-HJKMNP-TV-Z]{26}/g)?.filter((id) => foreign.has(id)) ?? [];
      assert.deepEqual(leaked, [], `B's ${op.template} shows A's objects`);
      if (op.template === '/v1/provider-credentials') {
        assert.deepEqual(response.body.data.map((c: { provider: string }) => c.provider), [b.provider]);
      }
    }));
  }

  test('filters naming A objects find nothing for B', async () => {
    const response = await b.client.get(`/v1/sessions?assistant_id=${a.ids.get('asst')}`);
    assert.equal(response.status, 200);
    assert.deepEqual(response.body.data, []);
  });

  test('B sees its own organization', async () => {
    const response = await b.client.get('/v1/organization');
    assert.equal(response.body.id, b.orgId);
  });
});
