import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createStripeClient } from '../../core/billing/stripe/stripe-client.ts';
import { DatabaseQueue } from '../../core/queue/database-queue.ts';
import type { JobQueue } from '../../core/queue/job-queue.ts';
import { startMeterReporting } from '../../workers/billing/meter-reporting.ts';
import { openTestDatabase } from '../support/database.ts';
import { stripeMock } from '../support/services.ts';
import { endChargedSession, insertOrganization, waitUntil } from './support.ts';

const { service, skip } = stripeMock();

test('a meter event whose job could not be enqueued is enqueued on the next pass, not forgotten', { skip }, async () => {
  const db = await openTestDatabase();
  const queue = new DatabaseQueue(db.knex, { pollIntervalMs: 50 });
  let refusals = 1;
  const errors: unknown[] = [];
  // The queue is unreachable for one enqueue (a database or SQS outage).
  const flaky: JobQueue = {
    kind: queue.kind,
    enqueue: async (...args) => {
      if (refusals-- > 0) throw new Error('queue unreachable');
      return queue.enqueue(...args);
    },
    work: (...args) => queue.work(...args),
    stop: () => queue.stop(),
  };
  try {
    const orgId = await insertOrganization(db);
    const { sessionId } = await endChargedSession(db, orgId);
    const stop = await startMeterReporting({
      db,
      queue: flaky,
      stripe: createStripeClient({ secretKey: 'sk_test_echosphere', apiUrl: service!.url.toString() }),
      eventName: 'echosphere_usage',
      intervalMs: 100,
      onError: (error) => errors.push(error),
    });
    try {
      await waitUntil(async () => (await db.system((trx) => trx('meter_reports').where({ session_id: sessionId }).first())).status === 'reported', 'the session is reported');
    } finally {
      await stop();
    }
    assert.match(String(errors[0]), /queue unreachable/);
  } finally {
    await queue.stop();
    await db.close();
  }
});
