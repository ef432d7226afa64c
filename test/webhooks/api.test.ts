import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { appendEvent } from '../../core/webhooks/outbox.ts';
import { startTestApi, type TestApi } from '../support/api.ts';
import { apiClient } from '../support/client.ts';
import { waitFor } from '../support/wait-for.ts';
import { testDeliverer } from './fixtures.ts';
import { startReceiver, type Receiver } from './receiver.ts';

let api: TestApi;
let receiver: Receiver;
let call: ReturnType<typeof apiClient>;
let orgId: string;

before(async () => {
  api = await startTestApi();
  receiver = await startReceiver((request) => (request.path === '/down' ? { status: 500 } : { status: 200, body: 'ok' }));
  const org = await api.createOrganization();
  orgId = org.orgId;
  call = apiClient(api.baseUrl, org.secretKey);
});
after(async () => {
  await receiver.close();
  await api.close();
});

test('endpoint lifecycle: create shows the secret once, list, get, update, rotate, delete', async () => {
  const created = await call('POST', '/v1/webhook-endpoints', { url: receiver.url('/a'), description: 'main', event_types: ['session.ended', 'recording.ready'] });
  assert.equal(created.status, 201);
  assert.match(created.body.id, /^whep_/);
  assert.match(created.body.secret, /^whsec_/);
  assert.deepEqual(created.body.event_types, ['session.ended', 'recording.ready']);
  assert.equal(created.body.enabled, true);

  const fetched = await call('GET', `/v1/webhook-endpoints/${created.body.id}`);
  assert.equal(fetched.status, 200);
  assert.equal(fetched.body.secret, undefined);
  const list = await call('GET', '/v1/webhook-endpoints?limit=10');
  assert.equal(list.body.object, 'list');
  assert.ok(list.body.data.some((endpoint: { id: string; secret?: string }) => endpoint.id === created.body.id && endpoint.secret === undefined));

  const patched = await call('PATCH', `/v1/webhook-endpoints/${created.body.id}`, { enabled: false, description: 'paused' });
  assert.equal(patched.body.enabled, false);
  assert.equal(patched.body.disabled_reason, 'manual');
  const enabled = await call('PATCH', `/v1/webhook-endpoints/${created.body.id}`, { enabled: true, event_types: ['*'] });
  assert.equal(enabled.body.enabled, true);
  assert.equal(enabled.body.disabled_reason, null);

  const rotated = await call('POST', `/v1/webhook-endpoints/${created.body.id}/rotate-secret`, { overlap_s: 600 });
  assert.equal(rotated.status, 200);
  assert.match(rotated.body.secret, /^whsec_/);
  assert.notEqual(rotated.body.secret, created.body.secret);
  assert.ok(Date.parse(rotated.body.previous_secret_expires_at) > Date.now());

  const deleted = await call('DELETE', `/v1/webhook-endpoints/${created.body.id}`);
  assert.equal(deleted.body.deleted, true);
  assert.equal((await call('GET', `/v1/webhook-endpoints/${created.body.id}`)).status, 404);
});

test('bad input is refused with the field named', async () => {
  const unknownType = await call('POST', '/v1/webhook-endpoints', { url: receiver.url('/a'), event_types: ['session.exploded'] });
  assert.equal(unknownType.status, 400);
  assert.equal(unknownType.body.error.param, 'event_types.0');
  const testType = await call('POST', '/v1/webhook-endpoints', { url: receiver.url('/a'), event_types: ['webhook.test'] });
  assert.equal(testType.status, 400);
  const metadataUrl = await call('POST', '/v1/webhook-endpoints', { url: 'http://169.254.169.254/latest/meta-data' });
  assert.equal(metadataUrl.status, 400);
  assert.equal(metadataUrl.body.error.code, 'invalid_url');
  assert.equal(metadataUrl.body.error.param, 'url');
  const overlap = await call('POST', '/v1/webhook-endpoints/whep_00000000000000000000000000/rotate-secret', { overlap_s: -1 });
  assert.equal(overlap.status, 400);
  assert.equal((await call('GET', '/v1/webhook-endpoints/nope')).status, 404);
  assert.equal((await call('GET', '/v1/events?type=nope')).status, 400);
});

