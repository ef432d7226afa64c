import { dispose } from '@livekit/rtc-node';
import { startDeepgramFake, type DeepgramFake } from '../fakes/deepgram-fake.ts';
import { startElevenLabsFake, type ElevenLabsFake } from '../fakes/elevenlabs-fake.ts';
import { startOpenAiFake, type ChatDecision, type OpenAiFake } from '../fakes/openai-fake.ts';
import { forTheseTests } from './for-these-tests.ts';
import { startStreamHarness, type StreamHarness } from './stream-harness.ts';

export interface ProviderFakesStack {
  harness: StreamHarness;
  deepgram: DeepgramFake;
  elevenlabs: ElevenLabsFake;
  openai: OpenAiFake;
  /** A shop assistant that listens with Deepgram, thinks with OpenAI and speaks with ElevenLabs, all three fakes. */
  assistant(overrides?: Record<string, unknown>): Record<string, unknown>;
  close(): Promise<void>;
}

/**
 * A stream harness and the Deepgram, ElevenLabs and OpenAI fakes, for sessions that go through the real provider
 * plugins. The fakes are endpoints the organization chose (base_url), so it has its own key for each: only those go
 * there.
 */
export async function startProviderFakesStack(decide: (body: Record<string, any>) => ChatDecision): Promise<ProviderFakesStack> {
  const harness = await startStreamHarness({ providerCredentials: { openai: { apiKey: 'sk-test' }, deepgram: { apiKey: 'dg-test' }, elevenlabs: { apiKey: 'el-test' } } });
  const [deepgram, elevenlabs, openai] = await Promise.all([startDeepgramFake(), startElevenLabsFake(), startOpenAiFake(decide)]);
  return {
    harness,
    deepgram,
    elevenlabs,
    openai,
    assistant: (overrides = {}) => ({
      name: 'Shop',
      system_prompt: 'You answer questions about the shop.',
      first_message: null,
      model: { provider: 'openai', model: 'gpt-4o-mini', base_url: openai.baseUrl },
      voice: { provider: 'elevenlabs', voice_id: 'fake-voice', base_url: elevenlabs.baseUrl },
      transcriber: { provider: 'deepgram', model: 'nova-3', base_url: deepgram.baseUrl },
      ...overrides,
    }),
    async close() {
      await harness.close();
      await Promise.all([deepgram.close(), elevenlabs.close(), openai.close()]);
      await dispose();
    },
  };
}

/** The stack for the tests of the enclosing describe (or file), closed after them. */
export function useProviderFakesStack(decide: (body: Record<string, any>) => ChatDecision): ProviderFakesStack {
  return forTheseTests(() => startProviderFakesStack(decide), (stack) => stack.close());
}
