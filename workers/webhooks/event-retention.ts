import type { Database } from '../../core/db/database.ts';
import type { Logger } from '../../core/logger.ts';
import { deleteExpiredEvents, EVENT_VISIBILITY_DAYS } from '../../core/webhooks/events.ts';

export interface EventRetentionOptions {
  /** Events older than this are deleted; `GET /v1/events` shows the same window. */
  retentionDays?: number;
  /** Events deleted per transaction: short transactions keep locks and WAL bursts small. */
  batchSize?: number;
  /** Time between sweeps. */
  intervalMs?: number;
  /** Time from start to the first sweep: soon, so a worker restarted more often than hourly still sweeps. */
  initialDelayMs?: number;
}

const DEFAULTS = { retentionDays: EVENT_VISIBILITY_DAYS, batchSize: 1000, intervalMs: 3_600_000, initialDelayMs: 60_000 };

/**
 * Deletes expired events (and their finished deliveries) batch by batch until none are left or `shouldStop` says so.
 * @internal exported for its tests
 */
export async function sweepExpiredEvents(
  db: Database,
  options: { retentionDays: number; batchSize: number },
  shouldStop: () => boolean = () => false,
): Promise<number> {
  let deleted = 0;
  for (;;) {
    const batch = await db.system((trx) => deleteExpiredEvents(trx, options.retentionDays, options.batchSize));
    deleted += batch;
    if (batch < options.batchSize || shouldStop()) return deleted;
  }
}

/** Runs `sweepExpiredEvents` on a schedule (the webhook deliverer starts and stops it). */
export class EventRetention {
  private readonly settings: Required<EventRetentionOptions>;
  private timer: NodeJS.Timeout | undefined;
  private sweeping: Promise<void> | undefined;
  private running = false;

  constructor(
    private readonly db: Database,
    private readonly logger: Logger,
    options: EventRetentionOptions = {},
  ) {
    this.settings = { ...DEFAULTS, ...options };
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule(this.settings.initialDelayMs);
  }

  /** Cancels the next sweep and waits for one in progress to finish its current batch. */
  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.sweeping;
  }

  private schedule(delayMs: number): void {
    this.timer = setTimeout(() => {
      this.sweeping = this.sweep().finally(() => {
        this.sweeping = undefined;
        if (this.running) this.schedule(this.settings.intervalMs);
      });
    }, delayMs);
    this.timer.unref();
  }

  private async sweep(): Promise<void> {
    try {
      const deleted = await sweepExpiredEvents(this.db, this.settings, () => !this.running);
      if (deleted > 0) this.logger.info('expired events deleted', { events: deleted, retention_days: this.settings.retentionDays });
    } catch (error) {
      // The next sweep tries again; nothing is lost by deleting later.
      this.logger.error('event retention sweep failed', { error: (error as Error).message });
    }
  }
}
