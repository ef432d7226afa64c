import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import WebSocket from 'ws';
import { attachStreamGateway } from '../../api/stream/stream-gateway.ts';
import { SessionClient } from '../../sdk/session-client.ts';
import { startTestApi, type TestApi } from '../support/api.ts';
import { apiClient } from '../support/client.ts';

let api: TestApi;
let call: ReturnType<typeof apiClient>;
let assistantId: string;
/** A second api instance's WebSocket side, sharing the database: sessions connected here run here. */
let otherInstance: { server: http.Server; baseUrl: string; shutdown: () => Promise<unknown> };

before(async () => {
  api = await startTestApi({ withStreamGateway: true });
  call = apiClient(api.baseUrl, (await api.createOrganization()).secretKey);
  assistantId = (
    await call('POST', '/v1/assistants', {
      name: 'Quiet',
      system_prompt: '',
      model: { provider: 'scripted', script: { rules: [], default_reply: 'Okay.' } },
      voice: { provider: 'local' },
      transcriber: { provider: 'none' },
    })
  ).body.id;
  const server = http.createServer();
  const gateway = attachStreamGateway(server, { db: api.db, secretBox: api.deps.secretBox, logger: api.deps.logger, allowPrivateUrls: true, allowPrivateProviderUrls: true, env: {} });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  otherInstance = { server, baseUrl: `ws://127.0.0.1:${(server.address() as AddressInfo).port}`, shutdown: () => gateway.shutdownAll(2000) };
});

after(async () => {
  await otherInstance.shutdown();
  otherInstance.server.closeAllConnections();
  otherInstance.server.close();
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
