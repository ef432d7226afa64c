import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import test from 'node:test';
import { ConfigError } from '../config.ts';
import { DEFAULT_PRICES } from './default-prices.ts';
import { loadSessionBilling } from './price-file.ts';
import { applyPriceOverride, lookupPrice, parsePriceOverride } from './price-table.ts';

test('an override replaces the model entries it names and keeps every other price', () => {
  const prices = applyPriceOverride(DEFAULT_PRICES, {
    platform: { session_per_minute_usd: '0.02' },
    llm: { openai: { 'my-finetune': { input_per_1m_tokens_usd: '1', output_per_1m_tokens_usd: '2' } } },
  });
  assert.equal(prices.platform.session_per_minute_usd, '0.02');
  assert.deepEqual(lookupPrice(prices.llm, 'openai', 'my-finetune'), { input_per_1m_tokens_usd: '1', output_per_1m_tokens_usd: '2' });
  assert.deepEqual(lookupPrice(prices.llm, 'openai', 'gpt-4o-mini'), DEFAULT_PRICES.llm.openai!['gpt-4o-mini']);
  assert.deepEqual(prices.tts, DEFAULT_PRICES.tts);
  // An unlisted model falls back to the provider's `*`; an unknown provider has no price.
  assert.deepEqual(lookupPrice(prices.stt, 'deepgram', 'nova-9'), DEFAULT_PRICES.stt.deepgram!['*']);
  assert.equal(lookupPrice(prices.stt, 'nobody', 'x'), undefined);
});

test('an override with a float, a negative or an unknown field is refused with its path', () => {
  const parsed = parsePriceOverride({ stt: { deepgram: { '*': { per_minute_usd: 0.0043 } } }, tts: { local: { '*': { per_1k_characters_usd: '-1' } } }, extra: 1 });
  assert.equal(parsed.ok, false);
  const problems = parsed.ok ? [] : parsed.problems.join('\n');
  assert.match(String(problems), /stt\.deepgram\.\*\.per_minute_usd/);
  assert.match(String(problems), /tts\.local\.\*\.per_1k_characters_usd/);
});

test('the price file overrides the defaults; a bad one stops start-up naming the setting', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'echosphere-prices-'));
  const good = path.join(dir, 'prices.json');
  writeFileSync(good, JSON.stringify({ tts: { elevenlabs: { '*': { per_1k_characters_usd: '0.2' } } } }));
  const billing = loadSessionBilling({ priceFile: good, meterReportIntervalS: 5, stripe: undefined });
  assert.equal(billing.prices.tts.elevenlabs!['*']!.per_1k_characters_usd, '0.2');
  assert.equal(billing.prices.tts.elevenlabs!.eleven_turbo_v2_5!.per_1k_characters_usd, '0.05');
  assert.equal(billing.reportMeterEvents, false);
  const bad = path.join(dir, 'bad.json');
  writeFileSync(bad, JSON.stringify({ platform: { session_per_minute_usd: 'free' } }));
  assert.throws(() => loadSessionBilling({ priceFile: bad, meterReportIntervalS: 5, stripe: undefined }), (error: unknown) =>
    error instanceof ConfigError && /ECHOSPHERE_PRICE_FILE .*platform\.session_per_minute_usd/.test(error.message));
  assert.throws(() => loadSessionBilling({ priceFile: path.join(dir, 'missing.json'), meterReportIntervalS: 5, stripe: undefined }), /ECHOSPHERE_PRICE_FILE: cannot read/);
});
