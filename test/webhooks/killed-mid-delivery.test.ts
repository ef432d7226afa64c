import assert from 'node:assert/strict';
import { test } from 'node:test';
import { waitFor } from '../support/wait-for.ts';
import { openCrashDatabase, startCrashWorker } from './crash-support.ts';
import { createEndpoint, createOrganization, recordEvent } from './fixtures.ts';
import { startReceiver } from './receiver.ts';

// Long enough that the first attempt is still open when the worker is killed, on any machine; the lease (1.5 s more)
// decides when the restarted worker may try again.
const ATTEMPT_TIMEOUT_MS = 5000;

test('a worker killed while the endpoint holds its request: after a restart the delivery is retried, same event id, and completes', { timeout: 120_000 }, async () => {
  // The first request is received and never answered; the retry is answered.
  const receiver = await startReceiver((_request, countOnPath) => (countOnPath === 0 ? 'hang' : { status: 200 }));
  const database = await openCrashDatabase();
  const event = await database.use(async (db) => {
    const orgId = await createOrganization(db, database.secretBox);
    await createEndpoint(db, database.secretBox, orgId, receiver.url('/held'));
    return recordEvent(db, orgId);
  });
  const env = { CRASH_ATTEMPT_TIMEOUT_MS: String(ATTEMPT_TIMEOUT_MS) };
  try {
    const first = await startCrashWorker(database, env);
    await waitFor(() => receiver.hangingCount() === 1, 'the endpoint to hold the first request', 60_000);
    first.child.kill('SIGKILL');
    await first.exited;
    assert.equal(receiver.on('/held').length, 1, 'one request reached the endpoint before the kill');

    // The killed attempt left nothing behind: no attempt recorded, the delivery still owed.
    const owed = await database.use((db) => db.system((trx) => trx('webhook_deliveries').where({ event_id: event.id })));
    assert.deepEqual(owed.map((row) => [row.status, row.attempt_count]), [['pending', 0]]);

    const restarted = await startCrashWorker(database, env);
    await waitFor(() => restarted.statuses().succeeded === 1, 'the retried delivery to be recorded', 60_000);
    restarted.child.kill('SIGTERM');
    await restarted.exited;

    const requests = receiver.on('/held');
    assert.equal(requests.length, 2, 'the killed attempt and its retry');
    assert.deepEqual(requests.map((request) => request.headers['webhook-id']), [event.id, event.id]);
    assert.deepEqual(requests.map((request) => JSON.parse(request.body).id), [event.id, event.id]);
    const [delivered] = await database.use((db) => db.system((trx) => trx('webhook_deliveries').where({ event_id: event.id })));
    assert.equal(delivered.status, 'succeeded');
    assert.deepEqual(delivered.attempts.map((attempt: { status_code: number }) => attempt.status_code), [200]);
  } finally {
    await receiver.close();
    await database.close();
  }
});
