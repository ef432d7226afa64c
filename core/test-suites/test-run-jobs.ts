import type { JobQueue } from '../queue/job-queue.ts';

/** How a test run is requested: a `queued` test_runs row, then a job on the platform's queue naming it. */

export const TEST_RUN_QUEUE = 'test_run.execute';

export interface TestRunJobRef {
  orgId: string;
  testRunId: string;
  /**
   * When the run's lease ran out, for a job that takes over a run whose runner died. Such a job has a singleton key of
   * its own: the dead runner's job may still be active on the queue (pg-boss keeps it so until it expires, 15
   * minutes later), and a stately pg-boss queue cannot make a second job with the same key active meanwhile — it
   * would stop taking any test-run job. One key per expired lease still makes the sweep's repeated enqueues one job.
   */
  leaseExpiredAt?: Date | null;
}

export function enqueueTestRun(queue: JobQueue, { orgId, testRunId, leaseExpiredAt }: TestRunJobRef): Promise<void> {
  const singletonKey = leaseExpiredAt ? `${testRunId}:lease-expired:${leaseExpiredAt.toISOString()}` : testRunId;
  return queue.enqueue(TEST_RUN_QUEUE, { orgId, testRunId }, { singletonKey, maxAttempts: 3 });
}
