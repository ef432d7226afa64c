import assert from 'node:assert/strict';
import { test } from 'node:test';
import { providerUrlPolicy } from '../../core/domain/provider-endpoints.ts';
import { type ProviderCredential, resolveProviderAccess } from './credentials.ts';
import { ProviderError } from './provider-error.ts';

const env = { OPENAI_API_KEY: 'sk-server-wide' };
const strict = providerUrlPolicy(false);
const modelUrl = (url: string) => ({ field: 'model' as const, param: 'model.base_url' as const, provider: 'openai' as const, url });
const credentials = (entries: Record<string, ProviderCredential> = {}) => new Map(Object.entries(entries));

test('the server-wide key goes only to the provider default endpoint', async () => {
  assert.deepEqual(await resolveProviderAccess('openai', undefined, { credentials: credentials(), env, urlPolicy: strict }), { apiKey: 'sk-server-wide' });
  await assert.rejects(
    resolveProviderAccess('openai', modelUrl('https://93.184.215.14/v1'), { credentials: credentials(), env, urlPolicy: strict }),
    (error: ProviderError) => error.provider === 'openai' && /^model\.base_url is an endpoint the organization chose/.test(error.message) && !error.message.includes('sk-server-wide'),
  );
  await assert.rejects(resolveProviderAccess('deepgram', undefined, { credentials: credentials(), env, urlPolicy: strict }), /No deepgram API key/);
});

test("an endpoint the organization chose gets the organization's own key, the assistant's base_url before the credential's", async () => {
  const own = credentials({ openai: { apiKey: 'sk-own', baseUrl: 'https://93.184.215.14/credential' } });
  assert.deepEqual(await resolveProviderAccess('openai', undefined, { credentials: own, env, urlPolicy: strict }), {
    apiKey: 'sk-own',
    baseUrl: 'https://93.184.215.14/credential',
  });
  assert.deepEqual(await resolveProviderAccess('openai', modelUrl('https://93.184.215.14/assistant'), { credentials: own, env, urlPolicy: strict }), {
    apiKey: 'sk-own',
    baseUrl: 'https://93.184.215.14/assistant',
  });
  assert.deepEqual(await resolveProviderAccess('openai', undefined, { credentials: credentials({ openai: { apiKey: 'sk-own' } }), env, urlPolicy: strict }), { apiKey: 'sk-own' });
});

test('a chosen endpoint is checked with DNS under the provider URL policy when the session connects', async () => {
  const own = credentials({ openai: { apiKey: 'sk-own' } });
  for (const url of ['http://127.0.0.1:8080/v1', 'https://localhost/v1', 'https://[::ffff:127.0.0.1]/v1', 'https://2130706433/v1']) {
    await assert.rejects(
      resolveProviderAccess('openai', modelUrl(url), { credentials: own, env, urlPolicy: strict }),
      (error: ProviderError) => error instanceof ProviderError && error.message.startsWith('model.base_url was refused: '),
      url,
    );
  }
  const stored = credentials({ deepgram: { apiKey: 'dg-own', baseUrl: 'ws://10.0.0.7:8080' } });
  await assert.rejects(resolveProviderAccess('deepgram', undefined, { credentials: stored, env, urlPolicy: strict }), /^ProviderError: the organization's deepgram credential base_url was refused/);
  assert.deepEqual(await resolveProviderAccess('deepgram', undefined, { credentials: stored, env, urlPolicy: providerUrlPolicy(true) }), { apiKey: 'dg-own', baseUrl: 'ws://10.0.0.7:8080' });
  await assert.rejects(
    resolveProviderAccess('openai', modelUrl('http://169.254.169.254/latest'), { credentials: own, env, urlPolicy: providerUrlPolicy(true) }),
    /cloud metadata address/,
  );
});
