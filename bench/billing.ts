// Billing benchmark: what charging adds to a session's end (the end transaction now prices the session and writes its
// usage records and owed meter event), and how GET /v1/usage's sums scale with the records of a month.
// Usage: npm run bench:billing   (BENCH_DATABASE_URL=postgres://… to choose the server; PGlite runs for reference)
import os from 'node:os';
import { DEFAULT_PRICES } from '../core/billing/default-prices.ts';
import { summarizeUsage } from '../core/billing/usage-summary.ts';
import { Database } from '../core/db/database.ts';
import { NO_LATENCY } from '../core/domain/session.ts';
import { newId } from '../core/ids.ts';
import { finishSession } from '../core/repositories/sessions.ts';
import { createScratchDatabase } from '../test/support/database.ts';
import { percentile } from '../core/percentile.ts';

const ENDS = Number(process.env.BENCH_SESSION_ENDS ?? 300);
const MONTH_SESSIONS = Number(process.env.BENCH_MONTH_SESSIONS ?? 20_000);
const serverUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres:postgres@127.0.0.1:5432/postgres';
const assistant = { model: { provider: 'openai', model: 'gpt-4o-mini' }, voice: { provider: 'elevenlabs', model: 'eleven_turbo_v2_5' }, transcriber: { provider: 'deepgram', model: 'nova-3' } };
const usage = { audio_in_ms: 60_000, audio_out_ms: 30_000, stt_audio_ms: 60_000, llm_prompt_tokens: 2400, llm_completion_tokens: 180, tts_characters: 900 };

async function endSessions(db: Database, orgId: string, count: number, reportMeterEvents: boolean): Promise<number[]> {
  const timings: number[] = [];
  for (let i = 0; i < count; i++) {
    const sessionId = newId('session');
    const assistantId = newId('assistant');
    await db.system((trx) =>
      trx('sessions').insert({
        id: sessionId, org_id: orgId, assistant_id: assistantId, assistant: JSON.stringify(assistant), transport: 'websocket', status: 'active',
        audio: JSON.stringify({ encoding: 'pcm_s16le', sample_rate_hz: 16000 }), started_at: new Date(Date.now() - 60_000),
      }),
    );
    const started = performance.now();
    await finishSession(db, { orgId, sessionId, assistantId }, { status: 'ended', endedReason: 'customer-ended', usage, latency: NO_LATENCY, billing: { prices: DEFAULT_PRICES, reportMeterEvents } });
    timings.push(performance.now() - started);
  }
  return timings.sort((a, b) => a - b);
}

/** A month of records in one statement per 1,000 sessions (five lines each), spread over 30 days and 20 assistants. */
async function fillMonth(db: Database, orgId: string, sessions: number): Promise<void> {
  for (let done = 0; done < sessions; done += 1000) {
    await db.system((trx) =>
      trx.raw(
        `INSERT INTO usage_records (id, org_id, session_id, assistant_id, metric, provider, quantity, unit, price_unit, price_unit_size, unit_price_micro_usd, cost_micro_usd, created_at)
         SELECT 'use_' || md5(random()::text), ?, NULL, 'asst_' || (s % 20), m.metric, m.provider, 1000 + s % 5000, 'ms', 'minute', 60000, 5000, 100 + s % 900,
                now() - ((s % 30) * interval '1 day')
         FROM generate_series(?::int, ?::int) s
         CROSS JOIN (VALUES ('session', 'echosphere'), ('stt', 'deepgram'), ('llm_input', 'openai'), ('llm_output', 'openai'), ('tts', 'elevenlabs')) m(metric, provider)`,
        [orgId, done, Math.min(sessions, done + 1000) - 1],
      ),
    );
  }
}

async function measure(label: string, db: Database) {
  const orgId = newId('organization');
  await db.system((trx) => trx('organizations').insert({ id: orgId, name: 'Bench', tool_signing_secret: 'x' }));
  const ends = await endSessions(db, orgId, ENDS, true);
  await fillMonth(db, orgId, MONTH_SESSIONS);
  const range = { from: new Date(Date.now() - 31 * 86_400_000), to: new Date() };
  const usageTimings: Record<string, number> = {};
  for (const grouping of ['day', 'assistant', 'provider'] as const) {
    const runs: number[] = [];
    for (let i = 0; i < 10; i++) {
      const started = performance.now();
      await db.tenant(orgId, (trx) => summarizeUsage(trx, orgId, range, grouping));
      runs.push(performance.now() - started);
    }
    usageTimings[grouping] = percentile(runs.sort((a, b) => a - b), 50) ?? NaN;
  }
  return {
    database: label,
    'session end p50 ms': percentile(ends, 50)?.toFixed(1),
    'session end p99 ms': percentile(ends, 99)?.toFixed(1),
    [`usage by day p50 ms (${MONTH_SESSIONS} sessions)`]: usageTimings.day!.toFixed(1),
    'by assistant p50 ms': usageTimings.assistant!.toFixed(1),
    'by provider p50 ms': usageTimings.provider!.toFixed(1),
  };
}

async function main(): Promise<void> {
  const loadBefore = os.loadavg().map((load) => load.toFixed(2)).join(', ');
  const rows = [];
  const scratch = await createScratchDatabase(serverUrl, 'echosphere_bench_billing');
  const pg = await Database.open({ url: scratch.url });
  try {
    await pg.migrate();
    rows.push(await measure('PostgreSQL', pg));
  } finally {
    await pg.close();
    await scratch.drop();
  }
  const lite = await Database.open({});
  try {
    await lite.migrate();
    rows.push(await measure('PGlite', lite));
  } finally {
    await lite.close();
  }
  console.log(`load average before: ${loadBefore}; ${ENDS} session ends (each charged: cost, 5 usage records, a meter report)`);
  console.table(rows);
}

await main();
