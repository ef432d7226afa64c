// npm run bench:sessions — N concurrent voice sessions (N = 10, 50, 100, 200; BENCH_SESSIONS=10,50 to choose) in this
// process, over real WebSockets, through the real OpenAI and ElevenLabs plugins against fakes with fixed latencies
// (LLM time to first token, TTS time to first byte). Clients type a turn, receive real-time paced audio, think, repeat.
// The clients and the fakes run in two child processes, so CPU and memory below are the server's alone. Start-up
// (all N sessions connecting) is reported in its own columns; the per-turn figures come from the window after it, in
// which N sessions are live and none starts or ends.
import { fork, type ChildProcess } from 'node:child_process';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import os from 'node:os';
import { dispose } from '@livekit/rtc-node';
import { startStreamHarness } from '../test/support/stream-harness.ts';
import type { FakeLatencies, FromLoad, SessionResult, ToLoad } from './sessions/load-protocol.ts';

// The database runs where production's does: in its own PostgreSQL process (PGlite in-process would bill its WASM
// query execution to the sessions). BENCH_DATABASE_URL=pglite measures the embedded default instead.
const databaseUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
if (databaseUrl === 'pglite') delete process.env.TEST_DATABASE_URL;
else process.env.TEST_DATABASE_URL = databaseUrl;
const counts = (process.env.BENCH_SESSIONS ?? '10,50,100,200').split(',').map(Number);
const durationMs = Number(process.env.BENCH_DURATION_S ?? 20) * 1000;
const latencies: FakeLatencies = { llmTtftMs: 100, ttsTtfbMs: 100 };

// Fakes and clients each get their own process: 100 clients parse 5,000 audio frames a second, and sharing a thread
// with them would delay the fakes' replies and bill that to the platform.
const spawnLoad = () => fork(new URL('./sessions/load-generator.ts', import.meta.url), { execArgv: ['--import', 'tsx'], stdio: 'inherit' });
const fakesProcess = spawnLoad();
const clientsProcess = spawnLoad();
/** The next message of one type from a load generator. */
function next<T extends FromLoad['type']>(load: ChildProcess, type: T): Promise<Extract<FromLoad, { type: T }>> {
  return new Promise((resolve) => {
    const onMessage = (message: FromLoad) => {
      if (message.type !== type) return;
      load.off('message', onMessage);
      resolve(message as Extract<FromLoad, { type: T }>);
    };
    load.on('message', onMessage);
  });
}
function ask<T extends FromLoad['type']>(load: ChildProcess, message: ToLoad, reply: T): Promise<Extract<FromLoad, { type: T }>> {
  const answer = next(load, reply);
  load.send(message);
  return answer;
}
/** One round of the clients: resolves when every session has started, and then with the window's turns and when closed. */
function runClients(message: Extract<ToLoad, { type: 'run' }>) {
  const steady = next(clientsProcess, 'steady');
  const results = next(clientsProcess, 'results');
  const closed = next(clientsProcess, 'closed');
  clientsProcess.send(message);
  return { steady, results, closed };
}

const percentile = (values: number[], p: number) => {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
};
const round = (value: number, digits = 1) => Number(value.toFixed(digits));

const fakes = await ask(fakesProcess, { type: 'start-fakes', latencies }, 'fakes');
const harness = await startStreamHarness({ env: { OPENAI_API_KEY: 'sk-test', ELEVEN_API_KEY: 'el-test' } });
const assistant = {
  name: 'Bench',
  system_prompt: 'Answer briefly.',
  first_message: null,
  model: { provider: 'openai', model: 'gpt-4o-mini', base_url: fakes.openAiBaseUrl },
  voice: { provider: 'elevenlabs', voice_id: 'bench', base_url: fakes.elevenLabsBaseUrl },
  transcriber: { provider: 'none' },
};

// Warm-up: the first sessions load plugin modules and open connection pools; that is start-up, not per-turn cost.
const warmup = await Promise.all(Array.from({ length: 2 }, () => harness.createSession(assistant)));
await runClients({ type: 'run', baseUrl: harness.baseUrl, sessions: warmup, durationMs: 3000, rampMs: 0 }).closed;

