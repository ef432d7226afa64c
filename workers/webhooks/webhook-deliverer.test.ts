import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Webhook } from 'standardwebhooks';
import type { Database } from '../../core/db/database.ts';
import { newId } from '../../core/ids.ts';
import { rotateWebhookEndpointSecret } from '../../core/webhooks/endpoints.ts';
import { openTestDatabase } from '../../test/support/database.ts';
import {
  createEndpoint,
  createOrganization,
  recordEvent,
  testDeliverer,
  testSecretBox,
} from '../../test/webhooks/fixtures.ts';
import { waitFor } from '../../test/support/wait-for.ts';
import { moved, snapshot } from '../../test/observability/metric-reader.ts';
import { startReceiver } from '../../test/webhooks/receiver.ts';

let db: Database;
const secretBox = testSecretBox();

before(async () => {
  db = await openTestDatabase();
});
after(() => db.close());

async function deliveriesOf(eventId: string) {
  return db.system((trx) => trx('webhook_deliveries').where({ event_id: eventId }).orderBy('id'));
}

/** Removes an endpoint left retrying: the next test's deliverer would otherwise attempt it and count it in its metrics. */
async function removeEndpoint(endpointId: string) {
  await db.system(async (trx) => {
    await trx('webhook_deliveries').where({ endpoint_id: endpointId }).delete();
    await trx('webhook_endpoints').where({ id: endpointId }).delete();
  });
}

test('events reach subscribed endpoints, signed so the reference library verifies them', async () => {
  const receiver = await startReceiver();
  const orgId = await createOrganization(db, secretBox);
  const all = await createEndpoint(db, secretBox, orgId, receiver.url('/all'), ['*']);
  await createEndpoint(db, secretBox, orgId, receiver.url('/recordings'), ['recording.ready']);
  const transcripts = await createEndpoint(db, secretBox, orgId, receiver.url('/transcripts'), ['transcript.final']);
  const disabled = await createEndpoint(db, secretBox, orgId, receiver.url('/disabled'), ['*']);
  await db.system((trx) => trx('webhook_endpoints').where({ id: disabled.id }).update({ enabled: false, disabled_reason: 'manual' }));
  const otherOrg = await createOrganization(db, secretBox);
  await createEndpoint(db, secretBox, otherOrg, receiver.url('/other-org'), ['*']);

  const deliverer = testDeliverer(db, secretBox);
  await deliverer.start();
  try {
    const created = await recordEvent(db, orgId, 'session.created', { data: { greeting: 'héllo' } });
    const transcript = await recordEvent(db, orgId, 'transcript.final');
    await waitFor(() => receiver.on('/all').length === 1 && receiver.on('/transcripts').length === 1, 'both deliveries');
    await waitFor(async () => (await deliveriesOf(created.id)).every((row) => row.status === 'succeeded'), 'delivery recorded');

    const [request] = receiver.on('/all');
    const payload = new Webhook(all.secret).verify(request!.body, request!.headers as Record<string, string>) as Record<string, unknown>;
    assert.equal(request!.headers['webhook-id'], created.id);
    assert.equal(request!.headers['content-type'], 'application/json');
    assert.deepEqual(payload, { id: created.id, object: 'event', type: 'session.created', created_at: created.created_at.toISOString(), session_id: null, assistant_id: null, data: { greeting: 'héllo' } });
    const [transcriptRequest] = receiver.on('/transcripts');
    assert.ok(new Webhook(transcripts.secret).verify(transcriptRequest!.body, transcriptRequest!.headers as Record<string, string>));
    assert.equal(transcriptRequest!.headers['webhook-id'], transcript.id);
    assert.equal(receiver.on('/recordings').length + receiver.on('/disabled').length + receiver.on('/other-org').length, 0);

    const [row] = await deliveriesOf(created.id);
    assert.equal(row.attempt_count, 1);
    assert.equal(row.attempts[0].status_code, 200);
    assert.equal(row.next_attempt_at, null);
  } finally {
    await deliverer.stop();
    await receiver.close();
  }
});

