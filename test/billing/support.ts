import { DEFAULT_PRICES } from '../../core/billing/default-prices.ts';
import type { Database } from '../../core/db/database.ts';
import { NO_LATENCY } from '../../core/domain/session.ts';
import { newId } from '../../core/ids.ts';
import { finishSession } from '../../core/repositories/sessions.ts';

const assistant = {
  name: 'Cloud',
  model: { provider: 'openai', model: 'gpt-4o-mini' },
  voice: { provider: 'elevenlabs', voice_id: 'v1', model: 'eleven_turbo_v2_5' },
  transcriber: { provider: 'deepgram', model: 'nova-3' },
};

/** An organization in a bare test database (no api), for the workers' tests. */
export async function insertOrganization(db: Database, name = 'Billing test'): Promise<string> {
  const orgId = newId('organization');
  await db.system((trx) => trx('organizations').insert({ id: orgId, name, tool_signing_secret: 'sealed' }));
  return orgId;
}

/**
 * A session that was connected for `seconds` and used the cloud providers, ended through the runtime's own end
 * transaction with Stripe meter events on: it is charged and owes a meter event.
 */
export async function endChargedSession(db: Database, orgId: string, seconds = 30): Promise<{ sessionId: string; totalMicros: bigint }> {
  const sessionId = newId('session');
  const assistantId = newId('assistant');
  await db.system(async (trx) => {
    await trx('sessions').insert({
      id: sessionId,
      org_id: orgId,
      assistant_id: assistantId,
      assistant: JSON.stringify({ id: assistantId, ...assistant }),
      transport: 'websocket',
      status: 'active',
      audio: JSON.stringify({ encoding: 'pcm_s16le', sample_rate_hz: 16000 }),
      started_at: new Date(Date.now() - seconds * 1000),
    });
  });
  await finishSession(
    db,
    { orgId, sessionId, assistantId },
    {
      status: 'ended',
      endedReason: 'customer-ended',
      usage: { audio_in_ms: seconds * 1000, audio_out_ms: 4000, stt_audio_ms: seconds * 1000, llm_prompt_tokens: 1200, llm_completion_tokens: 90, tts_characters: 240 },
      latency: NO_LATENCY,
      billing: { prices: DEFAULT_PRICES, reportMeterEvents: true },
    },
  );
  const report = await db.system((trx) => trx('meter_reports').where({ session_id: sessionId }).first());
  return { sessionId, totalMicros: BigInt(report.value_micro_usd) };
}

export async function waitUntil(check: () => Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
