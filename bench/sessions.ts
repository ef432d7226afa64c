// npm run bench:sessions — N concurrent voice sessions (N = 10, 50, 100, 200; BENCH_SESSIONS=10,50 to choose) against
// the server as it is deployed: `echosphere start --roles api,agent` on PostgreSQL (BENCH_PROCESSES sets
// ECHOSPHERE_PROCESSES; one by default, see BENCHMARKS.md for why), through the real OpenAI, ElevenLabs and Deepgram
// plugins against fakes with fixed latencies (LLM time to first token, TTS time to first byte). Customers reach it over
// the server's WebSocket or in LiveKit rooms (BENCH_TRANSPORT=websocket|livekit|both; LiveKit needs the test LiveKit
// server) and take turns typed or spoken (BENCH_INPUT=typed|speech: a speech fixture in real time into an always-open
// microphone, so VAD and streaming STT are in the loop), receive the reply as real-time audio, think, repeat. The
// clients and the fakes run in two more child processes; CPU and memory below are the server's process tree alone,
// read from /proc. Start-up (all N sessions connecting) is reported in its own columns; the per-turn figures come from
// the window after it, in which N sessions are live and none starts or ends.
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { exitCode, startEchoSphere } from '../test/cli/start-process.ts';
import { createProvisionedDatabase } from '../test/support/database.ts';
import { liveKitEnv } from '../test/livekit/support/livekit-env.ts';
import { liveKitTestServer } from '../test/support/services.ts';
import type { BenchInput, BenchSession, BenchTransport, FakeLatencies, FromLoad, SessionResult, ToLoad } from './sessions/load-protocol.ts';
import { percentile } from '../core/percentile.ts';
import { treeCpuMs, treeRssBytes } from './support/process-tree.ts';

// The database runs where production's does, in its own PostgreSQL server. BENCH_DATABASE_URL=pglite measures the
// embedded default instead (one process: the embedded database belongs to it).
const databaseUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const embedded = databaseUrl === 'pglite';
const processes = embedded ? '1' : (process.env.BENCH_PROCESSES ?? '1');
const processCount = processes === 'auto' ? os.availableParallelism() : Number(processes);
const transports: BenchTransport[] = process.env.BENCH_TRANSPORT === 'both' ? ['websocket', 'livekit'] : [(process.env.BENCH_TRANSPORT ?? 'websocket') as BenchTransport];
if (!transports.every((transport) => transport === 'websocket' || transport === 'livekit')) throw new Error('BENCH_TRANSPORT is websocket, livekit or both');
const input = (process.env.BENCH_INPUT ?? 'typed') as BenchInput;
if (input !== 'typed' && input !== 'speech') throw new Error('BENCH_INPUT is typed or speech');
// A LiveKit customer costs the shared machine far more than a WebSocket one (WebRTC, Opus both ways, the LiveKit
// server itself): rounds that include it are smaller.
const counts = (process.env.BENCH_SESSIONS ?? (transports.includes('livekit') ? '4,8,16' : '10,50,100,200')).split(',').map(Number);
const durationMs = Number(process.env.BENCH_DURATION_S ?? 20) * 1000;
const latencies: FakeLatencies = { llmTtftMs: 100, ttsTtfbMs: 100 };
/**
 * A spoken turn is committed the assistant's endpointing delay after the user stops speaking (the default VAD hears
 * the silence after 250 ms, within it): a wait the configuration imposes, not overhead.
 */
