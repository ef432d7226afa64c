import Stripe from 'stripe';
import type { Config } from '../../config.ts';

export type StripeSettings = NonNullable<Config['billing']['stripe']>;

/**
 * The Stripe SDK as configured: api.stripe.com, or STRIPE_API_URL (a proxy, or stripe-mock in tests). Retries are the
 * job queue's business, where they are durable, so the SDK makes one attempt per call.
 */
export function createStripeClient(settings: Pick<StripeSettings, 'secretKey' | 'apiUrl'>): Stripe {
  const url = settings.apiUrl ? new URL(settings.apiUrl) : undefined;
  return new Stripe(settings.secretKey, {
    maxNetworkRetries: 0,
    telemetry: false,
    timeout: 30_000,
    ...(url
      ? {
          host: url.hostname,
          port: Number(url.port || (url.protocol === 'https:' ? 443 : 80)),
          protocol: url.protocol === 'https:' ? 'https' : 'http',
        }
      : {}),
  });
}
