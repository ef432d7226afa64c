import type { PriceTable } from './price-table.ts';

/**
 * The prices a session is charged when nothing overrides them: providers' public list prices for pay-as-you-go API
 * use, and a platform fee per session minute. They are a starting point, not anyone's contract: an operator sets
 * what they pay and what they charge with ECHOSPHERE_PRICE_FILE and per-organization overrides (docs/billing.md).
 * The offline providers (scripted model, local voice) cost nothing.
 */
export const DEFAULT_PRICES: PriceTable = {
  platform: { session_per_minute_usd: '0.05' },
  stt: {
    deepgram: {
      'nova-3': { per_minute_usd: '0.0077' },
      'nova-2': { per_minute_usd: '0.0058' },
      '*': { per_minute_usd: '0.0077' },
    },
    openai: {
      'gpt-4o-transcribe': { per_minute_usd: '0.006' },
      'gpt-4o-mini-transcribe': { per_minute_usd: '0.003' },
      'whisper-1': { per_minute_usd: '0.006' },
      '*': { per_minute_usd: '0.006' },
    },
  },
  llm: {
    openai: {
      'gpt-4o-mini': { input_per_1m_tokens_usd: '0.15', output_per_1m_tokens_usd: '0.60' },
      'gpt-4o': { input_per_1m_tokens_usd: '2.50', output_per_1m_tokens_usd: '10.00' },
      'gpt-4.1': { input_per_1m_tokens_usd: '2.00', output_per_1m_tokens_usd: '8.00' },
      'gpt-4.1-mini': { input_per_1m_tokens_usd: '0.40', output_per_1m_tokens_usd: '1.60' },
      'gpt-4.1-nano': { input_per_1m_tokens_usd: '0.10', output_per_1m_tokens_usd: '0.40' },
      // An unlisted model (a fine-tune, an OpenAI-compatible server) is charged like gpt-4o until the operator says otherwise.
      '*': { input_per_1m_tokens_usd: '2.50', output_per_1m_tokens_usd: '10.00' },
    },
    scripted: { '*': { input_per_1m_tokens_usd: '0', output_per_1m_tokens_usd: '0' } },
  },
  tts: {
    elevenlabs: {
      eleven_turbo_v2_5: { per_1k_characters_usd: '0.05' },
      eleven_flash_v2_5: { per_1k_characters_usd: '0.05' },
      eleven_multilingual_v2: { per_1k_characters_usd: '0.10' },
      '*': { per_1k_characters_usd: '0.10' },
    },
    openai: {
      'gpt-4o-mini-tts': { per_1k_characters_usd: '0.015' },
      'tts-1': { per_1k_characters_usd: '0.015' },
      'tts-1-hd': { per_1k_characters_usd: '0.03' },
      '*': { per_1k_characters_usd: '0.015' },
    },
    local: { '*': { per_1k_characters_usd: '0' } },
  },
};
