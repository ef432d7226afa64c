import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { runRetentionPass } from '../../workers/retention/retention-job.ts';
import { useTestApi } from '../support/api.ts';
import { forTheseTests } from '../support/for-these-tests.ts';
import { waitFor } from '../support/wait-for.ts';
import { testDeliverer } from './fixtures.ts';
import { startReceiver } from './receiver.ts';

const { api, call } = useTestApi();
const receiver = forTheseTests(
  () => startReceiver(() => ({ status: 200, body: 'ok' })),
  (started) => started.close(),
);

test('sessions that never connected reach session.ended subscribers, once each, signed', async () => {
  const deliverer = testDeliverer(api.db, api.deps.secretBox);
  await deliverer.start();
  try {
    const endpoint = (await call('POST', '/v1/webhook-endpoints', { url: receiver.url('/ended'), event_types: ['session.ended'] })).body;
    const assistantId = (await call('POST', '/v1/assistants', { name: 'Front desk', system_prompt: '' })).body.id;
    const endedByApi = (await call('POST', '/v1/sessions', { assistant_id: assistantId })).body.id;
    const expired = (await call('POST', '/v1/sessions', { assistant_id: assistantId })).body.id;
    await call('POST', `/v1/sessions/${endedByApi}/end`);
    await api.db.system((trx) => trx('sessions').where({ id: expired }).update({ stream_token_expires_at: new Date(Date.now() - 1000) }));
    await runRetentionPass({ db: api.db, storage: api.media.storage, queue: api.media.queue });

    const received = await waitFor(() => (receiver.on('/ended').length >= 2 ? receiver.on('/ended') : undefined), 'two session.ended deliveries');
    const bodies = received.map((request) => {
      assert.ok(new Webhook(endpoint.secret).verify(request.body, request.headers as Record<string, string>));
      return JSON.parse(request.body) as { type: string; session_id: string; data: { ended_reason: string } };
    });
    assert.deepEqual(
      bodies.map((body) => [body.type, body.session_id, body.data.ended_reason]).sort(),
      [
        ['session.ended', endedByApi, 'customer-ended'],
        ['session.ended', expired, 'never-connected'],
      ].sort(),
    );
  } finally {
    await deliverer.stop();
  }
});
