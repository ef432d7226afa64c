import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { percentile } from './percentile.ts';

describe('percentile', () => {
  it('is null when there are no values', () => {
    assert.equal(percentile([], 50), null);
  });

  it('picks the nearest-rank value, never an interpolated one', () => {
    const sorted = [10, 20, 30, 40];
    assert.equal(percentile(sorted, 50), 20);
    assert.equal(percentile(sorted, 51), 30);
    assert.equal(percentile(sorted, 95), 40);
  });

  it('clamps p = 0 to the smallest and p = 100 to the largest value', () => {
    const sorted = [1, 2, 3];
    assert.equal(percentile(sorted, 0), 1);
    assert.equal(percentile(sorted, 100), 3);
  });

  it('gives p99 of 100 values as the 99th and of 1000 values as the 990th', () => {
    const hundred = Array.from({ length: 100 }, (_, i) => i + 1);
    const thousand = Array.from({ length: 1000 }, (_, i) => i + 1);
    assert.equal(percentile(hundred, 99), 99);
    assert.equal(percentile(thousand, 99), 990);
  });
});
