import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { DEFAULT_PRICES } from '../../core/billing/default-prices.ts';
import { startDeepgramFake } from '../fakes/deepgram-fake.ts';
import { startElevenLabsFake } from '../fakes/elevenlabs-fake.ts';
import { startOpenAiFake } from '../fakes/openai-fake.ts';
import { loadSpeech, openMicrophone } from '../support/microphone.ts';
import { sessionEvents, useStreamHarness, waitForSessionEnd } from '../support/stream-harness.ts';
import { forTheseTests } from '../support/for-these-tests.ts';

/** Micro-dollars for `quantity` at a decimal USD price per `size` units, rounded half up: worked out independently here. */
function expectedMicros(quantity: number, priceUsd: string, size: number): bigint {
  const [whole, fraction = ''] = priceUsd.split('.');
  const priceMicros = BigInt(whole!) * 1_000_000n + BigInt(fraction.padEnd(6, '0'));
  const numerator = BigInt(quantity) * priceMicros;
  const divisor = BigInt(size);
  const rounded = numerator / divisor + (2n * (numerator % divisor) >= divisor ? 1n : 0n);
  return rounded;
}
const usd = (micros: bigint) => `${micros / 1_000_000n}.${(micros % 1_000_000n).toString().padStart(6, '0')}`;

describe('a session through the provider fakes is charged from the price table and its usage', () => {
  // The server-wide table prices this model on its own; the organization overrides the voice's price.
  const prices = {
    ...DEFAULT_PRICES,
    llm: { ...DEFAULT_PRICES.llm, openai: { ...DEFAULT_PRICES.llm.openai, 'gpt-4o-mini': { input_per_1m_tokens_usd: '0.333333', output_per_1m_tokens_usd: '1.7' } } },
  };

  const harness = useStreamHarness({
    providerCredentials: { openai: { apiKey: 'sk-test' }, deepgram: { apiKey: 'dg-test' }, elevenlabs: { apiKey: 'el-test' } },
    billing: { prices, reportMeterEvents: true },
  });
  const deepgram = forTheseTests(() => startDeepgramFake(), (fake) => fake.close());
  const elevenlabs = forTheseTests(() => startElevenLabsFake(), (fake) => fake.close());
  const openai = forTheseTests(() => startOpenAiFake(() => ({ text: 'On Saturday we are open from ten to four.' })), (fake) => fake.close());

  before(async () => {
    await harness.db.system((trx) =>
      trx('organizations')
        .where({ id: harness.orgId })
        .update({ price_overrides: JSON.stringify({ tts: { elevenlabs: { eleven_turbo_v2_5: { per_1k_characters_usd: '0.123457' } } } }) }),
    );
  });

  it('stores a cost whose every line is its usage times its price, the usage records and the ended event agreeing', async () => {
    const { session, client } = await harness.startSession({
      name: 'Shop',
      system_prompt: 'You answer questions about the shop.',
      first_message: null,
      model: { provider: 'openai', model: 'gpt-4o-mini', base_url: openai.baseUrl },
      voice: { provider: 'elevenlabs', voice_id: 'fake-voice', model: 'eleven_turbo_v2_5', base_url: elevenlabs.baseUrl },
      transcriber: { provider: 'deepgram', model: 'nova-3', base_url: deepgram.baseUrl },
    });
    const microphone = openMicrophone(client);
    try {
      deepgram.nextUtterance('What are your opening hours?');
      await microphone.say(loadSpeech('what-are-your-opening-hours'));
      await client.waitFor('assistant.audio.done', { includePast: true });
    } finally {
      microphone.stop();
    }
    client.end();
    const row = await waitForSessionEnd(harness.db, session.id);
    const usage = row.usage;
    const durationMs = row.ended_at.getTime() - row.started_at.getTime();
    assert.ok(usage.stt_audio_ms > 0 && usage.llm_prompt_tokens > 0 && usage.llm_completion_tokens > 0 && usage.tts_characters > 0, JSON.stringify(usage));

    const expected = [
      { provider: 'echosphere', model: null, item: 'session', quantity: durationMs, unit: 'ms', price: '0.05', price_unit: 'minute', size: 60_000 },
      { provider: 'deepgram', model: 'nova-3', item: 'stt', quantity: usage.stt_audio_ms, unit: 'ms', price: '0.0077', price_unit: 'minute', size: 60_000 },
      { provider: 'openai', model: 'gpt-4o-mini', item: 'llm_input', quantity: usage.llm_prompt_tokens, unit: 'token', price: '0.333333', price_unit: '1M tokens', size: 1_000_000 },
      { provider: 'openai', model: 'gpt-4o-mini', item: 'llm_output', quantity: usage.llm_completion_tokens, unit: 'token', price: '1.7', price_unit: '1M tokens', size: 1_000_000 },
      { provider: 'elevenlabs', model: 'eleven_turbo_v2_5', item: 'tts', quantity: usage.tts_characters, unit: 'character', price: '0.123457', price_unit: '1k characters', size: 1000 },
    ].map(({ price, size, ...line }) => ({
      ...line,
      unit_price_usd: usd(expectedMicros(1, price, 1)),
      price_unit_size: size,
      cost_usd: usd(expectedMicros(line.quantity, price, size)),
    }));
    const total = expected.reduce((sum, line) => sum + BigInt(line.cost_usd.replace('.', '')), 0n);
    assert.deepEqual(row.cost, { currency: 'usd', total_usd: usd(total), breakdown: expected });
    assert.ok(total > 0n);

    const ended = (await sessionEvents(harness.db, session.id)).find((event) => event.type === 'session.ended');
    assert.deepEqual(ended.data.cost, row.cost, 'session.ended carries the cost');

    const records = await harness.db.system((trx) => trx('usage_records').where({ session_id: session.id }).orderBy('metric'));
    assert.equal(records.length, expected.length);
    for (const line of expected) {
      const record = records.find((candidate) => candidate.metric === line.item);
      assert.ok(record, line.item);
      assert.equal(BigInt(record.quantity), BigInt(line.quantity));
      assert.equal(record.provider, line.provider);
      assert.equal(usd(BigInt(record.cost_micro_usd)), line.cost_usd);
      assert.equal(record.created_at.getTime(), row.ended_at.getTime());
    }
    const report = await harness.db.system((trx) => trx('meter_reports').where({ session_id: session.id }).first());
    assert.equal(BigInt(report.value_micro_usd), total, 'the meter event owed is the session total');
    assert.equal(report.status, 'pending');
  });

  it('a session that never connected is not charged', async () => {
    const session = await harness.createSession({ name: 'Never', model: { provider: 'scripted', script: { default_reply: 'Hi.' } }, voice: { provider: 'local' }, transcriber: { provider: 'none' } });
    await harness.db.system((trx) => trx('sessions').where({ id: session.id }).update({ stream_token_expires_at: new Date(Date.now() - 1000) }));
    const tooLate = harness.connect(session);
    await tooLate.closed;
    const row = await waitForSessionEnd(harness.db, session.id);
    assert.equal(row.ended_reason, 'never-connected');
    assert.equal(row.cost, null);
    const records = await harness.db.system((trx) => trx('usage_records').where({ session_id: session.id }));
    assert.equal(records.length, 0);
    const ended = (await sessionEvents(harness.db, session.id)).find((event) => event.type === 'session.ended');
    assert.equal(ended.data.cost, null);
  });
});