test('private URLs are refused when the server does not allow them', async () => {
  const strictApi = await startTestApi({ env: { ECHOSPHERE_ALLOW_PRIVATE_URLS: 'false' } });
  try {
    const org = await strictApi.createOrganization();
    const strictCall = apiClient(strictApi.baseUrl, org.secretKey);
    for (const url of ['https://127.0.0.1/hook', 'https://[::1]/hook', 'https://10.1.2.3/hook', 'https://169.254.169.254/hook', 'https://localhost/hook', 'http://example.com/hook']) {
      const response = await strictCall('POST', '/v1/webhook-endpoints', { url });
      assert.equal(response.status, 400, url);
      assert.equal(response.body.error.code, 'invalid_url', url);
      const hint = '(for local development, the server setting ECHOSPHERE_ALLOW_PRIVATE_URLS=true allows private addresses and unencrypted URLs)';
      // A metadata address stays refused whatever the setting: naming it would mislead.
      assert.equal(response.body.error.message.endsWith(hint), !url.includes('169.254.169.254'), response.body.error.message);
    }
  } finally {
    await strictApi.close();
  }
});

test('test events, the delivery log, the event log and redelivery', async () => {
  const deliverer = testDeliverer(api.db, api.deps.secretBox);
  await deliverer.start();
  try {
    const endpoint = (await call('POST', '/v1/webhook-endpoints', { url: receiver.url('/log') })).body;
    const other = (await call('POST', '/v1/webhook-endpoints', { url: receiver.url('/other') })).body;

    const sent = await call('POST', `/v1/webhook-endpoints/${endpoint.id}/test`);
    assert.equal(sent.status, 202);
    assert.equal(sent.body.object, 'webhook_delivery');
    assert.equal(sent.body.event_type, 'webhook.test');
    await waitFor(() => receiver.on('/log').length === 1, 'test delivery');
    const request = receiver.on('/log')[0]!;
    assert.equal(JSON.parse(request.body).type, 'webhook.test');
    assert.ok(new Webhook(endpoint.secret).verify(request.body, request.headers as Record<string, string>));
    assert.equal(receiver.on('/other').length, 0, 'a test event goes to its endpoint only');

    const log = await waitFor(async () => {
      const page = await call('GET', `/v1/webhook-endpoints/${endpoint.id}/deliveries?status=succeeded`);
      return page.body.data.length === 1 ? page.body : undefined;
    }, 'delivery log');
    const [delivery] = log.data;
    assert.equal(delivery.event_id, request.headers['webhook-id']);
    assert.equal(delivery.attempt_count, 1);
    assert.equal(delivery.attempts[0].status_code, 200);
    assert.equal(delivery.attempts[0].response_body, 'ok');
    assert.equal(typeof delivery.attempts[0].latency_ms, 'number');
    assert.equal(delivery.next_attempt_at, null);

    const event = await api.db.tenant(orgId, (trx) => appendEvent(trx, { orgId, type: 'recording.ready', data: { recording_id: 'rec_x' } }));
    await waitFor(() => receiver.on('/other').length === 1, 'fan-out');
    const events = await call('GET', '/v1/events?type=recording.ready');
    assert.deepEqual(events.body.data.map((row: { id: string }) => row.id), [event.id]);
    const one = await call('GET', `/v1/events/${event.id}`);
    assert.equal(one.body.data.recording_id, 'rec_x');

    const redelivered = await call('POST', `/v1/events/${event.id}/redeliver`, { endpoint_id: other.id });
    assert.equal(redelivered.status, 202);
    assert.equal(redelivered.body.data.length, 1);
    await waitFor(() => receiver.on('/other').length === 2, 'redelivery');
    assert.deepEqual(receiver.on('/other').map((r) => r.headers['webhook-id']), [event.id, event.id]);

    const toAll = await call('POST', `/v1/events/${event.id}/redeliver`);
    assert.equal(toAll.body.data.length, 2);
    assert.equal((await call('POST', `/v1/events/evt_00000000000000000000000000/redeliver`)).status, 404);
  } finally {
    await deliverer.stop();
  }
});

test("another organization's endpoints and events are not visible", async () => {
  const mine = (await call('POST', '/v1/webhook-endpoints', { url: receiver.url('/mine') })).body;
  const stranger = await api.createOrganization('Stranger');
  const strangerCall = apiClient(api.baseUrl, stranger.secretKey);
  assert.equal((await strangerCall('GET', `/v1/webhook-endpoints/${mine.id}`)).status, 404);
  assert.equal((await strangerCall('POST', `/v1/webhook-endpoints/${mine.id}/test`)).status, 404);
  assert.equal((await strangerCall('GET', '/v1/events')).body.data.length, 0);
});
