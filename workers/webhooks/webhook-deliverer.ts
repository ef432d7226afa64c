import { randomUUID } from 'node:crypto';
import type { SecretBox } from '../../core/crypto/secret-box.ts';
import type { Database, Transaction } from '../../core/db/database.ts';
import { appendEvent } from '../../core/events/outbox.ts';
import type { Logger } from '../../core/logger.ts';
import { GuardedHttpClient } from '../../core/net/guarded-http.ts';
import {
  claimDueDeliveries,
  loadClaimedDeliveries,
  recordOutcomes,
  releaseDeliveries,
  targetKey,
  type ClaimedDelivery,
  type DeliveryOutcome,
} from '../../core/repositories/webhook-deliveries.ts';
import { recordEndpointHealth, type WebhookEndpointRow } from '../../core/repositories/webhook-endpoints.ts';
import { fanOutEvents } from '../../core/repositories/webhook-fanout.ts';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from '../../core/webhooks/retry-schedule.ts';
import { AttemptSlots } from './attempt-slots.ts';
import { attemptDelivery, type EndpointSignal } from './delivery-attempt.ts';
import { connectionOf, DELIVERIES_READY, listenForOutboxEvents } from './outbox-listener.ts';

export interface WebhookDelivererOptions {
  db: Database;
  secretBox: SecretBox;
  logger: Logger;
  /** ECHOSPHERE_ALLOW_PRIVATE_URLS: permit http and private addresses (development and tests only). */
  allowPrivateUrls: boolean;
  /** Where to LISTEN for new events on PostgreSQL; defaults to the URL `db` was opened with. */
  listenUrl?: string;
  /** Attempts in flight at once in this process. */
  concurrency?: number;
  /** Attempts in flight at once to one endpoint (or server_url): a slow receiver can hold no more slots than this. */
  perTargetConcurrency?: number;
  /** A 2xx must arrive within this for an attempt to count as a success. */
  attemptTimeoutMs?: number;
  retryPolicy?: RetryPolicy;
  /** How often to look for due retries and missed events without a notification. */
  pollIntervalMs?: number;
  /** How long a claimed delivery is ours before another worker may take it over (must exceed the timeout). */
  leaseMs?: number;
  /** An endpoint failing for this long without one success is disabled. */
  disableFailingAfterMs?: number;
  fanOutBatchSize?: number;
  maxResponseBytes?: number;
}

const DEFAULTS = {
  concurrency: 256,
  perTargetConcurrency: 32,
  attemptTimeoutMs: 15_000,
  pollIntervalMs: 1_000,
  disableFailingAfterMs: 5 * 24 * 3_600_000,
  fanOutBatchSize: 500,
  maxResponseBytes: 2048,
};

/**
 * Delivers outbox events to webhook endpoints, at least once. Each pass of the pump (woken by NOTIFY on commit, by a
 * finished attempt, or by the poll timer) writes finished outcomes back in one transaction, fans new events out into
 * deliveries (claiming the first ones directly), and claims due retries — never more than the free attempt slots, so
 * a slow endpoint occupies at most the slots of its own attempts and the rest keep flowing.
 */
export class WebhookDeliverer {
  private readonly db: Database;
  private readonly logger: Logger;
  private readonly http: GuardedHttpClient;
  private readonly settings;
  private readonly concurrency: number;
  private readonly leaseMs: number;
  private readonly pollIntervalMs: number;
  private readonly disableFailingAfterMs: number;
  private readonly fanOutBatchSize: number;

  private readonly inFlight = new Set<Promise<void>>();
  private readonly slots: AttemptSlots;
  private outcomes: DeliveryOutcome[] = [];
  private signals: EndpointSignal[] = [];
  private pumping: Promise<void> | undefined;
  private pumpAgain = false;
  /** Set by NOTIFY and polls: there may be events to fan out. */
  private fanOutWanted = true;
  /** Set by polls and by backlogs: there may be due deliveries nobody holds. */
  private claimWanted = true;
  private running = false;
  private pollTimer: NodeJS.Timeout | undefined;
  private stopListening: (() => Promise<void>) | undefined;

