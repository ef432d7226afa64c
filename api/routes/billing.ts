import { Router } from 'express';
import type Stripe from 'stripe';
import { formatUsd } from '../../core/billing/money.ts';
import { createStripeClient } from '../../core/billing/stripe/stripe-client.ts';
import { ensureStripeCustomer } from '../../core/billing/stripe/stripe-customer.ts';
import { startOfUtcMonth, usageSince } from '../../core/billing/usage-summary.ts';
import { PlatformError } from '../../core/errors.ts';
import { effectiveSettings, getOrganization } from '../../core/repositories/organizations.ts';
import type { ApiDeps } from '../deps.ts';
import { authOf } from '../http/request-context.ts';

/**
 * `GET /v1/billing`: the organization's billing status, this month's spend and minutes against its limits, and,
 * when Stripe is configured, its Stripe customer (created on first need) and a Customer Portal link to pay, see
 * invoices and manage the subscription. Without Stripe it says billing is off; everything else still works.
 */
export function billingRoutes({ db, config }: ApiDeps): Router {
  const router = Router();
  const stripeSettings = config.billing.stripe;
  const stripe: Stripe | undefined = stripeSettings ? createStripeClient(stripeSettings) : undefined;

  router.get('/', async (req, res) => {
    const { orgId } = authOf(req);
    const now = new Date();
    const monthStart = startOfUtcMonth(now);
    const { org, month } = await db.tenant(orgId, async (trx) => ({ org: (await getOrganization(trx, orgId))!, month: await usageSince(trx, orgId, monthStart) }));
    const settings = effectiveSettings(org, { maxConcurrentSessions: config.defaultMaxConcurrentSessions });
    let customerId: string | null = null;
    let portalUrl: string | null = null;
    if (stripe) {
      try {
        customerId = await ensureStripeCustomer(db, stripe, orgId);
        const returnUrl = stripeSettings!.portalReturnUrl ?? `${config.publicUrl ?? `${req.protocol}://${req.get('host')}`}/#/usage`;
        portalUrl = (await stripe.billingPortal.sessions.create({ customer: customerId, return_url: returnUrl })).url;
      } catch (error) {
        throw new PlatformError('internal', 'stripe_unavailable', `Stripe could not be reached: ${(error as Error).message}`, undefined, 502);
      }
    }
    res.json({
      object: 'billing',
      stripe_enabled: Boolean(stripe),
      status: org.billing_status,
      stripe_customer_id: customerId,
      portal_url: portalUrl,
      month: {
        from: monthStart.toISOString(),
        cost_usd: formatUsd(month.costMicros),
        duration_ms: Number(month.durationMs),
        spend_limit_usd: settings.monthly_spend_limit_usd,
        minutes_limit: settings.monthly_minutes_limit,
      },
    });
  });

  return router;
}