test('a receiver failing three times then succeeding gets one success, with the same webhook-id every time', async () => {
  const receiver = await startReceiver((_request, count) => (count < 3 ? { status: 500, body: 'boom' } : { status: 204 }));
  const orgId = await createOrganization(db, secretBox);
  await createEndpoint(db, secretBox, orgId, receiver.url('/flaky'));
  const deliverer = testDeliverer(db, secretBox);
  await deliverer.start();
  const metricsBefore = await snapshot();
  try {
    const event = await recordEvent(db, orgId);
    const [row] = await waitFor(async () => {
      const rows = await deliveriesOf(event.id);
      return rows[0]?.status === 'succeeded' ? rows : undefined;
    }, 'success after retries');
    assert.equal(receiver.received.length, 4);
    assert.deepEqual(new Set(receiver.received.map((request) => request.headers['webhook-id'])), new Set([event.id]));
    assert.equal(row.attempt_count, 4);
    assert.deepEqual(row.attempts.map((attempt: { status_code: number }) => attempt.status_code), [500, 500, 500, 204]);
    assert.equal(row.attempts[0].response_body, 'boom');
    const endpoint = await db.system((trx) => trx('webhook_endpoints').where({ org_id: orgId }).first());
    assert.equal(endpoint.failing_since, null);
    const metrics = await snapshot();
    assert.equal(moved(metricsBefore, metrics, 'echosphere_webhook_deliveries_total', { outcome: 'retrying' }), 3);
    assert.equal(moved(metricsBefore, metrics, 'echosphere_webhook_deliveries_total', { outcome: 'succeeded' }), 1);
    assert.equal(moved(metricsBefore, metrics, 'echosphere_webhook_delivery_duration_seconds_count'), 4);
  } finally {
    await deliverer.stop();
    await receiver.close();
  }
});

test('after a rotation both the new and the previous secret verify until the overlap ends', async () => {
  const receiver = await startReceiver();
  const orgId = await createOrganization(db, secretBox);
  const endpoint = await createEndpoint(db, secretBox, orgId, receiver.url('/rotating'));
  const rotated = await db.tenant(orgId, (trx) => rotateWebhookEndpointSecret(trx, secretBox, orgId, endpoint.id, 3600));
  const deliverer = testDeliverer(db, secretBox);
  await deliverer.start();
  try {
    await recordEvent(db, orgId);
    await waitFor(() => receiver.received.length === 1, 'delivery during overlap');
    const request = receiver.received[0]!;
    assert.equal(String(request.headers['webhook-signature']).split(' ').length, 2);
    assert.ok(new Webhook(rotated!.secret).verify(request.body, request.headers as Record<string, string>));
    assert.ok(new Webhook(endpoint.secret).verify(request.body, request.headers as Record<string, string>));

    const again = await db.tenant(orgId, (trx) => rotateWebhookEndpointSecret(trx, secretBox, orgId, endpoint.id, 0));
    await recordEvent(db, orgId);
    await waitFor(() => receiver.received.length === 2, 'delivery after overlap');
    const later = receiver.received[1]!;
    assert.equal(String(later.headers['webhook-signature']).split(' ').length, 1);
    assert.ok(new Webhook(again!.secret).verify(later.body, later.headers as Record<string, string>));
    assert.throws(() => new Webhook(rotated!.secret).verify(later.body, later.headers as Record<string, string>));
  } finally {
    await deliverer.stop();
    await receiver.close();
  }
});

test('a receiver that does not answer holds up no other endpoint: it gets its per-endpoint attempts, no more', async () => {
  const receiver = await startReceiver((request) => (request.path === '/slow' ? 'hang' : { status: 200 }));
  const orgId = await createOrganization(db, secretBox);
  const slow = await createEndpoint(db, secretBox, orgId, receiver.url('/slow'));
  await createEndpoint(db, secretBox, orgId, receiver.url('/fast'));
  // Few slots, so without the per-endpoint limit the slow endpoint would take all of them: it may hold 2 × 2 (two
  // running, two queued), which leaves two for the fast one. The attempt timeout is far longer than the test: every
  // slow attempt is still open when the fast deliveries are checked, on any machine.
  const deliverer = testDeliverer(db, secretBox, { concurrency: 6, perTargetConcurrency: 2, attemptTimeoutMs: 60_000, leaseMs: 65_000 });
  await deliverer.start();
  try {
    for (let i = 0; i < 6; i++) await recordEvent(db, orgId);
    // Deliveries serialised across endpoints would queue the fast ones behind an attempt that never ends.
    await waitFor(() => receiver.on('/fast').length === 6, 'every fast delivery');
    assert.equal(receiver.hangingCount(), 2, 'the slow endpoint holds its two attempts, unanswered');
    assert.equal(receiver.on('/slow').length, 2, 'and was sent no more');
    const slowAttempts = await db.system((trx) => trx('webhook_deliveries').where({ endpoint_id: slow.id }).sum('attempt_count as n').first());
    assert.equal(Number(slowAttempts?.n), 0, 'no slow attempt has finished');
  } finally {
    await receiver.close();
    await deliverer.stop();
    await removeEndpoint(slow.id);
  }
});

