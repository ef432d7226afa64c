import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import pg from 'pg';
import WebSocket from 'ws';
import { SessionClient } from '../../sdk/session-client.ts';
import { exitCode, logLines, startEchoSphere } from '../cli/start-process.ts';
import { bookingAssistant, finishedEvaluation, typedSession } from '../evaluations/support.ts';
import { apiClient } from '../support/client.ts';
import { createProvisionedDatabase } from '../support/database.ts';
import { postgresTestServer } from '../support/services.ts';
import { waitFor } from '../support/wait-for.ts';
import { startReceiver } from '../webhooks/receiver.ts';

// The roles share a PostgreSQL server, whatever database the suite runs on.
const { service: postgres, skip } = postgresTestServer();

/** A process of one role without the api: ready once it logged its start, with its health and metrics port. */
async function startRole(env: NodeJS.ProcessEnv) {
  const role = startEchoSphere({ ...env, ECHOSPHERE_METRICS_PORT: '0' });
  // It prints no welcome text (that is the api's): `ready` would only ever reject, when the process ends.
  role.ready.catch(() => undefined);
  const exited = exitCode(role.child).then((code) => {
    throw new Error(`${env.ECHOSPHERE_ROLES} exited with ${code}:\n${role.output()}`);
  });
  exited.catch(() => undefined);
  const healthPort = await Promise.race([
    exited,
    waitFor(() => {
      const lines = logLines(role.output());
      return lines.some((line) => line.message === 'EchoSphere started') ? lines.find((line) => line.message === 'health and metrics served')?.port : undefined;
    }, `${env.ECHOSPHERE_ROLES} started`, 60_000),
  ]);
  return { ...role, healthUrl: `http://127.0.0.1:${healthPort}` };
}

