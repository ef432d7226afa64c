// Test-suite benchmark: scenarios per minute one workers process sustains, typed and spoken, at a given concurrency.
// Usage: npm run bench:test-suites   (BENCH_SCENARIOS per run, default 8; BENCH_CONCURRENCY, default "2,4")
// Each scenario is a scripted caller saying two lines to a scripted assistant that greets first and answers with the
// local eSpeak voice (real-time playout, as a caller hears it), scored by a match and a metric criterion. Speech
// scenarios synthesise the caller's lines with eSpeak and stream them in real time through a Deepgram transcriber (the
// Deepgram fake, which hears when someone speaks from the audio itself). Embedded database (PGlite), one process.
import os from 'node:os';
import { dispose } from '@livekit/rtc-node';
import { startDeepgramFake } from '../test/fakes/deepgram-fake.ts';
import { bookingsAssistant } from '../test/test-suites/bookings-assistant.ts';
import { runSuite, startSuitesApi } from '../test/test-suites/support.ts';

const SCENARIOS = Number(process.env.BENCH_SCENARIOS ?? 8);
const CONCURRENCIES = (process.env.BENCH_CONCURRENCY ?? '2,4').split(',').map(Number);
const LINES = ['I would like to book a table', 'Thank you'];

const suites = await startSuitesApi('Bench', { deepgram: 'dg-test-key' });
const { call } = suites;
const deepgram = await startDeepgramFake({ apiKey: 'dg-test-key', defaultTranscript: LINES[0] });
await call('PATCH', '/v1/organization', { settings: { max_concurrent_sessions: 100 } });
const assistant = await call(
  'POST',
  '/v1/assistants',
  bookingsAssistant({
    voice: { provider: 'local', voice_id: 'en-us', speed_wpm: 300 },
    transcriber: { provider: 'deepgram', model: 'nova-3', base_url: deepgram.baseUrl.replace(/^ws:/, 'http:') },
    recording_enabled: false,
  }),
);

const rows: string[] = [];
for (const input of ['text', 'speech'] as const) {
  const scenarios = Array.from({ length: SCENARIOS }, (_, index) => ({
    name: `Scenario ${index + 1}`,
    caller: { turns: LINES },
    input,
    criteria: [
      { kind: 'match', name: 'Confirms', mode: 'contains', pattern: 'booked' },
      { kind: 'metric', name: 'Caller turns', metric: 'user_turns', operator: 'gte', threshold: 1 },
    ],
  }));
  const suite = (await call('POST', '/v1/test-suites', { name: `Bench ${input}`, scenarios })).body;
  for (const concurrency of CONCURRENCIES) {
    const cpuBefore = process.cpuUsage();
    const run = await runSuite(call, suite.id, { assistant_id: assistant.body.id, concurrency }, 30 * 60_000);
    const cpu = process.cpuUsage(cpuBefore);
    const durationMs = run.summary.duration_ms as number;
    const scenarioMs = (run.results as Array<{ duration_ms: number }>).map((result) => result.duration_ms);
    const meanScenarioS = scenarioMs.reduce((sum, ms) => sum + ms, 0) / scenarioMs.length / 1000;
    rows.push(
      `| ${input} | ${SCENARIOS} | ${concurrency} | ${run.summary.passed}/${run.summary.total} | ${(durationMs / 1000).toFixed(1)} s | ` +
        `${((SCENARIOS * 60_000) / durationMs).toFixed(1)} | ${meanScenarioS.toFixed(1)} s | ${((cpu.user + cpu.system) / 1000 / durationMs).toFixed(2)} |`,
    );
  }
}

console.log(`\nTest suites: ${os.cpus().length} cores (${os.cpus()[0]?.model}), Node ${process.version}, load average ${os.loadavg()[0]!.toFixed(1)}\n`);
console.log('| input | scenarios | concurrency | passed | run duration | scenarios/min | mean scenario | process CPU (cores) |');
console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
for (const row of rows) console.log(row);
await suites.close();
await deepgram.close();
await dispose();