const ENDPOINTING_MIN_DELAY_MS = 500;
const configuredWaitMs = latencies.llmTtftMs + latencies.ttsTtfbMs + (input === 'speech' ? ENDPOINTING_MIN_DELAY_MS : 0);
/** The bar a round must clear for its N to count as served: platform overhead p99 within it, and no reply late. */
const OVERHEAD_P99_BAR_MS = 50;
const liveKit = transports.includes('livekit') ? liveKitTestServer() : undefined;
if (liveKit && !liveKit.service) throw new Error(`BENCH_TRANSPORT=${process.env.BENCH_TRANSPORT} needs the LiveKit server: ${liveKit.skip}`);
// The server runs with the Node.js flags `npm start` gives it (BENCH_SERVER_NODE_OPTIONS="…" to compare others).
const startScript: string = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).scripts.start;
const serverNodeOptions = (process.env.BENCH_SERVER_NODE_OPTIONS ?? /^node (.*?)\s*bin\//.exec(startScript)![1]!)
  .split(' ')
  .filter(Boolean);

// Fakes and clients each get their own process: 100 clients parse 5,000 audio frames a second, and sharing a thread
// with them would delay the fakes' replies and bill that to the platform.
// (rtc-node logs every room connection at debug level unless NODE_ENV is production.)
const spawnLoad = () =>
  fork(new URL('./sessions/load-generator.ts', import.meta.url), { execArgv: ['--import', 'tsx'], stdio: 'inherit', env: { ...process.env, NODE_ENV: 'production' } });
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

const percentileOfUnsorted = (values: number[], p: number) => percentile([...values].sort((a, b) => a - b), p) ?? NaN;
const round = (value: number, digits = 1) => Number(value.toFixed(digits));

const apiKeys = { openai: 'sk-bench-key', elevenlabs: 'el-bench-key', deepgram: 'dg-bench-key' };
const fakes = await ask(fakesProcess, { type: 'start-fakes', latencies, apiKeys }, 'fakes');
const server = await startServer();
// The fakes are endpoints the organization chose (base_url): only its own keys go there.
await api('PUT', '/v1/provider-credentials/openai', { api_key: apiKeys.openai });
await api('PUT', '/v1/provider-credentials/elevenlabs', { api_key: apiKeys.elevenlabs });
// Deepgram's endpoint is a WebSocket origin: it goes with the organization's key, not in the assistant.
await api('PUT', '/v1/provider-credentials/deepgram', { api_key: apiKeys.deepgram, base_url: fakes.deepgramBaseUrl });
const assistant = await api('POST', '/v1/assistants', {
  name: 'Bench',
  system_prompt: 'Answer briefly.',
  first_message: null,
  model: { provider: 'openai', model: 'gpt-4o-mini', base_url: fakes.openAiBaseUrl },
  voice: { provider: 'elevenlabs', voice_id: 'bench', base_url: fakes.elevenLabsBaseUrl },
  transcriber: input === 'speech' ? { provider: 'deepgram', model: 'nova-3' } : { provider: 'none' },
  turn: { endpointing_min_delay_ms: ENDPOINTING_MIN_DELAY_MS },
  // Recording has its own benchmark (bench:transcode); this one measures the voice pipeline.
  recording_enabled: false,
});
const createSessions = (count: number, transport: BenchTransport): Promise<BenchSession[]> =>
  Promise.all(Array.from({ length: count }, () => api('POST', '/v1/sessions', { assistant_id: assistant.id, transport })));
/** Customers join a LiveKit room (WebRTC set-up) more slowly than they open a WebSocket: their ramp is longer. */
const rampMs = (count: number, transport: BenchTransport) => Math.min(transport === 'livekit' ? 10_000 : 5000, count * (transport === 'livekit' ? 100 : 25));

// Warm-up: each process's first sessions load plugin modules and open connection pools; that is start-up, not per-turn cost.
for (const transport of transports) {
  const warmup = await createSessions(2 * processCount, transport);
  await runClients({ type: 'run', baseUrl: server.wsUrl, transport, input, sessions: warmup, durationMs: 3000, rampMs: 0 }).closed;
  await allSessionsEnded();
}

const rows: Array<Record<string, number | string>> = [];
console.log(`bench:sessions — ${os.cpus().length} cores, load average before: ${os.loadavg().map((v) => v.toFixed(1)).join(' ')}`);
console.log(
  `server: node ${serverNodeOptions.join(' ')} … start --roles api,agent, ECHOSPHERE_PROCESSES=${processes}, on ${embedded ? 'the embedded database (PGlite)' : 'PostgreSQL'}`,
);
console.log(
  `fake LLM TTFT ${latencies.llmTtftMs} ms, fake TTS TTFB ${latencies.ttsTtfbMs} ms, ` +
    (input === 'speech' ? `spoken turns (endpointing delay ${ENDPOINTING_MIN_DELAY_MS} ms)` : 'typed turns (no endpointing delay)') +
    `, ${transports.join(' and ')}, ${durationMs / 1000} s per N`,
);
for (const transport of transports) for (const count of counts) await runRound(transport, count);
console.log(`load average after: ${os.loadavg().map((v) => v.toFixed(1)).join(' ')}`);
console.table(rows);
console.log(`\nPer transport: the largest N whose overhead p99 stayed ≤ ${OVERHEAD_P99_BAR_MS} ms with no reply missing real time, and what a session cost there`);
console.table(transports.map(capacity));
printMarkdown(rows, ['transport', 'sessions', 'start_p50_ms', 'start_p99_ms', 'turns', 'overhead_p50_ms', 'overhead_p99_ms', 'cpu_ms_per_session_s', 'rss_mb_per_session', 'jitter_p99_ms', 'missed_real_time', 'failed', 'server_loop_p99_ms']);
printMarkdown(transports.map(capacity), ['transport', 'sessions_within_bar', 'overhead_p99_ms', 'cpu_ms_per_session_s', 'sessions_per_core_at_that_cpu', 'rss_mb_per_session']);
await server.stop();
for (const load of [fakesProcess, clientsProcess]) load.send({ type: 'exit' } satisfies ToLoad);

async function runRound(transport: BenchTransport, count: number): Promise<void> {
  const sessions = await createSessions(count, transport);
  const rssBefore = treeRssBytes(server.pid);
  let rssPeak = rssBefore;
  const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, treeRssBytes(server.pid))), 200);
  const startCpuBefore = treeCpuMs(server.pid);
  // Start-up (connect, claim, providers, agent start) is measured on its own; the window below is the steady state
  // of N live sessions, where nothing starts or ends.
  const clients = runClients({ type: 'run', baseUrl: server.wsUrl, transport, input, sessions, durationMs, rampMs: rampMs(count, transport) });
  const { startMs } = await clients.steady;
  const startCpuMs = treeCpuMs(server.pid) - startCpuBefore;
  // Reading the server's metrics resets its event-loop histogram: the next read covers the window.
  const serverBefore = await serverMetrics();
  fakesProcess.send({ type: 'watch-loop' } satisfies ToLoad);
  const cpuBefore = treeCpuMs(server.pid);
  const startedAt = performance.now();
  const { sessions: results, loopDelayP99Ms: clientsLoopP99 } = await clients.results;
  const wallS = (performance.now() - startedAt) / 1000;
  const cpuMs = treeCpuMs(server.pid) - cpuBefore;
  const serverAfter = await serverMetrics();
  const { loopDelayP99Ms: fakesLoopP99 } = await ask(fakesProcess, { type: 'loop-delay' }, 'loop-delay');
  await clients.closed;
  clearInterval(sampler);
  const all = (pick: (result: SessionResult) => number[]) => results.flatMap(pick);
  const overheads = all((result) => result.e2eMs).map((e2e) => e2e - configuredWaitMs);
  const jitters = all((result) => result.jitterMs);
  rows.push({
    transport,
    sessions: count,
    start_p50_ms: round(percentileOfUnsorted(startMs, 50)),
    start_p99_ms: round(percentileOfUnsorted(startMs, 99)),
    start_cpu_ms_per_session: round(startCpuMs / count),
    turns: results.reduce((sum, result) => sum + result.turns, 0),
    overhead_p50_ms: round(percentileOfUnsorted(overheads, 50)),
    overhead_p99_ms: round(percentileOfUnsorted(overheads, 99)),
    cpu_ms_per_session_s: round(cpuMs / (count * wallS), 2),
    rss_mb_per_session: round((rssPeak - rssBefore) / 1024 / 1024 / count, 2),
    llm_ttft_p50_ms: round(percentileOfUnsorted(all((result) => result.serverLlmTtftMs), 50)),
    llm_ttft_p99_ms: round(percentileOfUnsorted(all((result) => result.serverLlmTtftMs), 99)),
    tts_ttfb_p50_ms: round(percentileOfUnsorted(all((result) => result.serverTtsTtfbMs), 50)),
    tts_ttfb_p99_ms: round(percentileOfUnsorted(all((result) => result.serverTtsTtfbMs), 99)),
    jitter_p99_ms: round(percentileOfUnsorted(jitters, 99)),
    missed_real_time: results.filter((result) => result.missedReplies > 0).length,
    failed: results.filter((result) => result.error).length,
    server_loop_p99_ms: round(serverAfter.loopDelayP99Ms),
    server_major_gcs: serverAfter.majorGcs - serverBefore.majorGcs,
    major_gc_pause_ms: round(serverAfter.majorGcPauseMs - serverBefore.majorGcPauseMs),
    clients_loop_p99_ms: round(clientsLoopP99),
    fakes_loop_p99_ms: round(fakesLoopP99),
  });
  console.table([rows.at(-1)]);
  const failure = results.find((result) => result.error);
  if (failure) console.error(`first failure: ${failure.error}\nserver output:\n${server.output().slice(-3000)}`);
  await allSessionsEnded();
}

