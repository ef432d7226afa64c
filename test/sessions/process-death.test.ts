import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import WebSocket from 'ws';
import { SessionClient } from '../../sdk/session-client.ts';
import { exitCode, printedKey, startEchoSphere } from '../cli/start-process.ts';
import { bookingAssistant } from '../evaluations/support.ts';
import { apiClient } from '../support/client.ts';
import { waitFor } from '../support/wait-for.ts';

/**
 * A WebSocket session outlives the process running it only in the database: killed outright, the process can neither
 * end it nor free its concurrent-session slot. The next process on the same data (here the embedded server started
 * again) sees the dead process's heartbeat stop and ends the session `agent-unavailable`, which frees the slot.
 */
test('a session of a killed process ends agent-unavailable once another process is up, and its slot is free again', { timeout: 240_000 }, async () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'echosphere-death-'));
  const env = { ECHOSPHERE_DATA_DIR: dataDir, DATABASE_URL: '', ECHOSPHERE_DEFAULT_MAX_CONCURRENT_SESSIONS: '1', OPENAI_API_KEY: '', LIVEKIT_URL: '' };
  const killed = startEchoSphere(env);
  let restarted: ReturnType<typeof startEchoSphere> | undefined;
  try {
    const baseUrl = await killed.ready;
    const { key } = printedKey(killed.output())!;
    const call = apiClient(baseUrl, key);
    const assistant = await call('POST', '/v1/assistants', bookingAssistant(null));
    assert.equal(assistant.status, 201, JSON.stringify(assistant.body));

    const created = (await call('POST', '/v1/sessions', { assistant_id: assistant.body.id })).body;
    const client = new SessionClient({ baseUrl: baseUrl.replace(/^http/, 'ws'), sessionId: created.id, token: created.websocket.token, WebSocketImpl: WebSocket as never });
    await client.waitFor('session.started', { timeoutMs: 30_000 });
    assert.equal((await call('POST', '/v1/sessions', { assistant_id: assistant.body.id })).status, 409, 'the live session holds the one slot');

    const dead = exitCode(killed.child);
    killed.child.kill('SIGKILL');
    await dead;
    client.close();

    restarted = startEchoSphere(env);
    const again = apiClient(await restarted.ready, key);
    assert.equal((await again('GET', `/v1/sessions/${created.id}`)).body.status, 'active', 'nothing ended it while no process was up');
    const ended = await waitFor(
      async () => {
        const session = (await again('GET', `/v1/sessions/${created.id}`)).body;
        return session.status === 'active' ? undefined : session;
      },
      'the dead process taken for dead',
      60_000,
    );
    assert.deepEqual([ended.status, ended.ended_reason], ['failed', 'agent-unavailable']);
    assert.ok(ended.ended_at, 'it has an end time');
    assert.equal((await again('POST', '/v1/sessions', { assistant_id: assistant.body.id })).status, 201, 'the slot is free');
  } finally {
    for (const server of [killed, restarted]) if (server && server.child.exitCode === null) server.child.kill('SIGKILL');
    if (restarted) await exitCode(restarted.child);
    rmSync(dataDir, { recursive: true, force: true });
  }
});