test('a receiver that does not answer within the attempt timeout counts as failed', async () => {
  const receiver = await startReceiver(() => 'hang');
  const orgId = await createOrganization(db, secretBox);
  const slow = await createEndpoint(db, secretBox, orgId, receiver.url('/slow'));
  const deliverer = testDeliverer(db, secretBox, { attemptTimeoutMs: 400, leaseMs: 5000 });
  await deliverer.start();
  try {
    await recordEvent(db, orgId);
    const timedOut = await waitFor(async () => {
      const rows = await db.system((trx) => trx('webhook_deliveries').where({ endpoint_id: slow.id }).andWhere('attempt_count', '>', 0));
      return rows.length > 0 ? rows : undefined;
    }, 'a timed-out attempt to be recorded');
    assert.equal(timedOut[0].attempts[0].status_code, null);
    assert.match(timedOut[0].attempts[0].error, /no complete response within 400 ms/);
    assert.notEqual(timedOut[0].status, 'succeeded');
  } finally {
    await receiver.close();
    await deliverer.stop();
    await removeEndpoint(slow.id);
  }
});

test('410 Gone disables the endpoint at once and records endpoint.disabled for the other endpoints', async () => {
  const receiver = await startReceiver((request) => (request.path === '/gone' ? { status: 410 } : { status: 200 }));
  const orgId = await createOrganization(db, secretBox);
  const gone = await createEndpoint(db, secretBox, orgId, receiver.url('/gone'));
  await createEndpoint(db, secretBox, orgId, receiver.url('/watcher'), ['endpoint.disabled']);
  const deliverer = testDeliverer(db, secretBox);
  await deliverer.start();
  const metricsBefore = await snapshot();
  try {
    const event = await recordEvent(db, orgId);
    await waitFor(() => receiver.on('/watcher').length === 1, 'endpoint.disabled delivery');
    const notice = JSON.parse(receiver.on('/watcher')[0]!.body);
    assert.equal(notice.type, 'endpoint.disabled');
    assert.equal(notice.data.endpoint_id, gone.id);
    assert.equal(notice.data.reason, 'gone');
    const endpoint = await db.system((trx) => trx('webhook_endpoints').where({ id: gone.id }).first());
    assert.equal(endpoint.enabled, false);
    assert.equal(endpoint.disabled_reason, 'gone');
    const [delivery] = await deliveriesOf(event.id).then((rows) => rows.filter((row) => row.endpoint_id === gone.id));
    assert.equal(delivery.status, 'failed');
    assert.equal(delivery.failure_reason, 'endpoint_gone');
    assert.equal(receiver.on('/gone').length, 1);
    const metrics = await snapshot();
    assert.equal(moved(metricsBefore, metrics, 'echosphere_webhook_endpoints_disabled_total'), 1);
    assert.equal(moved(metricsBefore, metrics, 'echosphere_webhook_deliveries_total', { outcome: 'failed' }), 1, 'the 410 gives up at once');
  } finally {
    await deliverer.stop();
    await receiver.close();
  }
});

test('an endpoint failing for five days is disabled; Retry-After on 429 is honoured', async () => {
  const receiver = await startReceiver((request) =>
    request.path === '/throttled' ? { status: 429, headers: { 'retry-after': '3600' } } : { status: 500 },
  );
  const orgId = await createOrganization(db, secretBox);
  const failing = await createEndpoint(db, secretBox, orgId, receiver.url('/failing'));
  const throttled = await createEndpoint(db, secretBox, orgId, receiver.url('/throttled'));
  await db.system((trx) => trx('webhook_endpoints').where({ id: failing.id }).update({ failing_since: trx.raw(`now() - interval '5 days 1 minute'`) }));
  const deliverer = testDeliverer(db, secretBox);
  await deliverer.start();
  try {
    await recordEvent(db, orgId);
    const disabled = await waitFor(
      () => db.system((trx) => trx('events').where({ org_id: orgId, type: 'endpoint.disabled' }).first()),
      'endpoint.disabled event',
    );
    assert.equal(disabled.data.endpoint_id, failing.id);
    assert.equal(disabled.data.reason, 'failing');
    const endpoint = await db.system((trx) => trx('webhook_endpoints').where({ id: failing.id }).first());
    assert.equal(endpoint.enabled, false);

    const throttledDelivery = await waitFor(
      () => db.system((trx) => trx('webhook_deliveries').where({ endpoint_id: throttled.id }).andWhere('attempt_count', 1).first()),
      'throttled attempt',
    );
    assert.equal(throttledDelivery.status, 'pending');
    const waitMs = new Date(throttledDelivery.next_attempt_at).getTime() - new Date(throttledDelivery.attempts[0].attempted_at).getTime();
    assert.ok(waitMs > 3_000_000, `next attempt follows Retry-After (${waitMs} ms)`);
  } finally {
    await deliverer.stop();
    await receiver.close();
  }
});

