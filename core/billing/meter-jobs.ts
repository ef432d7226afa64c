import type { JobQueue } from '../queue/job-queue.ts';

/** Reports one charged session's meter event to Stripe (workers/billing). */
export const METER_EVENT_QUEUE = 'billing.meter-event';

export interface MeterEventJob {
  orgId: string;
  sessionId: string;
}

/** One job per session at a time: the session id is the singleton key, as it is the meter event's identifier. */
export function enqueueMeterEvent(queue: JobQueue, job: MeterEventJob): Promise<void> {
  return queue.enqueue(METER_EVENT_QUEUE, { ...job }, { singletonKey: job.sessionId });
}
