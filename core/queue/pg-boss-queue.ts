import { randomUUID } from 'node:crypto';
import PgBoss from 'pg-boss';
import { attemptsAllowed, errorReporter, startWorkerSlots, type DriverOptions } from './driver-options.ts';
import { DEFAULT_MAX_ATTEMPTS, type EnqueueOptions, type JobData, type JobHandler, type JobQueue, type WorkOptions } from './job-queue.ts';

export interface PgBossQueueOptions extends DriverOptions {
  connectionString: string;
  /** How long a job may run before pg-boss treats its worker as dead and retries it. */
  expireInS?: number;
  /** How often pg-boss looks for expired jobs. */
  maintenanceIntervalS?: number;
}

/** pg-boss's exponential backoff from 2 s, the same schedule as `retryDelayS`. */
const RETRY_BACKOFF = { retryDelay: 2, retryBackoff: true } as const;

/** The queue on PostgreSQL: pg-boss in its own `pgboss` schema of the platform database. */
export class PgBossQueue implements JobQueue {
  readonly kind = 'pg-boss' as const;
  private readonly boss: PgBoss;
  private readonly created = new Map<string, Promise<void>>();
  private started: Promise<unknown> | undefined;
  private readonly expireInS: number;

  constructor(options: PgBossQueueOptions) {
    this.expireInS = options.expireInS ?? 15 * 60;
    this.boss = new PgBoss({
      connectionString: options.connectionString,
      max: 4,
      maintenanceIntervalSeconds: options.maintenanceIntervalS ?? 30,
      expireInSeconds: this.expireInS,
      // Singleton keys must keep their meaning while a job waits for a retry.
      retryBackoff: true,
      schedule: false,
    });
    this.boss.on('error', errorReporter(options));
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
        ...RETRY_BACKOFF,
        expireInSeconds: this.expireInS,
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
      retryLimit: attemptsAllowed(options) - 1,
      ...RETRY_BACKOFF,
      ...(options.delayMs ? { startAfter: new Date(Date.now() + options.delayMs) } : {}),
    });
  }

  async work(queue: string, handler: JobHandler, options: WorkOptions = {}): Promise<void> {
    await this.ready(queue);
    await startWorkerSlots(options, () =>
      this.boss.work<JobData>(queue, { batchSize: 1, pollingIntervalSeconds: 0.5, includeMetadata: true }, async (jobs) => {
        for (const job of jobs) {
          await handler(job.data, { attempt: job.retryCount + 1, maxAttempts: job.retryLimit + 1 });
        }
      }),
    );
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
