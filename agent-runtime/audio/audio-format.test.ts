import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeWire, encodeWire } from './audio-format.ts';

const pcm = { encoding: 'pcm_s16le' as const, sampleRateHz: 16000 };

describe('PCM16 wire conversion', () => {
  it('is little-endian both ways, including from views at odd offsets', () => {
    const samples = Int16Array.from([0, 1, -1, 32767, -32768, 258]);
    const wire = encodeWire(pcm, samples);
    assert.deepEqual([...wire.subarray(0, 4)], [0, 0, 1, 0]);
    assert.deepEqual([...wire.subarray(10, 12)], [2, 1]);
    const padded = Buffer.concat([Buffer.from([9]), wire]);
    assert.deepEqual([...decodeWire(pcm, padded.subarray(1))!], [...samples]);
    const view = samples.subarray(2, 4);
    assert.deepEqual([...decodeWire(pcm, encodeWire(pcm, view))!], [-1, 32767]);
  });

  it('refuses a byte count that is not whole samples', () => {
    assert.equal(decodeWire(pcm, Buffer.from([1, 2, 3])), undefined);
  });
});
