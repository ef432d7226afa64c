import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import pg from 'pg';
import WebSocket from 'ws';
import { generateApiKey } from '../../core/crypto/tokens.ts';
import { SessionClient } from '../../sdk/session-client.ts';
import { apiClient } from '../support/client.ts';
import { createProvisionedDatabase } from '../support/database.ts';
import { postgresTestServer } from '../support/services.ts';
import { waitFor } from '../support/wait-for.ts';
import { exitCode, logLines, runEchoSphere, startEchoSphere } from './start-process.ts';

// Several processes share one database only on a PostgreSQL server, whatever database the suite runs on.
const { service: postgres, skip } = postgresTestServer();

test('more than one process on the embedded database is refused with the reason', { timeout: 60_000 }, async () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'echosphere-processes-'));
  try {
    const start = startEchoSphere({ DATABASE_URL: '', ECHOSPHERE_DATA_DIR: dataDir, ECHOSPHERE_PROCESSES: '2' });
    await assert.rejects(start.ready, /ECHOSPHERE_PROCESSES: more than one process needs DATABASE_URL/);
    assert.equal(await exitCode(start.child), 2);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('processes whose port is taken end the start with the reason in one line each, not a stack', { skip, timeout: 120_000 }, async () => {
  const database = await createProvisionedDatabase(postgres!.url, 'echosphere_port_taken', 'Port taken');
  const blocker = net.createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  const port = (blocker.address() as net.AddressInfo).port;
  try {
    const run = await runEchoSphere(['start'], { ...database.env, ECHOSPHERE_PROCESSES: '2', PORT: String(port), LOG_LEVEL: 'error' });
    assert.notEqual(run.code, 0);
    assert.match(run.stderr, new RegExp(`port ${port} on 127\\.0\\.0\\.1 is already in use.*PORT setting`));
    assert.match(run.stderr, /A server process exited during start-up/);
    assert.doesNotMatch(run.stderr, /^\s+at /m);
  } finally {
    blocker.close();
    await database.drop();
  }
});

test('two processes share the port: sessions run in both, the API reaches every one, metrics add up, SIGTERM ends all', { skip, timeout: 180_000 }, async () => {
  const database = await createProvisionedDatabase(postgres!.url, 'echosphere_processes', 'Processes');
  const { secretKey } = database;
  const server = startEchoSphere({ ...database.env, ECHOSPHERE_PROCESSES: '2', ECHOSPHERE_DEFAULT_MAX_CONCURRENT_SESSIONS: '20' });
  const clients: SessionClient[] = [];
  try {
    const baseUrl = await server.ready;
    const serverPids = new Set(logLines(server.output()).filter((line) => line.message === 'EchoSphere started' && line.pid).map((line) => line.pid));
    assert.equal(serverPids.size, 2, 'the supervisor started two server processes');

    // Every request on its own connection: connections are handed to the processes in turn.
    const call = apiClient(baseUrl, secretKey, { connection: 'close' });
    const assistant = await call('POST', '/v1/assistants', {
      name: 'Echo',
      system_prompt: '',
      model: { provider: 'scripted', script: { rules: [], default_reply: 'Hello from one of the processes.' } },
      voice: { provider: 'local' },
      transcriber: { provider: 'none' },
    });
    assert.equal(assistant.status, 201);
    // Created first, then connected: the WebSocket connections alone take turns between the processes.
    const created = [];
    for (let i = 0; i < 6; i++) created.push((await call('POST', '/v1/sessions', { assistant_id: assistant.body.id })).body);
    const sessions = await Promise.all(
      created.map(async ({ id, websocket }) => {
        const client = new SessionClient({ baseUrl: baseUrl.replace('http', 'ws'), sessionId: id, token: websocket.token, WebSocketImpl: WebSocket as never });
        clients.push(client);
        await client.waitFor('session.started', { timeoutMs: 30_000 });
        return { id: id as string, client };
      }),
    );
    /** Which process each session runs in, from the processes' `session connected` lines. */
    const processOf = () => new Map(logLines(server.output()).filter((line) => line.message === 'session connected').map((line) => [line.session_id, line.pid]));
    const placed = await waitFor(() => {
      const placement = processOf();
      return sessions.every(({ id }) => placement.has(id)) ? placement : undefined;
    }, 'every session logged by its process');
    assert.equal(new Set(sessions.map(({ id }) => placed.get(id))).size, 2, 'both processes run sessions');

    for (const { client } of sessions) {
      let audioBytes = 0;
      client.onAudio((audio) => (audioBytes += audio.byteLength));
      client.sendText('Hi');
      await client.waitFor('assistant.audio.done', { timeoutMs: 30_000 });
      assert.ok(audioBytes > 0, 'the reply is spoken');
    }

    // Half are ended through the API (from whichever process takes the request), the rest by the shutdown.
    for (const { id, client } of sessions.slice(0, 3)) {
      const ended = await call('POST', `/v1/sessions/${id}/end`);
      assert.equal(ended.body.status, 'ended');
      assert.equal(ended.body.ended_reason, 'customer-ended');
      assert.equal((await client.waitFor('session.ended', { includePast: true })).reason, 'customer-ended');
    }

    const before = await fetch(`${baseUrl}/metrics`, { headers: { connection: 'close' } }).then((response) => response.text());
    for (let i = 0; i < 5; i++) await fetch(`${baseUrl}/healthz`, { headers: { connection: 'close' } });
    const after = await fetch(`${baseUrl}/metrics`, { headers: { connection: 'close' } }).then((response) => response.text());
    const healthzCount = (text: string) => Number(/echosphere_http_requests_total\{method="GET",route="\/healthz",status="200"\} (\d+)/.exec(text)?.[1] ?? 0);
    assert.equal(healthzCount(after) - healthzCount(before), 5, 'every process counts in the metrics');

    const stopped = exitCode(server.child);
    server.child.kill('SIGTERM');
    assert.equal(await stopped, 0);
    for (const { client } of sessions.slice(3)) {
      assert.equal((await client.waitFor('session.ended', { includePast: true })).reason, 'server-shutdown');
    }
    const endedInLogs = logLines(server.output()).filter((line) => line.message === 'session ended');
    assert.equal(endedInLogs.length, 6, 'every session was persisted before its process exited');
  } finally {
    for (const client of clients) client.close();
    if (server.child.exitCode === null) server.child.kill('SIGKILL');
    await database.drop();
  }
});

test('two processes enforce one rate limit per key and one failed-authentication budget per address', { skip, timeout: 180_000 }, async () => {
  const limit = 6;
  const budget = 4;
  const database = await createProvisionedDatabase(postgres!.url, 'echosphere_limits', 'Limits');
  const server = startEchoSphere({
    ...database.env,
    ECHOSPHERE_PROCESSES: '2',
    // Hour-long windows aligned to the clock do not end in the middle of the test.
    ECHOSPHERE_RATE_LIMIT_REQUESTS: String(limit),
    ECHOSPHERE_RATE_LIMIT_WINDOW_S: '3600',
    ECHOSPHERE_RATE_LIMIT_SYNC_MS: '10',
    ECHOSPHERE_AUTH_FAILURE_LIMIT: String(budget),
    ECHOSPHERE_AUTH_FAILURE_WINDOW_S: '3600',
  });
  const counts = new pg.Client({ connectionString: database.env.DATABASE_URL });
  try {
    const baseUrl = await server.ready;
    await counts.connect();
    /** Every process's hits as synced, for the buckets named like `prefix`. */
    const synced = async (prefix: string) =>
      Number((await counts.query('SELECT coalesce(sum(hits), 0) AS hits FROM rate_limit_windows WHERE bucket LIKE $1', [`${prefix}%`])).rows[0].hits);
    /**
     * Each request on its own connection, so the two processes take turns; each waits for its count, when it has one,
     * to be synced.
     */
    async function sequence(count: number, prefix: string, send: () => Promise<Response>, counted: (status: number) => boolean) {
      const statuses: number[] = [];
      for (let i = 0; i < count; i++) {
        const before = await synced(prefix);
        const { status } = await send();
        statuses.push(status);
        if (counted(status)) await waitFor(async () => (await synced(prefix)) > before, `request ${i + 1} synced`);
      }
      return statuses;
    }

    // Refused requests count too: a key that keeps sending stays refused.
    const statuses = await sequence(
      limit * 4,
      'key:',
      () => fetch(`${baseUrl}/v1/organization`, { headers: { authorization: `Bearer ${database.secretKey}`, connection: 'close' } }),
      () => true,
    );
    const admitted = statuses.filter((status) => status === 200).length;
    // Alone, each process would admit `limit`; together they may miss the other's last request, no more.
    assert.ok(admitted >= limit && admitted <= limit + 1, `admitted ${admitted}: ${statuses.join(' ')}`);
    assert.ok(statuses.slice(limit + 1).every((status) => status === 429), statuses.join(' '));

    const bad = () => fetch(`${baseUrl}/v1/organization`, { headers: { authorization: `Bearer ${generateApiKey('secret').plaintext}`, connection: 'close' } });
    // A spent budget is refused before anything is counted.
    const failures = await sequence(budget * 4, 'auth-failure:address:', bad, (status) => status === 401);
    const refusedAt = failures.indexOf(429);
    assert.ok(refusedAt >= budget && refusedAt <= budget + 1, `first 429 after ${refusedAt} failures: ${failures.join(' ')}`);
    assert.ok(failures.slice(budget + 1).every((status) => status === 429), failures.join(' '));
  } finally {
    await counts.end();
    if (server.child.exitCode === null) server.child.kill('SIGKILL');
    await database.drop();
  }
});
