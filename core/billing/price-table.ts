import { z } from 'zod';
import { isUsdAmount } from './money.ts';

/**
 * What usage costs: per provider and model, in USD per price unit (STT per audio minute, LLM per million input and
 * output tokens, TTS per thousand characters), plus the platform's own fee per session minute. `*` is a provider's
 * price for any model it does not list. The defaults (default-prices.ts) can be overridden server-wide by a file
 * (ECHOSPHERE_PRICE_FILE) and per organization by the operator; an override replaces whole model entries and leaves
 * the rest.
 */

const usd = z.string().refine(isUsdAmount, 'must be a USD amount as a decimal string with at most six decimals, such as "0.0043"');
const name = z.string().min(1).max(200);

const sttPrice = z.strictObject({ per_minute_usd: usd });
const llmPrice = z.strictObject({ input_per_1m_tokens_usd: usd, output_per_1m_tokens_usd: usd });
const ttsPrice = z.strictObject({ per_1k_characters_usd: usd });

const byProviderAndModel = <T extends z.ZodType>(price: T) => z.record(name, z.record(name, price));

const priceOverrideSchema = z.strictObject({
  platform: z.strictObject({ session_per_minute_usd: usd }).optional(),
  stt: byProviderAndModel(sttPrice).optional(),
  llm: byProviderAndModel(llmPrice).optional(),
  tts: byProviderAndModel(ttsPrice).optional(),
});

export type PriceOverride = z.infer<typeof priceOverrideSchema>;

export interface PriceTable {
  platform: { session_per_minute_usd: string };
  stt: Record<string, Record<string, z.infer<typeof sttPrice>>>;
  llm: Record<string, Record<string, z.infer<typeof llmPrice>>>;
  tts: Record<string, Record<string, z.infer<typeof ttsPrice>>>;
}

/** `base` with `override`'s entries in place of its own, model by model. */
export function applyPriceOverride(base: PriceTable, override: PriceOverride | null | undefined): PriceTable {
  if (!override) return base;
  const merge = <T>(a: Record<string, Record<string, T>>, b: Record<string, Record<string, T>> | undefined) => {
    const merged = { ...a };
    for (const [provider, models] of Object.entries(b ?? {})) merged[provider] = { ...a[provider], ...models };
    return merged;
  };
  return {
    platform: override.platform ?? base.platform,
    stt: merge(base.stt, override.stt),
    llm: merge(base.llm, override.llm),
    tts: merge(base.tts, override.tts),
  };
}

/** A provider's price for a model: the model's own entry, else the provider's `*` entry; undefined when unpriced. */
export function lookupPrice<T>(table: Record<string, Record<string, T>>, provider: string, model: string | undefined): T | undefined {
  const models = table[provider];
  if (!models) return undefined;
  return (model === undefined ? undefined : models[model]) ?? models['*'];
}

/** Parses an override (a price file or an organization's), with every problem named by its path. */
export function parsePriceOverride(value: unknown): { ok: true; override: PriceOverride } | { ok: false; problems: string[] } {
  const result = priceOverrideSchema.safeParse(value);
  if (result.success) return { ok: true, override: result.data };
  return { ok: false, problems: result.error.issues.map((issue) => `${issue.path.join('.') || '(top level)'}: ${issue.message}`) };
}
