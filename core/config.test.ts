import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, parseConfig } from './config.ts';

test('ECHOSPHERE_TRUST_PROXY takes proxy hops or proxy addresses, never "trust every hop"', () => {
  assert.equal(parseConfig({}).trustProxy, false);
  assert.equal(parseConfig({ ECHOSPHERE_TRUST_PROXY: '2' }).trustProxy, 2);
  assert.deepEqual(parseConfig({ ECHOSPHERE_TRUST_PROXY: 'loopback, 10.0.0.0/8,fd00::/8' }).trustProxy, ['loopback', '10.0.0.0/8', 'fd00::/8']);
  for (const value of ['true', '0', 'proxy.example.com', '10.0.0.0/33', '10.0.0.1/8/1']) {
    assert.throws(() => parseConfig({ ECHOSPHERE_TRUST_PROXY: value }), (error: unknown) => error instanceof ConfigError && /ECHOSPHERE_TRUST_PROXY/.test(error.message), value);
  }
});

test('the failed-authentication budget and the rate-limit sync interval have defaults and bounds', () => {
  const defaults = parseConfig({});
  assert.deepEqual(defaults.authFailures, { limit: 20, windowS: 60 });
  assert.equal(defaults.rateLimit.syncMs, 200);
  assert.throws(() => parseConfig({ ECHOSPHERE_AUTH_FAILURE_LIMIT: '0' }), /ECHOSPHERE_AUTH_FAILURE_LIMIT/);
  assert.throws(() => parseConfig({ ECHOSPHERE_RATE_LIMIT_SYNC_MS: '5' }), /ECHOSPHERE_RATE_LIMIT_SYNC_MS/);
});

test('LiveKit is configured by its URL and key pair; otherwise the missing settings are named', () => {
  assert.deepEqual(parseConfig({}).livekit, { configured: undefined, missing: ['LIVEKIT_URL', 'LIVEKIT_API_KEY', 'LIVEKIT_API_SECRET'] });
  assert.deepEqual(parseConfig({ LIVEKIT_URL: 'http://lk.internal:7880', LIVEKIT_API_KEY: 'key' }).livekit.missing, ['LIVEKIT_API_SECRET']);
  const both = parseConfig({ LIVEKIT_URL: 'http://lk.internal:7880/', LIVEKIT_API_KEY: 'key', LIVEKIT_API_SECRET: 'secret' }).livekit.configured;
  assert.deepEqual(both, { url: 'http://lk.internal:7880', publicUrl: 'http://lk.internal:7880', apiKey: 'key', apiSecret: 'secret', agentName: 'echosphere' });
  const split = parseConfig({ LIVEKIT_URL: 'http://lk.internal:7880', LIVEKIT_PUBLIC_URL: 'wss://lk.example.com', LIVEKIT_API_KEY: 'k', LIVEKIT_API_SECRET: 's' });
  assert.equal(split.livekit.configured?.publicUrl, 'wss://lk.example.com');
  assert.throws(() => parseConfig({ LIVEKIT_URL: 'not a url' }), /LIVEKIT_URL/);
  assert.throws(() => parseConfig({ LIVEKIT_AGENT_NAME: 'has spaces' }), /LIVEKIT_AGENT_NAME/);
});
