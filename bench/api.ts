// npm run bench:api — autocannon against the real api on PostgreSQL and, in the same run, a bare Express + pg
// handler doing the same query (GET /v1/assistants/{id}, throughput); then POST /v1/sessions at a constant rate
// (bench/api/open-loop.ts); then the saturation rate of POST /v1/sessions for one organization and ten, on one api
// process and two (bench/api/session-saturation.ts). Prints rps and latency percentiles.
// BENCH_PARTS (comma-separated get, post, saturation; default all) picks what runs.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';
import { SecretBox } from '../core/crypto/secret-box.ts';
import { Database } from '../core/db/database.ts';
import { provisionOrganization } from '../core/provisioning.ts';
import { updateOrganization } from '../core/repositories/organizations.ts';
import { createScratchDatabase } from '../test/support/database.ts';
import { openLoop } from './api/open-loop.ts';
import { sessionSaturation } from './api/session-saturation.ts';
import { percentile as nearestRank } from '../core/percentile.ts';

const serverUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const durationS = Number(process.env.BENCH_DURATION_S ?? 8);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 32);
const postRate = Number(process.env.BENCH_POST_RATE ?? 500);
const roundCount = Number(process.env.BENCH_ROUNDS ?? 3);
// With BENCH_CPU_PROF_DIR, the EchoSphere api processes write V8 CPU profiles there (`node --cpu-prof`) as they exit.
const cpuProfileDir = process.env.BENCH_CPU_PROF_DIR;
const parts = new Set((process.env.BENCH_PARTS ?? 'get,post,saturation').split(','));

function startChild(script: string, env: Record<string, string>, nodeOptions: string[] = []): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, [...nodeOptions, '--import', 'tsx', script], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
    createInterface({ input: child.stdout! }).once('line', (line) => resolve({ child, port: JSON.parse(line).port }));
  });
}

async function run(options: autocannon.Options): Promise<autocannon.Result> {
  return autocannon({ duration: durationS, connections, ...options });
}

const row = (name: string, result: autocannon.Result) => ({
  target: name,
  rps: Math.round(result.requests.average),
  p50_ms: result.latency.p50,
  p95_ms: percentile(result, 95),
  p99_ms: result.latency.p99,
  non_2xx: result.non2xx,
  errors: result.errors,
});

const round = (ms: number) => Math.round(ms * 100) / 100;

function percentile(result: autocannon.Result, p: number): number {
  // autocannon reports p90 and p97.5; interpolate p95 between them.
  const latency = result.latency as unknown as Record<string, number>;
  const p90 = latency.p90!;
  const p975 = latency.p97_5!;
  return round(p90 + ((p - 90) / 7.5) * (p975 - p90));
}

