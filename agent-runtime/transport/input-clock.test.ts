import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InputClock } from './input-clock.ts';

const FRAME = 320; // 20 ms at 16 kHz

test('frames arriving in bursts keep their place in the stream', () => {
  const clock = new InputClock(16_000);
  assert.equal(clock.stamp(FRAME, 1000), 1000);
  // A busy moment: the next three frames arrive together, 60 ms late.
  assert.deepEqual([clock.stamp(FRAME, 1080), clock.stamp(FRAME, 1080), clock.stamp(FRAME, 1080)], [1020, 1040, 1060]);
  assert.equal(clock.stamp(FRAME, 1081), 1080);
});

test('a client that paused sending is placed where it resumed', () => {
  const clock = new InputClock(16_000);
  clock.stamp(FRAME, 1000);
  assert.equal(clock.stamp(FRAME, 5000), 5000);
  assert.equal(clock.stamp(FRAME, 5020), 5020);
});
