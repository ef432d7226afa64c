import { EventEmitter } from 'node:events';
import type { Knex } from 'knex';
import { attemptsAllowed, errorReporter, startWorkerSlots, type LeasedDriverOptions } from './driver-options.ts';
import type { EnqueueOptions, JobData, JobHandler, JobQueue, WorkOptions } from './job-queue.ts';
import { runLeased } from './leased-job.ts';

interface JobRow {
  id: number;
  queue: string;
  data: JobData;
  attempts: number;
  max_attempts: number;
}

export interface DatabaseQueueOptions extends LeasedDriverOptions {
  pollIntervalMs?: number;
}

/**
 * A job queue in the platform's own database (`jobs` table, claimed with FOR UPDATE SKIP LOCKED). It serves the
 * embedded PGlite deployment, where pg-boss cannot connect; it works the same on PostgreSQL. A job whose worker
 * dies keeps its lease until `locked_until`, then is claimed again as a new attempt.
 */
export class DatabaseQueue implements JobQueue {
  readonly kind = 'database' as const;
  private readonly leaseS: number;
  private readonly pollIntervalMs: number;
  private readonly onError: (error: unknown) => void;
  private readonly wake = new EventEmitter();
  private readonly running = new Set<Promise<void>>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private stopped = false;

  constructor(
    private readonly knex: Knex,
    options: DatabaseQueueOptions = {},
  ) {
    this.leaseS = options.leaseS ?? 60;
    this.pollIntervalMs = options.pollIntervalMs ?? 500;
    this.onError = errorReporter(options);
    this.wake.setMaxListeners(0);
  }

  async enqueue(queue: string, data: JobData, options: EnqueueOptions = {}): Promise<void> {
    await this.knex.raw(
      `INSERT INTO jobs (queue, data, singleton_key, state, max_attempts, run_at)
       VALUES (?, ?::jsonb, ?, 'queued', ?, now() + (? * interval '1 millisecond'))
       ON CONFLICT (queue, singleton_key) WHERE singleton_key IS NOT NULL AND state IN ('queued', 'active') DO NOTHING`,
      [queue, JSON.stringify(data), options.singletonKey ?? null, attemptsAllowed(options), options.delayMs ?? 0],
    );
    this.wake.emit(queue);
  }

  async work(queue: string, handler: JobHandler, options: WorkOptions = {}): Promise<void> {
    await startWorkerSlots(options, () => this.loop(queue, handler));
  }

  async depth(queues: readonly string[]): Promise<Record<string, number>> {
    const rows: Array<{ queue: string; waiting: number | string }> = await this.knex('jobs')
      .select('queue')
      .count('* as waiting')
      .where('state', 'queued')
      .whereIn('queue', [...queues])
      .groupBy('queue');
    const waiting = Object.fromEntries(queues.map((queue) => [queue, 0]));
    for (const row of rows) waiting[row.queue] = Number(row.waiting);
    return waiting;
  }

  private loop(queue: string, handler: JobHandler): void {
    const tick = async () => {
      if (this.stopped) return;
      let job: JobRow | undefined;
      try {
        job = await this.claim(queue);
      } catch (error) {
        this.onError(error);
      }
      if (job) {
        const run = this.run(job, handler);
        this.running.add(run);
        await run;
        this.running.delete(run);
        if (!this.stopped) setImmediate(tick);
        return;
      }
      if (this.stopped) return;
      const onWake = () => {
        clearTimeout(timer);
        this.timers.delete(timer);
        setImmediate(tick);
      };
      const timer = setTimeout(() => {
        this.wake.off(queue, onWake);
        this.timers.delete(timer);
        tick();
      }, this.pollIntervalMs);
      this.timers.add(timer);
      this.wake.once(queue, onWake);
    };
    setImmediate(tick);
  }

  private async claim(queue: string): Promise<JobRow | undefined> {
    const result = await this.knex.raw<{ rows: JobRow[] }>(
      `UPDATE jobs SET state = 'active', attempts = attempts + 1, locked_until = now() + (? * interval '1 second'), updated_at = now()
       WHERE id = (
         SELECT id FROM jobs
         WHERE queue = ? AND ((state = 'queued' AND run_at <= now()) OR (state = 'active' AND locked_until < now()))
         ORDER BY run_at, id LIMIT 1 FOR UPDATE SKIP LOCKED)
       RETURNING id, queue, data, attempts, max_attempts`,
      [this.leaseS, queue],
    );
    return result.rows[0];
  }

  private run(job: JobRow, handler: JobHandler): Promise<void> {
    const settle = (state: 'queued' | 'failed', error: unknown, delayS = 0) =>
      this.knex.raw(
        `UPDATE jobs SET state = ?, last_error = ?, locked_until = NULL, updated_at = now(),
           run_at = now() + (? * interval '1 second') WHERE id = ?`,
        [state, (error instanceof Error ? error.message : String(error)).slice(0, 2000), delayS, job.id],
      );
    return runLeased(
      { data: job.data, attempt: job.attempts, maxAttempts: job.max_attempts },
      handler,
      {
        renew: () => this.knex.raw(`UPDATE jobs SET locked_until = now() + (? * interval '1 second') WHERE id = ? AND state = 'active'`, [this.leaseS, job.id]),
        complete: () => this.knex.raw(`UPDATE jobs SET state = 'completed', locked_until = NULL, updated_at = now() WHERE id = ?`, [job.id]),
        retry: (delayS, error) => settle('queued', error, delayS),
        giveUp: (error) => settle('failed', error),
      },
      this.leaseS,
      this.onError,
    );
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.wake.removeAllListeners();
    await Promise.allSettled([...this.running]);
  }
}
