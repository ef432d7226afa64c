import express, { Router } from 'express';
import Stripe from 'stripe';
import { applyBillingStatus, billingStatusFromEvent } from '../../core/billing/stripe/billing-status.ts';
import { PlatformError } from '../../core/errors.ts';
import type { ApiDeps } from '../deps.ts';

/**
 * `POST /v1/stripe/webhook`: Stripe's events about invoices and subscriptions keep each organization's billing
 * status. Authenticated by Stripe's signature over the exact bytes received (STRIPE_WEBHOOK_SECRET), not by an API
 * key, so it is mounted before the /v1 authentication and reads the raw body. A bad signature is a 400 and changes
 * nothing.
 */
export function stripeWebhookRoutes({ db, config, logger }: ApiDeps): Router {
  const router = Router();
  const webhookSecret = config.billing.stripe?.webhookSecret;

  router.post('/v1/stripe/webhook', express.raw({ type: () => true, limit: config.bodyLimitBytes }), async (req, res) => {
    if (!webhookSecret) {
      throw new PlatformError('internal', 'billing_not_configured', 'Stripe webhooks are not configured on this server (STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET).', undefined, 503);
    }
    const signature = req.headers['stripe-signature'];
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    let event: Stripe.Event;
    try {
      if (typeof signature !== 'string') throw new Error('no Stripe-Signature header');
      event = Stripe.webhooks.constructEvent(body, signature, webhookSecret);
    } catch (error) {
      throw new PlatformError('invalid_request', 'invalid_signature', `The Stripe signature does not verify: ${(error as Error).message}`);
    }
    const change = billingStatusFromEvent(event);
    if (change) {
      const orgId = await applyBillingStatus(db, change.customerId, change.status, new Date(event.created * 1000));
      logger.info('stripe event', { stripe_event_id: event.id, type: event.type, org_id: orgId, billing_status: orgId ? change.status : undefined });
    }
    res.json({ received: true });
  });

  return router;
}
