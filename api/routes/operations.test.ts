import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startTestApi, type TestApi } from '../../test/support/api.ts';
import { apiClient } from '../../test/support/client.ts';

let api: TestApi;

before(async () => {
  api = await startTestApi();
});
after(() => api.close());

test('health, readiness and the contract are served without a key', async () => {
  assert.deepEqual(await (await fetch(`${api.baseUrl}/healthz`)).json(), { status: 'ok' });
  assert.deepEqual(await (await fetch(`${api.baseUrl}/readyz`)).json(), { status: 'ready', database: 'ok' });
  const spec = (await (await fetch(`${api.baseUrl}/openapi.json`)).json()) as { openapi: string; paths: Record<string, unknown> };
  assert.match(spec.openapi, /^3\.1/);
  assert.ok(spec.paths['/v1/sessions']);
  const docs = await fetch(`${api.baseUrl}/docs`);
  assert.match(await docs.text(), /<redoc spec-url="\/openapi.json">/);
  assert.equal((await fetch(`${api.baseUrl}/docs/redoc.standalone.js`)).status, 200);
});

test('metrics count requests by route template, not by raw path', async () => {
  const { secretKey } = await api.createOrganization();
  const call = apiClient(api.baseUrl, secretKey);
  await call('GET', '/v1/assistants/asst_00000000000000000000000000');
  await call('GET', '/v1/assistants');
  const metrics = await (await fetch(`${api.baseUrl}/metrics`)).text();
  assert.match(metrics, /echosphere_http_requests_total\{method="GET",route="\/v1\/assistants\/:id",status="404"\} 1/);
  assert.match(metrics, /echosphere_http_request_duration_seconds_bucket\{le="0.005",method="GET",route="\/v1\/assistants\/:id"\}/);
  assert.match(metrics, /echosphere_http_requests_total\{method="GET",route="\/v1\/assistants",status="200"\} 1/);
  assert.ok(!metrics.includes('asst_00000000000000000000000000'));
});

test('every response carries a request id, echoed from the caller when sane', async () => {
  const own = await fetch(`${api.baseUrl}/v1/organization`, { headers: { 'x-request-id': 'trace-123' } });
  assert.equal(own.headers.get('x-request-id'), 'trace-123');
  const body = (await own.json()) as { error: { request_id: string; type: string } };
  assert.equal(body.error.request_id, 'trace-123');
  assert.equal(body.error.type, 'authentication');
  const generated = await fetch(`${api.baseUrl}/nowhere`, { headers: { 'x-request-id': 'bad id with spaces' } });
  assert.match(generated.headers.get('x-request-id') ?? '', /^req_[0-9a-f]{32}$/);
  assert.equal(generated.status, 404);
});

test('readiness reports an unreachable database as 503', async () => {
  const other = await startTestApi();
  await other.db.close();
  const response = await fetch(`${other.baseUrl}/readyz`);
  assert.equal(response.status, 503);
  other.server.closeAllConnections();
  await new Promise((resolve) => other.server.close(resolve));
});
