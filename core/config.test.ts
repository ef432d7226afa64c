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
