import type Stripe from 'stripe';
import { findMeterReport, markMeterReported, recordMeterReportFailure } from '../../core/billing/meter-reports.ts';
import { ensureStripeCustomer } from '../../core/billing/stripe/stripe-customer.ts';
import type { Database } from '../../core/db/database.ts';

export interface MeterEventJobDeps {
  db: Database;
  stripe: Stripe;
  /** The Stripe meter's event name (STRIPE_METER_EVENT_NAME). */
  eventName: string;
}

/**
 * Sends one session's meter event: the session's cost in micro-dollars for its organization's Stripe customer, at the
 * time it ended. The session id is the event's `identifier` (Stripe keeps one event per identifier) and the request's
 * idempotency key, so however often this runs — a retry after an error, a worker killed after Stripe accepted but
 * before the report was marked — Stripe bills the session once.
 */
export async function reportMeterEvent(deps: MeterEventJobDeps, sessionId: string): Promise<'reported' | 'already-reported' | 'nothing-owed'> {
  const report = await findMeterReport(deps.db, sessionId);
  if (!report) return 'nothing-owed';
  if (report.status === 'reported') return 'already-reported';
  try {
    const customer = await ensureStripeCustomer(deps.db, deps.stripe, report.org_id);
    await deps.stripe.billing.meterEvents.create(
      {
        event_name: deps.eventName,
        identifier: sessionId,
        timestamp: Math.floor(report.occurred_at.getTime() / 1000),
        payload: { stripe_customer_id: customer, value: report.value_micro_usd.toString() },
      },
      { idempotencyKey: `echosphere-meter-event-${sessionId}` },
    );
  } catch (error) {
    await recordMeterReportFailure(deps.db, sessionId, error instanceof Error ? error.message : String(error));
    throw error;
  }
  await markMeterReported(deps.db, sessionId);
  return 'reported';
}
