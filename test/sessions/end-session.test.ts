import assert from 'node:assert/strict';
import { test } from 'node:test';
import WebSocket from 'ws';
import { SessionClient } from '../../sdk/session-client.ts';
import { useTwoInstances } from './two-instances.ts';

const instances = useTwoInstances();

async function connectedSession(baseUrl: string) {
  const created = await instances.call('POST', '/v1/sessions', { assistant_id: instances.assistantId });
  const client = new SessionClient({ baseUrl, sessionId: created.body.id, token: created.body.websocket.token, WebSocketImpl: WebSocket as never });
  await client.waitFor('session.started', { timeoutMs: 30_000 });
  return { id: created.body.id as string, client };
}

test('ending a connected session through the API ends it in the runtime, transcript and report persisted', async () => {
  const { id, client } = await connectedSession(instances.api.baseUrl.replace('http', 'ws'));
  const ended = await instances.call('POST', `/v1/sessions/${id}/end`);
  assert.equal(ended.status, 200);
  assert.equal(ended.body.status, 'ended');
  assert.equal(ended.body.ended_reason, 'customer-ended');
  assert.equal((await client.waitFor('session.ended', { includePast: true })).reason, 'customer-ended');
  const events = await instances.api.db.system((trx) => trx('events').where({ session_id: id }).orderBy('id').pluck('type'));
  assert.deepEqual(events.filter((type) => type.startsWith('session.')), ['session.created', 'session.started', 'session.ended']);
});

test('a session connected to another api instance is ended through it', async () => {
  const { id, client } = await connectedSession(instances.second.baseUrl);
  const ended = await instances.call('POST', `/v1/sessions/${id}/end`);
  assert.equal(ended.body.status, 'ended');
  assert.equal(ended.body.ended_reason, 'customer-ended');
  assert.equal((await client.waitFor('session.ended', { includePast: true })).reason, 'customer-ended');
});