const profileOptions = cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${cpuProfileDir}`] : [];
const scratch = await createScratchDatabase(serverUrl, 'echosphere_bench');
const url = scratch.url;
const children: ChildProcess[] = [];
try {
  const db = await Database.open({ url });
  await db.migrate();
  const provision = async (name: string) => {
    const provisioned = await provisionOrganization(db, new SecretBox(randomBytes(32)), name);
    await db.tenant(provisioned.org.id, (trx) => updateOrganization(trx, provisioned.org.id, { settings: { max_concurrent_sessions: 1_000_000 } }));
    return provisioned;
  };
  const { org, secretKey } = await provision('Bench');
  // Each saturation run gets organizations of its own, so no run starts with another's sessions counted against it.
  const saturationRuns = [
    { name: 'one organization, one api process', processes: 1, organizations: 1 },
    { name: 'ten organizations, one api process', processes: 1, organizations: 10 },
    { name: 'one organization, two api processes', processes: 2, organizations: 1 },
    { name: 'ten organizations, two api processes', processes: 2, organizations: 10 },
  ];
  const saturationKeys: string[][] = [];
  for (const run of saturationRuns) saturationKeys.push(await Promise.all(Array.from({ length: run.organizations }, async (_, i) => (await provision(`Saturation ${i}`)).secretKey)));
  await db.close();

  const ours = await startChild('bench/api/echosphere-server.ts', { DATABASE_URL: url }, profileOptions);
  children.push(ours.child);
  // The floor has no tenant roles to switch to: it connects as the server's administrator, which row-level security
  // does not filter (EchoSphere's own user sees no row without choosing a role).
  const bare = await startChild('bench/api/bare-server.ts', { DATABASE_URL: scratch.adminUrl, BENCH_ORG_ID: org.id });
  children.push(bare.child);

  const headers = { authorization: `Bearer ${secretKey}`, 'content-type': 'application/json' };
  const created = await fetch(`http://127.0.0.1:${ours.port}/v1/assistants`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ name: 'Bench', system_prompt: 'You are a benchmark.' }),
  });
  const assistantId = ((await created.json()) as { id: string }).id;

  const rows: ReturnType<typeof row>[] = [];
  const summary: string[] = [];
  const getPath = `/v1/assistants/${assistantId}`;
  if (parts.has('get')) {
    await run({ url: `http://127.0.0.1:${ours.port}${getPath}`, headers, duration: 2 });
    await run({ url: `http://127.0.0.1:${bare.port}${getPath}`, duration: 2 });
    // The two servers share the machine with the load generator and PostgreSQL, so one pair of runs swings by ±10 %.
    // Alternate which goes first over several rounds and report the round with the median ratio.
    const rounds: Array<{ ours: autocannon.Result; bare: autocannon.Result; ratio: number }> = [];
    for (let round = 0; round < roundCount; round++) {
      const runOurs = () => run({ url: `http://127.0.0.1:${ours.port}${getPath}`, headers });
      const runBare = () => run({ url: `http://127.0.0.1:${bare.port}${getPath}` });
      let oursResult: autocannon.Result;
      let bareResult: autocannon.Result;
      if (round % 2 === 0) {
        oursResult = await runOurs();
        bareResult = await runBare();
      } else {
        bareResult = await runBare();
        oursResult = await runOurs();
      }
      rounds.push({ ours: oursResult, bare: bareResult, ratio: oursResult.requests.average / bareResult.requests.average });
    }
    const median = [...rounds].sort((a, b) => a.ratio - b.ratio)[Math.floor(rounds.length / 2)]!;
    rows.push(row('GET /v1/assistants/{id} — EchoSphere', median.ours), row('GET /v1/assistants/{id} — bare Express + pg', median.bare));
    const percent = (ratio: number) => `${Math.round(ratio * 100)} %`;
    summary.push(
      `GET: autocannon, ${connections} connections, as fast as they go, ${roundCount} rounds (the median one shown)`,
      `GET throughput vs bare handler, per round: ${rounds.map((r) => percent(r.ratio)).join(', ')}`,
      `GET throughput vs bare handler, median round: ${percent(median.ratio)} (target >= 70 %)`,
    );
  }

  if (parts.has('post')) {
    const postOptions = { url: `http://127.0.0.1:${ours.port}/v1/sessions`, method: 'POST', headers, body: JSON.stringify({ assistant_id: assistantId }) };
    await openLoop({ ...postOptions, rate: postRate, durationS: 2 });
    const post = await openLoop({ ...postOptions, rate: postRate, durationS });
    const postRow = {
      target: `POST /v1/sessions at ${postRate}/s — EchoSphere`,
      rps: Math.round(post.rps),
      p50_ms: round(nearestRank(post.latenciesMs, 50) ?? NaN),
      p95_ms: round(nearestRank(post.latenciesMs, 95) ?? NaN),
      p99_ms: round(nearestRank(post.latenciesMs, 99) ?? NaN),
      non_2xx: post.non2xx,
      errors: post.errors,
    };
    rows.push(postRow);
    summary.push(
      `POST: a request due every ${1000 / postRate} ms (open loop, latency from when it was due)`,
      `POST /v1/sessions p95 at ${postRate}/s: ${postRow.p95_ms} ms (target <= 10 ms at 500/s)`,
    );
  }

  if (parts.has('saturation')) {
    const second = await startChild('bench/api/echosphere-server.ts', { DATABASE_URL: url }, profileOptions);
    children.push(second.child);
    const baseUrls = [ours.port, second.port].map((port) => `http://127.0.0.1:${port}`);
    const saturationRows = [];
    for (const [index, saturationRun] of saturationRuns.entries()) {
      const organizations = await Promise.all(
        saturationKeys[index]!.map(async (secretKey) => {
          const response = await fetch(`${baseUrls[0]}/v1/assistants`, {
            method: 'POST',
            headers: { authorization: `Bearer ${secretKey}`, 'content-type': 'application/json' },
            body: JSON.stringify({ name: 'Saturation', system_prompt: 'You are a benchmark.' }),
          });
          return { secretKey, assistantId: ((await response.json()) as { id: string }).id };
        }),
      );
      const target = { baseUrls: baseUrls.slice(0, saturationRun.processes), organizations, connections };
      await sessionSaturation({ ...target, durationS: 2 });
      saturationRows.push({ target: `POST /v1/sessions saturation — ${saturationRun.name}`, ...(await sessionSaturation({ ...target, durationS })) });
    }
    console.log(`\nPOST /v1/sessions saturation: autocannon, ${connections} connections in all (split evenly between processes), as fast as they go, ${durationS} s after a 2 s warm-up`);
    console.table(saturationRows);
  }

  console.log(`\nPostgreSQL ${serverUrl.replace(/\/\/.*@/, '//')}, ${durationS} s per run\n`);
  if (rows.length > 0) console.table(rows);
  for (const line of summary) console.log(line);
} finally {
  for (const child of children) child.kill();
  await scratch.drop();
}
