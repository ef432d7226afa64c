import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { DatabaseQueue } from '../../core/queue/database-queue.ts';
import { openTestDatabase } from '../support/database.ts';
import { assertFailingJobRunsEveryAttempt, jobRecorder } from './job-recorder.ts';

let db: Awaited<ReturnType<typeof openTestDatabase>>;
const queues: DatabaseQueue[] = [];
const errors: unknown[] = [];

before(async () => {
  db = await openTestDatabase();
});

after(async () => {
  await Promise.all(queues.map((queue) => queue.stop()));
  await db?.close();
});

function databaseQueue(leaseS?: number): DatabaseQueue {
  const queue = new DatabaseQueue(db.knex, { leaseS, pollIntervalMs: 20, onError: (error) => errors.push(error) });
  queues.push(queue);
  return queue;
}

async function jobRows(name: string): Promise<{ state: string; attempts: number; last_error: string | null }[]> {
  return db.knex('jobs').select('state', 'attempts', 'last_error').where('queue', name).orderBy('id');
}

test('a failing job is retried after a backoff and given up after its last attempt, with the error kept', async () => {
  await assertFailingJobRunsEveryAttempt(databaseQueue(), 'flaky');
  // The error is reported once the job is settled, so the row is final by the time the second one arrives.
  while (errors.length < 2) await new Promise((resolve) => setTimeout(resolve, 20));
  assert.deepEqual(await jobRows('flaky'), [{ state: 'failed', attempts: 2, last_error: 'still failing' }]);
});

test('a running handler renews its lease, so a second worker does not claim the job while it runs', async () => {
  const first = databaseQueue(1);
  const second = databaseQueue(1);
  const seen = jobRecorder();
  let finish = () => {};
  const finished = new Promise<void>((resolve) => (finish = resolve));
  const slow = async (data: Parameters<typeof seen.record>[0], context: Parameters<typeof seen.record>[1]) => {
    seen.record(data, context);
    await finished;
  };
  await first.work('slow', slow);
  await second.work('slow', slow);
  await first.enqueue('slow', { n: 1 });
  await seen.until(1);
  // Twice the lease: without renewals the other worker would have claimed it as a second attempt by now.
  await new Promise((resolve) => setTimeout(resolve, 2000));
  finish();
  while ((await jobRows('slow'))[0]?.state !== 'completed') await new Promise((resolve) => setTimeout(resolve, 20));
  assert.equal(seen.calls.length, 1);
});
