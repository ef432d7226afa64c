import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AudioByteStream } from '@livekit/agents';
import { createLogger } from '../../core/logger.ts';
import { initializeLibraryLogger } from '../session/library-logger.ts';

// The library's AudioByteStream is patched at install (patches/); every provider's audio passes
// through it, so its framing is pinned here.
test('AudioByteStream frames bytes split at any point into whole frames, in order, carrying the remainder', () => {
  const samples = Int16Array.from({ length: 1000 }, (_, i) => i - 500);
  const bytes = new Uint8Array(samples.buffer);
  initializeLibraryLogger(createLogger({ level: 'error', format: 'json' }));
  const stream = new AudioByteStream(16000, 1, 320);
  const frames = [...stream.write(bytes.subarray(0, 333)), ...stream.write(bytes.subarray(333, 1999)), ...stream.write(bytes.subarray(1999))];
  assert.deepEqual(frames.map((frame) => frame.samplesPerChannel), [320, 320, 320]);
  const tail = stream.flush();
  assert.deepEqual(tail.map((frame) => frame.samplesPerChannel), [40]);
  const out = [...frames, ...tail].flatMap((frame) => [...frame.data]);
  assert.deepEqual(out, [...samples]);
});
