import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { after, before, test } from 'node:test';
import { dispose } from '@livekit/rtc-node';
import WebSocket from 'ws';
import { createLogger } from '../../core/logger.ts';
import { SessionClient } from '../../sdk/session-client.ts';
import { startStreamHarness, waitForSessionEnd, type StreamHarness } from '../../test/support/stream-harness.ts';
import { attachStreamProxy, type StreamProxy } from './stream-proxy.ts';

// The harness's gateway plays an agent process; the proxy is an api process without the agent role.
let agent: StreamHarness;
let server: http.Server;
let proxy: StreamProxy;
let proxyUrl: string;

const offline = {
  model: { provider: 'scripted', script: { rules: [], default_reply: 'Hello through the proxy.' } },
  voice: { provider: 'local', voice_id: 'en-us', speed_wpm: 400 },
  transcriber: { provider: 'none' },
};

before(async () => {
  agent = await startStreamHarness();
  server = http.createServer((_request, response) => response.writeHead(404).end());
  proxy = attachStreamProxy(server, { db: agent.db, logger: createLogger({ level: 'error', format: 'json' }) });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxyUrl = `ws://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
});
after(async () => {
  await proxy.stop(0);
  server.close();
  await agent.close();
  await dispose();
});

const connect = (session: { id: string; token: string }) =>
  new SessionClient({ baseUrl: proxyUrl, sessionId: session.id, token: session.token, WebSocketImpl: WebSocket as never });

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as net.AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

test('with no live agent process the connection closes with 1013 and the session waits', async () => {
  const session = await agent.createSession(offline);
  assert.deepEqual(await connect(session).closed, { code: 1013, reason: 'no agent available' });
  const row = await agent.db.system((trx) => trx('sessions').where({ id: session.id }).first('status'));
  assert.equal(row.status, 'created');
});

test('an unreachable agent process is passed over; the session runs on the next, frames and close code passing through', async () => {
  const agentPort = new URL(agent.baseUrl).port;
  // Nothing beats for these rows: a heartbeat ahead of the clock keeps them live through the test.
  const heartbeat_at = new Date(Date.now() + 600_000);
  await agent.db.system(async (trx) => {
    // The unreachable one runs fewer sessions, so it is tried first.
    await trx('agent_processes').insert({ id: 'agent_unreachable', host: 'gone', pid: 1, stream_url: `http://127.0.0.1:${await closedPort()}`, live_sessions: 0, heartbeat_at });
    await trx('agent_processes').insert({ id: 'agent_live', host: 'here', pid: 2, stream_url: `http://127.0.0.1:${agentPort}`, live_sessions: 3, heartbeat_at });
    // One silent past the stale limit gets nothing, however idle.
    await trx('agent_processes').insert({ id: 'agent_silent', host: 'quiet', pid: 3, stream_url: `http://127.0.0.1:${await closedPort()}`, heartbeat_at: new Date(Date.now() - 60_000) });
  });
  try {
    const session = await agent.createSession(offline);
    const client = connect(session);
    await client.waitFor('session.started', { timeoutMs: 30_000 });
    let audioBytes = 0;
    client.onAudio((audio) => (audioBytes += audio.byteLength));
    client.sendText('Hi');
    const reply = await client.waitFor('transcript', { includePast: true, timeoutMs: 30_000, predicate: (event) => event.role === 'assistant' && event.final && event.text.includes('proxy') });
    assert.equal(reply.text, 'Hello through the proxy.');
    await client.waitFor('assistant.audio.done', { includePast: true, timeoutMs: 30_000 });
    assert.ok(audioBytes > 0, 'binary frames pass through');
    client.end();
    assert.equal((await client.closed).code, 1000);
    assert.equal((await waitForSessionEnd(agent.db, session.id, 30_000)).ended_reason, 'customer-ended');
    assert.equal(proxy.connectionCount(), 0, 'both sides closed');

    const reused = connect(session);
    assert.deepEqual(await reused.closed, { code: 4009, reason: 'session already connected or ended' });
  } finally {
    await agent.db.system((trx) => trx('agent_processes').delete());
  }
});
