import { randomUUID } from 'node:crypto';
import type { SecretBox } from '../../core/crypto/secret-box.ts';
import type { Database, Transaction } from '../../core/db/database.ts';
import { appendEvent } from '../../core/webhooks/outbox.ts';
import type { Logger } from '../../core/logger.ts';
import { webhookEndpointsDisabled } from '../../core/metrics/worker-metrics.ts';
import { GuardedHttpClient } from '../../core/net/guarded-http.ts';
import {
  claimDueDeliveries,
  loadClaimedDeliveries,
  recordOutcomes,
  releaseDeliveries,
  targetKey,
  type ClaimedDelivery,
  type DeliveryOutcome,
} from '../../core/webhooks/deliveries.ts';
import { recordEndpointHealth, type WebhookEndpointRow } from '../../core/webhooks/endpoints.ts';
import { fanOutEvents } from '../../core/webhooks/fanout.ts';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from '../../core/webhooks/retry-schedule.ts';
import { AttemptSlots } from './attempt-slots.ts';
import { attemptDelivery, eventBody, type EndpointSignal } from './delivery-attempt.ts';
import { observeDelivery } from './delivery-metrics.ts';
import { EventRetention, type EventRetentionOptions } from './event-retention.ts';
import { OpenedSecrets } from './opened-secrets.ts';
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
  /** The hourly sweep of events past the 30-day window (with their finished deliveries). */
  eventRetention?: EventRetentionOptions;
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
 * finished attempt, or by the poll timer) is one transaction: it writes finished outcomes back, fans new events out
 * into deliveries (claiming the first ones directly), and claims due retries — never more than the free attempt slots,
 * so a slow endpoint occupies at most the slots of its own attempts and the rest keep flowing. While running it also
 * sweeps events past their retention, hourly (see event-retention.ts).
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
  /** The last pass left its claim to the next one, to commit new events' first attempts sooner. */
  private claimDeferred = false;
  private running = false;
  private pollTimer: NodeJS.Timeout | undefined;
  private stopListening: (() => Promise<void>) | undefined;
  private readonly retention: EventRetention;

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
    this.retention = new EventRetention(options.db, options.logger, options.eventRetention);
    this.http = new GuardedHttpClient({ allowPrivate: options.allowPrivateUrls }, { maxSocketsPerHost: this.concurrency });
    this.settings = {
      http: this.http,
      secrets: new OpenedSecrets(options.secretBox),
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
    this.retention.start();
    this.wake('poll');
  }

  /** Stops taking new work, lets attempts in flight finish (each is bounded by the timeout) and records them. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    if (this.pollTimer) clearInterval(this.pollTimer);
    await this.retention.stop();
    await this.stopListening?.();
    while (this.pumping || this.inFlight.size > 0) {
      await Promise.all([this.pumping, ...this.inFlight]);
    }
    await this.pass().catch((error: Error) => this.logger.error('webhook outcomes not recorded at shutdown', { error: error.message }));
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
        await this.pass();
      } catch (error) {
        // The database is unreachable or a statement failed: the poll timer brings us back.
        this.logger.error('webhook delivery pass failed', { error: (error as Error).message });
        return;
      }
    } while (this.pumpAgain && this.running);
  }

  /**
   * One pass, one transaction: write the outcomes gathered since the last pass (group commit), fan new events out into
   * deliveries (claiming the first ones directly), and claim due deliveries for the free slots. Attempts start only
   * after the commit, so every lease they run under is durable.
   */
  private async pass(): Promise<void> {
    const outcomes = this.outcomes;
    const signals = this.signals;
    const fanOut = this.running && this.fanOutWanted;
    if (outcomes.length === 0 && !fanOut && !(this.running && this.claimWanted && this.slots.free() > 0)) return;
    this.outcomes = [];
    this.signals = [];
    if (fanOut) this.fanOutWanted = false;
    const leaseId = randomUUID();
    const claimedAt = Date.now();
    const held: string[] = [];
    let claiming = false;
    let result: { disabled: WebhookEndpointRow[]; claimed: ClaimedDelivery[]; fannedEvents: number };
    try {
      result = await this.db.system(async (trx) => {
        const disabled = outcomes.length > 0 ? await recordOutcomesAndHealth(trx, outcomes, signals, this.disableFailingAfterMs) : [];
        const claimed: ClaimedDelivery[] = [];
        let fannedEvents = 0;
        if (fanOut) {
          const fanned = await this.fanOutIn(trx, leaseId, held);
          claimed.push(...fanned.claimed);
          fannedEvents = fanned.events;
          if (fanned.claimed.length < fanned.deliveries) this.claimWanted = true;
        }
        // New events' first attempts wait for this commit: when the fan-out claimed some, due deliveries go in the
        // next pass (once only, so a steady stream of new events cannot starve retries).
        if (claimed.length > 0 && this.claimWanted && !this.claimDeferred) {
          this.claimDeferred = true;
          this.pumpAgain = true;
        } else if (this.running && this.claimWanted && this.slots.free() > 0) {
          claiming = true;
          this.claimWanted = false;
          this.claimDeferred = false;
          claimed.push(...(await this.claimDueIn(trx, leaseId, held)));
        }
        return { disabled, claimed, fannedEvents };
      });
    } catch (error) {
      // Keep the outcomes for the next pass; if this process dies first, the leases run out and the deliveries are retried.
      for (const key of held) this.slots.unhold(key);
      this.outcomes.unshift(...outcomes);
      this.signals.unshift(...signals);
      if (fanOut) this.fanOutWanted = true;
      if (claiming) this.claimWanted = true;
      throw error;
    }
    webhookEndpointsDisabled.inc(result.disabled.length);
    for (const endpoint of result.disabled) {
      this.logger.warn('webhook endpoint disabled', { org_id: endpoint.org_id, endpoint_id: endpoint.id, reason: endpoint.disabled_reason });
    }
    this.dispatch(result.claimed, claimedAt);
    if (result.fannedEvents === this.fanOutBatchSize) {
      this.fanOutWanted = true;
      this.pumpAgain = true;
    }
  }

  /** Fans out a batch of events; the deliveries the slots can take now are claimed (and held) straight away. */
  private async fanOutIn(trx: Transaction, leaseId: string, held: string[]) {
    const take = (target: { endpointId: string | null; url: string }) => {
      const key = targetKey(target);
      if (!this.slots.hold(key)) return false;
      held.push(key);
      return true;
    };
    const fanned = await fanOutEvents(trx, this.fanOutBatchSize, { leaseId, leaseMs: this.leaseMs, take });
    return { ...fanned, claimed: await loadClaimedDeliveries(trx, fanned.leasedIds, leaseId) };
  }

  /** Claims due deliveries for the free slots; any the slots cannot take after all are given back at once. */
  private async claimDueIn(trx: Transaction, leaseId: string, held: string[]): Promise<ClaimedDelivery[]> {
    const free = this.slots.free();
    const claimed = await claimDueDeliveries(trx, leaseId, free, this.leaseMs, this.slots.busyTargets());
    const taken = claimed.filter((delivery) => {
      const key = targetKey(delivery);
      if (!this.slots.hold(key)) return false;
      held.push(key);
      return true;
    });
    if (taken.length < claimed.length) {
      const taking = new Set(taken);
      await releaseDeliveries(trx, claimed.filter((delivery) => !taking.has(delivery)).map((delivery) => delivery.id), leaseId);
    }
    if (claimed.length === free || taken.length < claimed.length) {
      // A backlog: claim again as soon as slots free up.
      this.claimWanted = true;
      if (taken.length > 0) this.pumpAgain = true;
    }
    return taken;
  }

  /** Starts attempts for held deliveries, each as soon as its target has a running slot. */
  private dispatch(deliveries: ClaimedDelivery[], claimedAt: number): void {
    // A delivery queued behind its target's running attempts goes only while its lease covers a full attempt;
    // otherwise it is left to come due again, so no other worker can be attempting it at the same time.
    const startBy = claimedAt + this.leaseMs - this.settings.timeoutMs - 1000;
    // An event going to several endpoints is serialised once.
    const bodies = new Map<string, string>();
    for (const delivery of deliveries) {
      const key = targetKey(delivery);
      let body = bodies.get(delivery.event_id);
      if (body === undefined) {
        body = eventBody(delivery);
        bodies.set(delivery.event_id, body);
      }
      const payload = body;
      this.slots.start(key, () => {
        if (Date.now() > startBy) {
          this.slots.finish(key);
          return;
        }
        const attempt = attemptDelivery(delivery, payload, this.settings)
          .then((result) => {
            this.outcomes.push(result.outcome);
            observeDelivery(result.outcome);
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
}

/** Writes a batch of outcomes and what they say about endpoint health; returns the endpoints this disabled. */
async function recordOutcomesAndHealth(
  trx: Transaction,
  outcomes: readonly DeliveryOutcome[],
  signals: readonly EndpointSignal[],
  disableFailingAfterMs: number,
): Promise<WebhookEndpointRow[]> {
  const health = healthOf(signals);
  await recordOutcomes(trx, outcomes, health.succeeded);
  const disabled = await recordEndpointHealth(trx, health, disableFailingAfterMs);
  for (const endpoint of disabled) await recordEndpointDisabled(trx, endpoint);
  return disabled;
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
