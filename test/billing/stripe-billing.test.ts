// Against stripe-mock (Stripe's own API mock) through the real `stripe` SDK, with a recording pass-through in front.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Stripe from 'stripe';
import { createStripeClient } from '../../core/billing/stripe/stripe-client.ts';
import { DatabaseQueue } from '../../core/queue/database-queue.ts';
import { startMeterReporting } from '../../workers/billing/meter-reporting.ts';
import { startStripeRecordingProxy, type StripeRecordingProxy } from '../fakes/stripe-recording-proxy.ts';
import { quietAssistant, startTestApi, type TestApi } from '../support/api.ts';
import { apiClient } from '../support/client.ts';
import { openTestDatabase } from '../support/database.ts';
import { stripeMock } from '../support/services.ts';
import { endChargedSession, insertOrganization, waitUntil } from './support.ts';

const { service, skip } = stripeMock();
const WEBHOOK_SECRET = 'whsec_echosphere_test_secret';
const METER_EVENTS = '/v1/billing/meter_events';

describe('Stripe billing', { skip }, () => {
  let proxy: StripeRecordingProxy;
  before(async () => {
    proxy = await startStripeRecordingProxy(service!.url);
  });
  after(() => proxy.close());

  it('reports each charged session as a meter event identified by its session id, the same identifier on a retry', async () => {
    const db = await openTestDatabase();
    const queue = new DatabaseQueue(db.knex, { pollIntervalMs: 50 });
    try {
      const orgId = await insertOrganization(db);
      const first = await endChargedSession(db, orgId);
      const second = await endChargedSession(db, orgId, 95);
      proxy.requests.length = 0;
      // Stripe fails the first meter event: its job fails and is retried.
      proxy.failNext(METER_EVENTS, 1);
      const stop = await startMeterReporting({
        db,
        queue,
        stripe: createStripeClient({ secretKey: 'sk_test_echosphere', apiUrl: proxy.url }),
        eventName: 'echosphere_usage',
        intervalMs: 100,
        onError: () => undefined,
      });
      try {
        const reported = async () => (await db.system((trx) => trx('meter_reports').where({ status: 'reported' }))).length === 2;
        await waitUntil(reported, 'both sessions are reported');
      } finally {
        await stop();
      }

      const org = await db.system((trx) => trx('organizations').where({ id: orgId }).first());
      assert.match(org.stripe_customer_id, /^cus_/, 'the customer Stripe created is stored');
      const customerCreations = proxy.requests.filter((request) => request.method === 'POST' && request.path === '/v1/customers');
      assert.ok(customerCreations.length >= 1);
      for (const creation of customerCreations) {
        assert.equal(creation.idempotencyKey, `echosphere-customer-${orgId}`, 'a customer creation is idempotent per organization');
        assert.equal(creation.form['metadata[echosphere_org_id]'], orgId);
      }
      const meterEvents = proxy.requests.filter((request) => request.path === METER_EVENTS);
      assert.equal(meterEvents.filter((request) => request.outcome === 'failed').length, 1);
      for (const { sessionId, totalMicros } of [first, second]) {
        const sent = meterEvents.filter((request) => request.form.identifier === sessionId);
        assert.ok(sent.length >= 1, `a meter event for ${sessionId}`);
        for (const request of sent) {
          assert.equal(request.form.event_name, 'echosphere_usage');
          assert.equal(request.form['payload[stripe_customer_id]'], org.stripe_customer_id);
          assert.equal(request.form['payload[value]'], totalMicros.toString(), 'the value is the session cost in micro-dollars');
          assert.equal(request.idempotencyKey, `echosphere-meter-event-${sessionId}`);
        }
        assert.equal(sent.filter((request) => request.outcome === 'forwarded').length, 1, 'accepted once');
      }
      const failed = meterEvents.find((request) => request.outcome === 'failed')!;
      const retried = meterEvents.filter((request) => request.form.identifier === failed.form.identifier);
      assert.equal(retried.length, 2, 'the failed event was sent again');
      assert.equal(retried[1]!.form.identifier, retried[0]!.form.identifier, 'with the same identifier');
      assert.equal(retried[1]!.idempotencyKey, retried[0]!.idempotencyKey, 'and the same idempotency key');
      const jobs = await db.system((trx) => trx('jobs').where({ queue: 'billing.meter-event' }).orderBy('id'));
      assert.deepEqual(jobs.map((job) => job.state), ['completed', 'completed']);
      assert.deepEqual(jobs.map((job) => job.attempts).sort(), [1, 2]);
    } finally {
      await queue.stop();
      await db.close();
    }
  });

  describe('the webhook route and GET /v1/billing', () => {
    let api: TestApi;
    let call: ReturnType<typeof apiClient>;
    let orgId: string;
    let assistantId: string;
    before(async () => {
      api = await startTestApi({ env: { STRIPE_SECRET_KEY: 'sk_test_echosphere', STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET, STRIPE_API_URL: proxy.url } });
      const org = await api.createOrganization('Billed');
      orgId = org.orgId;
      call = apiClient(api.baseUrl, org.secretKey);
      assistantId = (await call('POST', '/v1/assistants', quietAssistant)).body.id;
    });
    after(() => api.close());

    const deliver = (event: Record<string, unknown>, secret = WEBHOOK_SECRET, signature?: string) => {
      const payload = JSON.stringify(event);
      return fetch(`${api.baseUrl}/v1/stripe/webhook`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'stripe-signature': signature ?? Stripe.webhooks.generateTestHeaderString({ payload, secret }) },
        body: payload,
      });
    };
    const invoiceEvent = (type: string, customer: string, created: number) => ({
      id: `evt_${type.replace(/\W/g, '_')}_${created}`,
      object: 'event',
      api_version: '2025-04-30.basil',
      created,
      livemode: false,
      pending_webhooks: 1,
      request: { id: null, idempotency_key: null },
      type,
      data: { object: { id: 'in_test', object: 'invoice', customer, status: 'open' } },
    });

    it('GET /v1/billing creates the Stripe customer once and links the Customer Portal', async () => {
      const billing = await call('GET', '/v1/billing');
      assert.equal(billing.status, 200);
      assert.equal(billing.body.stripe_enabled, true);
      assert.equal(billing.body.status, 'active');
      assert.match(billing.body.stripe_customer_id, /^cus_/);
      assert.match(billing.body.portal_url, /^https:\/\//);
      const again = await call('GET', '/v1/billing');
      assert.equal(again.body.stripe_customer_id, billing.body.stripe_customer_id);
      const creations = proxy.requests.filter((request) => request.path === '/v1/customers' && request.form['metadata[echosphere_org_id]'] === orgId);
      assert.equal(creations.length, 1, 'created on first need, then stored');
    });

    it('a signed invoice.payment_failed makes the organization past_due (402 on new sessions); a forged one changes nothing', async () => {
      const customer = (await call('GET', '/v1/billing')).body.stripe_customer_id as string;
      const now = Math.floor(Date.now() / 1000);

      const forged = await deliver(invoiceEvent('invoice.payment_failed', customer, now), 'whsec_not_the_secret');
      assert.equal(forged.status, 400);
      assert.equal((await forged.json()).error.code, 'invalid_signature');
      const unsigned = await deliver(invoiceEvent('invoice.payment_failed', customer, now), WEBHOOK_SECRET, 'garbage');
      assert.equal(unsigned.status, 400);
      assert.equal((await call('GET', '/v1/billing')).body.status, 'active', 'a refused event changes nothing');
      assert.equal((await call('POST', '/v1/sessions', { assistant_id: assistantId })).status, 201);

      const failed = await deliver(invoiceEvent('invoice.payment_failed', customer, now));
      assert.equal(failed.status, 200);
      assert.deepEqual(await failed.json(), { received: true });
      assert.equal((await call('GET', '/v1/billing')).body.status, 'past_due');
      const refused = await call('POST', '/v1/sessions', { assistant_id: assistantId });
      assert.equal(refused.status, 402);
      assert.equal(refused.body.error.type, 'payment_required');
      assert.equal(refused.body.error.code, 'billing_past_due');

      // An older event delivered late does not undo it; a newer payment does.
      assert.equal((await deliver(invoiceEvent('invoice.paid', customer, now - 60))).status, 200);
      assert.equal((await call('GET', '/v1/billing')).body.status, 'past_due');
      assert.equal((await deliver(invoiceEvent('invoice.paid', customer, now + 1))).status, 200);
      assert.equal((await call('GET', '/v1/billing')).body.status, 'active');
      assert.equal((await call('POST', '/v1/sessions', { assistant_id: assistantId })).status, 201);

      // A deleted subscription cancels.
      const deleted = invoiceEvent('customer.subscription.deleted', customer, now + 2);
      deleted.data.object = { id: 'sub_test', object: 'subscription', customer, status: 'canceled' };
      assert.equal((await deliver(deleted)).status, 200);
      assert.equal((await call('POST', '/v1/sessions', { assistant_id: assistantId })).body.error.code, 'billing_canceled');
    });
  });

  it('without Stripe configured billing says it is off, and the webhook route answers 503', async () => {
    const api = await startTestApi();
    try {
      const call = apiClient(api.baseUrl, (await api.createOrganization()).secretKey);
      const billing = await call('GET', '/v1/billing');
      assert.equal(billing.body.stripe_enabled, false);
      assert.equal(billing.body.portal_url, null);
      assert.equal(billing.body.status, 'active');
      const webhook = await fetch(`${api.baseUrl}/v1/stripe/webhook`, { method: 'POST', body: '{}', headers: { 'stripe-signature': 't=1,v1=x' } });
      assert.equal(webhook.status, 503);
    } finally {
      await api.close();
    }
  });
});
