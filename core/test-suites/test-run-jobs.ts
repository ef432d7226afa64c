import type { JobQueue } from '../queue/job-queue.ts';

/** How a test run is requested: a `queued` test_runs row, then a job on the platform's queue naming it. */

export const TEST_RUN_QUEUE = 'test_run.execute';

export interface TestRunJobRef {
  orgId: string;
  testRunId: string;
}

export function enqueueTestRun(queue: JobQueue, ref: TestRunJobRef): Promise<void> {
  return queue.enqueue(TEST_RUN_QUEUE, { ...ref }, { singletonKey: ref.testRunId, maxAttempts: 3 });
}
