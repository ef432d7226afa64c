// Two agent processes (`echosphere start --roles agent`) against one LiveKit server and one PostgreSQL: they share
// LiveKit sessions between them, and when one is killed outright its sessions are ended (or, nobody having joined
// yet, handed to the other) with a reason — none is left active.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { dispose } from '@livekit/rtc-node';
import { Database } from '../../core/db/database.ts';
import { exitCode, startEchoSphere } from '../cli/start-process.ts';
import { apiClient } from '../support/client.ts';
import { createProvisionedDatabase } from '../support/database.ts';
import { liveKitTestServer, postgresTestServer } from '../support/services.ts';
import { waitFor } from '../support/wait-for.ts';
import { startAgentProcess } from './support/agent-process.ts';
import { LiveKitCustomer } from './support/livekit-customer.ts';
import { liveKitEnv } from './support/livekit-env.ts';

const { service: server, skip: noLiveKit } = liveKitTestServer();
// Several processes share one database only on a PostgreSQL server, whatever database the suite runs on.
const { service: postgres, skip: noPostgres } = postgresTestServer();
const skip = noLiveKit || noPostgres;
const SESSIONS = 20;

after(async () => {
  if (!skip) await dispose();
});

test('two agent processes share 20 sessions; SIGKILL of one ends or hands on each of its sessions with a reason', { skip, timeout: 180_000 }, async () => {
  const database = await createProvisionedDatabase(postgres!.url, 'echosphere_agents', 'Agents');
  const env = { ...database.env, ...liveKitEnv(server!), ECHOSPHERE_DEFAULT_MAX_CONCURRENT_SESSIONS: String(SESSIONS) };
  const api = startEchoSphere({ ...env, ECHOSPHERE_ROLES: 'api' });
  const agents = await Promise.all([startAgentProcess(env), startAgentProcess(env)]);
  const db = await Database.open({ url: database.env.DATABASE_URL! });
  const customers: LiveKitCustomer[] = [];
  try {
    const call = apiClient(await api.ready, database.secretKey);
    const assistantId = (await call('POST', '/v1/assistants', { name: 'Desk', system_prompt: 'Help.' })).body.id;
    const sessions: Array<{ id: string; livekit: { url: string; token: string } }> = [];
    for (let i = 0; i < SESSIONS; i++) {
      const created = await call('POST', '/v1/sessions', { assistant_id: assistantId, transport: 'livekit' });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      sessions.push(created.body);
    }
    const holders = async () => new Map<string, string>((await db.system((trx) => trx('sessions').select('id', 'agent_process_id'))).map((row: { id: string; agent_process_id: string }) => [row.id, row.agent_process_id]));
    await waitFor(async () => [...(await holders()).values()].every(Boolean), 'every session taken by an agent process', 20_000);
    const taken = await holders();
    const [killed, survivor] = agents;
    const held = (agent: { id: string }) => sessions.filter((session) => taken.get(session.id) === agent.id);
    assert.equal(held(killed!).length + held(survivor!).length, SESSIONS);
    assert.ok(held(killed!).length > 0 && held(survivor!).length > 0, `both serve some: ${held(killed!).length} and ${held(survivor!).length}`);

    // Two of the doomed process's sessions are joined (active); the rest wait for their customer.
    const joined = held(killed!).slice(0, 2);
    for (const session of joined) {
      const customer = await LiveKitCustomer.join(session.livekit);
      customers.push(customer);
      await customer.waitFor('session.started');
    }
    agents[0]!.child.kill('SIGKILL');
    await exitCode(agents[0]!.child);

    const states = async () => db.system((trx) => trx('sessions').whereIn('id', held(killed!).map((session) => session.id)).select('id', 'status', 'ended_reason', 'agent_process_id'));
    await waitFor(
      async () => (await states()).every((row) => (row.status === 'failed' && row.ended_reason === 'agent-unavailable') || (row.status === 'created' && row.agent_process_id === survivor!.id)),
      'every session of the killed process ended or handed on',
      20_000,
    );
    const after = await states();
    for (const session of joined) assert.deepEqual(after.find((row) => row.id === session.id)!.status, 'failed', 'a joined session ends');
    assert.equal(after.filter((row) => row.status === 'active').length, 0);
    const ended = await db.system((trx) => trx('events').where({ type: 'session.ended' }).whereIn('session_id', joined.map((session) => session.id)));
    assert.deepEqual(ended.map((event) => event.data.ended_reason), ['agent-unavailable', 'agent-unavailable']);
  } finally {
    for (const customer of customers) await customer.leave().catch(() => {});
    for (const agent of agents) agent.child.kill('SIGTERM');
    api.child.kill('SIGTERM');
    await Promise.all([...agents.map((agent) => exitCode(agent.child)), exitCode(api.child)]);
    await db.close();
    await database.drop();
  }
});
