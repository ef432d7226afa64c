import type Stripe from 'stripe';
import type { Database } from '../../db/database.ts';

/**
 * The organization's Stripe customer, created the first time something needs it (a meter event, the portal) and its
 * id stored. The creation carries an idempotency key made from the organization id, so two processes needing it at
 * once, or a retry after a crash between creating and storing, get the one customer Stripe created first.
 */
export async function ensureStripeCustomer(db: Database, stripe: Stripe, orgId: string): Promise<string> {
  const org = await db.system((trx) => trx('organizations').where({ id: orgId }).first<{ name: string; stripe_customer_id: string | null }>('name', 'stripe_customer_id'));
  if (!org) throw new Error(`Organization ${orgId} not found`);
  if (org.stripe_customer_id) return org.stripe_customer_id;
  const customer = await stripe.customers.create(
    { name: org.name, metadata: { echosphere_org_id: orgId } },
    { idempotencyKey: `echosphere-customer-${orgId}` },
  );
  return db.system(async (trx) => {
    await trx('organizations').where({ id: orgId }).whereNull('stripe_customer_id').update({ stripe_customer_id: customer.id });
    const stored = await trx('organizations').where({ id: orgId }).first<{ stripe_customer_id: string }>('stripe_customer_id');
    return stored!.stripe_customer_id;
  });
}
