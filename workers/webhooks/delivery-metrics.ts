import { webhookDeliveries, webhookDeliveryDuration } from '../../core/metrics/worker-metrics.ts';
import type { DeliveryOutcome, DeliveryStatus } from '../../core/webhooks/deliveries.ts';

/** A delivery still pending after an attempt failed is retried later. */
const OUTCOME_LABELS: Record<DeliveryStatus, string> = { succeeded: 'succeeded', pending: 'retrying', failed: 'failed' };

/** Counts one finished delivery attempt by outcome, and its latency when something was sent. */
export function observeDelivery(outcome: DeliveryOutcome): void {
  if (!outcome.attempt) {
    webhookDeliveries.inc({ outcome: 'skipped' });
    return;
  }
  webhookDeliveries.inc({ outcome: OUTCOME_LABELS[outcome.status] });
  webhookDeliveryDuration.observe(outcome.attempt.latency_ms / 1000);
}
