import type { JobData, JobQueue } from '../../core/queue/job-queue.ts';
import { abandonedTestRuns } from '../../core/repositories/test-runs.ts';
import { enqueueTestRun, TEST_RUN_QUEUE } from '../../core/test-suites/test-run-jobs.ts';
import { runTestRun, type TestRunDeps } from './run-test-run.ts';

export interface TestRunWorkerDeps extends TestRunDeps {
  queue: JobQueue;
  /** Runs one process plays at once (each plays its own scenarios `concurrency` at a time). */
  concurrency?: number;
  /** Seconds between sweeps for abandoned runs (lost job, or a runner that died); 0 turns the sweep off. */
  sweepIntervalS?: number;
}

/**
 * Abandoned runs are enqueued again (an enqueue while the run's job is still queued or running is dropped): a run whose
 * runner's lease ran out (the runner died; the next runner resumes it), and a run never taken this long after it was
 * requested (its job was lost). A run a live runner holds is never enqueued again, however long it plays.
 */
const NEVER_TAKEN_AFTER_S = 15 * 60;
const SWEEP_BATCH = 100;

/** Consumes the test-run queue (workers role). Returns a function that stops the sweep. */
export async function startTestRunWorker(deps: TestRunWorkerDeps): Promise<() => void> {
  await deps.queue.work(TEST_RUN_QUEUE, (data: JobData) => runTestRun(deps, String(data.orgId), String(data.testRunId)), { concurrency: deps.concurrency ?? 2 });
  const intervalS = deps.sweepIntervalS ?? 60;
  if (intervalS === 0) return () => {};
  const timer = setInterval(() => {
    sweepAbandonedTestRuns(deps).catch((error: unknown) => deps.logger.error('test-run sweep failed', { error: String(error) }));
  }, intervalS * 1000);
  timer.unref();
  return () => clearInterval(timer);
}

async function sweepAbandonedTestRuns(deps: Pick<TestRunWorkerDeps, 'runtime' | 'queue'>): Promise<void> {
  const abandoned = await deps.runtime.db.system((trx) => abandonedTestRuns(trx, NEVER_TAKEN_AFTER_S, SWEEP_BATCH));
  for (const row of abandoned) await enqueueTestRun(deps.queue, { orgId: row.org_id, testRunId: row.id, leaseExpiredAt: row.lease_expires_at });
}
