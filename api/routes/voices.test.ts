import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { startElevenLabsFake } from '../../test/fakes/elevenlabs-fake.ts';
import { useTestApi } from '../../test/support/api.ts';
import { forTheseTests } from '../../test/support/for-these-tests.ts';

const ACCOUNT_KEY = 'el-account-key-0001';
const elevenLabs = forTheseTests(
  () =>
    startElevenLabsFake({
      apiKey: ACCOUNT_KEY,
      voices: [
        { voice_id: 'JBFqnCBsd6RMkjVDRZzb', name: 'George', category: 'premade', description: 'Warm, captivating storyteller', labels: { accent: 'british', language: 'en' }, preview_url: 'https://storage.example/george.mp3' },
        { voice_id: 'EXAVITQu4vr4xnSDxMaL', name: 'Sarah', category: 'premade', labels: {} },
        { voice_id: 'cloned-voice-1', name: 'Front desk (cloned)', category: 'cloned', description: null, preview_url: null },
      ],
    }),
  (fake) => fake.close(),
);
const { call } = useTestApi({ env: { ECHOSPHERE_ALLOW_PRIVATE_PROVIDER_URLS: 'true' } });

test('the local voices are the eSpeak voices the runtime speaks with, searchable by name', async () => {
  const all = await call('GET', '/v1/voices?provider=local');
  assert.equal(all.status, 200);
  assert.ok(all.body.data.some((voice: any) => voice.id === 'en-us' && voice.name === 'English (American)'));
  const german = await call('GET', '/v1/voices?provider=local&search=germ');
  assert.deepEqual(german.body.data.map((voice: any) => voice.id), ['de']);
  const assistant = await call('POST', '/v1/assistants', { name: 'Deutsch', voice: { provider: 'local', voice_id: 'de' } });
  assert.equal(assistant.status, 201, 'a listed voice is accepted');
  const unknown = await call('POST', '/v1/assistants', { name: 'x', voice: { provider: 'local', voice_id: 'xx-yy' } });
  assert.equal(unknown.body.error.message, 'voice.voice_id: is not an eSpeak voice (GET /v1/voices?provider=local lists them)');
});

test("OpenAI's voices come from its documented list", async () => {
  const response = await call('GET', '/v1/voices?provider=openai');
  assert.ok(response.body.data.some((voice: any) => voice.id === 'alloy'));
});

test("ElevenLabs' voices are the account's, listed through its SDK with the organization's key", async () => {
  const unconfigured = await call('GET', '/v1/voices?provider=elevenlabs');
  assert.equal(unconfigured.status, 409);
  assert.equal(unconfigured.body.error.code, 'provider_not_configured');

  await call('PUT', '/v1/provider-credentials/elevenlabs', { api_key: ACCOUNT_KEY, base_url: elevenLabs.baseUrl });
  const listed = await call('GET', '/v1/voices?provider=elevenlabs');
  assert.equal(listed.status, 200);
  assert.deepEqual(listed.body.data[0], {
    object: 'voice',
    provider: 'elevenlabs',
    id: 'JBFqnCBsd6RMkjVDRZzb',
    name: 'George',
    language: 'en',
    description: 'Warm, captivating storyteller',
    preview_url: 'https://storage.example/george.mp3',
  });
  assert.equal(listed.body.data.length, 3);
  const searched = await call('GET', '/v1/voices?provider=elevenlabs&search=front');
  assert.deepEqual(searched.body.data.map((voice: any) => voice.id), ['cloned-voice-1']);

  await call('PUT', '/v1/provider-credentials/elevenlabs', { api_key: 'el-wrong-key-0001', base_url: elevenLabs.baseUrl });
  const refused = await call('GET', '/v1/voices?provider=elevenlabs');
  assert.equal(refused.status, 502);
  assert.equal(refused.body.error.type, 'provider');
  assert.match(refused.body.error.message, /refused the API key .*check the organization's ElevenLabs key under Providers/);
});

test('a base URL that redirects is not followed', async () => {
  let redirected = 0;
  const target = http.createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ voices: [], has_more: false, total_count: 0 })));
  const redirecting = http.createServer((req, res) => {
    redirected++;
    res.writeHead(302, { location: `http://127.0.0.1:${(target.address() as AddressInfo).port}${req.url}` }).end();
  });
  await Promise.all([target, redirecting].map((server) => new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))));
  try {
    await call('PUT', '/v1/provider-credentials/elevenlabs', { api_key: ACCOUNT_KEY, base_url: `http://127.0.0.1:${(redirecting.address() as AddressInfo).port}/v1` });
    const response = await call('GET', '/v1/voices?provider=elevenlabs');
    assert.equal(response.status, 502);
    assert.ok(redirected > 0);
  } finally {
    await Promise.all([target, redirecting].map((server) => new Promise((resolve) => server.close(resolve))));
  }
});

test('an unknown provider is a 400 naming the choices', async () => {
  const response = await call('GET', '/v1/voices?provider=polly');
  assert.equal(response.status, 400);
  assert.equal(response.body.error.message, 'provider: must be one of "local", "openai", "elevenlabs"');
});
