import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { dispose } from '@livekit/rtc-node';
import WebSocket from 'ws';
import { SessionClient } from '../../sdk/session-client.ts';
import { quietAssistant, startTestApi, type TestApi } from '../support/api.ts';
import { apiClient } from '../support/client.ts';

type Call = ReturnType<typeof apiClient>;

describe('monthly spend and minutes limits', () => {
  let api: TestApi;
  before(async () => {
    api = await startTestApi({ withStreamGateway: true });
  });
  after(async () => {
    await api.close();
    await dispose();
  });

  async function organizationWithAssistant(): Promise<{ call: Call; assistantId: string }> {
    const call = apiClient(api.baseUrl, (await api.createOrganization()).secretKey);
    return { call, assistantId: (await call('POST', '/v1/assistants', quietAssistant)).body.id };
  }

  async function connectedSession(call: Call, assistantId: string) {
    const created = await call('POST', '/v1/sessions', { assistant_id: assistantId });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const client = new SessionClient({ baseUrl: api.baseUrl.replace('http', 'ws'), sessionId: created.body.id, token: created.body.websocket.token, WebSocketImpl: WebSocket as never });
    await client.waitFor('session.started', { timeoutMs: 30_000 });
    return { id: created.body.id as string, client };
  }

  /** The live session still answers: typed words get the assistant's reply. */
  async function stillAnswers(client: SessionClient, text: string) {
    client.sendText(text);
    const reply = await client.waitFor('transcript', { predicate: (event) => event.role === 'assistant' && event.final && event.text === 'Okay.' });
    assert.equal(reply.text, 'Okay.');
  }

  it('reaching the spend limit refuses new sessions with 402 monthly_spend_limit_reached while a live one goes on', async () => {
    const { call, assistantId } = await organizationWithAssistant();
    const patched = await call('PATCH', '/v1/organization', { settings: { monthly_spend_limit_usd: '0.0005' } });
    assert.equal(patched.body.settings.monthly_spend_limit_usd, '0.000500');
    const live = await connectedSession(call, assistantId);
    const spender = await connectedSession(call, assistantId);
    // The platform fee alone ($0.05 a minute) passes $0.0005 after 0.6 s.
    await new Promise((resolve) => setTimeout(resolve, 800));
    const ended = await call('POST', `/v1/sessions/${spender.id}/end`);
    assert.ok(BigInt(ended.body.cost.total_usd.replace('.', '')) >= 500n, ended.body.cost.total_usd);

    const refused = await call('POST', '/v1/sessions', { assistant_id: assistantId });
    assert.equal(refused.status, 402);
    assert.equal(refused.body.error.type, 'payment_required');
    assert.equal(refused.body.error.code, 'monthly_spend_limit_reached');
    assert.match(refused.body.error.message, /monthly_spend_limit_usd is 0\.000500/);

    await stillAnswers(live.client, 'Are you still there?');
    const liveEnd = await call('POST', `/v1/sessions/${live.id}/end`);
    assert.equal(liveEnd.body.ended_reason, 'customer-ended', 'the live session ran until its caller ended it');

    // Raising the limit lets sessions start again; removing it too.
    await call('PATCH', '/v1/organization', { settings: { monthly_spend_limit_usd: '100' } });
    assert.equal((await call('POST', '/v1/sessions', { assistant_id: assistantId })).status, 201);
    await call('PATCH', '/v1/organization', { settings: { monthly_spend_limit_usd: null } });
    assert.equal((await call('GET', '/v1/organization')).body.settings.monthly_spend_limit_usd, null);
  });

  it('reaching the minutes limit refuses new sessions with 402 monthly_minutes_limit_reached while a live one goes on', async () => {
    const { call, assistantId } = await organizationWithAssistant();
    await call('PATCH', '/v1/organization', { settings: { monthly_minutes_limit: 1 } });
    const live = await connectedSession(call, assistantId);
    const long = await connectedSession(call, assistantId);
    // That session began 61 seconds ago, as far as its record goes: a minute and a second of session time.
    await api.db.system((trx) => trx('sessions').where({ id: long.id }).update({ started_at: trx.raw(`started_at - interval '61 seconds'`) }));
    const ended = await call('POST', `/v1/sessions/${long.id}/end`);
    assert.ok(ended.body.duration_ms >= 61_000);

    const refused = await call('POST', '/v1/sessions', { assistant_id: assistantId });
    assert.equal(refused.status, 402);
    assert.equal(refused.body.error.code, 'monthly_minutes_limit_reached');
    assert.match(refused.body.error.message, /monthly_minutes_limit is 1 /);

    await stillAnswers(live.client, 'Hello again?');
    assert.equal((await call('POST', `/v1/sessions/${live.id}/end`)).body.ended_reason, 'customer-ended');
  });

  it('refuses limits that are not amounts', async () => {
    const { call } = await organizationWithAssistant();
    for (const settings of [{ monthly_spend_limit_usd: 12.5 }, { monthly_spend_limit_usd: '12.1234567' }, { monthly_spend_limit_usd: '-1' }, { monthly_minutes_limit: 0 }, { monthly_minutes_limit: 1.5 }]) {
      const response = await call('PATCH', '/v1/organization', { settings });
      assert.equal(response.status, 400, JSON.stringify(settings));
    }
  });
});
