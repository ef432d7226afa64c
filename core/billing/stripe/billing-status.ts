import type Stripe from 'stripe';
import type { Database } from '../../db/database.ts';

export type BillingStatus = 'active' | 'past_due' | 'canceled';

/**
 * What a Stripe event says about a customer's standing, for the events that say anything: a failed invoice payment
 * makes it past due, a paid invoice active again, and a subscription's own status is taken as it is (unpaid counts
 * as past due; ended or never completed, as canceled).
 */
export function billingStatusFromEvent(event: Stripe.Event): { customerId: string; status: BillingStatus } | undefined {
  const customerOf = (object: { customer?: string | { id: string } | null }) =>
    typeof object.customer === 'string' ? object.customer : (object.customer?.id ?? undefined);
  switch (event.type) {
    case 'invoice.payment_failed':
    case 'invoice.paid':
    case 'invoice.payment_succeeded': {
      const customerId = customerOf(event.data.object);
      if (!customerId) return undefined;
      return { customerId, status: event.type === 'invoice.payment_failed' ? 'past_due' : 'active' };
    }
    case 'customer.subscription.created':
    case 'customer.subscription.updated':
    case 'customer.subscription.deleted': {
      const subscription = event.data.object;
      const customerId = customerOf(subscription);
      if (!customerId) return undefined;
      if (event.type === 'customer.subscription.deleted') return { customerId, status: 'canceled' };
      return { customerId, status: fromSubscriptionStatus(subscription.status) };
    }
    default:
      return undefined;
  }
}

function fromSubscriptionStatus(status: Stripe.Subscription.Status): BillingStatus {
  switch (status) {
    case 'past_due':
    case 'unpaid':
      return 'past_due';
    case 'canceled':
    case 'incomplete_expired':
      return 'canceled';
    default:
      return 'active';
  }
}

/**
 * Sets the status of the organization whose Stripe customer this is, unless a newer event already set it: Stripe
 * does not promise to deliver events in order. Cross-tenant by nature (Stripe names a customer, not an organization),
 * so it runs as the system role. Returns the organization changed, if any.
 */
export async function applyBillingStatus(db: Database, customerId: string, status: BillingStatus, eventCreatedAt: Date): Promise<string | undefined> {
  return db.system(async (trx) => {
    const [row] = await trx('organizations')
      .where({ stripe_customer_id: customerId })
      .where((query) => query.whereNull('billing_status_at').orWhere('billing_status_at', '<=', eventCreatedAt))
      .update({ billing_status: status, billing_status_at: eventCreatedAt, updated_at: trx.fn.now() })
      .returning('id');
    return row?.id as string | undefined;
  });
}
