import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Database } from '../../core/db/database.ts';
import { newId } from '../../core/ids.ts';
import { openTestDatabase } from '../../test/support/database.ts';
import { waitFor } from '../../test/support/wait-for.ts';
import { createEndpoint, createOrganization, testDeliverer, testSecretBox } from '../../test/webhooks/fixtures.ts';
import { sweepExpiredEvents } from './event-retention.ts';

let db: Database;
const secretBox = testSecretBox();

before(async () => {
  db = await openTestDatabase();
});
after(() => db.close());

/** An event `ageDays` old, fanned out (unless `fannedOut` is false), with one delivery per given status. */
async function oldEvent(orgId: string, endpointId: string, ageDays: number, statuses: string[], fannedOut = true): Promise<string> {
  const id = newId('event');
  await db.system(async (trx) => {
    const createdAt = trx.raw(`now() - ? * interval '1 day'`, [ageDays]);
    await trx('events').insert({
      id,
      org_id: orgId,
      type: 'session.created',
      data: JSON.stringify({}),
      created_at: createdAt,
      webhooks_fanned_out_at: fannedOut ? createdAt : null,
    });
    for (const status of statuses) {
      await trx('webhook_deliveries').insert({
        id: newId('webhookDelivery'),
        org_id: orgId,
        event_id: id,
        endpoint_id: endpointId,
        url: 'http://127.0.0.1:9/hook',
        status,
        next_attempt_at: status === 'pending' ? trx.raw(`now() + interval '1 hour'`) : null,
        created_at: createdAt,
      });
    }
  });
  return id;
}

async function remaining(orgId: string) {
  return db.system(async (trx) => ({
    events: (await trx('events').where({ org_id: orgId }).pluck('id')).sort(),
    deliveries: Number((await trx('webhook_deliveries').where({ org_id: orgId }).count('* as n').first())?.n),
  }));
}

test('events past the retention are deleted in batches with their finished deliveries; events that still owe a delivery stay', async () => {
  const orgId = await createOrganization(db, secretBox);
  const endpoint = await createEndpoint(db, secretBox, orgId, 'http://127.0.0.1:9/hook');
  const expired = [
    await oldEvent(orgId, endpoint.id, 31, ['succeeded']),
    await oldEvent(orgId, endpoint.id, 40, ['failed', 'succeeded']),
    await oldEvent(orgId, endpoint.id, 45, []),
  ];
  const kept = [
    await oldEvent(orgId, endpoint.id, 29, ['succeeded']),
    await oldEvent(orgId, endpoint.id, 35, ['succeeded', 'pending']),
    await oldEvent(orgId, endpoint.id, 35, [], false),
  ];

  const deleted = await sweepExpiredEvents(db, { retentionDays: 30, batchSize: 2 });

  assert.equal(deleted, expired.length);
  assert.deepEqual(await remaining(orgId), { events: [...kept].sort(), deliveries: 3 });
});

test("the deliverer's start schedules the sweep and stop cancels it", async () => {
  const orgId = await createOrganization(db, secretBox);
  const endpoint = await createEndpoint(db, secretBox, orgId, 'http://127.0.0.1:9/hook');
  const recent = await oldEvent(orgId, endpoint.id, 1, ['succeeded']);
  await oldEvent(orgId, endpoint.id, 60, ['succeeded']);

  // Sweeps every 20 ms while running, so a schedule that outlived stop() would show below.
  const deliverer = testDeliverer(db, secretBox, { eventRetention: { initialDelayMs: 0, intervalMs: 20 } });
  await deliverer.start();
  try {
    await waitFor(async () => (await remaining(orgId)).events.length === 1, 'the expired event to be swept');
  } finally {
    await deliverer.stop();
  }
  assert.deepEqual(await remaining(orgId), { events: [recent], deliveries: 1 });

  // Stopped: an expired event stays until a deliverer runs again, however many sweep intervals go by.
  await oldEvent(orgId, endpoint.id, 60, ['succeeded']);
  await new Promise((resolve) => setTimeout(resolve, 200));
  assert.equal((await remaining(orgId)).events.length, 2);
});
