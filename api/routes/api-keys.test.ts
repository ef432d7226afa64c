import assert from 'node:assert/strict';
import { test } from 'node:test';
import { useTestApi } from '../../test/support/api.ts';
import { apiClient } from '../../test/support/client.ts';

const { api, call, assistant: webAssistant } = useTestApi({ env: { ECHOSPHERE_API_KEY_CACHE_TTL_S: '30' }, assistant: { name: 'Web', system_prompt: '' } });

test('a secret key is shown once, stored hashed and revocable at once', async () => {
  const created = await call('POST', '/v1/api-keys', { name: 'backend' });
  assert.equal(created.status, 201);
  assert.match(created.body.key, /^sk_/);
  assert.equal(created.body.prefix, created.body.key.slice(0, 10));
  const stored = await api.db.system((trx) => trx('api_keys').where({ id: created.body.id }).first());
  assert.ok(!JSON.stringify(stored).includes(created.body.key), 'the plaintext key is not stored');

  const listed = await call('GET', '/v1/api-keys');
  assert.ok(listed.body.data.every((key: Record<string, unknown>) => !('key' in key)));

  const second = apiClient(api.baseUrl, created.body.key);
  assert.equal((await second('GET', '/v1/organization')).status, 200);
  const revoked = await call('DELETE', `/v1/api-keys/${created.body.id}`);
  assert.ok(revoked.body.revoked_at);
  const refused = await second('GET', '/v1/organization');
  assert.equal(refused.status, 401);
  assert.equal(refused.body.error.type, 'authentication');
});

test('last_used_at is recorded', async () => {
  const created = await call('POST', '/v1/api-keys', {});
  await apiClient(api.baseUrl, created.body.key)('GET', '/v1/organization');
  await new Promise((resolve) => setTimeout(resolve, 100));
  const listed = await call('GET', '/v1/api-keys');
  assert.ok(listed.body.data.find((key: { id: string }) => key.id === created.body.id).last_used_at);
});

test('a public key creates sessions only, for its assistants, from its origins', async () => {
  const created = await call('POST', '/v1/api-keys', {
    type: 'public',
    allowed_assistant_ids: [webAssistant.id],
    allowed_origins: ['https://app.example.com'],
  });
  assert.equal(created.status, 201);
  assert.match(created.body.key, /^pk_/);
  const browser = apiClient(api.baseUrl, created.body.key, { origin: 'https://app.example.com' });

  assert.equal((await browser('POST', '/v1/sessions', { assistant_id: webAssistant.id })).status, 201);
  const otherAssistant = (await call('POST', '/v1/assistants', { name: 'Private', system_prompt: '' })).body.id;
  const wrongAssistant = await browser('POST', '/v1/sessions', { assistant_id: otherAssistant });
  assert.equal(wrongAssistant.status, 403);
  assert.equal(wrongAssistant.body.error.code, 'assistant_not_allowed');
  const wrongOrigin = await browser('POST', '/v1/sessions', { assistant_id: webAssistant.id }, { origin: 'https://evil.example' });
  assert.equal(wrongOrigin.body.error.code, 'origin_not_allowed');
  const otherRoute = await browser('GET', '/v1/assistants');
  assert.equal(otherRoute.status, 403);
  assert.equal(otherRoute.body.error.code, 'public_key_not_allowed');
});

test('public keys need grants and secret keys refuse them', async () => {
  const missing = await call('POST', '/v1/api-keys', { type: 'public', allowed_origins: ['*'] });
  assert.equal(missing.status, 400);
  assert.equal(missing.body.error.param, 'allowed_assistant_ids');
  const extra = await call('POST', '/v1/api-keys', { type: 'secret', allowed_origins: ['*'] });
  assert.equal(extra.body.error.param, 'allowed_origins');
});
