import assert from 'node:assert/strict';
import { test } from 'node:test';
import WebSocket from 'ws';
import { toPublicEvent } from '../../contract/event.ts';
import type { EventRow } from '../../core/webhooks/outbox.ts';
import { SessionClient } from '../../sdk/session-client.ts';
import { runRetentionPass } from '../../workers/retention/retention-job.ts';
import { assertMatchesSchema } from '../support/contract.ts';
import { waitForSessionEnd } from '../support/stream-harness.ts';
import { useTwoInstances } from './two-instances.ts';

const instances = useTwoInstances();

async function createSession(): Promise<{ id: string; token: string }> {
  const created = await instances.call('POST', '/v1/sessions', { assistant_id: instances.assistantId });
  assert.equal(created.status, 201);
  return { id: created.body.id, token: created.body.websocket.token };
}

async function expireToken(id: string): Promise<void> {
  await instances.api.db.system((trx) => trx('sessions').where({ id }).update({ stream_token_expires_at: new Date(Date.now() - 1000) }));
}

/** The session's one `session.ended` event, checked against the contract and the session row. */
async function theEndedEvent(id: string, endedReason: string) {
  const events = await instances.api.db.system((trx) => trx<EventRow>('events').where({ session_id: id, type: 'session.ended' }));
  assert.equal(events.length, 1, `one session.ended for ${id}`);
  const event = toPublicEvent(events[0]!);
  assertMatchesSchema('SessionEndedEvent', event);
  const session = (await instances.call('GET', `/v1/sessions/${id}`)).body;
  assert.equal(event.data.ended_reason, endedReason);
  assert.equal(session.ended_reason, endedReason);
  assert.equal(event.data.ended_at, session.ended_at);
  assert.equal(event.data.created_at, session.created_at);
  return event;
}

test('ending a created session through the API records session.ended with the report', async () => {
  const { id } = await createSession();
  assert.equal((await instances.call('POST', `/v1/sessions/${id}/end`)).body.ended_reason, 'customer-ended');
  const event = await theEndedEvent(id, 'customer-ended');
  assert.deepEqual(
    { status: event.data.status, started_at: event.data.started_at, duration_ms: event.data.duration_ms, transcript: event.data.transcript },
    { status: 'ended', started_at: null, duration_ms: null, transcript: [] },
  );
  assert.equal((await instances.call('POST', `/v1/sessions/${id}/end`)).status, 409);
  await theEndedEvent(id, 'customer-ended');
});

test('a token presented after it expired ends its session with one session.ended', async () => {
  const session = await createSession();
  await expireToken(session.id);
  const client = new SessionClient({ baseUrl: instances.api.baseUrl.replace('http', 'ws'), sessionId: session.id, token: session.token, WebSocketImpl: WebSocket as never });
  assert.equal((await client.closed).code, 4001);
  await theEndedEvent(session.id, 'never-connected');
});

test('the housekeeping sweep records session.ended for each session it ends, once', async () => {
  const sessions = [await createSession(), await createSession()];
  for (const { id } of sessions) await expireToken(id);
  const pass = () => runRetentionPass({ db: instances.api.db, storage: instances.api.media.storage, queue: instances.api.media.queue });
  assert.ok((await pass()).neverConnected >= 2);
  await pass();
  for (const { id } of sessions) await theEndedEvent(id, 'never-connected');
});

test('creating a session records session.ended for each expired one it ends', async () => {
  const expired = await createSession();
  await expireToken(expired.id);
  await createSession();
  await theEndedEvent(expired.id, 'never-connected');
  await runRetentionPass({ db: instances.api.db, storage: instances.api.media.storage, queue: instances.api.media.queue });
  await theEndedEvent(expired.id, 'never-connected');
});

test('a connected session ended by its client records one session.ended', async () => {
  const session = await createSession();
  const client = new SessionClient({ baseUrl: instances.api.baseUrl.replace('http', 'ws'), sessionId: session.id, token: session.token, WebSocketImpl: WebSocket as never });
  await client.waitFor('session.started', { timeoutMs: 30_000 });
  client.end();
  await waitForSessionEnd(instances.api.db, session.id);
  await theEndedEvent(session.id, 'customer-ended');
});

test('a server shutdown records one session.ended per live session', async () => {
  const session = await createSession();
  const client = new SessionClient({ baseUrl: instances.second.baseUrl, sessionId: session.id, token: session.token, WebSocketImpl: WebSocket as never });
  await client.waitFor('session.started', { timeoutMs: 30_000 });
  await instances.second.gateway.shutdownAll(5000);
  await theEndedEvent(session.id, 'server-shutdown');
});
