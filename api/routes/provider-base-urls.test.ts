import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { useTestApi } from '../../test/support/api.ts';

/** Addresses inside our own network, written every way a URL parser accepts them. */
const PRIVATE_TARGETS = [
  'https://127.0.0.1/v1',
  'https://10.1.2.3/v1',
  'https://192.168.1.10/v1',
  'https://169.254.169.254/latest/meta-data',
  'https://[::1]/v1',
  'https://[::ffff:127.0.0.1]/v1',
  'https://2130706433/v1', // 127.0.0.1 as one number
  'https://localhost/v1', // a name that resolves to loopback
  'http://127.0.0.1:11434/v1', // plain http: refused by scheme before the address is looked at
  'http://2130706433/v1',
];
const WEBSOCKET_TARGETS = ['wss://127.0.0.1/v1', 'wss://[::ffff:10.0.0.1]', 'ws://192.168.0.2:8080', 'ws://169.254.169.254'];
/** A public address literal: passes the address policy with no DNS lookup. */
const PUBLIC_BASE_URL = 'https://93.184.215.14/v1';

function assertRefused(response: { status: number; body: any }, param: string, code = 'invalid_url') {
  assert.equal(response.status, 400, JSON.stringify(response.body));
  assert.equal(response.body.error.type, 'invalid_request');
  assert.equal(response.body.error.code, code);
  assert.equal(response.body.error.param, param);
  assert.ok(response.body.error.message.startsWith(param), response.body.error.message);
}

const assistantWith = (providers: object) => ({ name: 'Front desk', system_prompt: 'Be brief.', ...providers });

describe('provider base_urls on a server that allows no private addresses (the default)', () => {
  const { call } = useTestApi({ env: { ECHOSPHERE_ALLOW_PRIVATE_URLS: 'false', ECHOSPHERE_ALLOW_PRIVATE_PROVIDER_URLS: 'false' } });
  before(async () => {
    // The organization has its own keys, so what is refused below is the address alone.
    for (const provider of ['openai', 'deepgram', 'elevenlabs']) {
      const stored = await call('PUT', `/v1/provider-credentials/${provider}`, { api_key: `${provider}-own-key-0001` });
      assert.equal(stored.status, 200, JSON.stringify(stored.body));
    }
  });

  test('an assistant whose model, voice or transcriber base_url is not a public address is refused, on create and on patch', async () => {
    const loopback = await call('POST', '/v1/assistants', assistantWith({ model: { provider: 'openai', base_url: 'http://127.0.0.1:11434/v1' } }));
    assert.match(loopback.body.error.message, /the server setting ECHOSPHERE_ALLOW_PRIVATE_PROVIDER_URLS=true allows private addresses/);
    for (const url of PRIVATE_TARGETS) {
      assertRefused(await call('POST', '/v1/assistants', assistantWith({ model: { provider: 'openai', base_url: url } })), 'model.base_url');
      assertRefused(await call('POST', '/v1/assistants', assistantWith({ voice: { provider: 'elevenlabs', voice_id: 'v', base_url: url } })), 'voice.base_url');
      assertRefused(await call('POST', '/v1/assistants', assistantWith({ transcriber: { provider: 'deepgram', base_url: url } })), 'transcriber.base_url');
    }
    for (const url of WEBSOCKET_TARGETS) {
      // Assistant base_urls are http(s) only: a WebSocket URL fails field validation, naming the field all the same.
      assertRefused(await call('POST', '/v1/assistants', assistantWith({ transcriber: { provider: 'openai', base_url: url } })), 'transcriber.base_url', 'invalid_field');
    }
    const created = await call('POST', '/v1/assistants', assistantWith({}));
    assert.equal(created.status, 201);
    assertRefused(await call('PATCH', `/v1/assistants/${created.body.id}`, { voice: { provider: 'openai', base_url: 'https://[::ffff:127.0.0.1]/v1' } }), 'voice.base_url');
    assert.equal((await call('GET', `/v1/assistants/${created.body.id}`)).body.voice.provider, 'local', 'the refused patch changed nothing');

    const publicOne = await call('POST', '/v1/assistants', assistantWith({ model: { provider: 'openai', base_url: PUBLIC_BASE_URL } }));
    assert.equal(publicOne.status, 201, JSON.stringify(publicOne.body));
  });

  test('a provider credential whose base_url is not a public address is refused, and nothing is stored', async () => {
    for (const url of [...PRIVATE_TARGETS, ...WEBSOCKET_TARGETS]) {
      assertRefused(await call('PUT', '/v1/provider-credentials/deepgram', { api_key: 'dg-other-key-0002', base_url: url }), 'base_url');
    }
    const stored = await call('GET', '/v1/provider-credentials/deepgram');
    assert.equal(stored.body.base_url, null);
    assert.equal(stored.body.api_key_last4, '0001');
    const accepted = await call('PUT', '/v1/provider-credentials/deepgram', { api_key: 'dg-other-key-0003', base_url: 'wss://93.184.215.14' });
    assert.equal(accepted.status, 200);
    assert.equal(accepted.body.base_url, 'wss://93.184.215.14');
  });
});

