import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startTestApi, useTestApi } from '../../test/support/api.ts';
import { apiClient } from '../../test/support/client.ts';

const { api, call } = useTestApi({ env: { ECHOSPHERE_RATE_LIMIT_REQUESTS: '5', ECHOSPHERE_RATE_LIMIT_WINDOW_S: '60' }, organizationName: 'Acme' });

test('organization settings read and update with defaults', async () => {
  const current = await call('GET', '/v1/organization');
  assert.equal(current.body.name, 'Acme');
  const noLimits = { monthly_spend_limit_usd: null, monthly_minutes_limit: null };
  assert.deepEqual(current.body.settings, { max_concurrent_sessions: 10, recording_retention_days: 30, ...noLimits });
  assert.deepEqual(current.body.transports, ['websocket'], 'no LiveKit configured: WebSocket sessions only');
  const updated = await call('PATCH', '/v1/organization', { settings: { recording_retention_days: 7 } });
  assert.deepEqual(updated.body.settings, { max_concurrent_sessions: 10, recording_retention_days: 7, ...noLimits });
  assert.match(updated.headers.get('ratelimit-policy') ?? '', /^"per-key"; q=5; w=60; pk=:[A-Za-z0-9+/=]+:$/);
  assert.match(updated.headers.get('ratelimit') ?? '', /^"per-key"; r=3; t=\d+/);
});

test('a server with LiveKit configured offers the livekit transport too', async () => {
  const withLiveKit = await startTestApi({
    env: { LIVEKIT_URL: 'http://127.0.0.1:9', LIVEKIT_API_KEY: 'key', LIVEKIT_API_SECRET: 'secret-of-at-least-32-characters-0000' },
  });
  try {
    const { secretKey } = await withLiveKit.createOrganization('Acme');
    const organization = await apiClient(withLiveKit.baseUrl, secretKey)('GET', '/v1/organization');
    assert.deepEqual(organization.body.transports, ['websocket', 'livekit']);
  } finally {
    await withLiveKit.close();
  }
});

test('provider credentials are stored sealed and never returned', async () => {
  const secret = 'sk-test-abcdefghijklmnop1234';
  const put = await call('PUT', '/v1/provider-credentials/openai', { api_key: secret, base_url: 'http://127.0.0.1:9/v1' });
  assert.equal(put.status, 200);
  assert.equal(put.body.api_key_last4, '1234');
  assert.ok(!JSON.stringify(put.body).includes(secret));
  const stored = await api.db.system((trx) => trx('provider_credentials').first());
  assert.ok(!JSON.stringify(stored).includes(secret), 'sealed at rest');
  assert.equal((await call('PUT', '/v1/provider-credentials/nope', { api_key: secret })).status, 404);
});

test('past the limit: 429 with Retry-After', async () => {
  let response = await call('GET', '/v1/organization');
  for (let i = 0; i < 5 && response.status !== 429; i++) response = await call('GET', '/v1/organization');
  assert.equal(response.status, 429);
  assert.equal(response.body.error.type, 'rate_limited');
  assert.ok(Number(response.headers.get('retry-after')) > 0);
});
