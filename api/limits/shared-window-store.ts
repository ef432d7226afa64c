import type { ClientRateLimitInfo, Store } from 'express-rate-limit';
import type { Knex } from 'knex';
import { addWindowHits, deleteEndedWindows, type WindowHits } from '../../core/repositories/rate-limit-windows.ts';

interface Window {
  startMs: number;
  /** Every process's hits, as the database answered at this process's last sync of the bucket. */
  shared: number;
  /** Hits sent in the sync under way, not yet in `shared`. */
  sending: number;
  /** Hits counted here since then. */
  pending: number;
}

export interface SharedWindowStoreOptions {
  knex: Knex;
  /** Names this store's buckets in the shared table (`key`, `auth-failure`, …). */
  prefix: string;
  windowMs: number;
  syncIntervalMs: number;
  onSyncError(error: unknown): void;
  /** Buckets remembered at once; the oldest are forgotten beyond it, so a flood of new addresses cannot grow memory. */
  maxBuckets?: number;
}

const PRUNE_EVERY_MS = 60_000;

/**
 * Fixed-window hit counts shared by every api process without a database round trip on any request: a request is
 * counted and decided in memory, against the total of all processes as of this process's last sync plus its own hits
 * since. While there are new hits, each process adds them to the shared table every sync interval in one statement,
 * which answers with the new totals. A process learns another's hits only when it next syncs a hit of its own for the
 * same bucket, so N processes can together admit more than the limit: see docs/api.md (Rate limits) for the bound.
 *
 * Written here rather than taken from a library: the express-rate-limit stores for PostgreSQL run a statement per
 * request, which is the round trip this avoids.
 */
export class SharedWindowStore implements Store {
  /** Counts are shared through the database: another store instance with the same prefix counts the same keys. */
  readonly localKeys = false;
  readonly prefix: string;
  private readonly windows = new Map<string, Window>();
  private timer: NodeJS.Timeout | undefined;
  private syncing = false;
  /** Hits were counted or taken back since the last sync began. */
  private dirty = false;
  private lastPruneMs = Date.now();

  constructor(private readonly options: SharedWindowStoreOptions) {
    this.prefix = `${options.prefix}:`;
  }

  get(key: string): ClientRateLimitInfo | undefined {
    const window = this.current(key, false);
    return window && this.info(window);
  }

  increment(key: string): ClientRateLimitInfo {
    const window = this.current(key, true)!;
    window.pending++;
    this.dirty = true;
    this.scheduleSync();
    return this.info(window);
  }

  decrement(key: string): void {
    const window = this.current(key, false);
    if (!window) return;
    window.pending--;
    this.dirty = true;
    this.scheduleSync();
  }

  /** Forgets this process's count; other processes' hits stay in the shared total until the window ends. */
  resetKey(key: string): void {
    this.windows.delete(key);
  }

  /** Sends the hits counted since the last sync and takes in the shared totals; false when the database failed. */
  private async sync(): Promise<boolean> {
    if (this.syncing) return true;
    this.syncing = true;
    this.dirty = false;
    const batch: Array<WindowHits & { window: Window }> = [];
    const now = Date.now();
    for (const [key, window] of this.windows) {
      if (window.startMs + this.options.windowMs <= now) {
        this.windows.delete(key);
      } else if (window.pending !== 0) {
        window.sending = window.pending;
        window.pending = 0;
        batch.push({ bucket: this.prefix + key, windowStartMs: window.startMs, windowMs: this.options.windowMs, hits: window.sending, window });
      }
    }
    try {
      if (batch.length > 0) {
        const totals = await addWindowHits(this.options.knex, batch);
        for (const { bucket, window } of batch) {
          window.shared = totals.get(bucket) ?? window.shared + window.sending;
          window.sending = 0;
        }
      }
      if (now - this.lastPruneMs >= PRUNE_EVERY_MS) {
        this.lastPruneMs = now;
        await deleteEndedWindows(this.options.knex);
      }
      return true;
    } catch (error) {
      // The hits go out with the next sync, which the next hit schedules (no retry loop against a database that is
      // down or closed); until then this process decides on what it knows.
      for (const { window } of batch) {
        window.pending += window.sending;
        window.sending = 0;
      }
      this.options.onSyncError(error);
      return false;
    } finally {
      this.syncing = false;
    }
  }

  private current(key: string, create: boolean): Window | undefined {
    const startMs = Math.floor(Date.now() / this.options.windowMs) * this.options.windowMs;
    const window = this.windows.get(key);
    if (window?.startMs === startMs) return window;
    if (!create) return undefined;
    // Hits of an ended window that were never sent are dropped with it: no one decides on that window any more.
    this.windows.delete(key);
    if (this.windows.size >= (this.options.maxBuckets ?? 100_000)) this.windows.delete(this.windows.keys().next().value!);
    const fresh: Window = { startMs, shared: 0, sending: 0, pending: 0 };
    this.windows.set(key, fresh);
    return fresh;
  }

  private info(window: Window): ClientRateLimitInfo {
    return { totalHits: window.shared + window.sending + window.pending, resetTime: new Date(window.startMs + this.options.windowMs) };
  }

  private scheduleSync(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.sync().then((synced) => {
        if (synced && this.dirty) this.scheduleSync();
      });
    }, this.options.syncIntervalMs);
    // A pending sync must not keep a stopping process alive; the hits it would send matter to this window only.
    this.timer.unref();
  }
}
