import type { JobData, JobQueue } from '../../core/queue/job-queue.ts';
import { staleTestRuns } from '../../core/repositories/test-runs.ts';
import { enqueueTestRun, TEST_RUN_QUEUE } from '../../core/test-suites/test-run-jobs.ts';
import { runTestRun, type TestRunDeps } from './run-test-run.ts';

export interface TestRunWorkerDeps extends TestRunDeps {
  queue: JobQueue;
  /** Runs one process plays at once (each plays its own scenarios `concurrency` at a time). */
  concurrency?: number;
  /** Seconds between sweeps for runs whose job was lost; 0 turns the sweep off. */
  sweepIntervalS?: number;
}

/** A run still unfinished this long after it was requested has lost its job: it is enqueued again (duplicates are dropped). */
const STALE_AFTER_S = 15 * 60;
const SWEEP_BATCH = 100;

/** Consumes the test-run queue (workers role). Returns a function that stops the sweep. */
export async function startTestRunWorker(deps: TestRunWorkerDeps): Promise<() => void> {
  await deps.queue.work(TEST_RUN_QUEUE, (data: JobData) => runTestRun(deps, String(data.orgId), String(data.testRunId)), { concurrency: deps.concurrency ?? 2 });
  const intervalS = deps.sweepIntervalS ?? 60;
  if (intervalS === 0) return () => {};
  const timer = setInterval(() => {
    sweepStaleTestRuns(deps).catch((error: unknown) => deps.logger.error('test-run sweep failed', { error: String(error) }));
  }, intervalS * 1000);
  timer.unref();
  return () => clearInterval(timer);
}

async function sweepStaleTestRuns(deps: Pick<TestRunWorkerDeps, 'runtime' | 'queue'>): Promise<number> {
  const stale = await deps.runtime.db.system((trx) => staleTestRuns(trx, STALE_AFTER_S, SWEEP_BATCH));
  for (const row of stale) await enqueueTestRun(deps.queue, { orgId: row.org_id, testRunId: row.id });
  return stale.length;
}
