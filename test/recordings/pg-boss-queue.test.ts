import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { PgBossQueue } from '../../core/queue/pg-boss-queue.ts';
import { openTestDatabase } from '../support/database.ts';
import { postgresTestServer } from '../support/services.ts';
import { assertFailingJobRunsEveryAttempt, jobRecorder } from './job-recorder.ts';

// pg-boss connects with its own pool and needs a real PostgreSQL server, whatever database the suite runs on.
const { service: postgres, skip } = postgresTestServer();

let db: Awaited<ReturnType<typeof openTestDatabase>> | undefined;
let queue: PgBossQueue;
const errors: unknown[] = [];

before(async () => {
  if (!postgres) return;
  db = await openTestDatabase(postgres.url);
  queue = new PgBossQueue({ connectionString: db.url!, onError: (error) => errors.push(error) });
});

after(async () => {
  await queue?.stop();
  await db?.close();
});

async function jobRows(name: string): Promise<{ state: string; retry_count: number; singleton_key: string | null }[]> {
  const client = new pg.Client({ connectionString: db!.url });
  await client.connect();
  try {
    return (await client.query(`SELECT state, retry_count, singleton_key FROM pgboss.job WHERE name = $1 ORDER BY created_on`, [name])).rows;
  } finally {
    await client.end();
  }
}

async function settled(name: string): Promise<void> {
  while ((await jobRows(name)).some((row) => !['completed', 'failed'].includes(row.state))) await new Promise((resolve) => setTimeout(resolve, 50));
}

test('an enqueued job runs its handler with the attempt and the attempts allowed', { skip }, async () => {
  const seen = jobRecorder();
  await queue.work('basic', async (data, context) => seen.record(data, context));
  await queue.enqueue('basic', { recordingId: 'rec_1', seq: 2 });
  await seen.until(1);
  assert.deepEqual(seen.calls[0], { data: { recordingId: 'rec_1', seq: 2 }, context: { attempt: 1, maxAttempts: 5 } });
  await settled('basic');
  assert.deepEqual((await jobRows('basic')).map((row) => row.state), ['completed']);
});

test('a failing job is retried with backoff and fails for good after its last attempt', { skip }, async () => {
  await assertFailingJobRunsEveryAttempt(queue, 'flaky');
  await settled('flaky');
  assert.deepEqual((await jobRows('flaky')).map((row) => [row.state, row.retry_count]), [['failed', 1]]);
});

test('a singleton key names one queued job; jobs without a key are all kept', { skip }, async () => {
  await queue.enqueue('singletons', { recordingId: 'rec_9' }, { singletonKey: 'rec_9' });
  await queue.enqueue('singletons', { recordingId: 'rec_9' }, { singletonKey: 'rec_9' });
  await queue.enqueue('singletons', { recordingId: 'rec_10' }, { singletonKey: 'rec_10' });
  await queue.enqueue('singletons', { recordingId: 'a' });
  await queue.enqueue('singletons', { recordingId: 'b' });
  assert.equal((await jobRows('singletons')).length, 4);
  const seen = jobRecorder();
  await queue.work('singletons', async (data, context) => seen.record(data, context));
  await seen.until(4);
  await settled('singletons');
  assert.deepEqual(seen.calls.map((call) => call.data.recordingId).sort(), ['a', 'b', 'rec_10', 'rec_9']);
  // Once the job has run, the key is free again (a later re-transcode is not dropped).
  await queue.enqueue('singletons', { recordingId: 'rec_9' }, { singletonKey: 'rec_9' });
  await seen.until(5);
  assert.equal(errors.length, 0, String(errors[0]));
});
