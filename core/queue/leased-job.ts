import { retryDelayS, type JobData, type JobHandler } from './job-queue.ts';

export interface LeasedJob {
  data: JobData;
  /** 1-based: this is the job's n-th delivery. */
  attempt: number;
  maxAttempts: number;
}

/** What a driver does to a claimed job in its own store. */
export interface Lease {
  /** Keep the job hidden from other workers for another lease. */
  renew(): Promise<unknown>;
  complete(): Promise<unknown>;
  /** Hand the job back, due again after `delayS`. */
  retry(delayS: number, error: unknown): Promise<unknown>;
  /** The last attempt failed: the job is not run again. */
  giveUp(error: unknown): Promise<unknown>;
}

/**
 * Runs a claimed job's handler while renewing its lease every third of `leaseS`, then completes it, retries it with
 * the queue's backoff or gives it up. A worker that dies here simply stops renewing, and the job is claimed again
 * once its lease runs out; that is what makes delivery at-least-once on every leased driver.
 */
export async function runLeased(job: LeasedJob, handler: JobHandler, lease: Lease, leaseS: number, onError: (error: unknown) => void): Promise<void> {
  const renewal = setInterval(() => lease.renew().catch(onError), (leaseS * 1000) / 3);
  try {
    await handler(job.data, { attempt: job.attempt, maxAttempts: job.maxAttempts });
    await lease.complete();
  } catch (error) {
    // Settled before it is reported, so whoever hears of the failure finds the job already due again or given up.
    const settle = job.attempt >= job.maxAttempts ? lease.giveUp(error) : lease.retry(retryDelayS(job.attempt), error);
    await settle.catch(onError);
    onError(error);
  } finally {
    clearInterval(renewal);
  }
}
