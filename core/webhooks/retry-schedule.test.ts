import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_RETRY_POLICY, MAX_RETRY_AFTER_MS, nextRetryDelayMs, parseRetryAfter } from './retry-schedule.ts';

test('eight attempts: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h between them, within ±20 % jitter', () => {
  const expected = [5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000];
  expected.forEach((delay, index) => {
    assert.equal(nextRetryDelayMs(index + 1, DEFAULT_RETRY_POLICY, undefined, () => 0.5), delay);
    assert.equal(nextRetryDelayMs(index + 1, DEFAULT_RETRY_POLICY, undefined, () => 0), delay * 0.8);
    assert.equal(nextRetryDelayMs(index + 1, DEFAULT_RETRY_POLICY, undefined, () => 1), delay * 1.2);
  });
  assert.equal(nextRetryDelayMs(8, DEFAULT_RETRY_POLICY), undefined);
});

test('Retry-After replaces the scheduled delay, capped, but does not add attempts', () => {
  assert.equal(nextRetryDelayMs(1, DEFAULT_RETRY_POLICY, 120_000), 120_000);
  assert.equal(nextRetryDelayMs(1, DEFAULT_RETRY_POLICY, 10 * MAX_RETRY_AFTER_MS), MAX_RETRY_AFTER_MS);
  assert.equal(nextRetryDelayMs(8, DEFAULT_RETRY_POLICY, 1000), undefined);
});

test('Retry-After is read as seconds or as an HTTP date', () => {
  assert.equal(parseRetryAfter('30'), 30_000);
  const now = Date.parse('2030-01-01T00:00:00Z');
  assert.equal(parseRetryAfter('Tue, 01 Jan 2030 00:01:00 GMT', now), 60_000);
  assert.equal(parseRetryAfter('soon'), undefined);
  assert.equal(parseRetryAfter(undefined), undefined);
});
