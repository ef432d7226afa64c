import type { TotalsRow } from '../../core/billing/usage-summary.ts';
import { formatUsd } from '../../core/billing/money.ts';

/** Counts as JSON numbers (they stay far below 2^53), money as an exact decimal string. */
export function toPublicTotals(row: TotalsRow) {
  const durationMs = Number(row.duration_ms);
  return {
    sessions: Number(row.sessions),
    duration_ms: durationMs,
    minutes: Math.round((durationMs / 60_000) * 100) / 100,
    stt_audio_ms: Number(row.stt_audio_ms),
    llm_input_tokens: Number(row.llm_input_tokens),
    llm_output_tokens: Number(row.llm_output_tokens),
    tts_characters: Number(row.tts_characters),
    cost_usd: formatUsd(BigInt(String(row.cost_micro_usd))),
  };
}
