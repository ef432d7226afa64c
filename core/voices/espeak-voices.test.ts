import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { test } from 'node:test';
import { ESPEAK_VOICES } from './espeak-voices.ts';

const voicesDir = path.join(path.dirname(createRequire(import.meta.url).resolve('mespeak/package.json')), 'voices');

test('the catalog lists exactly the voice files mespeak ships, each under the id it loads as', () => {
  const shipped = readdirSync(voicesDir, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.json'))
    .map((file) => file.slice(0, -'.json'.length).split(path.sep).join('/'))
    .sort();
  assert.deepEqual(ESPEAK_VOICES.map((voice) => voice.file).sort(), shipped);
  for (const voice of ESPEAK_VOICES) {
    const loaded = createRequire(import.meta.url)(`mespeak/voices/${voice.file}.json`) as { voice_id: string };
    assert.equal(loaded.voice_id, voice.file);
  }
});
