import { randomUUID } from 'node:crypto';
import PgBoss from 'pg-boss';
import {
  DEFAULT_MAX_ATTEMPTS,
  type EnqueueOptions,
  type JobData,
  type JobHandler,
  type JobQueue,
  type WorkOptions,
} from './job-queue.ts';

export interface PgBossQueueOptions {
  connectionString: string;
  /** How long a job may run before pg-boss treats its worker as dead and retries it. */
  expireInS?: number;
  /** How often pg-boss looks for expired jobs. */
  maintenanceIntervalS?: number;
  onError?: (error: unknown) => void;
}

/** The queue on PostgreSQL: pg-boss in its own `pgboss` schema of the platform database. */
export class PgBossQueue implements JobQueue {
  readonly kind = 'pg-boss' as const;
  private readonly boss: PgBoss;
  private readonly created = new Map<string, Promise<void>>();
  private started: Promise<unknown> | undefined;

  constructor(private readonly options: PgBossQueueOptions) {
    this.boss = new PgBoss({
      connectionString: options.connectionString,
      max: 4,
      maintenanceIntervalSeconds: options.maintenanceIntervalS ?? 30,
      expireInSeconds: options.expireInS ?? 15 * 60,
      // Singleton keys must keep their meaning while a job waits for a retry.
      retryBackoff: true,
      schedule: false,
    });
    this.boss.on('error', (error) => options.onError?.(error));
  }

  private async ready(queue: string): Promise<void> {
    this.started ??= this.boss.start();
    await this.started;
    let created = this.created.get(queue);
    if (!created) {
      // 'stately' allows one queued and one active job per singleton key, which is what makes enqueueing idempotent.
      created = this.boss.createQueue(queue, {
        name: queue,
        policy: 'stately',
        retryLimit: DEFAULT_MAX_ATTEMPTS - 1,
        retryBackoff: true,
        retryDelay: 2,
        expireInSeconds: this.options.expireInS ?? 15 * 60,
      });
      this.created.set(queue, created);
    }
    await created;
  }

  async enqueue(queue: string, data: JobData, options: EnqueueOptions = {}): Promise<void> {
    await this.ready(queue);
    await this.boss.send(queue, data, {
      // A stately queue allows one queued job per key and counts a missing key as the key '', so a job without a
      // singleton key gets a key of its own or it would be dropped while another keyless job waits.
      singletonKey: options.singletonKey ?? `job:${randomUUID()}`,
      retryLimit: (options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS) - 1,
      retryDelay: 2,
      retryBackoff: true,
      ...(options.delayMs ? { startAfter: new Date(Date.now() + options.delayMs) } : {}),
    });
  }

  async work(queue: string, handler: JobHandler, options: WorkOptions = {}): Promise<void> {
    await this.ready(queue);
    for (let slot = 0; slot < (options.concurrency ?? 1); slot++) {
      await this.boss.work<JobData>(queue, { batchSize: 1, pollingIntervalSeconds: 0.5, includeMetadata: true }, async (jobs) => {
        for (const job of jobs) {
          await handler(job.data, { attempt: job.retryCount + 1, maxAttempts: job.retryLimit + 1 });
        }
      });
    }
  }

  async depth(queues: readonly string[]): Promise<Record<string, number>> {
    // Only queues this process has set up exist in pg-boss; the others have nothing waiting.
    const sizes = await Promise.all(queues.map(async (queue) => (this.created.has(queue) ? this.boss.getQueueSize(queue) : 0)));
    return Object.fromEntries(queues.map((queue, index) => [queue, sizes[index]!]));
  }

  async stop(): Promise<void> {
    if (this.started) await this.boss.stop({ graceful: true, wait: true, timeout: 30_000 });
  }
}
