// The eSpeak worker pool (piscina, two threads as the process-wide pool): throughput and latency of N sentences.
// Usage: npm run bench:espeak-pool
// (BENCH_UTTERANCES per run, default 160; BENCH_CONCURRENCY callers in flight, default "1,2,8"; BENCH_ROUNDS, default 2).
// Each run starts a fresh pool and times its first utterance (thread start-up and engine load) apart; then callers
// each keep one sentence in flight until the run's utterances are spoken. The comparison with the hand-written pool it replaced is in BENCHMARKS.md.
import os from 'node:os';
import { EspeakPool } from '../agent-runtime/providers/espeak-pool.ts';
import { percentile } from '../core/percentile.ts';

const UTTERANCES = Number(process.env.BENCH_UTTERANCES ?? 160);
const CONCURRENCIES = (process.env.BENCH_CONCURRENCY ?? '1,2,8').split(',').map(Number);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const SENTENCES = ['Hello, Bella Pasta.', 'Booked: a table for four on Friday.', 'I would like to book a table', 'Thank you, goodbye!'];

interface Pool {
  synthesize(text: string, voiceFile: string, speedWpm: number, pitch: number): Promise<Uint8Array>;
  close(): Promise<void>;
}
const POOLS: Record<string, () => Pool> = { piscina: () => new EspeakPool(2) };

async function measure(makePool: () => Pool, concurrency: number) {
  const pool = makePool();
  const coldStart = performance.now();
  await pool.synthesize(SENTENCES[0]!, 'en/en-us', 175, 50);
  const firstMs = performance.now() - coldStart;
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < UTTERANCES) {
        const text = SENTENCES[next++ % SENTENCES.length]!;
        const sent = performance.now();
        const wav = await pool.synthesize(text, 'en/en-us', 175, 50);
        if (wav.byteLength < 10_000) throw new Error(`no audio for "${text}"`);
        latencies.push(performance.now() - sent);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  await pool.close();
  latencies.sort((a, b) => a - b);
  return { firstMs, perSecond: UTTERANCES / seconds, p50: percentile(latencies, 50) ?? NaN, p95: percentile(latencies, 95) ?? NaN, p99: percentile(latencies, 99) ?? NaN };
}

const rows: string[] = [];
const loadAtStart = os.loadavg()[0]!;
for (let round = 1; round <= ROUNDS; round++) {
  const order = round % 2 === 1 ? Object.keys(POOLS) : Object.keys(POOLS).reverse();
  for (const concurrency of CONCURRENCIES) {
    for (const name of order) {
      const result = await measure(POOLS[name]!, concurrency);
      rows.push(
        `| ${round} | ${name} | ${concurrency} | ${result.perSecond.toFixed(1)} | ${result.p50.toFixed(0)} ms | ${result.p95.toFixed(0)} ms | ` +
          `${result.p99.toFixed(0)} ms | ${result.firstMs.toFixed(0)} ms |`,
      );
      console.error(rows.at(-1));
    }
  }
}

console.log(
  `\neSpeak pools: ${UTTERANCES} utterances a run, 2 threads, ${os.cpus().length} cores (${os.cpus()[0]?.model}), Node ${process.version}, ` +
    `load average ${loadAtStart.toFixed(1)} at the start, ${os.loadavg()[0]!.toFixed(1)} at the end\n`,
);
console.log('| round | pool | callers | utterances/s | p50 | p95 | p99 | first utterance (cold) |');
console.log('|---|---|---:|---:|---:|---:|---:|---:|');
for (const row of rows) console.log(row);