/** The table again as Markdown, for BENCHMARKS.md. */
function printMarkdown(table: Array<Record<string, number | string>>, columns: string[]): void {
  console.log(`\n| ${columns.join(' | ')} |\n|${columns.map(() => '---:').join('|')}|`);
  for (const row of table) console.log(`| ${columns.map((column) => row[column] ?? '—').join(' | ')} |`);
}

/**
 * A transport's capacity in this run: the largest N that cleared the bar, its CPU and memory per session, and how many
 * such sessions one core would hold at that CPU (the server alone; this machine's cores also run the clients, the
 * fakes, PostgreSQL and the LiveKit server).
 */
function capacity(transport: BenchTransport): Record<string, number | string> {
  const served = rows.filter((row) => row.transport === transport && Number(row.overhead_p99_ms) <= OVERHEAD_P99_BAR_MS && row.missed_real_time === 0 && row.failed === 0);
  const best = served.at(-1);
  if (!best) return { transport, sessions_within_bar: 0 };
  const cpu = Number(best.cpu_ms_per_session_s);
  return {
    transport,
    sessions_within_bar: best.sessions!,
    overhead_p99_ms: best.overhead_p99_ms!,
    cpu_ms_per_session_s: cpu,
    sessions_per_core_at_that_cpu: round(1000 / cpu, 0),
    rss_mb_per_session: best.rss_mb_per_session!,
  };
}

