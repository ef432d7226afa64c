import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import WebSocket from 'ws';
import { SessionClient } from '../../sdk/session-client.ts';
import { apiClient } from '../support/client.ts';
import { createProvisionedDatabase } from '../support/database.ts';
import { waitFor } from '../support/wait-for.ts';
import { exitCode, runEchoSphere, startEchoSphere } from './start-process.ts';

const skip = !process.env.TEST_DATABASE_URL && 'several processes need PostgreSQL: set TEST_DATABASE_URL';

interface LogLine {
  message?: string;
  pid?: number;
  session_id?: string;
  ended_reason?: string;
}
const logLines = (output: string): LogLine[] =>
  output.split('\n').flatMap((line) => {
    try {
      return [JSON.parse(line) as LogLine];
    } catch {
      return [];
    }
  });

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
  const database = await createProvisionedDatabase(process.env.TEST_DATABASE_URL!, 'echosphere_port_taken', 'Port taken');
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
  const database = await createProvisionedDatabase(process.env.TEST_DATABASE_URL!, 'echosphere_processes', 'Processes');
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
