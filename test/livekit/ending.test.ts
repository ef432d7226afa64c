// How LiveKit sessions end, on the real LiveKit server: the customer leaving, ending over REST (which removes the
// room), and LiveKit's own webhooks (verified; a bad signature changes nothing; repeats are harmless).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { dispose } from '@livekit/rtc-node';
import { AccessToken, RoomServiceClient } from 'livekit-server-sdk';
import { liveKitTestServer } from '../support/services.ts';
import { sessionEvents, sessionRow, waitForSessionEnd } from '../support/stream-harness.ts';
import { waitFor } from '../support/wait-for.ts';
import { LiveKitCustomer } from './support/livekit-customer.ts';
import { startLiveKitStack, type LiveKitStack } from './support/livekit-stack.ts';

const { service: server, skip } = liveKitTestServer();

describe('ending LiveKit sessions', { skip }, () => {
  let stack: LiveKitStack;
  let rooms: RoomServiceClient;
  let assistantId: string;

  before(async () => {
    stack = await startLiveKitStack(server!);
    rooms = new RoomServiceClient(server!.url, server!.apiKey, server!.apiSecret);
    assistantId = (await stack.call('POST', '/v1/assistants', { name: 'Desk', system_prompt: 'Help.' })).body.id;
  });
  after(async () => {
    await stack?.close();
    await dispose();
  });

  const create = async () => {
    const created = await stack.call('POST', '/v1/sessions', { assistant_id: assistantId, transport: 'livekit' });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    return created.body as { id: string; livekit: { url: string; token: string } };
  };
  const roomExists = async (id: string) => (await rooms.listRooms([id])).length > 0;
  const joined = async () => {
    const session = await create();
    const customer = await LiveKitCustomer.join(session.livekit);
    await customer.waitFor('session.started');
    return { session, customer };
  };

  /** A delivery as the LiveKit server signs it: a JWT from the key pair carrying the body's SHA-256. */
  const deliver = async (event: Record<string, unknown>, secret = server!.apiSecret) => {
    const body = JSON.stringify({ id: `EV_${Math.random().toString(36).slice(2)}`, createdAt: String(Math.floor(Date.now() / 1000)), ...event });
    const token = new AccessToken(server!.apiKey, secret);
    token.sha256 = createHash('sha256').update(body).digest('base64');
    const response = await fetch(`${stack.api.baseUrl}/v1/livekit/webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/webhook+json', authorization: await token.toJwt() },
      body,
    });
    return { status: response.status, body: await response.json() };
  };

  it('the customer leaving the room ends the session participant-left, and the room goes', async () => {
    const { session, customer } = await joined();
    assert.equal((await sessionRow(stack.api.db, session.id)).status, 'active');
    await customer.leave();
    const row = await waitForSessionEnd(stack.api.db, session.id, 5000);
    assert.equal(row.ended_reason, 'participant-left');
    const ended = (await sessionEvents(stack.api.db, session.id)).find((event) => event.type === 'session.ended');
    assert.equal(ended.data.ended_reason, 'participant-left');
    await waitFor(async () => !(await roomExists(session.id)), 'the room deleted', 10_000);
  });

  it('ending a joined session over REST tells the customer, ends it customer-ended and removes the room', async () => {
    const { session, customer } = await joined();
    try {
      const ended = await stack.call('POST', `/v1/sessions/${session.id}/end`);
      assert.equal(ended.body.status, 'ended');
      assert.equal(ended.body.ended_reason, 'customer-ended');
      assert.equal((await customer.waitFor('session.ended')).reason, 'customer-ended');
      await waitFor(async () => !(await roomExists(session.id)), 'the room deleted', 10_000);
    } finally {
      await customer.leave();
    }
  });

  it('ending a session nobody joined over REST removes its room', async () => {
    const session = await create();
    assert.ok(await roomExists(session.id));
    const ended = await stack.call('POST', `/v1/sessions/${session.id}/end`);
    assert.equal(ended.body.ended_reason, 'customer-ended');
    assert.equal(await roomExists(session.id), false);
  });

  it('a webhook with a bad signature is a 401 and changes nothing', async () => {
    const session = await create();
    const refused = await deliver({ event: 'room_finished', room: { name: session.id } }, 'not-the-secret-of-this-server');
    assert.equal(refused.status, 401);
    assert.equal(refused.body.error.code, 'invalid_webhook_signature');
    const unsigned = await fetch(`${stack.api.baseUrl}/v1/livekit/webhook`, { method: 'POST', body: JSON.stringify({ event: 'room_finished', room: { name: session.id } }) });
    assert.equal(unsigned.status, 401);
    assert.equal((await sessionRow(stack.api.db, session.id)).status, 'created');
    await stack.call('POST', `/v1/sessions/${session.id}/end`);
  });

  it('room_finished ends a session room-deleted, and a repeated delivery changes nothing', async () => {
    const session = await create();
    assert.equal((await deliver({ event: 'room_finished', room: { name: session.id } })).status, 200);
    const row = await sessionRow(stack.api.db, session.id);
    assert.deepEqual([row.status, row.ended_reason], ['ended', 'room-deleted']);
    assert.deepEqual(await deliver({ event: 'room_finished', room: { name: session.id } }), { status: 200, body: { received: true } });
    const endedEvents = (await sessionEvents(stack.api.db, session.id)).filter((event) => event.type === 'session.ended');
    assert.equal(endedEvents.length, 1);
  });

  it('participant_left of the customer ends a running session participant-left; the agent leaving does not', async () => {
    const { session, customer } = await joined();
    try {
      await deliver({ event: 'participant_left', room: { name: session.id }, participant: { identity: 'agent' } });
      assert.equal((await sessionRow(stack.api.db, session.id)).status, 'active');
      assert.equal((await deliver({ event: 'participant_left', room: { name: session.id }, participant: { identity: 'customer' } })).status, 200);
      const row = await waitForSessionEnd(stack.api.db, session.id, 5000);
      assert.equal(row.ended_reason, 'participant-left');
      await deliver({ event: 'participant_left', room: { name: session.id }, participant: { identity: 'customer' } });
      assert.equal((await sessionEvents(stack.api.db, session.id)).filter((event) => event.type === 'session.ended').length, 1);
    } finally {
      await customer.leave();
    }
  });
});
