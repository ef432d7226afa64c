// POST /v1/sessions {transport: "livekit"} against the real LiveKit server: the room exists with the session's
// settings, and the customer's token joins that room and no other.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { RoomServiceClient, TokenVerifier } from 'livekit-server-sdk';
import { startTestApi, type TestApi } from '../support/api.ts';
import { apiClient } from '../support/client.ts';
import { liveKitTestServer } from '../support/services.ts';
import { liveKitEnv } from './support/livekit-env.ts';

const { service: server, skip } = liveKitTestServer();

let api: TestApi;
let call: ReturnType<typeof apiClient>;
let assistantId: string;

before(async () => {
  if (skip) return;
  api = await startTestApi({ env: liveKitEnv(server!) });
  const { secretKey } = await api.createOrganization();
  call = apiClient(api.baseUrl, secretKey);
  assistantId = (await call('POST', '/v1/assistants', { name: 'Front desk', system_prompt: 'Help.' })).body.id;
});
after(() => api?.close());

test('a livekit session gets its own room and a customer token limited to it', { skip }, async () => {
  const created = await call('POST', '/v1/sessions', { assistant_id: assistantId, transport: 'livekit', metadata: { customer: '7' } });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const { livekit, id } = created.body;
  assert.equal(created.body.websocket, undefined);
  assert.equal(created.body.transport, 'livekit');
  assert.deepEqual(Object.keys(livekit).sort(), ['expires_at', 'identity', 'room', 'token', 'url']);
  assert.equal(livekit.url, server!.wsUrl);
  assert.equal(livekit.room, id);

  const rooms = new RoomServiceClient(server!.url, server!.apiKey, server!.apiSecret);
  const [room] = await rooms.listRooms([livekit.room]);
  assert.ok(room, 'the room exists');
  assert.equal(room.maxParticipants, 2);
  assert.equal(room.emptyTimeout, api.config.sessionTokenTtlS);
  assert.deepEqual(JSON.parse(room.metadata), { session_id: id, metadata: { customer: '7' } });

  const claims = await new TokenVerifier(server!.apiKey, server!.apiSecret).verify(livekit.token);
  assert.equal(claims.sub, livekit.identity);
  assert.equal(claims.video?.room, livekit.room);
  assert.equal(claims.video?.roomJoin, true);
  assert.equal(claims.video?.roomAdmin, undefined);
  assert.equal(claims.video?.canPublishData, true);
  assert.deepEqual(claims.video?.canPublishSources, ['microphone']);
  assert.ok(Math.abs(claims.exp! * 1000 - Date.parse(livekit.expires_at)) <= 1000, 'the token lives as long as the session may be joined');

  const ended = await call('POST', `/v1/sessions/${id}/end`);
  assert.equal(ended.body.ended_reason, 'customer-ended');
});

test('a room the LiveKit server cannot create is a 503 and frees the session slot', { skip }, async () => {
  const broken = await startTestApi({ env: { ...liveKitEnv(server!), LIVEKIT_API_SECRET: 'not-the-secret' } });
  try {
    const { secretKey } = await broken.createOrganization();
    const brokenCall = apiClient(broken.baseUrl, secretKey);
    const assistant = (await brokenCall('POST', '/v1/assistants', { name: 'x', system_prompt: '' })).body.id;
    const response = await brokenCall('POST', '/v1/sessions', { assistant_id: assistant, transport: 'livekit' });
    assert.equal(response.status, 503);
    assert.equal(response.body.error.code, 'livekit_unavailable');
    const sessions = (await brokenCall('GET', '/v1/sessions')).body.data;
    assert.deepEqual(sessions.map((session: { status: string; ended_reason: string }) => [session.status, session.ended_reason]), [['ended', 'livekit-unavailable']]);
  } finally {
    await broken.close();
  }
});
