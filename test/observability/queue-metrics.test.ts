import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DatabaseQueue } from '../../core/queue/database-queue.ts';
import type { JobQueue } from '../../core/queue/job-queue.ts';
import { ObservedQueue } from '../../core/queue/observed-queue.ts';
import { PgBossQueue } from '../../core/queue/pg-boss-queue.ts';
import { openTestDatabase } from '../support/database.ts';
import { postgresTestServer } from '../support/services.ts';
import { waitFor } from '../support/wait-for.ts';
import { moved, snapshot } from './metric-reader.ts';

// pg-boss needs a PostgreSQL server whatever database the suite runs on.
const postgres = postgresTestServer();
const backends: Array<{ name: string; skip: string | false; serverUrl?: string; open: (db: Awaited<ReturnType<typeof openTestDatabase>>) => JobQueue }> = [
  { name: 'database', skip: false, open: (db) => new DatabaseQueue(db.knex, { pollIntervalMs: 20 }) },
  { name: 'pg-boss', skip: postgres.skip, serverUrl: postgres.service?.url, open: (db) => new PgBossQueue({ connectionString: db.url! }) },
];

for (const backend of backends) {
  describe(`job queue metrics on the ${backend.name} queue`, { skip: backend.skip }, () => {
    let db: Awaited<ReturnType<typeof openTestDatabase>>;
    let queue: ObservedQueue;

    before(async () => {
      db = await openTestDatabase(backend.serverUrl);
      queue = new ObservedQueue(backend.open(db));
    });
    after(async () => {
      await queue?.stop();
      await db?.close();
    });

    it('reports the backlog of the queues it works at each scrape, and times each job by outcome', async () => {
      const before = await snapshot();
      let release!: () => void;
      const released = new Promise<void>((resolve) => {
        release = resolve;
      });
      let started = 0;
      // Worked first: pg-boss only counts the queues it has created.
      await queue.work('metrics-slow', async () => {
        started++;
        await released;
      });
      for (let job = 0; job < 3; job++) await queue.enqueue('metrics-slow', { job });
      await waitFor(() => started === 1, 'the first job running', 10_000);
      // One job runs (concurrency 1), two wait.
      assert.equal(moved(before, await snapshot(), 'echosphere_queue_depth', { queue: 'metrics-slow' }), 2);

      release();
      await waitFor(async () => moved(before, await snapshot(), 'echosphere_job_duration_seconds_count', { queue: 'metrics-slow', outcome: 'succeeded' }) === 3, 'three jobs timed', 20_000);
      assert.equal(moved(before, await snapshot(), 'echosphere_queue_depth', { queue: 'metrics-slow' }), 0);

      await queue.work('metrics-failing', async () => {
        throw new Error('this job fails');
      });
      await queue.enqueue('metrics-failing', { job: 1 }, { maxAttempts: 1 });
      await waitFor(async () => moved(before, await snapshot(), 'echosphere_job_duration_seconds_count', { queue: 'metrics-failing', outcome: 'failed' }) === 1, 'the failure timed', 20_000);
      assert.equal(moved(before, await snapshot(), 'echosphere_job_duration_seconds_count', { queue: 'metrics-failing', outcome: 'succeeded' }), 0);

      await queue.stop();
      assert.ok(!(await snapshot()).has('echosphere_queue_depth{queue=metrics-slow}'), 'a stopped queue reports no backlog');
    });
  });
}