  constructor(private readonly options: WebhookDelivererOptions) {
    this.db = options.db;
    this.logger = options.logger;
    this.concurrency = options.concurrency ?? DEFAULTS.concurrency;
    this.slots = new AttemptSlots(this.concurrency, Math.min(options.perTargetConcurrency ?? DEFAULTS.perTargetConcurrency, this.concurrency));
    const timeoutMs = options.attemptTimeoutMs ?? DEFAULTS.attemptTimeoutMs;
    this.leaseMs = options.leaseMs ?? timeoutMs + 30_000;
    if (this.leaseMs <= timeoutMs) throw new Error('The delivery lease must be longer than the attempt timeout');
    this.pollIntervalMs = options.pollIntervalMs ?? DEFAULTS.pollIntervalMs;
    this.disableFailingAfterMs = options.disableFailingAfterMs ?? DEFAULTS.disableFailingAfterMs;
    this.fanOutBatchSize = options.fanOutBatchSize ?? DEFAULTS.fanOutBatchSize;
    this.http = new GuardedHttpClient({ allowPrivate: options.allowPrivateUrls }, { maxSocketsPerHost: this.concurrency });
    this.settings = {
      http: this.http,
      secretBox: options.secretBox,
      retryPolicy: options.retryPolicy ?? DEFAULT_RETRY_POLICY,
      timeoutMs,
      maxResponseBytes: options.maxResponseBytes ?? DEFAULTS.maxResponseBytes,
    };
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    const listenConnection = this.options.listenUrl ?? connectionOf(this.db);
    this.stopListening = await listenForOutboxEvents(this.db, listenConnection, (payload) => this.wake(payload === DELIVERIES_READY ? 'deliveries' : 'event'), this.logger);
    this.pollTimer = setInterval(() => this.wake('poll'), this.pollIntervalMs);
    this.pollTimer.unref();
    this.wake('poll');
  }

  /** Stops taking new work, lets attempts in flight finish (each is bounded by the timeout) and records them. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    if (this.pollTimer) clearInterval(this.pollTimer);
    await this.stopListening?.();
    while (this.pumping || this.inFlight.size > 0) {
      await Promise.all([this.pumping, ...this.inFlight]);
    }
    await this.flushOutcomes().catch((error: Error) => this.logger.error('webhook outcomes not recorded at shutdown', { error: error.message }));
    this.http.close();
  }

  /**
   * Runs a pump pass soon; passes never overlap, and a wake-up during a pass makes it go round once more. A finished
   * attempt only needs its outcome written (and frees a slot for any backlog); a new event needs a fan-out; only polls
   * look for due retries, which are never urgent.
   */
  private wake(reason: 'event' | 'deliveries' | 'poll' | 'attempt'): void {
    if (reason === 'event' || reason === 'poll') this.fanOutWanted = true;
    if (reason === 'deliveries' || reason === 'poll') this.claimWanted = true;
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = this.pump().finally(() => {
      this.pumping = undefined;
    });
  }

  private async pump(): Promise<void> {
    do {
      // Give I/O a turn between passes: the embedded database runs queries on this thread as one long promise chain,
      // and without a macrotask boundary responses from receivers would wait behind it.
      await new Promise((resolve) => setImmediate(resolve));
      this.pumpAgain = false;
      try {
        await this.flushOutcomes();
        if (!this.running) return;
        if (this.fanOutWanted) await this.fanOut();
        if (this.claimWanted) await this.claimDue();
      } catch (error) {
        // The database is unreachable or a statement failed: the poll timer brings us back.
        this.logger.error('webhook delivery pass failed', { error: (error as Error).message });
        return;
      }
    } while (this.pumpAgain && this.running);
  }

  private async fanOut(): Promise<void> {
    const leaseId = randomUUID();
    const held: string[] = [];
    const take = (target: { endpointId: string | null; url: string }) => {
      const key = targetKey(target);
      if (!this.slots.hold(key)) return false;
      held.push(key);
      return true;
    };
    this.fanOutWanted = false;
    const claimedAt = Date.now();
    let result: { events: number; deliveries: number; claimed: ClaimedDelivery[] };
    try {
      result = await this.db.system(async (trx) => {
        const fanned = await fanOutEvents(trx, this.fanOutBatchSize, { leaseId, leaseMs: this.leaseMs, take });
        return { ...fanned, claimed: await loadClaimedDeliveries(trx, fanned.leasedIds, leaseId) };
      });
    } catch (error) {
      for (const key of held) this.slots.unhold(key);
      this.fanOutWanted = true;
      throw error;
    }
    this.dispatch(result.claimed, claimedAt);
    if (result.claimed.length < result.deliveries) this.claimWanted = true;
    if (result.events === this.fanOutBatchSize) {
      this.fanOutWanted = true;
      this.pumpAgain = true;
    }
  }