describe('provider base_urls on a server that allows private provider URLs', () => {
  const { call } = useTestApi({ env: { ECHOSPHERE_ALLOW_PRIVATE_URLS: 'false', ECHOSPHERE_ALLOW_PRIVATE_PROVIDER_URLS: 'true' } });

  test('a base_url needs the organization own key for that provider: the server-wide key is never sent to it', async () => {
    const withModelUrl = assistantWith({ model: { provider: 'openai', base_url: 'http://127.0.0.1:11434/v1' } });
    const refused = await call('POST', '/v1/assistants', withModelUrl);
    assertRefused(refused, 'model.base_url', 'provider_credential_required');
    assert.match(refused.body.error.message, /PUT \/v1\/provider-credentials\/openai/);
    const created = await call('POST', '/v1/assistants', assistantWith({}));
    assertRefused(await call('PATCH', `/v1/assistants/${created.body.id}`, { transcriber: { provider: 'deepgram', base_url: PUBLIC_BASE_URL } }), 'transcriber.base_url', 'provider_credential_required');

    await call('PUT', '/v1/provider-credentials/openai', { api_key: 'sk-own-key-0001' });
    assert.equal((await call('POST', '/v1/assistants', withModelUrl)).status, 201, 'a local model server, opted in by the operator');
    // Another provider's key does not count.
    assertRefused(await call('POST', '/v1/assistants', assistantWith({ voice: { provider: 'elevenlabs', voice_id: 'v', base_url: PUBLIC_BASE_URL } })), 'voice.base_url', 'provider_credential_required');
  });

  test('private addresses are allowed, cloud metadata addresses never', async () => {
    await call('PUT', '/v1/provider-credentials/openai', { api_key: 'sk-own-key-0001' });
    for (const url of ['http://169.254.169.254/latest', 'http://[::ffff:169.254.169.254]/latest', 'http://[fd00:ec2::254]/latest']) {
      assertRefused(await call('POST', '/v1/assistants', assistantWith({ model: { provider: 'openai', base_url: url } })), 'model.base_url');
    }
    for (const url of ['ws://169.254.169.254', 'wss://169.254.170.2']) {
      assertRefused(await call('PUT', '/v1/provider-credentials/deepgram', { api_key: 'dg-own-key-0001', base_url: url }), 'base_url');
    }
    const local = await call('PUT', '/v1/provider-credentials/deepgram', { api_key: 'dg-own-key-0001', base_url: 'ws://127.0.0.1:8080' });
    assert.equal(local.status, 200);
    // Webhook and tool URLs keep their own, stricter setting.
    const tool = { type: 'function', name: 'lookup', description: 'Look up', server: { url: 'http://127.0.0.1:9/tool' } };
    assertRefused(await call('POST', '/v1/assistants', assistantWith({ tools: [tool] })), 'tools.0.server.url');
  });
});
