import assert from 'node:assert/strict';
import test from 'node:test';
import { formatUsd, parseUsd, priceQuantity } from './money.ts';

test('USD decimals become exact micro-dollars and back', () => {
  assert.equal(parseUsd('0.0043'), 4300n);
  assert.equal(parseUsd('12'), 12_000_000n);
  assert.equal(parseUsd('0.000001'), 1n);
  assert.equal(formatUsd(4300n), '0.004300');
  assert.equal(formatUsd(12_000_001n), '12.000001');
  assert.equal(formatUsd(0n), '0.000000');
  for (const bad of ['-1', '0.0000001', '1e3', '', '01', '.5', 'NaN']) assert.throws(() => parseUsd(bad), RangeError, bad);
});

test('a quantity is priced per unit size, rounded half up to the micro-dollar', () => {
  // 90 s of audio at $0.0043 per minute: 6,450 micro-dollars exactly.
  assert.equal(priceQuantity(90_000n, 4300n, 60_000n), 6450n);
  // 1 ms at $0.0043 per minute is 0.0717 micro-dollars: rounds to 0; 7 ms is 0.5017: rounds to 1.
  assert.equal(priceQuantity(1n, 4300n, 60_000n), 0n);
  assert.equal(priceQuantity(7n, 4300n, 60_000n), 1n);
  // Exactly half a micro-dollar rounds up.
  assert.equal(priceQuantity(1n, 1n, 2n), 1n);
  // Large quantities do not lose precision.
  assert.equal(priceQuantity(10n ** 12n, 150_000n, 1_000_000n), 150_000_000_000n);
});