const rows: Array<Record<string, number | string>> = [];
console.log(`bench:sessions — ${os.cpus().length} cores, load average before: ${os.loadavg().map((v) => v.toFixed(1)).join(' ')}`);
console.log(`database: ${databaseUrl === 'pglite' ? 'PGlite in this process' : 'PostgreSQL (separate process)'}`);
console.log(`fake LLM TTFT ${latencies.llmTtftMs} ms, fake TTS TTFB ${latencies.ttsTtfbMs} ms, typed turns (no endpointing delay), ${durationMs / 1000} s per N`);
for (const count of counts) {
  const sessions = await Promise.all(Array.from({ length: count }, () => harness.createSession(assistant)));
  const rssBefore = process.memoryUsage().rss;
  let rssPeak = rssBefore;
  const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, process.memoryUsage().rss)), 200);
  const startCpuBefore = process.cpuUsage();
  // Start-up (connect, claim, providers, agent start) is measured on its own; the window below is the steady state
  // of N live sessions, where nothing starts or ends.
  const clients = runClients({ type: 'run', baseUrl: harness.baseUrl, sessions, durationMs, rampMs: Math.min(5000, count * 25) });
  const { startMs } = await clients.steady;
  const startCpu = process.cpuUsage(startCpuBefore);
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  fakesProcess.send({ type: 'watch-loop' } satisfies ToLoad);
  const cpuBefore = process.cpuUsage();
  const startedAt = performance.now();
  const { sessions: results, loopDelayP99Ms: clientsLoopP99 } = await clients.results;
  const wallS = (performance.now() - startedAt) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  loopDelay.disable();
  const { loopDelayP99Ms: fakesLoopP99 } = await ask(fakesProcess, { type: 'loop-delay' }, 'loop-delay');
  await clients.closed;
  clearInterval(sampler);
  const all = (pick: (result: SessionResult) => number[]) => results.flatMap(pick);
  const overheads = all((result) => result.e2eMs).map((e2e) => e2e - latencies.llmTtftMs - latencies.ttsTtfbMs);
  const jitters = all((result) => result.steadyGapsMs).map((gap) => Math.abs(gap - 20));
  rows.push({
    sessions: count,
    start_p50_ms: round(percentile(startMs, 50)),
    start_p99_ms: round(percentile(startMs, 99)),
    start_cpu_ms_per_session: round((startCpu.user + startCpu.system) / 1000 / count),
    turns: results.reduce((sum, result) => sum + result.turns, 0),
    overhead_p50_ms: round(percentile(overheads, 50)),
    overhead_p99_ms: round(percentile(overheads, 99)),
    cpu_ms_per_session_s: round((cpu.user + cpu.system) / 1000 / (count * wallS), 2),
    rss_mb_per_session: round((rssPeak - rssBefore) / 1024 / 1024 / count, 2),
    llm_ttft_p50_ms: round(percentile(all((result) => result.serverLlmTtftMs), 50)),
    llm_ttft_p99_ms: round(percentile(all((result) => result.serverLlmTtftMs), 99)),
    tts_ttfb_p50_ms: round(percentile(all((result) => result.serverTtsTtfbMs), 50)),
    tts_ttfb_p99_ms: round(percentile(all((result) => result.serverTtsTtfbMs), 99)),
    jitter_p99_ms: round(percentile(jitters, 99)),
    missed_real_time: results.filter((result) => result.lateFrames > 0).length,
    failed: results.filter((result) => result.error).length,
    loop_delay_p99_ms: round(loopDelay.percentile(99) / 1e6),
    clients_loop_p99_ms: round(clientsLoopP99),
    fakes_loop_p99_ms: round(fakesLoopP99),
  });
  console.table([rows.at(-1)]);
  // Let the sessions finish persisting before the next round.
  const until = Date.now() + 15_000;
  while (harness.gateway.liveSessionCount() > 0 && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 100));
}
console.log(`load average after: ${os.loadavg().map((v) => v.toFixed(1)).join(' ')}`);
console.table(rows);
await harness.close();
for (const load of [fakesProcess, clientsProcess]) load.send({ type: 'exit' } satisfies ToLoad);
await dispose();
