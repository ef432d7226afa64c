// Evaluation benchmark: evaluations per second one workers process sustains with a judge model that takes 200 ms per
// request, and the time from `session.ended` to `evaluation.completed` (both event timestamps, taken by the database).
// Usage: npm run bench:evaluations   (BENCH_DATABASE_URL=postgres://… to choose the server; PGlite runs for reference)
// Each evaluation is a summary, structured data, one llm criterion (three judge requests, made at once), a metric and a
// match criterion, over an eight-message transcript. The judge runs in its own process (bench/evaluations/judge-server.ts).
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { SecretBox } from '../core/crypto/secret-box.ts';
import { Database } from '../core/db/database.ts';
import { providerUrlPolicy } from '../core/domain/provider-endpoints.ts';
import { NO_LATENCY, NO_USAGE } from '../core/domain/session.ts';
import { analysisConfig } from '../core/evaluations/analysis-config.ts';
import { enqueueSessionEvaluations } from '../core/evaluations/evaluation-jobs.ts';
import { newId } from '../core/ids.ts';
import { DatabaseQueue } from '../core/queue/database-queue.ts';
import { finishSession } from '../core/repositories/sessions.ts';
import { createScratchDatabase } from '../test/support/database.ts';
import { startEvaluationWorker } from '../workers/evaluations/evaluation-worker.ts';
import { percentile } from '../core/percentile.ts';

const BURST = Number(process.env.BENCH_SESSIONS ?? 400);
const PACED = Number(process.env.BENCH_PACED_SESSIONS ?? 100);
const PACED_RATE = Number(process.env.BENCH_PACED_RATE ?? 10);
const CONCURRENCIES = (process.env.BENCH_CONCURRENCY ?? '8,32').split(',').map(Number);
const JUDGE_DELAY_MS = Number(process.env.BENCH_JUDGE_DELAY_MS ?? 200);
const serverUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

interface Result {
  database: string;
  concurrency: number;
  burst: number;
  evaluationsPerS: number;
  workerCores: number;
  burstP50Ms: number;
  burstP99Ms: number;
  pacedP50Ms: number;
  pacedP99Ms: number;
}

async function main(): Promise<void> {
  // The machine may be shared: the load average says how much of it this run really had.
  const loadBefore = os.loadavg().map((load) => load.toFixed(2)).join(', ');
  const judge = await startJudgeProcess();
  const results: Result[] = [];
  for (const concurrency of CONCURRENCIES) {
    const postgres = await createScratchDatabase(serverUrl, 'echosphere_bench').catch((error: Error) => {
      console.error(`PostgreSQL at ${serverUrl} unavailable (${error.message}); skipping it`);
      return undefined;
    });
    if (!postgres) break;
    results.push(await run('PostgreSQL', await Database.open({ url: postgres.url, poolMax: 20 }), judge.baseUrl, concurrency, BURST));
    await postgres.drop();
  }
  // The embedded engine is slower; a smaller burst keeps the reference run short.
  if (process.env.BENCH_SKIP_PGLITE !== '1') results.push(await run('PGlite (in memory)', await Database.open({}), judge.baseUrl, CONCURRENCIES[0]!, Math.min(BURST, 200)));
  judge.close();

  console.log(`\nEvaluations — ${os.cpus().length} cores, ${os.cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}; the judge answers each request after ${JUDGE_DELAY_MS} ms`);
  console.log(`throughput: a burst of sessions ending at once; latency: the burst's, and ${PACED} sessions ending ${PACED_RATE} per second\n`);
  console.log('| database | concurrency | burst | evaluations/s | worker CPU (cores) | ended → completed, burst p50 | burst p99 | paced p50 | paced p99 |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of results) {
    console.log(
      `| ${r.database} | ${r.concurrency} | ${r.burst} | ${r.evaluationsPerS.toFixed(1)} | ${r.workerCores.toFixed(2)} | ${ms(r.burstP50Ms)} | ${ms(r.burstP99Ms)} | ${ms(r.pacedP50Ms)} | ${ms(r.pacedP99Ms)} |`,
    );
  }
  console.log(`\nload average before the runs: ${loadBefore}; after: ${os.loadavg().map((load) => load.toFixed(2)).join(', ')}`);
}

const ms = (value: number) => `${Math.round(value)} ms`;

