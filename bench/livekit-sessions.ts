// LiveKit sessions on one agent process (`echosphere start --roles agent`), measured from the outside: time from
// `POST /v1/sessions` to the first audible frame of the greeting on the customer's side, and the agent process's CPU
// and RSS per live session. Needs PostgreSQL and the LiveKit server (`npm run services:start`, then
// `set -a; . .tools/services/env; set +a`). BENCH_LIVEKIT_SESSIONS (default 10), BENCH_LIVEKIT_HOLD_S (default 20).
import { dispose } from '@livekit/rtc-node';
import { exitCode, startEchoSphere } from '../test/cli/start-process.ts';
import { apiClient } from '../test/support/client.ts';
import { createProvisionedDatabase } from '../test/support/database.ts';
import { liveKitTestServer } from '../test/support/services.ts';
import { startAgentProcess } from '../test/livekit/support/agent-process.ts';
import { LiveKitCustomer } from '../test/livekit/support/livekit-customer.ts';
import { liveKitEnv } from '../test/livekit/support/livekit-env.ts';
import { percentile } from '../core/percentile.ts';
import { treeCpuMs, treeRssBytes } from './support/process-tree.ts';

const SESSIONS = Number(process.env.BENCH_LIVEKIT_SESSIONS ?? 10);
const HOLD_S = Number(process.env.BENCH_LIVEKIT_HOLD_S ?? 20);

const { service: server, skip } = liveKitTestServer();
if (skip || !process.env.TEST_POSTGRES_URL) throw new Error(`needs the LiveKit server and PostgreSQL: ${skip || 'TEST_POSTGRES_URL unset'}`);

const database = await createProvisionedDatabase(process.env.TEST_POSTGRES_URL, 'echosphere_bench_livekit', 'Bench');
const env = { ...database.env, ...liveKitEnv(server!), ECHOSPHERE_DEFAULT_MAX_CONCURRENT_SESSIONS: String(SESSIONS + 1), LOG_LEVEL: 'warn' };
const api = startEchoSphere({ ...env, ECHOSPHERE_ROLES: 'api' });
const { child: agent } = await startAgentProcess(env);
const call = apiClient(await api.ready, database.secretKey);
const assistantId = (await call('POST', '/v1/assistants', { name: 'Bench', system_prompt: 'Help.', first_message: 'Hello, thanks for calling. How can I help you today?' })).body.id;

const idleRss = treeRssBytes(agent.pid!);
const customers: LiveKitCustomer[] = [];
const firstAudioMs: number[] = [];
for (let i = 0; i < SESSIONS; i++) {
  const createdAt = Date.now();
  const created = await call('POST', '/v1/sessions', { assistant_id: assistantId, transport: 'livekit' });
  const customer = await LiveKitCustomer.join(created.body.livekit);
  customers.push(customer);
  while (customer.loudMs === 0) await new Promise((resolve) => setTimeout(resolve, 5));
  firstAudioMs.push(customer.lastLoudAt - createdAt);
}
const cpuBefore = treeCpuMs(agent.pid!);
await new Promise((resolve) => setTimeout(resolve, HOLD_S * 1000));
const cpuMs = treeCpuMs(agent.pid!) - cpuBefore;
const liveRss = treeRssBytes(agent.pid!);
for (const customer of customers) await customer.leave();
agent.kill('SIGTERM');
api.child.kill('SIGTERM');
await Promise.all([exitCode(agent), exitCode(api.child)]);
await database.drop();
await dispose();

const sorted = [...firstAudioMs].sort((a, b) => a - b);
const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(1);
console.log(`\nLiveKit sessions on one agent process: ${SESSIONS} sessions joined one after another, held ${HOLD_S} s (customers in the bench process)\n`);
console.log('| create → first greeting audio p50 | p95 | agent CPU ms per session-second | agent RSS idle | RSS per live session |');
console.log('|---|---|---|---|---|');
console.log(`| ${percentile(sorted, 50)?.toFixed(0)} ms | ${percentile(sorted, 95)?.toFixed(0)} ms | ${(cpuMs / (SESSIONS * HOLD_S)).toFixed(1)} | ${mb(idleRss)} MB | ${mb((liveRss - idleRss) / SESSIONS)} MB |`);
process.exit(0);
