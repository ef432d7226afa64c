import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import WebSocket from 'ws';
import { SessionClient } from '../../sdk/session-client.ts';
import { quietAssistant, startSecondStreamGateway, startTestApi, type TestApi } from '../support/api.ts';
import { apiClient } from '../support/client.ts';

let api: TestApi;
let call: ReturnType<typeof apiClient>;
let assistantId: string;
/** A second api instance's WebSocket side, sharing the database: sessions connected here run here. */
let otherInstance: Awaited<ReturnType<typeof startSecondStreamGateway>>;

before(async () => {
  api = await startTestApi({ withStreamGateway: true });
  call = apiClient(api.baseUrl, (await api.createOrganization()).secretKey);
  assistantId = (await call('POST', '/v1/assistants', quietAssistant)).body.id;
  otherInstance = await startSecondStreamGateway(api);
});

after(async () => {
  await otherInstance.close();
  await api.close();
});

async function connectedSession(baseUrl: string) {
  const created = await call('POST', '/v1/sessions', { assistant_id: assistantId });
  const client = new SessionClient({ baseUrl, sessionId: created.body.id, token: created.body.websocket.token, WebSocketImpl: WebSocket as never });
  await client.waitFor('session.started', { timeoutMs: 30_000 });
  return { id: created.body.id as string, client };
}

test('ending a connected session through the API ends it in the runtime, transcript and report persisted', async () => {
  const { id, client } = await connectedSession(api.baseUrl.replace('http', 'ws'));
  const ended = await call('POST', `/v1/sessions/${id}/end`);
  assert.equal(ended.status, 200);
  assert.equal(ended.body.status, 'ended');
  assert.equal(ended.body.ended_reason, 'customer-ended');
  assert.equal((await client.waitFor('session.ended', { includePast: true })).reason, 'customer-ended');
  const events = await api.db.system((trx) => trx('events').where({ session_id: id }).orderBy('id').pluck('type'));
  assert.deepEqual(events.filter((type) => type.startsWith('session.')), ['session.created', 'session.started', 'session.ended']);
});

test('a session connected to another api instance is ended through it', async () => {
  const { id, client } = await connectedSession(otherInstance.baseUrl);
  const ended = await call('POST', `/v1/sessions/${id}/end`);
  assert.equal(ended.body.status, 'ended');
  assert.equal(ended.body.ended_reason, 'customer-ended');
  assert.equal((await client.waitFor('session.ended', { includePast: true })).reason, 'customer-ended');
});
