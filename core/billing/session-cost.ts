import type { SessionUsage } from '../domain/session.ts';
import { parseUsd, priceQuantity } from './money.ts';
import { lookupPrice, type PriceTable } from './price-table.ts';

/** The platform's own line (the fee per session minute) is billed under this provider name. */
const PLATFORM_PROVIDER = 'echosphere';

type CostItem = 'session' | 'stt' | 'llm_input' | 'llm_output' | 'tts';

/** One priced line: `quantity` of `unit` at `unitPriceMicros` per `priceUnitSize` units. */
interface CostLine {
  provider: string;
  model: string | null;
  item: CostItem;
  quantity: bigint;
  unit: 'ms' | 'token' | 'character';
  priceUnit: 'minute' | '1M tokens' | '1k characters';
  priceUnitSize: bigint;
  unitPriceMicros: bigint;
  costMicros: bigint;
}

export interface SessionCost {
  totalMicros: bigint;
  lines: CostLine[];
}

/** What a session ran with, as far as pricing goes: the providers and models of its assistant snapshot. */
export interface PricedComponents {
  transcriber: { provider: string; model?: string };
  model: { provider: string; model?: string };
  voice: { provider: string; model?: string };
}

/** Reads the priced components out of a session's assistant snapshot (already validated when it was taken). */
export function pricedComponents(assistant: unknown): PricedComponents {
  const part = (key: string) => {
    const value = (assistant as Record<string, { provider?: unknown; model?: unknown } | undefined>)[key];
    return { provider: String(value?.provider ?? 'none'), ...(typeof value?.model === 'string' ? { model: value.model } : {}) };
  };
  return { transcriber: part('transcriber'), model: part('model'), voice: part('voice') };
}

/**
 * The cost of a session: one line per priced component it ran with, each rounded to the micro-dollar, and a total that
 * is their sum (so the breakdown always adds up to the total exactly). A component without a price costs nothing.
 */
export function computeSessionCost(prices: PriceTable, components: PricedComponents, usage: SessionUsage, durationMs: number): SessionCost {
  const lines: CostLine[] = [];
  const add = (line: Omit<CostLine, 'costMicros'>) => lines.push({ ...line, costMicros: priceQuantity(line.quantity, line.unitPriceMicros, line.priceUnitSize) });
  const count = (value: number) => BigInt(Math.max(0, Math.round(value)));

  add({
    provider: PLATFORM_PROVIDER,
    model: null,
    item: 'session',
    quantity: count(durationMs),
    unit: 'ms',
    priceUnit: 'minute',
    priceUnitSize: 60_000n,
    unitPriceMicros: parseUsd(prices.platform.session_per_minute_usd),
  });
  const { transcriber, model, voice } = components;
  if (transcriber.provider !== 'none') {
    const price = lookupPrice(prices.stt, transcriber.provider, transcriber.model);
    add({
      provider: transcriber.provider,
      model: transcriber.model ?? null,
      item: 'stt',
      quantity: count(usage.stt_audio_ms),
      unit: 'ms',
      priceUnit: 'minute',
      priceUnitSize: 60_000n,
      unitPriceMicros: parseUsd(price?.per_minute_usd ?? '0'),
    });
  }
  const llmPrice = lookupPrice(prices.llm, model.provider, model.model);
  for (const [item, tokens, unitPrice] of [
    ['llm_input', usage.llm_prompt_tokens, llmPrice?.input_per_1m_tokens_usd],
    ['llm_output', usage.llm_completion_tokens, llmPrice?.output_per_1m_tokens_usd],
  ] as const) {
    add({
      provider: model.provider,
      model: model.model ?? null,
      item,
      quantity: count(tokens),
      unit: 'token',
      priceUnit: '1M tokens',
      priceUnitSize: 1_000_000n,
      unitPriceMicros: parseUsd(unitPrice ?? '0'),
    });
  }
  const ttsPrice = lookupPrice(prices.tts, voice.provider, voice.model);
  add({
    provider: voice.provider,
    model: voice.model ?? null,
    item: 'tts',
    quantity: count(usage.tts_characters),
    unit: 'character',
    priceUnit: '1k characters',
    priceUnitSize: 1000n,
    unitPriceMicros: parseUsd(ttsPrice?.per_1k_characters_usd ?? '0'),
  });
  return { totalMicros: lines.reduce((sum, line) => sum + line.costMicros, 0n), lines };
}
