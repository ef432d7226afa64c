import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AttemptSlots } from './attempt-slots.ts';

/** Holds for `key` until one is refused; how many were granted. */
function holdAll(slots: AttemptSlots, key: string): number {
  let granted = 0;
  while (slots.hold(key)) granted++;
  return granted;
}

test('a target holds at most twice its running slots, and the worker its total', () => {
  const slots = new AttemptSlots(256, 32);
  assert.equal(holdAll(slots, 'slow'), 64);
  assert.deepEqual(slots.busyTargets(), ['slow']);
  assert.equal(slots.free(), 192);
});

test('a never-answering target cannot take every hold of a small worker', () => {
  for (const [total, perTarget] of [
    [2, 1],
    [4, 2],
    [8, 4],
  ]) {
    const slots = new AttemptSlots(total!, perTarget!);
    assert.equal(holdAll(slots, 'stuck'), total! - 1, `${total}/${perTarget}`);
    assert.equal(slots.hold('other'), true, `another target still gets a hold (${total}/${perTarget})`);
  }
});

test('a held delivery beyond the running slots waits and runs when one finishes', () => {
  const slots = new AttemptSlots(8, 1);
  const ran: string[] = [];
  slots.hold('a');
  slots.hold('a');
  slots.start('a', () => ran.push('first'));
  slots.start('a', () => ran.push('second'));
  assert.deepEqual(ran, ['first']);
  slots.finish('a');
  assert.deepEqual(ran, ['first', 'second']);
  slots.finish('a');
  assert.equal(slots.free(), 8);
  assert.deepEqual(slots.busyTargets(), []);
});
