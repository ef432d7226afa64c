import assert from 'node:assert/strict';
import { test } from 'node:test';
import { APIConnectionError, APIStatusError, APITimeoutError } from '@livekit/agents';
import type { AssistantSnapshot } from '../config/assistant-snapshot.ts';
import { providerFailure } from './provider-failure.ts';

const assistant = {
  model: { provider: 'openai', model: 'gpt-4o-mini', temperature: 0.7, max_tokens: null, base_url: 'https://llm.example.com/v1' },
  voice: { provider: 'elevenlabs', voice_id: 'v', model: 'eleven_turbo_v2_5', settings: null, base_url: null },
  transcriber: { provider: 'deepgram', model: 'nova-3', language: 'en-US', base_url: null },
} as unknown as AssistantSnapshot;

const status = (statusCode: number) => new APIStatusError({ message: `HTTP ${statusCode} from upstream`, options: { statusCode } });

test('each kind of provider failure says what to check', () => {
  const cases: [string, unknown, RegExp][] = [
    ['tts_error', status(401), /^ElevenLabs refused the API key \(HTTP 401\): check the organization's ElevenLabs key under Providers/],
    ['llm_error', status(404), /^OpenAI answered 404: check model\.model \("gpt-4o-mini"\) and model\.base_url \(https:\/\/llm\.example\.com\/v1\)/],
    ['stt_error', status(429), /^Deepgram refused for rate limit or quota \(HTTP 429\)/],
    ['llm_error', status(503), /^OpenAI failed \(HTTP 503\): a problem on its side/],
    ['stt_error', new APITimeoutError({ message: 'timed out' }), /^Deepgram did not answer in time: check Deepgram's own endpoint/],
    ['llm_error', new APIConnectionError({ message: 'ECONNREFUSED' }), /^OpenAI could not be reached: check model\.base_url/],
  ];
  for (const [type, error, expected] of cases) {
    const failure = providerFailure(assistant, { type, error });
    assert.match(failure.message, expected, failure.message);
    assert.match(failure.message, /\(.+\)$/, "the provider's own message follows");
  }
  assert.equal(providerFailure(assistant, { type: 'tts_error', error: status(401) }).provider, 'elevenlabs');
});
