import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findUnstorableInput, MAX_JSON_DEPTH } from './storable-input.ts';

test('NUL and unpaired surrogates are found in values and keys, with their path', () => {
  assert.deepEqual(findUnstorableInput({ a: [1, { b: 'x\u0000' }] })?.path, ['a', 1, 'b']);
  assert.deepEqual(findUnstorableInput({ a: { 'k\ud800': 1 } })?.path, ['a', 'k\ud800']);
  assert.deepEqual(findUnstorableInput(['ok', '\udfff'])?.path, [1]);
  assert.deepEqual(findUnstorableInput('\u0000')?.path, []);
});

test('the first offence in document order is the one reported', () => {
  assert.deepEqual(findUnstorableInput({ first: '\u0000', second: '\u0000' })?.path, ['first']);
  assert.deepEqual(findUnstorableInput([{ '\u0000a': 1, '\u0000b': 1 }])?.path, [0, '\u0000a']);
});

test('text PostgreSQL stores is accepted: paired surrogates, other control characters, every plane', () => {
  assert.equal(findUnstorableInput({ emoji: '😀', tab: '\t\u0001\u007f', cjk: '語', max: '\u{10FFFF}', 'ключ': ['ü'] }), undefined);
  assert.equal(findUnstorableInput(null), undefined);
  assert.equal(findUnstorableInput(42), undefined);
});

test('nesting is refused beyond the limit, without overflowing the stack however deep it goes', () => {
  let atLimit: unknown = 'leaf';
  for (let depth = 0; depth < MAX_JSON_DEPTH; depth++) atLimit = [atLimit];
  assert.equal(findUnstorableInput(atLimit), undefined);
  assert.equal(findUnstorableInput([atLimit])?.path.length, MAX_JSON_DEPTH);
  const huge = JSON.parse('['.repeat(200_000) + ']'.repeat(200_000));
  assert.match(findUnstorableInput({ a: huge })!.problem, /nest/);
});
