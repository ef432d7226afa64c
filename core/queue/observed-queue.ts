import { jobDuration, watchQueueDepth } from '../metrics/worker-metrics.ts';
import type { EnqueueOptions, JobData, JobHandler, JobQueue, WorkOptions } from './job-queue.ts';

/**
 * A job queue that measures itself: each job's run time by queue and outcome, and, while this process works
 * queues, their backlog at every scrape (from the backend, so it counts jobs any process enqueued).
 */
export class ObservedQueue implements JobQueue {
  private readonly worked = new Set<string>();
  private stopWatching: (() => void) | undefined;

  constructor(private readonly inner: JobQueue) {}

  get kind(): JobQueue['kind'] {
    return this.inner.kind;
  }

  enqueue(queue: string, data: JobData, options?: EnqueueOptions): Promise<void> {
    return this.inner.enqueue(queue, data, options);
  }

  async work(queue: string, handler: JobHandler, options?: WorkOptions): Promise<void> {
    this.worked.add(queue);
    const depth = this.inner.depth?.bind(this.inner);
    if (depth) this.stopWatching ??= watchQueueDepth(() => depth([...this.worked]));
    await this.inner.work(
      queue,
      async (data, context) => {
        const done = jobDuration.startTimer({ queue });
        try {
          await handler(data, context);
          done({ outcome: 'succeeded' });
        } catch (error) {
          done({ outcome: 'failed' });
          throw error;
        }
      },
      options,
    );
  }

  async stop(): Promise<void> {
    this.stopWatching?.();
    this.stopWatching = undefined;
    await this.inner.stop();
  }
}
