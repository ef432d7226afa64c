import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { splitForEspeak } from './espeak-text.ts';

describe('splitting text for eSpeak', () => {
  it('keeps short text whole and cuts long text after whitespace', () => {
    assert.deepEqual(splitForEspeak('Hello there.', 20), ['Hello there.']);
    assert.deepEqual(splitForEspeak('one two three four five', 9), ['one two', 'three', 'four five']);
    assert.deepEqual(splitForEspeak('', 9), []);
  });

  it('cuts a word longer than a piece where the piece ends', () => {
    assert.deepEqual(splitForEspeak('abcdefghij kl', 4), ['abcd', 'efgh', 'ij', 'kl']);
  });
});
