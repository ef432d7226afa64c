import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { generateWebhookSecret, webhookHeaders } from './webhook-signer.ts';

const body = JSON.stringify({ id: 'evt_01', type: 'session.ended', data: { text: 'héllo' } });

test('signatures verify with the reference Standard Webhooks library', () => {
  const secret = generateWebhookSecret();
  assert.match(secret, /^whsec_[A-Za-z0-9+/]{43}=$/, 'whsec_ and the base64 of 32 bytes');
  const headers = webhookHeaders({ id: 'evt_01', timestampS: Math.floor(Date.now() / 1000), body }, [secret]);
  assert.match(headers['webhook-signature']!, /^v1,[A-Za-z0-9+/]+=*$/);
  assert.deepEqual(new Webhook(secret).verify(body, headers), JSON.parse(body));
});

test('a tampered body, another secret or a stale timestamp fail verification', () => {
  const secret = generateWebhookSecret();
  const now = Math.floor(Date.now() / 1000);
  const headers = webhookHeaders({ id: 'evt_01', timestampS: now, body }, [secret]);
  assert.throws(() => new Webhook(secret).verify(body.replace('héllo', 'hello'), headers), WebhookVerificationError);
  assert.throws(() => new Webhook(generateWebhookSecret()).verify(body, headers), WebhookVerificationError);
  const stale = webhookHeaders({ id: 'evt_01', timestampS: now - 3600, body }, [secret]);
  assert.throws(() => new Webhook(secret).verify(body, stale), WebhookVerificationError);
});

test('during a rotation overlap both the new and the old secret verify', () => {
  const current = generateWebhookSecret();
  const previous = generateWebhookSecret();
  const headers = webhookHeaders({ id: 'evt_02', timestampS: Math.floor(Date.now() / 1000), body }, [current, previous]);
  assert.equal(headers['webhook-signature']!.split(' ').length, 2);
  assert.ok(new Webhook(current).verify(body, headers));
  assert.ok(new Webhook(previous).verify(body, headers));
});