test("an assistant's server_url receives its sessions' events instead of the org endpoints", async () => {
  const receiver = await startReceiver();
  const orgSecret = 'whsec_' + Buffer.alloc(32, 7).toString('base64');
  const orgId = await createOrganization(db, secretBox, orgSecret);
  await createEndpoint(db, secretBox, orgId, receiver.url('/org'), ['*', 'transcript.final']);
  const sessionId = newId('session');
  const assistantId = newId('assistant');
  await db.system((trx) =>
    trx('sessions').insert({
      id: sessionId,
      org_id: orgId,
      assistant_id: assistantId,
      assistant: JSON.stringify({ server_url: receiver.url('/assistant') }),
      transport: 'websocket',
      status: 'created',
      audio: JSON.stringify({ encoding: 'pcm_s16le', sample_rate_hz: 16000 }),
    }),
  );
  const deliverer = testDeliverer(db, secretBox);
  await deliverer.start();
  try {
    const ended = await recordEvent(db, orgId, 'session.ended', { sessionId });
    await recordEvent(db, orgId, 'transcript.final', { sessionId });
    await recordEvent(db, orgId, 'session.created');
    await waitFor(() => receiver.on('/assistant').length === 1 && receiver.on('/org').length === 2, 'deliveries');
    const request = receiver.on('/assistant')[0]!;
    assert.equal(request.headers['webhook-id'], ended.id);
    assert.ok(new Webhook(orgSecret).verify(request.body, request.headers as Record<string, string>));
    assert.deepEqual(receiver.on('/org').map((org) => JSON.parse(org.body).type).sort(), ['session.created', 'transcript.final']);
  } finally {
    await deliverer.stop();
    await receiver.close();
  }
});

test('two deliverers share the work without delivering anything twice', async () => {
  const receiver = await startReceiver();
  const orgId = await createOrganization(db, secretBox);
  await createEndpoint(db, secretBox, orgId, receiver.url('/shared'));
  const first = testDeliverer(db, secretBox);
  const second = testDeliverer(db, secretBox);
  await Promise.all([first.start(), second.start()]);
  try {
    const ids = new Set<string>();
    for (let i = 0; i < 100; i++) ids.add((await recordEvent(db, orgId)).id);
    await waitFor(() => new Set(receiver.received.map((request) => request.headers['webhook-id'])).size === ids.size, 'all events');
    await waitFor(async () => (await db.system((trx) => trx('webhook_deliveries').where({ org_id: orgId, status: 'succeeded' }).count('* as n').first()))?.n === 100, 'all recorded');
    assert.equal(receiver.received.length, 100);
  } finally {
    await Promise.all([first.stop(), second.stop()]);
    await receiver.close();
  }
});

test('a delivery to an address the policy refuses fails on its first attempt, with the reason', async () => {
  const orgId = await createOrganization(db, secretBox);
  // Saved when it pointed elsewhere (or under a laxer policy); it now resolves to the loopback interface.
  const refused = await createEndpoint(db, secretBox, orgId, 'https://localhost:9/hooks');
  const deliverer = testDeliverer(db, secretBox, { allowPrivateUrls: false });
  await deliverer.start();
  try {
    const event = await recordEvent(db, orgId);
    const [delivery] = await waitFor(async () => {
      const rows = await deliveriesOf(event.id);
      return rows[0] && rows[0].status !== 'pending' ? rows : undefined;
    }, 'the delivery to settle');
    assert.equal(delivery.endpoint_id, refused.id);
    assert.equal(delivery.status, 'failed');
    assert.equal(delivery.failure_reason, 'unsafe_url');
    assert.equal(delivery.attempt_count, 1);
    assert.equal(delivery.next_attempt_at, null);
    assert.equal(delivery.attempts[0].status_code, null);
    assert.match(delivery.attempts[0].error, /resolves to 127.0.0.1, which is not a public internet address/);
  } finally {
    await deliverer.stop();
  }
});

test('a host name that does not resolve is a network failure and is retried, not refused', async () => {
  const orgId = await createOrganization(db, secretBox);
  await createEndpoint(db, secretBox, orgId, 'https://webhooks.nothing.invalid/hooks');
  const deliverer = testDeliverer(db, secretBox, { allowPrivateUrls: false });
  await deliverer.start();
  try {
    const event = await recordEvent(db, orgId);
    const [delivery] = await waitFor(async () => {
      const rows = await deliveriesOf(event.id);
      return rows[0] && rows[0].attempt_count >= 2 ? rows : undefined;
    }, 'a second attempt');
    assert.notEqual(delivery.failure_reason, 'unsafe_url');
    assert.match(delivery.attempts[0].error, /does not resolve/);
  } finally {
    await deliverer.stop();
  }
});
