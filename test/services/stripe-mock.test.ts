// stripe-mock is Stripe's own API mock: the real `stripe` SDK talks to it as to api.stripe.com.
import assert from 'node:assert/strict';
import test from 'node:test';
import Stripe from 'stripe';
import { stripeMock } from '../support/services.ts';

const { service, skip } = stripeMock();

test('the stripe SDK creates and reads back a customer on stripe-mock', { skip }, async () => {
  const { url } = service!;
  const stripe = new Stripe('sk_test_echosphere', {
    host: url.hostname,
    port: Number(url.port),
    protocol: 'http',
    maxNetworkRetries: 0,
    telemetry: false,
  });
  const customer = await stripe.customers.create({ email: 'billing@example.com', metadata: { org_id: 'org_test' } });
  assert.match(customer.id, /^cus_/);
  assert.equal(customer.object, 'customer');
  // stripe-mock validates requests against Stripe's OpenAPI spec: an unknown parameter is refused as Stripe would.
  await assert.rejects(
    stripe.customers.create({ not_a_stripe_parameter: true } as Stripe.CustomerCreateParams),
    (error: unknown) => error instanceof Stripe.errors.StripeInvalidRequestError,
  );
  const fetched = await stripe.customers.retrieve(customer.id);
  assert.equal(fetched.object, 'customer');
});
