import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OUTBOX_CHANNEL } from '../../core/webhooks/outbox.ts';
import { newId } from '../../core/ids.ts';
import { waitFor } from '../support/wait-for.ts';
import { openCrashDatabase, startCrashWorker } from './crash-support.ts';
import { createEndpoint, createOrganization } from './fixtures.ts';
import { startReceiver } from './receiver.ts';

const EVENTS = 1000;
// A worker on the embedded engine takes seconds to start (WebAssembly, the data folder) and to deliver its first
// batch, so it is killed less often there; each kill still lands at a random moment of delivery.
const KILLS = process.env.TEST_DATABASE_URL ? 5 : 2;

test(`${EVENTS} events survive a worker killed with SIGKILL ${KILLS} times: each arrives at least once`, { timeout: 180_000 }, async () => {
  const receiver = await startReceiver();
  const database = await openCrashDatabase();
  const eventIds = Array.from({ length: EVENTS }, (_, i) => newId('event', Date.now() + i));
  await database.use(async (db) => {
    const orgId = await createOrganization(db, database.secretBox);
    await createEndpoint(db, database.secretBox, orgId, receiver.url('/crash'));
    await db.system(async (trx) => {
      await trx('events').insert(eventIds.map((id, i) => ({ id, org_id: orgId, type: 'session.created', data: JSON.stringify({ n: i }) })));
      await trx.raw('SELECT pg_notify(?, ?)', [OUTBOX_CHANNEL, eventIds[0]!]);
    });
  });
  const distinct = () => new Set(receiver.received.map((request) => request.headers['webhook-id'])).size;

  try {
    for (let kill = 0; kill < KILLS && distinct() < EVENTS; kill++) {
      const worker = await startCrashWorker(database);
      const before = receiver.received.length;
      // Kill at a random moment once this worker is delivering (a bounded wait: a slow start is not a failure).
      await waitFor(() => receiver.received.length > before, 'worker to deliver', 30_000).catch(() => undefined);
      // A random pause on purpose: the kill is to land anywhere in the delivery, not at one chosen point.
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 150));
      worker.child.kill('SIGKILL');
      await worker.exited;
    }
    const last = await startCrashWorker(database);
    await waitFor(() => distinct() === EVENTS, 'every event to arrive', 120_000);
    // Arrived is not yet recorded: a killed worker's last attempts stay pending until their leases run out and the
    // last worker delivers them again.
    await waitFor(() => last.statuses().succeeded === EVENTS && Object.keys(last.statuses()).length === 1, 'every delivery to be recorded', 120_000);
    last.child.kill('SIGTERM');
    await last.exited;

    const received = receiver.received.length;
    console.log(`crash test: ${EVENTS} events, ${KILLS} SIGKILLs, ${received} requests received, ${received - EVENTS} duplicates`);
    assert.deepEqual(new Set(receiver.received.map((request) => request.headers['webhook-id'])), new Set(eventIds));
    assert.deepEqual(last.statuses(), { succeeded: EVENTS });
  } finally {
    await receiver.close();
    await database.close();
  }
});
