import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { startOpenAiFake } from './fakes/openai-fake.ts';
import { useStreamHarness, waitForSessionEnd, type StreamHarness } from './support/stream-harness.ts';
import { forTheseTests } from './support/for-these-tests.ts';

/**
 * Provider endpoints are checked again when a session connects: a stored assistant or credential that never passed the
 * API's checks (written directly, or a name whose DNS answer changed since) must not be contacted, and the server-wide
 * provider key must never reach an endpoint the organization chose.
 */

const SERVER_WIDE_KEY = 'sk-server-wide-never-leaves';

const assistant = (overrides: Record<string, unknown>) => ({
  name: 'Provider endpoints',
  system_prompt: 'Answer briefly.',
  first_message: null,
  model: { provider: 'scripted', script: { rules: [], default_reply: 'Okay.' } },
  voice: { provider: 'local', voice_id: 'en-us', speed_wpm: 260 },
  transcriber: { provider: 'none' },
  ...overrides,
});

/** Starts a session and expects it to fail before it starts, naming what was refused; returns the error message. */
async function expectRefused(harness: StreamHarness, config: Record<string, unknown>, provider: string): Promise<string> {
  const session = await harness.createSession(config);
  const client = harness.connect(session);
  const error = await client.waitFor('error', { includePast: true });
  assert.equal(error.code, 'provider_error');
  assert.equal(client.events.some((event) => event.type === 'session.started'), false);
  const row = await waitForSessionEnd(harness.db, session.id);
  assert.equal(row.status, 'failed');
  assert.equal(row.ended_reason, `provider-error:${provider}`);
  return error.message;
}

describe('provider endpoints at connect time, with private provider URLs not allowed (the default)', () => {
  const harness = useStreamHarness({
    allowPrivateProviderUrls: false,
    env: { OPENAI_API_KEY: SERVER_WIDE_KEY },
    providerCredentials: { openai: { apiKey: 'sk-own-key' }, deepgram: { apiKey: 'dg-own-key' } },
  });
  /** Listens on loopback (IPv4 and IPv6) and counts every TCP connection anything makes to it. */
  let listener: net.Server;
  let connections = 0;
  let port: number;

  before(async () => {
    listener = net.createServer((socket) => {
      connections++;
      socket.destroy();
    });
    await new Promise<void>((resolve) => listener.listen(0, '::', resolve));
    port = (listener.address() as net.AddressInfo).port;
  });
  after(async () => {
    await new Promise<void>((resolve) => listener.close(() => resolve()));
  });

  it('does not connect to an assistant base_url on loopback, private, metadata, IPv6 or numeric addresses', async () => {
    for (const url of [
      `http://127.0.0.1:${port}/v1`,
      `https://127.0.0.1:${port}/v1`,
      `https://localhost:${port}/v1`,
      `https://[::1]:${port}/v1`,
      `https://[::ffff:127.0.0.1]:${port}/v1`,
      `https://2130706433:${port}/v1`,
      `http://2130706433:${port}/v1`,
      'https://10.0.0.1/v1',
      'https://192.168.1.1/v1',
      'https://169.254.169.254/latest',
    ]) {
      const message = await expectRefused(harness, assistant({ model: { provider: 'openai', base_url: url } }), 'openai');
      assert.match(message, /^model\.base_url was refused: /, url);
    }
    for (const url of [`ws://127.0.0.1:${port}`, `wss://[::1]:${port}`, `wss://[::ffff:7f00:1]:${port}`]) {
      const message = await expectRefused(harness, assistant({ transcriber: { provider: 'deepgram', base_url: url } }), 'deepgram');
      assert.match(message, /^transcriber\.base_url was refused: /, url);
    }
    assert.equal(connections, 0, 'nothing connected to the loopback listener');
  });

  it("does not connect to a stored credential's base_url that no longer passes", async () => {
    await harness.db.system((trx) => trx('provider_credentials').where({ org_id: harness.orgId, provider: 'deepgram' }).update({ base_url: `wss://localhost:${port}` }));
    const message = await expectRefused(harness, assistant({ transcriber: { provider: 'deepgram' } }), 'deepgram');
    assert.match(message, /^the organization's deepgram credential base_url was refused: host "localhost" resolves to/);
    assert.equal(connections, 0);
  });
});

describe('the server-wide provider key and endpoints the organization chose', () => {
  // Private provider URLs allowed, as an operator with a local model server would: the fake listens on 127.0.0.1.
  const harness = useStreamHarness({ allowPrivateProviderUrls: true, env: { OPENAI_API_KEY: SERVER_WIDE_KEY } });
  const openai = forTheseTests(() => startOpenAiFake(() => ({ text: 'We open at nine.' })), (fake) => fake.close());

  it('is never sent to an assistant base_url: without its own key the session is refused, with it the own key is used', async () => {
    const config = assistant({ model: { provider: 'openai', model: 'gpt-4o-mini', base_url: openai.baseUrl } });
    const message = await expectRefused(harness, config, 'openai');
    assert.match(message, /^model\.base_url is an endpoint the organization chose.*PUT \/v1\/provider-credentials\/openai/);
    assert.equal(openai.authorizations.length, 0, 'the endpoint was not contacted at all');

    await harness.db.system((trx) =>
      trx('provider_credentials').insert({ org_id: harness.orgId, provider: 'openai', sealed_api_key: harness.secretBox.seal('sk-test'), api_key_last4: 'test' }),
    );
    const session = await harness.createSession(config);
    const client = harness.connect(session);
    await client.waitFor('session.started', { includePast: true });
    client.sendText('When do you open?');
    await client.waitFor('transcript', { includePast: true, predicate: (event) => event.role === 'assistant' && event.final && event.text.includes('nine') });
    client.end();
    await waitForSessionEnd(harness.db, session.id);
    assert.ok(openai.authorizations.length > 0);
    assert.deepEqual(new Set(openai.authorizations), new Set(['Bearer sk-test']));
    assert.equal(openai.authorizations.some((header) => header.includes(SERVER_WIDE_KEY)), false);
  });

  it('a key the provider refuses ends the session with a message that says to check the key', async () => {
    await harness.db.system((trx) =>
      trx('provider_credentials').where({ org_id: harness.orgId, provider: 'openai' }).update({ sealed_api_key: harness.secretBox.seal('sk-revoked') }),
    );
    const { session, client } = await harness.startSession(assistant({ model: { provider: 'openai', model: 'gpt-4o-mini', base_url: openai.baseUrl } }));
    client.sendText('When do you open?');
    const error = await client.waitFor('error', { includePast: true });
    assert.equal(error.code, 'provider_error');
    assert.match(error.message, /^OpenAI refused the API key \(HTTP 401\): check the organization's OpenAI key under Providers/);
    assert.equal((await waitForSessionEnd(harness.db, session.id)).ended_reason, 'provider-error:openai');
  });
});