async function run(name: string, db: Database, judgeUrl: string, concurrency: number, burst: number): Promise<Result> {
  await db.migrate();
  const secretBox = new SecretBox(randomBytes(32));
  const orgId = newId('organization');
  await db.system(async (trx) => {
    await trx('organizations').insert({ id: orgId, name: 'bench', tool_signing_secret: secretBox.seal('whsec_bench') });
    await trx('provider_credentials').insert({ org_id: orgId, provider: 'openai', sealed_api_key: secretBox.seal('sk-test'), api_key_last4: 'test', base_url: judgeUrl });
  });
  const assistant = { id: newId('assistant'), name: 'bench', analysis: await benchAnalysis() };
  const queue = new DatabaseQueue(db.knex);
  const stopSweep = await startEvaluationWorker({ db, secretBox, env: {}, providerUrlPolicy: providerUrlPolicy(true), queue, concurrency, sweepIntervalS: 0 });

  // Throughput: every session ends at once; the worker drains the backlog.
  const burstSessions = await createActiveSessions(db, orgId, assistant, burst);
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  await Promise.all(burstSessions.map((sessionId) => endSession(db, queue, orgId, assistant.id, sessionId)));
  await waitUntil(async () => (await completedCount(db, burstSessions)) === burst);
  const elapsedMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  const burstLatencies = await endedToCompleted(db, burstSessions);

  // Latency: sessions end one by one at a steady rate the worker keeps up with.
  const pacedSessions = await createActiveSessions(db, orgId, assistant, PACED);
  for (const sessionId of pacedSessions) {
    await endSession(db, queue, orgId, assistant.id, sessionId);
    await new Promise((resolve) => setTimeout(resolve, 1000 / PACED_RATE));
  }
  await waitUntil(async () => (await completedCount(db, pacedSessions)) === PACED);
  const pacedLatencies = await endedToCompleted(db, pacedSessions);

  stopSweep();
  await queue.stop();
  await db.close();
  return {
    database: name,
    concurrency,
    burst,
    evaluationsPerS: burst / (elapsedMs / 1000),
    workerCores: (cpu.user + cpu.system) / 1000 / elapsedMs,
    burstP50Ms: percentile(burstLatencies, 50) ?? NaN,
    burstP99Ms: percentile(burstLatencies, 99) ?? NaN,
    pacedP50Ms: percentile(pacedLatencies, 50) ?? NaN,
    pacedP99Ms: percentile(pacedLatencies, 99) ?? NaN,
  };
}

function benchAnalysis() {
  return analysisConfig.parseAsync({
    summary: {},
    structured_data: { schema: { type: 'object', additionalProperties: false, required: ['party_size', 'day'], properties: { party_size: { type: 'integer' }, day: { type: ['string', 'null'] } } } },
    scorecard: {
      criteria: [
        { kind: 'llm', name: 'Confirmed', question: 'Did the assistant confirm the booking?' },
        { kind: 'metric', name: 'Fast', metric: 'latency_p95_ms', operator: 'lt', threshold: 1500 },
        { kind: 'match', name: 'Greets', mode: 'regex', pattern: '\\b(hello|hi)\\b' },
      ],
    },
    judge: { provider: 'openai', model: 'gpt-4o-mini' },
  });
}

/** Connected sessions with an eight-message transcript, as the runtime leaves them just before they end. */
async function createActiveSessions(db: Database, orgId: string, assistant: { id: string }, count: number): Promise<string[]> {
  const ids = Array.from({ length: count }, () => newId('session'));
  const lines = ['Hello, Bella Pasta, how can I help?', 'Hi, a table for four please.', 'For which day?', 'Friday evening.', 'What time?', 'Seven.', 'Booked: four on Friday at seven.', 'Thanks, bye.'];
  await db.system(async (trx) => {
    await trx('sessions').insert(
      ids.map((id) => ({
        id,
        org_id: orgId,
        assistant_id: assistant.id,
        assistant: JSON.stringify(assistant),
        transport: 'websocket',
        status: 'active',
        audio: JSON.stringify({ encoding: 'pcm_s16le', sample_rate_hz: 16000 }),
        started_at: new Date(Date.now() - 60_000),
      })),
    );
    await trx('messages').insert(
      ids.flatMap((sessionId) =>
        lines.map((text, index) => ({ id: newId('message'), org_id: orgId, session_id: sessionId, role: index % 2 === 0 ? 'assistant' : 'user', text, start_ms: index * 4000, end_ms: index * 4000 + 3000 })),
      ),
    );
  });
  return ids;
}

/** What the runtime does when a session ends: the end transaction (with its evaluation request), then the enqueue. */
async function endSession(db: Database, queue: DatabaseQueue, orgId: string, assistantId: string, sessionId: string): Promise<void> {
  const latency = { ...NO_LATENCY, turns: 4, p50_ms: 700, p95_ms: 1100 };
  await finishSession(db, { orgId, sessionId, assistantId }, { status: 'ended', endedReason: 'customer-ended', usage: NO_USAGE, latency });
  await enqueueSessionEvaluations(db, queue, { orgId, sessionId });
}

async function completedCount(db: Database, sessionIds: string[]): Promise<number> {
  const row = await db.system((trx) => trx('evaluations').whereIn('session_id', sessionIds).where({ status: 'completed' }).count('* as n').first());
  return Number(row?.n ?? 0);
}

/** Per session, from its session.ended event to its evaluation.completed event, sorted ascending. */
async function endedToCompleted(db: Database, sessionIds: string[]): Promise<number[]> {
  const rows = await db.system((trx) =>
    trx('events').whereIn('session_id', sessionIds).whereIn('type', ['session.ended', 'evaluation.completed']).select('session_id', 'type', 'created_at'),
  );
  const times = new Map<string, { ended?: number; completed?: number }>();
  for (const row of rows) {
    const entry = times.get(row.session_id) ?? {};
    entry[row.type === 'session.ended' ? 'ended' : 'completed'] = (row.created_at as Date).getTime();
    times.set(row.session_id, entry);
  }
  return [...times.values()].map((entry) => entry.completed! - entry.ended!).sort((a, b) => a - b);
}

async function startJudgeProcess() {
  const child: ChildProcess = fork(path.join(import.meta.dirname, 'evaluations', 'judge-server.ts'), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const baseUrl = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`judge exited (${code})`)));
    child.once('message', (message: { baseUrl: string }) => resolve(message.baseUrl));
  });
  return { baseUrl, close: () => child.disconnect() };
}

async function waitUntil(check: () => Promise<boolean>): Promise<void> {
  while (!(await check())) await new Promise((resolve) => setTimeout(resolve, 50));
}

await main();
process.exit(0);
