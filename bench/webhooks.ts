// Webhook delivery benchmark: deliveries per second to a local receiver, and commit → first-attempt latency.
// Usage: npm run bench:webhooks   (BENCH_DATABASE_URL=postgres://… to choose the server; PGlite runs for reference)
// The receiver runs in its own process (bench/webhook-receiver.ts), so this process's CPU is the deliverer's; profile
// it with `node --cpu-prof --import tsx bench/webhooks.ts`.
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SecretBox } from '../core/crypto/secret-box.ts';
import { Database } from '../core/db/database.ts';
import { appendEvent } from '../core/webhooks/outbox.ts';
import { newId } from '../core/ids.ts';
import { createLogger } from '../core/logger.ts';
import { createWebhookEndpoint } from '../core/webhooks/endpoints.ts';
import { createScratchDatabase } from '../test/support/database.ts';
import { WebhookDeliverer } from '../workers/webhooks/webhook-deliverer.ts';
import { percentile } from '../core/percentile.ts';

const THROUGHPUT_EVENTS = Number(process.env.BENCH_EVENTS ?? 10_000);
const LATENCY_EVENTS = Number(process.env.BENCH_LATENCY_EVENTS ?? 500);
const ENDPOINTS = 4;
const serverUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const logger = createLogger({ level: 'error', format: 'json' });

interface Result {
  database: string;
  events: number;
  deliveriesPerS: number;
  /** CPU time of the deliverer's process during the throughput run, in cores (1 = one core busy throughout). */
  delivererCores: number;
  /** The same CPU time per delivery: what the deliverer itself costs, whatever else the machine is doing. */
  delivererUsPerDelivery: number;
  p50Ms: number;
  p99Ms: number;
}

async function main(): Promise<void> {
  // The machine may be shared: the load average says how much of it this run really had.
  const loadBefore = os.loadavg().map((load) => load.toFixed(2)).join(', ');
  const results: Result[] = [];
  const postgres = await createScratchDatabase(serverUrl, 'echosphere_bench').catch((error: Error) => {
    console.error(`PostgreSQL at ${serverUrl} unavailable (${error.message}); skipping it`);
    return undefined;
  });
  if (postgres) {
    results.push(await run('PostgreSQL', await Database.open({ url: postgres.url, poolMax: 10 }), THROUGHPUT_EVENTS));
    await postgres.drop();
  }
  // The embedded engine is far slower; a smaller backlog keeps the reference run short.
  if (process.env.BENCH_SKIP_PGLITE !== '1') results.push(await run('PGlite (in memory)', await Database.open({}), Math.min(THROUGHPUT_EVENTS, 1000)));

  console.log(`\nWebhook delivery — ${os.cpus().length} cores, ${os.cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}`);
  console.log(`throughput: a backlog of committed events, one delivery each, spread over ${ENDPOINTS} endpoints; latency: ${LATENCY_EVENTS} events committed one by one\n`);
  console.log('| database | backlog | deliveries/s | deliverer CPU (cores) | deliverer CPU per delivery | commit → first attempt p50 | p99 |');
  console.log('|---|---:|---:|---:|---:|---:|---:|');
  for (const r of results) {
    console.log(`| ${r.database} | ${r.events} | ${Math.round(r.deliveriesPerS)} | ${r.delivererCores.toFixed(2)} | ${Math.round(r.delivererUsPerDelivery)} µs | ${r.p50Ms.toFixed(1)} ms | ${r.p99Ms.toFixed(1)} ms |`);
  }
  console.log(`\nload average before the runs: ${loadBefore}; after: ${os.loadavg().map((load) => load.toFixed(2)).join(', ')}`);
}

