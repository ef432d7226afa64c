import type Stripe from 'stripe';
import { enqueueMeterEvent, METER_EVENT_QUEUE } from '../../core/billing/meter-jobs.ts';
import { claimReportsToEnqueue, releaseEnqueueClaim } from '../../core/billing/meter-reports.ts';
import type { Database } from '../../core/db/database.ts';
import type { JobQueue } from '../../core/queue/job-queue.ts';
import { reportMeterEvent } from './meter-event-job.ts';

export interface MeterReportingDeps {
  db: Database;
  queue: JobQueue;
  stripe: Stripe;
  eventName: string;
  /** How often to look for meter events owed (ECHOSPHERE_METER_REPORT_INTERVAL_S). */
  intervalMs: number;
  /** A report enqueued this long ago and still pending has lost its job (a queue without the job, say): enqueue it again. */
  requeueAfterS?: number;
  onError: (error: unknown, context: Record<string, unknown>) => void;
}

const BATCH = 500;

/**
 * Reports charged sessions to Stripe: a pass every interval moves the pending meter reports onto the job queue (one
 * job per session), and the queue's workers send them, retrying with backoff. A report is pending until Stripe has
 * accepted it, so a worker killed at any point leaves it to be sent again, under the same identifier.
 */
export async function startMeterReporting(deps: MeterReportingDeps): Promise<() => Promise<void>> {
  await deps.queue.work(METER_EVENT_QUEUE, async (data) => {
    await reportMeterEvent(deps, String(data.sessionId));
  });
  let stopped = false;
  let pass: Promise<void> = Promise.resolve();
  const enqueueOwed = async () => {
    try {
      for (;;) {
        const owed = await claimReportsToEnqueue(deps.db, deps.requeueAfterS ?? 900, BATCH);
        for (const [index, job] of owed.entries()) {
          try {
            await enqueueMeterEvent(deps.queue, job);
          } catch (error) {
            // The queue is unreachable: this pass stops, and what it claimed but did not enqueue waits for the next.
            for (const unqueued of owed.slice(index)) await releaseEnqueueClaim(deps.db, unqueued.sessionId);
            throw error;
          }
        }
        if (owed.length < BATCH || stopped) return;
      }
    } catch (error) {
      deps.onError(error, { pass: 'enqueue meter events' });
    }
  };
  const timer = setInterval(() => {
    pass = pass.then(enqueueOwed);
  }, deps.intervalMs);
  pass = enqueueOwed();
  return async () => {
    stopped = true;
    clearInterval(timer);
    await pass;
  };
}