  private async claimDue(): Promise<void> {
    const free = this.slots.free();
    if (free <= 0) return;
    this.claimWanted = false;
    const leaseId = randomUUID();
    const claimedAt = Date.now();
    const claimed = await this.db.system(async (trx) =>
      loadClaimedDeliveries(trx, await claimDueDeliveries(trx, leaseId, free, this.leaseMs, this.slots.busyTargets()), leaseId),
    );
    const held = claimed.filter((delivery) => this.slots.hold(targetKey(delivery)));
    if (held.length < claimed.length) {
      const surplus = claimed.filter((delivery) => !held.includes(delivery)).map((delivery) => delivery.id);
      try {
        await this.db.system((trx) => releaseDeliveries(trx, surplus, leaseId));
      } catch (error) {
        this.dispatch(held, claimedAt);
        throw error;
      }
    }
    this.dispatch(held, claimedAt);
    if (claimed.length === free || held.length < claimed.length) {
      // A backlog: claim again as soon as slots free up.
      this.claimWanted = true;
      if (held.length > 0) this.pumpAgain = true;
    }
  }

  /** Starts attempts for held deliveries, each as soon as its target has a running slot. */
  private dispatch(deliveries: ClaimedDelivery[], claimedAt: number): void {
    // A delivery queued behind its target's running attempts goes only while its lease covers a full attempt;
    // otherwise it is left to come due again, so no other worker can be attempting it at the same time.
    const startBy = claimedAt + this.leaseMs - this.settings.timeoutMs - 1000;
    for (const delivery of deliveries) {
      const key = targetKey(delivery);
      this.slots.start(key, () => {
        if (Date.now() > startBy) {
          this.slots.finish(key);
          return;
        }
        const attempt = attemptDelivery(delivery, this.settings)
          .then((result) => {
            this.outcomes.push(result.outcome);
            if (result.signal) this.signals.push(result.signal);
          })
          .catch((error: Error) => {
            this.logger.error('webhook attempt crashed', { delivery_id: delivery.id, error: error.message });
          })
          .finally(() => {
            this.inFlight.delete(attempt);
            this.slots.finish(key);
            this.wake('attempt');
          });
        this.inFlight.add(attempt);
      });
    }
  }

  /** Group commit: every outcome gathered since the last pass is written in one transaction. */
  private async flushOutcomes(): Promise<void> {
    if (this.outcomes.length === 0) return;
    const outcomes = this.outcomes;
    const signals = this.signals;
    this.outcomes = [];
    this.signals = [];
    try {
      const disabled = await this.db.system(async (trx) => {
        await recordOutcomes(trx, outcomes);
        const endpoints = await recordEndpointHealth(trx, healthOf(signals), this.disableFailingAfterMs);
        for (const endpoint of endpoints) await recordEndpointDisabled(trx, endpoint);
        return endpoints;
      });
      for (const endpoint of disabled) {
        this.logger.warn('webhook endpoint disabled', { org_id: endpoint.org_id, endpoint_id: endpoint.id, reason: endpoint.disabled_reason });
      }
    } catch (error) {
      // Keep them for the next pass; if this process dies first, the leases run out and the deliveries are retried.
      this.outcomes.unshift(...outcomes);
      this.signals.unshift(...signals);
      throw error;
    }
  }
}

function healthOf(signals: readonly EndpointSignal[]) {
  const pick = (result: EndpointSignal['result']) => signals.filter((signal) => signal.result === result).map((signal) => signal.endpointId);
  return { succeeded: pick('succeeded'), failed: pick('failed'), gone: pick('gone') };
}

async function recordEndpointDisabled(trx: Transaction, endpoint: WebhookEndpointRow): Promise<void> {
  await appendEvent(trx, {
    orgId: endpoint.org_id,
    type: 'endpoint.disabled',
    data: {
      endpoint_id: endpoint.id,
      url: endpoint.url,
      reason: endpoint.disabled_reason,
      disabled_at: endpoint.disabled_at ? new Date(endpoint.disabled_at).toISOString() : new Date().toISOString(),
      failing_since: endpoint.failing_since ? new Date(endpoint.failing_since).toISOString() : null,
    },
  });
}