async function run(name: string, db: Database, throughputEvents: number): Promise<Result> {
  await db.migrate();
  const secretBox = new SecretBox(randomBytes(32));
  const receiver = await startReceiverProcess();
  const orgId = newId('organization');
  await db.system((trx) => trx('organizations').insert({ id: orgId, name: 'bench', tool_signing_secret: secretBox.seal('whsec_' + randomBytes(32).toString('base64')) }));
  // Each endpoint subscribes to one event type, so every event makes exactly one delivery.
  const types = ['session.created', 'session.started', 'session.ended', 'recording.ready'] as const;
  for (const [index, type] of types.entries()) {
    await db.tenant(orgId, (trx) => createWebhookEndpoint(trx, secretBox, { orgId, url: `${receiver.url}/e${index}`, description: '', eventTypes: [type], enabled: true }));
  }
  const deliverer = new WebhookDeliverer({ db, secretBox, logger, allowPrivateUrls: true });

  // Throughput: a backlog of committed events, drained by one worker.
  const eventIds = Array.from({ length: throughputEvents }, (_, i) => newId('event', Date.now() + i));
  for (let start = 0; start < eventIds.length; start += 1000) {
    await db.system((trx) =>
      trx('events').insert(eventIds.slice(start, start + 1000).map((id, i) => ({ id, org_id: orgId, type: types[(start + i) % types.length], data: JSON.stringify({ n: start + i }) }))),
    );
  }
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  await deliverer.start();
  await receiver.waitForCount(throughputEvents);
  // Counting is not free: look only once every request has arrived, and then at a gentle pace.
  await waitUntil(async () => (await db.system((trx) => trx('webhook_deliveries').where({ status: 'succeeded' }).count('* as n').first()))?.n === throughputEvents, 20);
  const elapsedMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  const delivererCpuUs = cpu.user + cpu.system;
  const deliveriesPerS = throughputEvents / (elapsedMs / 1000);

  // Latency: events committed one at a time while the worker is idle; measured at the receiver.
  const latencies: number[] = [];
  for (let i = 0; i < LATENCY_EVENTS; i++) {
    const event = await db.tenant(orgId, (trx) => appendEvent(trx, { orgId, type: 'session.ended', data: { n: i } }));
    const committedAt = epochNow();
    const arrivedAt = await receiver.arrival(event.id);
    latencies.push(arrivedAt - committedAt);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  latencies.sort((a, b) => a - b);
  await deliverer.stop();
  await receiver.close();
  await db.close();
  return { database: name, events: throughputEvents, deliveriesPerS, delivererCores: delivererCpuUs / 1000 / elapsedMs, delivererUsPerDelivery: delivererCpuUs / throughputEvents, p50Ms: percentile(latencies, 50) ?? NaN, p99Ms: percentile(latencies, 99) ?? NaN };
}

/** Wall-clock milliseconds with the monotonic clock's precision: comparable across processes on one machine. */
function epochNow(): number {
  return performance.timeOrigin + performance.now();
}

async function startReceiverProcess() {
  const script = path.join(path.dirname(fileURLToPath(import.meta.url)), 'webhook-receiver.ts');
  const child: ChildProcess = fork(script, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const countWaiters = new Map<number, () => void>();
  const arrivalWaiters = new Map<string, (at: number) => void>();
  const port = await new Promise<number>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`receiver exited (${code})`)));
    child.on('message', (message: { port?: number; reached?: number; id?: string; at?: number }) => {
      if (message.port !== undefined) resolve(message.port);
      if (message.reached !== undefined) countWaiters.get(message.reached)?.();
      if (message.id !== undefined) arrivalWaiters.get(message.id)?.(message.at!);
    });
  });
  return {
    url: `http://127.0.0.1:${port}`,
    waitForCount: (n: number) =>
      new Promise<void>((resolve) => {
        countWaiters.set(n, resolve);
        child.send({ count: n });
      }),
    arrival: (id: string) =>
      new Promise<number>((resolve) => {
        arrivalWaiters.set(id, resolve);
        child.send({ watch: id });
      }),
    close: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.disconnect();
      }),
  };
}

async function waitUntil(check: () => boolean | Promise<boolean>, intervalMs: number): Promise<void> {
  while (!(await check())) await new Promise((resolve) => setTimeout(resolve, intervalMs));
}

await main();
process.exit(0);
