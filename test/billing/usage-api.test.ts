import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { NO_LATENCY } from '../../core/domain/session.ts';
import { claimSessionForStream, finishSession } from '../../core/repositories/sessions.ts';
import { quietAssistant, startTestApi, type TestApi } from '../support/api.ts';
import { assertMatchesContract, assertMatchesSchema } from '../support/contract.ts';

const micros = (usd: string) => BigInt(usd.replace('.', ''));
const usd = (value: bigint) => `${value / 1_000_000n}.${(value % 1_000_000n).toString().padStart(6, '0')}`;
const DAY_MS = 86_400_000;

const cloudAssistant = {
  name: 'Cloud',
  system_prompt: 'You help.',
  model: { provider: 'openai', model: 'gpt-4o-mini' },
  voice: { provider: 'elevenlabs', voice_id: 'v1' },
  transcriber: { provider: 'deepgram' },
};

interface EndedSession {
  id: string;
  assistantId: string;
  day: string;
  cost: { total_usd: string; breakdown: Array<{ provider: string; cost_usd: string }> };
}

describe('GET /v1/usage', () => {
  let api: TestApi;
  let org: { orgId: string; secretKey: string };
  let other: { orgId: string; secretKey: string };
  const ended: EndedSession[] = [];
  const call = (key: string, path: string, init: RequestInit = {}) =>
    fetch(`${api.baseUrl}${path}`, { ...init, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...init.headers } });

  /** A session created through the api, connected and ended through the runtime's own persistence, then moved `daysAgo` back. */
  async function endSession(who: { orgId: string; secretKey: string }, assistantId: string, usage: Record<string, number>, daysAgo: number) {
    const created = await (await call(who.secretKey, '/v1/sessions', { method: 'POST', body: JSON.stringify({ assistant_id: assistantId }) })).json();
    assert.ok(created.id, JSON.stringify(created));
    const ref = { orgId: who.orgId, sessionId: created.id as string, assistantId };
    assert.ok(await claimSessionForStream(api.db, who.orgId, ref.sessionId));
    await finishSession(api.db, ref, {
      status: 'ended',
      endedReason: 'customer-ended',
      usage: { audio_in_ms: 0, audio_out_ms: 0, stt_audio_ms: 0, llm_prompt_tokens: 0, llm_completion_tokens: 0, tts_characters: 0, ...usage },
      latency: NO_LATENCY,
    });
    // The session ended `daysAgo` days before now: its records and its end move back together.
    await api.db.system(async (trx) => {
      const shift = trx.raw(`? * interval '1 day'`, [daysAgo]);
      await trx('usage_records').where({ session_id: ref.sessionId }).update({ created_at: trx.raw('created_at - ?', [shift]) });
      await trx('sessions').where({ id: ref.sessionId }).update({ ended_at: trx.raw('ended_at - ?', [shift]), started_at: trx.raw('started_at - ?', [shift]) });
    });
    const session = await (await call(who.secretKey, `/v1/sessions/${ref.sessionId}`)).json();
    assertMatchesSchema('Session', session);
    return { id: ref.sessionId, assistantId, day: session.ended_at.slice(0, 10), cost: session.cost } satisfies EndedSession;
  }

  before(async () => {
    api = await startTestApi();
    org = await api.createOrganization('Usage');
    other = await api.createOrganization('Other');
    const assistants: string[] = [];
    for (const body of [cloudAssistant, quietAssistant, { ...cloudAssistant, name: 'Cloud 2', model: { provider: 'openai', model: 'gpt-4o' } }]) {
      const assistant = await (await call(org.secretKey, '/v1/assistants', { method: 'POST', body: JSON.stringify(body) })).json();
      assert.ok(assistant.id, JSON.stringify(assistant));
      assistants.push(assistant.id);
    }
    for (let i = 0; i < 9; i++) {
      const usage = { stt_audio_ms: 12_345 * (i + 1), llm_prompt_tokens: 1_001 * (i + 3), llm_completion_tokens: 77 * (i + 1), tts_characters: 333 * (i + 2) };
      ended.push(await endSession(org, assistants[i % 3]!, usage, i % 4));
    }
    const otherAssistant = (await (await call(other.secretKey, '/v1/assistants', { method: 'POST', body: JSON.stringify(cloudAssistant) })).json()).id;
    await endSession(other, otherAssistant, { llm_prompt_tokens: 5_000_000 }, 0);
  });
  after(async () => {
    await api.close();
  });

  const range = () => {
    const to = new Date(Date.now() + 60_000);
    return `from=${new Date(to.getTime() - 6 * DAY_MS).toISOString()}&to=${to.toISOString()}`;
  };
  const total = ended.reduce.bind(ended);

  it('totals equal the sum of the sessions’ costs for every grouping, and each group its own sessions', async () => {
    const expectedTotal = total((sum, session) => sum + micros(session.cost.total_usd), 0n);
    assert.ok(expectedTotal > 0n);
    const expectedGroups: Record<string, Map<string, { cost: bigint; sessions: Set<string> }>> = { day: new Map(), assistant: new Map(), provider: new Map() };
    const add = (grouping: string, key: string, cost: bigint, sessionId: string) => {
      const group = expectedGroups[grouping]!.get(key) ?? { cost: 0n, sessions: new Set<string>() };
      group.cost += cost;
      group.sessions.add(sessionId);
      expectedGroups[grouping]!.set(key, group);
    };
    for (const session of ended) {
      add('day', session.day, micros(session.cost.total_usd), session.id);
      add('assistant', session.assistantId, micros(session.cost.total_usd), session.id);
      for (const line of session.cost.breakdown) add('provider', line.provider, micros(line.cost_usd), session.id);
    }
    assert.equal(expectedGroups.day!.size, 4, 'the sessions span four days');

    for (const grouping of ['day', 'assistant', 'provider']) {
      const response = await call(org.secretKey, `/v1/usage?group_by=${grouping}&${range()}`);
      assert.equal(response.status, 200);
      const usage = await response.json();
      assertMatchesContract('GET', response.url, response.status, usage);
      assert.equal(usage.object, 'usage');
      assert.equal(usage.group_by, grouping);
      assert.equal(usage.total.cost_usd, usd(expectedTotal), `${grouping}: total`);
      assert.equal(usage.total.sessions, ended.length);
      const groupSum = usage.data.reduce((sum: bigint, group: { cost_usd: string }) => sum + micros(group.cost_usd), 0n);
      assert.equal(usd(groupSum), usd(expectedTotal), `${grouping}: the groups add up to the total`);
      assert.deepEqual(
        usage.data.map((group: { key: string; cost_usd: string; sessions: number }) => [group.key, group.cost_usd, group.sessions]),
        [...expectedGroups[grouping]!.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([key, group]) => [key, usd(group.cost), group.sessions.size]),
        `${grouping}: each group`,
      );
    }
  });

  it('sums the quantities the sessions used', async () => {
    const usage = await (await call(org.secretKey, `/v1/usage?${range()}`)).json();
    assert.equal(usage.total.llm_input_tokens, total((sum, _session, i) => sum + 1_001 * (i + 3), 0));
    assert.equal(usage.total.tts_characters, total((sum, _session, i) => sum + 333 * (i + 2), 0));
    // The quiet assistant has no transcriber: its sessions' audio is not transcribed, so not counted.
    assert.equal(usage.total.stt_audio_ms, total((sum, _session, i) => sum + (i % 3 === 1 ? 0 : 12_345 * (i + 1)), 0));
  });

  it('counts only the range asked for and only the caller’s organization', async () => {
    const to = new Date(Date.now() + 60_000);
    const recent = await (await call(org.secretKey, `/v1/usage?from=${new Date(to.getTime() - 1.5 * DAY_MS).toISOString()}&to=${to.toISOString()}`)).json();
    const today = new Date().toISOString().slice(0, 10);
    const yesterday = new Date(Date.now() - DAY_MS).toISOString().slice(0, 10);
    const expected = ended.filter((session) => session.day === today || session.day === yesterday);
    assert.equal(recent.total.sessions, expected.length);
    const otherUsage = await (await call(other.secretKey, `/v1/usage?${range()}`)).json();
    assert.equal(otherUsage.total.sessions, 1);
    assert.equal(otherUsage.total.llm_input_tokens, 5_000_000);
  });

  it('refuses a reversed or unbounded range and an unknown grouping with 400', async () => {
    for (const query of ['from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z', 'from=2020-01-01T00:00:00Z&to=2026-01-01T00:00:00Z', 'group_by=week', 'from=yesterday']) {
      const response = await call(org.secretKey, `/v1/usage?${query}`);
      assert.equal(response.status, 400, query);
      const body = await response.json();
      assert.equal(body.error.type, 'invalid_request');
    }
  });
});
