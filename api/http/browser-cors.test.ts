import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startTestApi, useTestApi } from '../../test/support/api.ts';
import { apiClient } from '../../test/support/client.ts';
import { assertMatchesContract } from '../../test/support/contract.ts';

const APP = 'https://app.example.com';
const FOREIGN = 'https://elsewhere.example';

const { api, call, assistant: webAssistant } = useTestApi({ assistant: { name: 'Web', system_prompt: '' } });

/** A fresh key per test: each has its own rate-limit bucket. */
async function createKey(body: Record<string, unknown>): Promise<string> {
  const created = await call('POST', '/v1/api-keys', body);
  assert.equal(created.status, 201);
  return created.body.key;
}
const publicKey = (origins: string[]) => createKey({ type: 'public', allowed_assistant_ids: [webAssistant.id], allowed_origins: origins });

/** What a browser sends before a cross-origin POST with a bearer key: no key, the method and headers it wants. */
async function preflight(path: string, origin: string) {
  const response = await fetch(`${api.baseUrl}${path}`, {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' },
  });
  // Only the sessions preflight is an operation of the contract; the others are answered so browsers stop there.
  if (path === '/v1/sessions') assertMatchesContract('OPTIONS', path, response.status, undefined, response.headers);
  return response;
}

const varyList = (headers: Headers) => (headers.get('vary') ?? '').split(',').map((value) => value.trim().toLowerCase());

test('the preflight of POST /v1/sessions lets any origin send it, since it carries no key to decide by', async () => {
  for (const origin of [APP, FOREIGN]) {
    const response = await preflight('/v1/sessions', origin);
    assert.equal(response.status, 204);
    assert.equal(response.headers.get('access-control-allow-origin'), origin);
    assert.equal(response.headers.get('access-control-allow-methods'), 'POST');
    assert.match(response.headers.get('access-control-allow-headers') ?? '', /Authorization/);
    assert.match(response.headers.get('access-control-allow-headers') ?? '', /Content-Type/);
    assert.equal(response.headers.get('access-control-max-age'), '600');
    assert.ok(varyList(response.headers).includes('origin'));
    assert.equal(response.headers.get('access-control-allow-credentials'), null, 'keys travel in a header, never cookies');
  }
});

test('preflights of every other route get no allowance and need no key', async () => {
  const response = await preflight('/v1/assistants', APP);
  assert.equal(response.status, 204);
  assert.equal(response.headers.get('access-control-allow-origin'), null);
  assert.equal(response.headers.get('access-control-allow-methods'), null);
  assert.ok(varyList(response.headers).includes('origin'));
});

test('a public key from an allowed origin: the page may read the session and the headers the SDK needs', async () => {
  const browser = apiClient(api.baseUrl, await publicKey([APP]), { origin: APP });
  const created = await browser('POST', '/v1/sessions', { assistant_id: webAssistant.id });
  assert.equal(created.status, 201);
  assert.equal(created.headers.get('access-control-allow-origin'), APP);
  assert.ok(varyList(created.headers).includes('origin'));
  const exposed = (created.headers.get('access-control-expose-headers') ?? '').split(',').map((name) => name.trim().toLowerCase());
  for (const name of ['x-request-id', 'ratelimit', 'ratelimit-policy', 'retry-after']) assert.ok(exposed.includes(name), `exposes ${name}`);
});

test('a public key that allows any origin answers each origin with its own', async () => {
  const browser = apiClient(api.baseUrl, await publicKey(['*']));
  const created = await browser('POST', '/v1/sessions', { assistant_id: webAssistant.id }, { origin: FOREIGN });
  assert.equal(created.status, 201);
  assert.equal(created.headers.get('access-control-allow-origin'), FOREIGN);
});

test('a public key from an origin it does not allow: 403 origin_not_allowed, and no allowance', async () => {
  const browser = apiClient(api.baseUrl, await publicKey([APP]), { origin: FOREIGN });
  for (const [method, path] of [['POST', '/v1/sessions'], ['GET', '/v1/assistants']] as const) {
    const refused = await browser(method, path, method === 'POST' ? { assistant_id: webAssistant.id } : undefined);
    assert.equal(refused.status, 403);
    assert.equal(refused.body.error.type, 'permission');
    assert.equal(refused.body.error.code, 'origin_not_allowed');
    assert.equal(refused.body.error.request_id, refused.headers.get('x-request-id'));
    assert.equal(refused.headers.get('access-control-allow-origin'), null);
    assert.ok(varyList(refused.headers).includes('origin'));
  }
  const noOrigin = await apiClient(api.baseUrl, await publicKey([APP]))('POST', '/v1/sessions', { assistant_id: webAssistant.id });
  assert.equal(noOrigin.body.error.code, 'origin_not_allowed', 'without "*", a request with no Origin is refused');
});

test('a secret key from a browser origin gets no CORS allowance, whatever the origin', async () => {
  const secret = await createKey({ name: 'backend' });
  for (const origin of [APP, FOREIGN]) {
    const browser = apiClient(api.baseUrl, secret, { origin });
    const listed = await browser('GET', '/v1/assistants');
    assert.equal(listed.status, 200);
    assert.equal(listed.headers.get('access-control-allow-origin'), null);
    assert.equal(listed.headers.get('access-control-expose-headers'), null);
    assert.ok(varyList(listed.headers).includes('origin'));
  }
  const created = await apiClient(api.baseUrl, secret, { origin: APP })('POST', '/v1/sessions', { assistant_id: webAssistant.id });
  assert.equal(created.status, 201);
  assert.equal(created.headers.get('access-control-allow-origin'), null, 'the page cannot read what a secret key created');
});

test('a rate-limited public key: the page can read the 429 and its Retry-After', async () => {
  const limited = await startTestApi({ env: { ECHOSPHERE_RATE_LIMIT_REQUESTS: '2', ECHOSPHERE_RATE_LIMIT_WINDOW_S: '3600' } });
  try {
    const { secretKey } = await limited.createOrganization();
    const owner = apiClient(limited.baseUrl, secretKey);
    const assistant = (await owner('POST', '/v1/assistants', { name: 'Web', system_prompt: '' })).body.id;
    const key = (await owner('POST', '/v1/api-keys', { type: 'public', allowed_assistant_ids: [assistant], allowed_origins: [APP] })).body.key;
    const browser = apiClient(limited.baseUrl, key, { origin: APP });
    for (let i = 0; i < 2; i++) assert.equal((await browser('POST', '/v1/sessions', { assistant_id: assistant })).status, 201);
    const refused = await browser('POST', '/v1/sessions', { assistant_id: assistant });
    assert.equal(refused.status, 429);
    assert.equal(refused.headers.get('access-control-allow-origin'), APP);
    assert.match(refused.headers.get('retry-after') ?? '', /^\d+$/);
    assert.match(refused.headers.get('access-control-expose-headers') ?? '', /Retry-After/);
  } finally {
    await limited.close();
  }
});
