import type { Knex } from 'knex';
import type { Transaction } from '../db/database.ts';

export type UsageGrouping = 'day' | 'assistant' | 'provider';

/** What `group_by` groups the usage records by: the UTC day a session ended, its assistant, the provider billed. */
const GROUP_KEYS: Record<UsageGrouping, string> = {
  day: `to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')`,
  assistant: 'assistant_id',
  provider: 'provider',
};

/** The totals of a set of usage records, one column per figure, summed in the database on exact integers. */
const TOTALS = `count(DISTINCT session_id) AS sessions,
  coalesce(sum(quantity) FILTER (WHERE metric = 'session'), 0) AS duration_ms,
  coalesce(sum(quantity) FILTER (WHERE metric = 'stt'), 0) AS stt_audio_ms,
  coalesce(sum(quantity) FILTER (WHERE metric = 'llm_input'), 0) AS llm_input_tokens,
  coalesce(sum(quantity) FILTER (WHERE metric = 'llm_output'), 0) AS llm_output_tokens,
  coalesce(sum(quantity) FILTER (WHERE metric = 'tts'), 0) AS tts_characters,
  coalesce(sum(cost_micro_usd), 0) AS cost_micro_usd`;

export interface TotalsRow {
  sessions: string | number;
  duration_ms: string | number;
  stt_audio_ms: string | number;
  llm_input_tokens: string | number;
  llm_output_tokens: string | number;
  tts_characters: string | number;
  cost_micro_usd: string | number;
}

export interface UsageRange {
  from: Date;
  to: Date;
}

function recordsIn(trx: Knex, orgId: string, range: UsageRange) {
  return trx('usage_records').where('org_id', orgId).where('created_at', '>=', range.from).where('created_at', '<', range.to);
}

/** The organization's usage in [from, to): the totals, and the totals of each group that had any. */
export async function summarizeUsage(trx: Transaction, orgId: string, range: UsageRange, groupBy: UsageGrouping) {
  const key = GROUP_KEYS[groupBy];
  const [total] = await recordsIn(trx, orgId, range).select(trx.raw(TOTALS));
  const groups = await recordsIn(trx, orgId, range)
    .select(trx.raw(`${key} AS key, ${TOTALS}`))
    .groupByRaw(key)
    .orderByRaw(key);
  return {
    total: total as TotalsRow,
    groups: groups as Array<TotalsRow & { key: string | null }>,
  };
}

/** Month-to-date spend and session minutes, for the organization's limits. */
export async function usageSince(trx: Transaction, orgId: string, since: Date): Promise<{ costMicros: bigint; durationMs: bigint }> {
  const [row] = await trx('usage_records')
    .where('org_id', orgId)
    .where('created_at', '>=', since)
    .select(
      trx.raw(`coalesce(sum(cost_micro_usd), 0) AS cost_micro_usd, coalesce(sum(quantity) FILTER (WHERE metric = 'session'), 0) AS duration_ms`),
    );
  return { costMicros: BigInt(String(row.cost_micro_usd)), durationMs: BigInt(String(row.duration_ms)) };
}

/** The first instant of the UTC calendar month `at` falls in: limits count from here. */
export function startOfUtcMonth(at: Date): Date {
  return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), 1));
}