test('api, agent and workers as three processes on one PostgreSQL: a WebSocket session, its recording, webhooks and evaluation', { skip, timeout: 300_000 }, async () => {
  const database = await createProvisionedDatabase(postgres!.url, 'echosphere_roles', 'Roles');
  const storageDir = mkdtempSync(path.join(tmpdir(), 'echosphere-roles-'));
  const receiver = await startReceiver();
  const shared = {
    ...database.env,
    ECHOSPHERE_STORAGE_DIR: storageDir,
    ECHOSPHERE_MEDIA_SIGNING_SECRET: randomBytes(32).toString('base64'),
    ECHOSPHERE_ALLOW_PRIVATE_URLS: 'true',
    OPENAI_API_KEY: '',
    LIVEKIT_URL: '',
  };
  const processes: Array<ReturnType<typeof startEchoSphere>> = [];
  const registry = new pg.Client({ connectionString: database.env.DATABASE_URL });
  try {
    const api = startEchoSphere({ ...shared, ECHOSPHERE_ROLES: 'api' });
    processes.push(api);
    const baseUrl = await api.ready;
    const call = apiClient(baseUrl, database.secretKey);
    await registry.connect();

    const endpoint = await call('POST', '/v1/webhook-endpoints', {
      url: receiver.url('/events'),
      event_types: ['session.ended', 'recording.ready', 'evaluation.completed'],
    });
    assert.equal(endpoint.status, 201, JSON.stringify(endpoint.body));
    const assistant = await call('POST', '/v1/assistants', bookingAssistant(null));
    assert.equal(assistant.status, 201, JSON.stringify(assistant.body));

    // No agent process yet: the api runs no session itself and tells the client to come back.
    const early = (await call('POST', '/v1/sessions', { assistant_id: assistant.body.id })).body;
    const refused = new SessionClient({ baseUrl: baseUrl.replace(/^http/, 'ws'), sessionId: early.id, token: early.websocket.token, WebSocketImpl: WebSocket as never });
    assert.deepEqual(await refused.closed, { code: 1013, reason: 'no agent available' });
    assert.equal((await call('GET', `/v1/sessions/${early.id}`)).body.status, 'created', 'the session is untouched');

    const agent = await startRole({ ...shared, ECHOSPHERE_ROLES: 'agent', ECHOSPHERE_AGENT_PORT: '0' });
    processes.push(agent);
    const registered = (await registry.query('SELECT pid, stream_url FROM agent_processes')).rows;
    assert.deepEqual(registered.map((row) => row.pid), [agent.child.pid], 'only the agent process registered to run sessions');

    // The agent's answers pass through the api as they are: here, its close code for a wrong token.
    const wrongToken = new SessionClient({ baseUrl: baseUrl.replace(/^http/, 'ws'), sessionId: early.id, token: 'st_wrong', WebSocketImpl: WebSocket as never });
    assert.deepEqual(await wrongToken.closed, { code: 4001, reason: 'bad token' });

    // Through the api, run by the agent: typed lines, spoken replies, hung up by the caller (close code 1000 passed on).
    const sessionId = await typedSession(call, baseUrl, assistant.body.id, ['I want to book a table for two.', 'Bye.']);
    // The client hears the end before the agent has persisted it.
    const ended = await waitFor(async () => {
      const session = (await call('GET', `/v1/sessions/${sessionId}`)).body;
      return session.status === 'active' ? undefined : session;
    }, 'the session persisted as ended');
    assert.deepEqual([ended.status, ended.ended_reason], ['ended', 'customer-ended']);
    assert.ok(logLines(agent.output()).some((line) => line.message === 'session connected' && line.session_id === sessionId), 'the agent ran it');
    assert.ok(!logLines(api.output()).some((line) => line.message === 'session connected'), 'the api ran no session');

    // Nothing of the workers' runs before there is a workers process.
    const unfinished = ['recording', 'processing'];
    assert.ok(unfinished.includes((await call('GET', `/v1/sessions/${sessionId}/recording`)).body.status));
    assert.equal((await call('GET', `/v1/sessions/${sessionId}/evaluation`)).body.status, 'pending');
    assert.equal(receiver.received.length, 0);

    const workers = await startRole({ ...shared, ECHOSPHERE_ROLES: 'workers' });
    processes.push(workers);
    const recording = await waitFor(
      async () => {
        const response = await call('GET', `/v1/sessions/${sessionId}/recording`);
        return unfinished.includes(response.body.status) ? undefined : response.body;
      },
      'the recording transcoded',
      120_000,
    );
    assert.equal(recording.status, 'ready', recording.failure_reason);
    const evaluation = await finishedEvaluation(call, sessionId, 60_000);
    assert.deepEqual([evaluation.status, evaluation.passed], ['completed', true]);
    const delivered = await waitFor(
      () => {
        const types = receiver.received.map((request) => JSON.parse(request.body) as { type: string; session_id: string }).filter((event) => event.session_id === sessionId);
        const seen = new Set(types.map((event) => event.type));
        return seen.size === 3 ? seen : undefined;
      },
      'the three webhooks delivered',
      60_000,
    );
    assert.deepEqual([...delivered].sort(), ['evaluation.completed', 'recording.ready', 'session.ended']);

    // Each process without the api role answers health checks and scrapes on its own port, and serves nothing else.
    for (const role of [agent, workers]) {
      assert.deepEqual(await (await fetch(`${role.healthUrl}/readyz`)).json(), { status: 'ready', database: 'ok' });
      assert.match(await (await fetch(`${role.healthUrl}/metrics`)).text(), /^process_cpu_user_seconds_total /m);
      assert.equal((await fetch(`${role.healthUrl}/v1/assistants`, { headers: { authorization: `Bearer ${database.secretKey}` } })).status, 404);
    }

    for (const role of processes.reverse()) {
      const stopped = exitCode(role.child);
      role.child.kill('SIGTERM');
      assert.equal(await stopped, 0, role.output());
    }
    assert.equal((await registry.query('SELECT count(*)::int AS n FROM agent_processes')).rows[0].n, 0, 'the agent deregistered as it stopped');
  } finally {
    for (const role of processes) if (role.child.exitCode === null) role.child.kill('SIGKILL');
    await registry.end().catch(() => undefined);
    await receiver.close();
    rmSync(storageDir, { recursive: true, force: true });
    await database.drop();
  }
});