/** `echosphere start` on a scratch database (or data folder) with one organization whose key the bench uses. */
async function startServer() {
  const env: NodeJS.ProcessEnv = {
    ECHOSPHERE_ROLES: 'api,agent',
    ECHOSPHERE_PROCESSES: processes,
    ECHOSPHERE_ALLOW_PRIVATE_URLS: 'true',
    ECHOSPHERE_ALLOW_PRIVATE_PROVIDER_URLS: 'true',
    ECHOSPHERE_DEFAULT_MAX_CONCURRENT_SESSIONS: '1000',
    ECHOSPHERE_RATE_LIMIT_REQUESTS: '100000',
    LOG_LEVEL: 'warn',
    // With LiveKit configured, the all-in-one server's agent role takes the LiveKit sessions too.
    ...(liveKit ? liveKitEnv(liveKit.service!) : {}),
  };
  let key: string | undefined;
  let cleanUp: () => Promise<void> | void;
  if (embedded) {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'echosphere-bench-'));
    Object.assign(env, { DATABASE_URL: '', ECHOSPHERE_DATA_DIR: dataDir });
    cleanUp = () => rmSync(dataDir, { recursive: true, force: true });
  } else {
    const database = await createProvisionedDatabase(databaseUrl, 'echosphere_bench', 'Bench');
    key = database.secretKey;
    Object.assign(env, database.env);
    cleanUp = database.drop;
  }
  const started = startEchoSphere(env, serverNodeOptions);
  // A bench that fails leaves no server behind.
  process.once('exit', () => started.child.kill('SIGTERM'));
  const baseUrl = await started.ready;
  // The embedded default's first start creates an organization and prints its key.
  key ??= /sk_[A-Za-z0-9_-]{43}/.exec(started.output())![0];
  return {
    pid: started.child.pid!,
    output: started.output,
    baseUrl,
    wsUrl: baseUrl.replace('http', 'ws'),
    key,
    async stop() {
      const stopped = exitCode(started.child);
      started.child.kill('SIGTERM');
      await stopped;
      await cleanUp();
    },
  };
}

async function api(method: string, path: string, body?: unknown) {
  const response = await fetch(`${server.baseUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${server.key}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await response.json();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(json)}`);
  return json;
}

/** Lets the round's sessions finish persisting before the next one starts. */
async function allSessionsEnded(): Promise<void> {
  const until = Date.now() + 15_000;
  while ((await api('GET', '/v1/sessions?status=active&limit=1')).data.length > 0 && Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * From the server's /metrics: its event-loop delay p99 since the last read (the mean over its processes), and its major
 * GCs so far (summed over its processes: count, and their stop-the-world pauses; the marking steps before each pause
 * are not in it). The overhead tail follows the major GCs that fall in the window (BENCHMARKS.md), so the table shows
 * how many did.
 */
async function serverMetrics(): Promise<{ loopDelayP99Ms: number; majorGcs: number; majorGcPauseMs: number }> {
  const text = await (await fetch(`${server.baseUrl}/metrics`)).text();
  const metric = (pattern: RegExp) => Number(pattern.exec(text)?.[1] ?? NaN);
  return {
    loopDelayP99Ms: metric(/^nodejs_eventloop_lag_p99_seconds (\S+)$/m) * 1000,
    majorGcs: metric(/^nodejs_gc_duration_seconds_count\{kind="major"\} (\S+)$/m) || 0,
    majorGcPauseMs: (metric(/^nodejs_gc_duration_seconds_sum\{kind="major"\} (\S+)$/m) || 0) * 1000,
  };
}
